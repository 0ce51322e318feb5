package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// handMadeSetup is the how-to's setup as an administrator makes it with the Azure CLI and the portal,
// without Terraform: `az ad group create`, `az ad group member add`, `az role assignment create` (a
// random assignment name, unlike the provider's derived one), the portal's PIM eligibility (adminAssign
// for 180 days) and its approval setting on each just-in-time group. Group IDs by how-to name.
func handMadeSetup(ctx context.Context, c *clients.Client, f emulator.Fixtures, prefix string) (map[string]string, error) {
	cluster, err := rbac.ParseClusterID(f.ClusterID)
	if err != nil {
		return nil, err
	}
	groups := map[string]string{}
	for _, name := range []string{"default", "admin", "approver", "node-access"} {
		g := models.NewGroup()
		g.SetDisplayName(to.Ptr(prefix + "-" + name))
		g.SetMailNickname(to.Ptr(prefix + "-" + name))
		g.SetSecurityEnabled(to.Ptr(true))
		g.SetMailEnabled(to.Ptr(false))
		created, err := clients.Graph(c).Groups().Post(ctx, g, nil)
		if err != nil {
			return nil, fmt.Errorf("az ad group create %s: %w", name, err)
		}
		groups[name] = *created.GetId()
	}
	for group, user := range map[string]string{"default": f.N01.ID, "approver": f.P01.ID} {
		ref := models.NewReferenceCreate()
		ref.SetOdataId(to.Ptr(strings.TrimRight(c.Endpoints.GraphBaseURL(), "/") + "/directoryObjects/" + user))
		if err := clients.Graph(c).Groups().ByGroupId(groups[group]).Members().Ref().Post(ctx, ref, nil); err != nil {
			return nil, fmt.Errorf("az ad group member add %s: %w", group, err)
		}
	}
	nodeRG := rbac.ResourceGroupID(cluster.SubscriptionID, f.NodeResourceGroup)
	for _, a := range []struct{ group, role, scope string }{
		{"default", rbac.RoleAKSRBACReader, cluster.String()},
		{"default", rbac.RoleReader, cluster.ResourceGroupID()},
		{"default", rbac.RoleAKSClusterUser, cluster.String()},
		{"admin", rbac.RoleAKSRBACAdmin, cluster.String()},
		{"node-access", rbac.RoleVirtualMachineUserLogin, nodeRG},
	} {
		_, err := c.RoleAssignments.Create(ctx, a.scope, uuid.NewString(), armauthorization.RoleAssignmentCreateParameters{
			Properties: &armauthorization.RoleAssignmentProperties{
				PrincipalID:      to.Ptr(groups[a.group]),
				PrincipalType:    to.Ptr(armauthorization.PrincipalTypeGroup),
				RoleDefinitionID: to.Ptr(rbac.SubscriptionRoleDefinitionID(cluster.SubscriptionID, a.role)),
			},
		}, nil)
		if err != nil {
			return nil, fmt.Errorf("az role assignment create %s %s: %w", a.group, a.role, err)
		}
	}
	for _, jit := range []string{"admin", "node-access"} {
		// The portal's "Require approval to activate" with the approver group: the same rule PATCH the
		// provider sends (pim.ApplyPolicy), starting from Azure's defaults.
		p := pim.DefaultPolicy()
		p.Approval.Required, p.Approval.ApproverGroups = true, []string{groups["approver"]}
		if _, _, err := pim.ApplyPolicy(ctx, c, pim.PolicyKey{GroupID: groups[jit], AccessID: pim.AccessMember}, p); err != nil {
			return nil, fmt.Errorf("PIM settings of %s: %w", jit, err)
		}
		req := models.NewPrivilegedAccessGroupEligibilityScheduleRequest()
		action := models.ADMINASSIGN_SCHEDULEREQUESTACTIONS
		req.SetAction(&action)
		access := models.MEMBER_PRIVILEGEDACCESSGROUPRELATIONSHIPS
		req.SetAccessId(&access)
		req.SetGroupId(to.Ptr(groups[jit]))
		req.SetPrincipalId(to.Ptr(groups["default"]))
		req.SetJustification(to.Ptr("default may request " + jit))
		info := models.NewRequestSchedule()
		info.SetStartDateTime(to.Ptr(time.Now().UTC()))
		exp := models.NewExpirationPattern()
		expType := models.AFTERDATETIME_EXPIRATIONPATTERNTYPE
		exp.SetTypeEscaped(&expType)
		exp.SetEndDateTime(to.Ptr(time.Now().UTC().Add(180 * 24 * time.Hour).Truncate(time.Minute)))
		info.SetExpiration(exp)
		req.SetScheduleInfo(info)
		if _, err := clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group().EligibilityScheduleRequests().Post(ctx, req, nil); err != nil {
			return nil, fmt.Errorf("PIM eligibility of default for %s: %w", jit, err)
		}
	}
	return groups, nil
}
