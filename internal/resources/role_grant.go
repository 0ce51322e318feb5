package resources

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// What aks_role_binding and the PIM role schedules (aks_pim_role_eligibility, aks_pim_role_assignment)
// grant: a role at a scope (scope_role.go) to a principal, optionally limited by an ABAC condition; the
// model, the attributes and the planning they share.

// roleGrantModel is what aks_role_binding and the PIM role schedules give: a role at a scope to a
// principal, optionally limited by an ABAC condition. principal_type is in the model, but each object
// has its own attribute for it (aks_role_binding's is an input, the schedules' is reported).
type roleGrantModel struct {
	scopeRoleModel
	PrincipalID      types.String `tfsdk:"principal_id"`
	PrincipalType    types.String `tfsdk:"principal_type"`
	Condition        types.String `tfsdk:"condition"`
	ConditionVersion types.String `tfsdk:"condition_version"`
}

// roleGrantAttributes are the attributes of roleGrantModel but principal_type: noun names what a change
// of scope or role replaces, principal and condition describe those attributes.
func roleGrantAttributes(noun, principal, condition string) map[string]schema.Attribute {
	return withAttributes(scopeRoleAttributes(noun), map[string]schema.Attribute{
		"principal_id": schema.StringAttribute{MarkdownDescription: principal, Required: true, Validators: []validator.String{objectIDValidator()}},
		"condition":    optionalStringAttribute(condition, stringvalidator.LengthAtLeast(1)),
		"condition_version": derivedString("The condition language version; `2.0` (the only one Azure accepts) when `condition` is set.",
			stringvalidator.OneOf("2.0"), stringvalidator.AlsoRequires(path.MatchRoot("condition"))),
	})
}

// planGrant plans a grant from config and the prior state (nil on create): the principal checked in the
// directory when it changes (kinds: what it may name), the scope and role derived, the condition version
// filled in. replace, fresh and ok are planScopeRole's, the principal replacing the object too.
func (g *roleGrantModel) planGrant(ctx context.Context, c *clients.Client, config roleGrantModel, state *roleGrantModel, kinds []string, also func() path.Paths, diags *diag.Diagnostics) (replace path.Paths, fresh, ok bool) {
	var prior roleGrantModel
	var priorScope *scopeRoleModel
	if state != nil {
		prior, priorScope = *state, &state.scopeRoleModel
	}
	var refs objectRefs
	refs.add(path.Root("principal_id"), g.PrincipalID, prior.PrincipalID, kinds...)
	refs.check(ctx, c, diags)
	g.ConditionVersion = conditionVersion(config.Condition, config.ConditionVersion, prior.ConditionVersion)
	return planScopeRole(ctx, c, &g.scopeRoleModel, config.scopeRoleModel, priorScope, func() path.Paths {
		if !known(g.PrincipalID) || !strings.EqualFold(prior.PrincipalID.ValueString(), g.PrincipalID.ValueString()) {
			return append(path.Paths{path.Root("principal_id")}, also()...)
		}
		return also()
	}, diags)
}
