package resources

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// The scope and role of aks_role_binding and of the PIM role schedules (aks_pim_role_eligibility,
// aks_pim_role_assignment): an explicit scope or one derived from an AKS cluster, and the role by name
// or by definition ID. The attributes, their checks and the planner (role_binding_planner.go) are shared.

// scopeRoleModel holds the scope and role attributes; objects embed it in their models.
type scopeRoleModel struct {
	Scope            types.String `tfsdk:"scope"`
	ClusterID        types.String `tfsdk:"cluster_id"`
	ScopeKind        types.String `tfsdk:"scope_kind"`
	NodePool         types.String `tfsdk:"node_pool"`
	Namespace        types.String `tfsdk:"namespace"`
	Role             types.String `tfsdk:"role"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
}

// scopeRoleAttributes are the scope and role attributes; noun names what a change replaces.
func scopeRoleAttributes(noun string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"scope": derivedString("An explicit scope (management group, subscription, resource group or resource ID). Give this or "+
			"`cluster_id` (both only when they name the same scope, as generated configuration does); when `cluster_id` is used, this is the derived scope. A node pool scope written `/nodepools/` is sent "+
			"as `/agentPools/`. Changing the scope replaces the "+noun+".", scopeValidator()),
		"cluster_id": derivedString("The AKS cluster the scope is derived from (requires `scope_kind`). Computed from an explicit "+
			"`scope` below a cluster.", clusterIDValidator()),
		"scope_kind": derivedString("Which scope of `cluster_id`: `cluster`, `resource_group` (the cluster's), `node_resource_group` "+
			"(where the nodes live; for VM login roles), `node_pool` (with `node_pool`) or `namespace` (with `namespace`).",
			stringvalidator.OneOf(rbac.ScopeKinds()...)),
		"node_pool": derivedString("The node pool, for `scope_kind = \"node_pool\"`.", nodePoolNameValidator()),
		"namespace": derivedString("The Kubernetes namespace, for `scope_kind = \"namespace\"` (Azure RBAC for Kubernetes "+
			"authorization honours namespace-scoped assignments of the `Azure Kubernetes Service RBAC ...` roles).", namespaceValidator()),
		"role": derivedString("The role's name, e.g. `Azure Kubernetes Service RBAC Reader`. Give `role` or "+
			"`role_definition_id` (both only when they name the same role); the other is computed. Changing the role replaces the "+noun+".",
			stringvalidator.LengthAtLeast(1)),
		"role_definition_id": derivedString("The role definition ID, `/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{guid}` "+
			"(the tenant-level form `/providers/...` is accepted too; IDs compare by GUID).", roleDefinitionIDValidator()),
	}
}

// withAttributes merges shared attributes (scopeRoleAttributes, pimScheduleAttributes) into an object's own.
func withAttributes[A any](shared, own map[string]A) map[string]A {
	maps.Copy(own, shared)
	return own
}

// scopeRoleResource is what the objects with a scope and role implement besides managedResource: the
// scope's config validators and ValidateConfig.
type scopeRoleResource interface {
	resource.ResourceWithConfigValidators
	resource.ResourceWithValidateConfig
}

func scopeRoleConfigValidators() []resource.ConfigValidator {
	return []resource.ConfigValidator{
		// At least one, not exactly one: configuration generated on import writes both, which the planner
		// accepts when they agree (Conflicting Scope / Conflicting Role otherwise).
		resourcevalidator.AtLeastOneOf(path.MatchRoot("scope"), path.MatchRoot("cluster_id")),
		resourcevalidator.RequiredTogether(path.MatchRoot("cluster_id"), path.MatchRoot("scope_kind")),
		resourcevalidator.AtLeastOneOf(path.MatchRoot("role"), path.MatchRoot("role_definition_id")),
	}
}

// validateScopeRole checks the companions of scope_kind and warns about the /nodepools/ spelling.
func validateScopeRole(m scopeRoleModel, diags *diag.Diagnostics) {
	if known(m.ScopeKind) {
		kind := rbac.ScopeKind(m.ScopeKind.ValueString())
		companion := func(attr string, v types.String, wantKind rbac.ScopeKind) {
			switch {
			case kind == wantKind && v.IsNull():
				// On scope_kind: the absent attribute has no line Terraform could point at.
				diags.AddAttributeError(path.Root("scope_kind"), "Missing Required Attribute",
					fmt.Sprintf("scope_kind = %q needs %s: the scope is derived from it.", wantKind, attr))
			case kind != wantKind && !v.IsNull():
				diags.AddAttributeError(path.Root(attr), "Invalid Attribute Combination",
					fmt.Sprintf("%s is only used with scope_kind = %q, but scope_kind is %q. Remove %s or change scope_kind.", attr, wantKind, kind, attr))
			}
		}
		companion("node_pool", m.NodePool, rbac.ScopeNodePool)
		companion("namespace", m.Namespace, rbac.ScopeNamespace)
	} else if m.ScopeKind.IsNull() {
		for attr, v := range map[string]types.String{"node_pool": m.NodePool, "namespace": m.Namespace} {
			if !v.IsNull() {
				diags.AddAttributeError(path.Root(attr), "Invalid Attribute Combination",
					fmt.Sprintf("%s is only used together with cluster_id and scope_kind.", attr))
			}
		}
	}
	if known(m.Scope) {
		if sc, err := rbac.NormalizeScope(m.Scope.ValueString()); err == nil && sc.Rewritten {
			diags.AddAttributeWarning(path.Root("scope"), "Node Pool Scope Normalised",
				fmt.Sprintf("Azure names node pools `agentPools` in resource IDs; the scope is sent as %q. Write it that way, or use "+
					"cluster_id with scope_kind = \"node_pool\", to match what Azure reports.", sc.ID))
		}
	}
}

// resolveRoleName fills in m.Role, when it is not known, with the name of role definition id (the
// object's own ID form); ok is false, diagnosed, when it could not be resolved.
func resolveRoleName(ctx context.Context, c *clients.Client, object string, m *scopeRoleModel, id string, diags *diag.Diagnostics) (ok bool) {
	if known(m.Role) {
		return true
	}
	rd, err := rbac.ResolveRoleByID(ctx, c, id)
	if err != nil {
		addAPIError(diags, "Read", object, fmt.Errorf("resolving the name of role definition %s: %w", id, err), grantRoleDefinitionRead)
		return false
	}
	m.Role = types.StringValue(rd.Name)
	return true
}

// readCondition is an ABAC condition and its version as Azure reports them: no version without a condition.
func readCondition(condition, version string) (types.String, types.String) {
	if condition == "" {
		return types.StringNull(), types.StringNull()
	}
	return types.StringValue(condition), optionalString(version)
}

// conditionVersion is the planned condition_version of an ABAC condition: as configured, else "2.0" (or
// the state's) with a condition, null without one.
func conditionVersion(condition, configured, prior types.String) types.String {
	switch {
	case !configured.IsNull():
		return configured
	case condition.IsUnknown():
		return types.StringUnknown()
	case condition.IsNull():
		return types.StringNull()
	case known(prior):
		return prior
	default:
		return types.StringValue("2.0")
	}
}
