package access

import (
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// TestDiscoverRoleSchedules reads PIM for Azure resources from the emulator: n01 eligible for RBAC Admin
// at the cluster (the role's policy there: p01 approves), a group with n01 eligible for VM User Login at
// the node resource group, p01 holding RBAC Reader in a namespace for two hours. The audit names each
// with its schedule, and the schedules and policies cost the same requests however many principals are
// eligible: one list of each kind per resource group, one policy read per role and scope.
func TestDiscoverRoleSchedules(t *testing.T) {
	cfg := emulator.DefaultConfig()
	cfg.Seed = 11
	cfg.AdminARMRole = "User Access Administrator" // PIM requests need more than Role Based Access Control Administrator
	srv, c := emuclient.StartAdmin(t, cfg, emuclient.Quick())
	f, ctx := srv.Fixtures(), t.Context()
	cluster, err := rbac.ParseClusterID(f.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	nodeRG := rbac.ResourceGroupID(f.SubscriptionID, f.NodeResourceGroup)
	eligible := func(principal, scope, role string) armpim.Schedule {
		t.Helper()
		s, err := armpim.Create(ctx, c, armpim.Spec{Kind: armpim.Eligible, Target: armpim.Target{Scope: scope, RoleDefinitionID: role, PrincipalID: principal},
			Schedule: pim.Schedule{Duration: pim.DurationOf(30 * 24 * time.Hour)}, Justification: "audit test"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	key := armpim.PolicyKey{Scope: f.ClusterID, RoleDefinitionID: rbac.RoleAKSRBACAdmin}
	st, err := armpim.ReadPolicy(ctx, c, key)
	if err != nil {
		t.Fatal(err)
	}
	pol := st.Rules.Policy()
	pol.Approval = pim.ApprovalRules{Required: true, ApproverUsers: []string{f.P01.ID}, TimeoutDays: 1}
	if _, _, err := armpim.ApplyPolicy(ctx, c, key, pol); err != nil {
		t.Fatal(err)
	}
	admin := eligible(f.N01.ID, f.ClusterID, rbac.RoleAKSRBACAdmin)
	group := emuclient.NewGroup(t, c, "audit-nodes", f.N01.ID)
	login := eligible(group, nodeRG, rbac.RoleVirtualMachineUserLogin)
	reader, err := armpim.Create(ctx, c, armpim.Spec{Kind: armpim.Active,
		Target:   armpim.Target{Scope: cluster.NamespaceScope("team-a"), RoleDefinitionID: rbac.RoleAKSRBACReader, PrincipalID: f.P01.ID},
		Schedule: pim.Schedule{Duration: pim.DurationOf(2 * time.Hour)}, Justification: "audit test"})
	if err != nil {
		t.Fatal(err)
	}

	pimRequests := func() map[string]int64 {
		srv.ResetStats()
		s, err := Discover(ctx, c, cluster)
		if err != nil {
			t.Fatal(err)
		}
		acc := Audit(s)
		if !hasAccess(acc, f.N01.ID, FamilySecrets, WhereCluster, func(a Access) bool {
			return a.Via == ViaEligible && a.Schedule == admin.ID && a.Role == "Azure Kubernetes Service RBAC Admin" &&
				rbac.SameScope(a.Scope, f.ClusterID) && a.ApprovalRequired && len(a.Approvers) == 1 && a.Approvers[0] == s.Principal(f.P01.ID).DisplayName
		}) {
			t.Errorf("n01's eligibility for RBAC Admin at the cluster (approved by p01) is not in the audit:\n%s", summary(acc))
		}
		if !hasAccess(acc, f.N01.ID, FamilyNodeLogin, WhereNodes, func(a Access) bool {
			return a.Via == ViaEligible && a.Schedule == login.ID && !a.ApprovalRequired && strings.HasPrefix(a.Steps[0], "member of audit-nodes-")
		}) {
			t.Errorf("n01's node login through the eligible group is not in the audit:\n%s", summary(acc))
		}
		if !hasAccess(acc, f.P01.ID, FamilyRead, "namespace/team-a", func(a Access) bool {
			return a.Standing && a.Via == ViaActive && a.Schedule == reader.ID && a.Until.Equal(reader.End) && a.Assignment != ""
		}) {
			t.Errorf("p01's time-bound RBAC Reader in team-a is not in the audit as active until %v:\n%s", reader.End, summary(acc))
		}
		counts := map[string]int64{}
		for route, rs := range srv.Stats().Routes {
			for _, typ := range []string{"roleEligibilitySchedules", "roleAssignmentSchedules", "roleManagementPolicies"} {
				if strings.Contains(route, "/providers/Microsoft.Authorization/"+typ) {
					counts[typ] += rs.Count
				}
			}
		}
		return counts
	}
	before := pimRequests()
	if before["roleEligibilitySchedules"] != 2 || before["roleAssignmentSchedules"] != 2 || before["roleManagementPolicies"] != 2 {
		t.Errorf("PIM requests %v, want one list of each kind per resource group and one policy per eligible role and scope", before)
	}
	for range 3 {
		eligible(emuclient.NewGroup(t, c, "audit-admins"), f.ClusterID, rbac.RoleAKSRBACAdmin)
	}
	if after := pimRequests(); after["roleEligibilitySchedules"] != before["roleEligibilitySchedules"] ||
		after["roleAssignmentSchedules"] != before["roleAssignmentSchedules"] || after["roleManagementPolicies"] != before["roleManagementPolicies"] {
		t.Errorf("PIM requests grew with the eligible principals: %v, then %v", before, after)
	}
}

func hasAccess(acc []Access, principal string, fam Family, where string, ok func(Access) bool) bool {
	for _, a := range acc {
		if strings.EqualFold(a.Principal.ID, principal) && a.Family == fam && a.Where == where && ok(a) {
			return true
		}
	}
	return false
}
