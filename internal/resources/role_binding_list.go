package resources

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// NewRoleBindingList lists the role assignments at a cluster's scopes (aks_role_binding).
func NewRoleBindingList() list.ListResource {
	return &listOf[roleBindingListConfig, rbac.ClusterAssignment]{
		resourceBase: resourceBase{typeName: "_role_binding"},
		description: "Role assignments at a cluster's scopes: the cluster, its resource group, its node resource group, its " +
			"node pools and namespaces (two ARM list requests).",
		arguments: map[string]schema.Attribute{
			"cluster_id":   listArgument(true, "The AKS cluster's resource ID.", clusterIDValidator()),
			"principal_id": listArgument(false, "Only the assignments of this principal.", objectIDValidator()),
		},
		find: findRoleBindings,
		result: func(ctx context.Context, _ *clients.Client, req list.ListRequest, cfg roleBindingListConfig, a rbac.ClusterAssignment) list.ListResult {
			m := roleBindingFromAssignment(a, cfg.ClusterID.ValueString())
			m.resourceTimeouts = listNullTimeouts(req)
			return listResult(ctx, req, roleBindingIdentity, fmt.Sprintf("%s for %s at %s", a.Role.Name, a.PrincipalID, a.Scope), &m)
		},
	}
}

type roleBindingListConfig struct {
	ClusterID   types.String `tfsdk:"cluster_id"`
	PrincipalID types.String `tfsdk:"principal_id"`
}

// findRoleBindings lists the assignments at the cluster's own scopes (not those inherited from above
// its resource group), of one principal when the configuration says so.
func findRoleBindings(ctx context.Context, c *clients.Client, cfg roleBindingListConfig, diags *diag.Diagnostics) []rbac.ClusterAssignment {
	id, err := rbac.ParseClusterID(cfg.ClusterID.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("cluster_id"), "Invalid AKS Cluster ID", err.Error())
		return nil
	}
	facts, err := rbac.GetCluster(ctx, c, id)
	if err != nil {
		addClusterError(diags, path.Root("cluster_id"), "List", roleBindingObject, fmt.Sprintf("by ID %q", cfg.ClusterID.ValueString()), err)
		return nil
	}
	assignments, err := rbac.ListClusterAssignments(ctx, c, facts)
	if err != nil {
		addAPIError(diags, "List", roleBindingObject, err, grantRoleAssignmentRead)
		return nil
	}
	return slices.DeleteFunc(assignments, func(a rbac.ClusterAssignment) bool {
		return a.Kind == rbac.ScopeInherited || (known(cfg.PrincipalID) && !strings.EqualFold(a.PrincipalID, cfg.PrincipalID.ValueString()))
	})
}

// roleBindingFromAssignment is the state an import of a would read: the explicit scope, and the cluster
// inputs it derives from it.
func roleBindingFromAssignment(a rbac.ClusterAssignment, clusterID string) roleBindingModel {
	grant := roleGrantModel{
		scopeRoleModel: scopeRoleModel{
			Scope: types.StringValue(a.Scope), ClusterID: types.StringValue(clusterID), ScopeKind: types.StringValue(string(a.Kind)),
			NodePool: optionalString(a.NodePool), Namespace: optionalString(a.Namespace),
			Role: types.StringValue(a.Role.Name), RoleDefinitionID: types.StringValue(a.RoleDefinitionID),
		},
		PrincipalID: types.StringValue(a.PrincipalID), PrincipalType: types.StringValue(a.PrincipalType),
	}
	grant.Condition, grant.ConditionVersion = readCondition(a.Condition, a.ConditionVersion)
	return roleBindingModel{roleGrantModel: grant, ID: types.StringValue(a.ID), Name: types.StringValue(a.Name), Description: optionalString(a.Description)}
}
