package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

var _ scopeRoleResource = (*roleBindingResource)(nil)

const roleBindingObject = "Role Binding"

// NewRoleBindingResource is aks_role_binding: an Azure RBAC role assignment for a principal at a scope
// derived from an AKS cluster (or an explicit scope).
func NewRoleBindingResource() resource.Resource {
	return withIdentity(&roleBindingResource{resourceBase{typeName: "_role_binding",
		timeouts: timeoutDefaults{Create: 15 * time.Minute, Read: 5 * time.Minute, Update: 10 * time.Minute, Delete: 10 * time.Minute}}}, roleBindingIdentity)
}

var roleBindingIdentity = resourceIdentity{
	{"id", "The role assignment's resource ID, `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`."},
}

type roleBindingResource struct{ resourceBase }

type roleBindingModel struct {
	roleGrantModel
	resourceTimeouts
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
}

func (r *roleBindingResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Azure RBAC role assignment that gives a principal (usually an `aks_pim_group`) a role at a scope " +
			"derived from an AKS cluster: the cluster, its resource group, its node resource group, one node pool, or one Kubernetes " +
			"namespace; or at an explicit `scope`.\n\n" +
			"The assignment's name is a GUID derived from scope, role and principal, so an interrupted or retried create never " +
			"leaves a second assignment behind. `principal_type` (default `Group`) is sent to Azure so that a group created moments " +
			"earlier does not fail with `PrincipalNotFound`; that error is still retried for a bounded time (provider setting " +
			"`principal_not_found_retry_timeout`, default 5 minutes). Role names are resolved once per provider run.\n\n" +
			"Required Azure permission: `Microsoft.Authorization/roleAssignments/write` and `/delete` at the scope, e.g. the " +
			"`Role Based Access Control Administrator` or `User Access Administrator` role.",
		Attributes: withAttributes(roleGrantAttributes("assignment", "The object ID of the user, group or service principal. Changing it replaces the assignment.",
			"An ABAC condition limiting the assignment. Updated in place."), map[string]schema.Attribute{
			"id":   keptString("The role assignment's resource ID, `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`."),
			"name": keptString("The role assignment's name: a GUID derived from scope, role definition and principal."),
			"principal_type": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(rbac.PrincipalGroup),
				MarkdownDescription: "`User`, `Group` (default) or `ServicePrincipal`: the kind of `principal_id`. It must match the " +
					"principal; sending it lets Azure accept principals that have not replicated yet. Changing it replaces the assignment.",
				Validators: []validator.String{stringvalidator.OneOf(rbac.PrincipalTypes()...)},
			},
			"description": optionalStringAttribute("A description of the assignment. Updated in place.", stringvalidator.LengthAtLeast(1)),
			"timeouts":    timeoutsAttribute(ctx, r.timeouts),
		}),
	}
}

func (r *roleBindingResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return scopeRoleConfigValidators()
}

// ValidateConfig checks the companions of scope_kind and warns about the /nodepools/ spelling.
func (r *roleBindingResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m roleBindingModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateScopeRole(m.scopeRoleModel, &resp.Diagnostics)
}

func (r *roleBindingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	plan, config, state, ok := planned(ctx, req, readModel[roleBindingModel], &resp.Diagnostics)
	if !ok {
		return
	}
	var priorGrant *roleGrantModel
	if state != nil {
		priorGrant = &state.roleGrantModel
	}
	replace, fresh, ok := plan.planGrant(ctx, r.client, config.roleGrantModel, priorGrant, principalKinds(plan.PrincipalType), func() path.Paths {
		if !plan.PrincipalType.Equal(state.PrincipalType) {
			return path.Paths{path.Root("principal_type")}
		}
		return nil
	}, &resp.Diagnostics)
	if !ok {
		return
	}
	if fresh {
		plan.ID = types.StringUnknown()
		plan.Name = types.StringUnknown()
		if known(plan.Scope) && known(plan.RoleDefinitionID) && known(plan.PrincipalID) {
			if n, err := rbac.AssignmentName(plan.Scope.ValueString(), plan.RoleDefinitionID.ValueString(), plan.PrincipalID.ValueString()); err == nil {
				plan.Name = types.StringValue(n)
			}
		}
	}
	resp.RequiresReplace = append(resp.RequiresReplace, replace...)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *roleBindingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config roleBindingModel
	r.run(ctx, opCreate, req.Plan.Get, &plan, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
		// Values the plan could not know yet (inputs unknown at plan time) are settled now.
		p := scopeRolePlanner{c: c, diags: &resp.Diagnostics, apply: true}
		p.settle(ctx, &plan.scopeRoleModel, config.scopeRoleModel)
		if resp.Diagnostics.HasError() {
			return
		}
		spec := roleBindingSpec(plan)
		a, err := rbac.CreateAssignment(ctx, c, spec)
		if err != nil {
			addRoleBindingCreateError(&resp.Diagnostics, c, spec, err)
			return
		}
		tflog.Info(ctx, "created role assignment", map[string]any{"id": a.ID})
		plan.ID = types.StringValue(a.ID)
		plan.Name = types.StringValue(a.Name)
		if !known(plan.ConditionVersion) {
			plan.ConditionVersion = optionalString(a.ConditionVersion)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	})
}

func (r *roleBindingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state roleBindingModel
	r.run(ctx, opRead, req.State.Get, &state, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		a, err := rbac.ReadAssignment(ctx, c, state.ID.ValueString())
		if rbac.IsAssignmentGone(err) {
			tflog.Warn(ctx, "role assignment no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
			resp.State.RemoveResource(ctx)
			return
		}
		if err != nil {
			addAPIError(&resp.Diagnostics, "Read", roleBindingObject, err, grantRoleAssignmentRead)
			return
		}
		if !r.flatten(ctx, c, a, &state, &resp.Diagnostics) {
			return
		}
		imported, ds := req.Private.GetKey(ctx, roleBindingImportedKey)
		resp.Diagnostics.Append(ds...)
		if len(imported) > 0 {
			deriveImportedScope(ctx, c, &state.scopeRoleModel)
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, roleBindingImportedKey, nil)...)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	})
}

// flatten writes the assignment as ARM reports it into m. The ID and scope keep the spelling they were
// created (or imported) with, which names the same assignment as ARM's spelling; an import therefore
// reads back what the configuration says. ok is false when the role's name could not be resolved.
func (r *roleBindingResource) flatten(ctx context.Context, c *clients.Client, a *rbac.Assignment, m *roleBindingModel, diags *diag.Diagnostics) (ok bool) {
	stateRID, _ := rbac.ParseRoleAssignmentID(m.ID.ValueString())
	if armRID, err := rbac.ParseRoleAssignmentID(a.ID); err == nil && !stateRID.Same(armRID) {
		m.ID, stateRID = types.StringValue(a.ID), armRID
	}
	m.Name = types.StringValue(a.Name)
	seen := a.Scope
	if stateRID.WireScope != "" && rbac.SameScope(stateRID.WireScope, a.Scope) {
		seen = stateRID.WireScope
	}
	if !rbac.SameScope(m.Scope.ValueString(), seen) {
		m.Scope = types.StringValue(seen)
	}
	if !rbac.SameRoleDefinition(m.RoleDefinitionID.ValueString(), a.RoleDefinitionID) {
		m.RoleDefinitionID = types.StringValue(rbac.CanonicalRoleDefinitionID(a.RoleDefinitionID, a.Scope))
		m.Role = types.StringNull()
	}
	ok = resolveRoleName(ctx, c, roleBindingObject, &m.scopeRoleModel, a.RoleDefinitionID, diags)
	if !strings.EqualFold(m.PrincipalID.ValueString(), a.PrincipalID) {
		m.PrincipalID = types.StringValue(a.PrincipalID)
	}
	if a.PrincipalType != "" {
		m.PrincipalType = types.StringValue(a.PrincipalType)
	}
	m.Description = optionalString(a.Description)
	m.Condition, m.ConditionVersion = readCondition(a.Condition, a.ConditionVersion)
	return ok
}

func (r *roleBindingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state roleBindingModel
	r.run(ctx, opUpdate, req.Plan.Get, &plan, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		plan.ID, plan.Name = state.ID, state.Name
		if !plan.Description.Equal(state.Description) || !plan.Condition.Equal(state.Condition) || !plan.ConditionVersion.Equal(state.ConditionVersion) {
			if _, err := rbac.UpdateAssignment(ctx, c, state.ID.ValueString(), roleBindingSpec(plan)); err != nil {
				addAPIError(&resp.Diagnostics, "Update", roleBindingObject, err, grantRoleAssignmentWrite)
				return
			}
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	})
}

func (r *roleBindingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state roleBindingModel
	r.run(ctx, opDelete, req.State.Get, &state, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		if err := rbac.DeleteAssignment(ctx, c, state.ID.ValueString()); err != nil {
			addAPIError(&resp.Diagnostics, "Delete", roleBindingObject, err, grantRoleAssignmentWrite)
		}
	})
}

func (r *roleBindingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, err := rbac.ParseRoleAssignmentID(req.ID)
	if err != nil {
		addImportIDError(&resp.Diagnostics, roleBindingObject, req.ID, "a role assignment ID",
			"Use the assignment's resource ID, {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}, e.g. from "+
				"`az role assignment list --scope <scope> --query \"[].id\"`.", err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.WireString())...)
	// The first read after an import fills in the derived inputs (cluster_id, scope_kind, ...) that a
	// configuration would give, so that importing into that configuration plans no change.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, roleBindingImportedKey, []byte("true"))...)
}

// roleBindingImportedKey marks, in private state, a binding that was just imported.
const roleBindingImportedKey = "imported"

// addRoleBindingCreateError explains the create failures a user can act on.
func addRoleBindingCreateError(diags *diag.Diagnostics, c *clients.Client, spec rbac.AssignmentSpec, err error) {
	var exists *rbac.ExistingAssignmentError
	var pnf *rbac.PrincipalNotFoundError
	switch {
	case errors.As(err, &exists):
		what := fmt.Sprintf("Principal %s already holds this role at scope %s through another role assignment", spec.PrincipalID, spec.Scope)
		next := "Remove the duplicate from the configuration, or find the existing assignment with " +
			"`az role assignment list --scope <scope> --assignee <principal>` and import it."
		if exists.ID != "" {
			what += ": " + exists.ID
			next = fmt.Sprintf("To manage the existing assignment with Terraform, import it:\n\n"+
				"  terraform import <resource address> '%s'\n\nor add an import block:\n\n"+
				"  import {\n    to = <resource address>\n    id = %q\n  }\n\n"+
				"Otherwise remove the duplicate binding from the configuration, or delete the other assignment.", exists.ID, exists.ID)
		}
		diags.AddError(errorSummary("Create", roleBindingObject), errorDetail(what+".", next, exists.Err))
	case errors.As(err, &pnf):
		diags.AddAttributeError(path.Root("principal_id"), errorSummary("Create", roleBindingObject), errorDetail(
			fmt.Sprintf("Azure did not find principal %s (principal_type %q) in tenant %s, and kept not finding it for %s.",
				pnf.PrincipalID, pnf.PrincipalType, c.TenantID, pnf.Waited.Round(time.Second)),
			"Check that principal_id is the object ID of a principal in this tenant, and that principal_type matches what it is "+
				"(User, Group or ServicePrincipal): a mismatched type fails the same way. If the principal was created moments ago, "+
				"directory replication can take a few minutes: run apply again, or raise the provider setting "+
				"principal_not_found_retry_timeout (AKS_PRINCIPAL_NOT_FOUND_RETRY_TIMEOUT).",
			pnf.Err))
	default:
		addAPIError(diags, "Create", roleBindingObject, err, grantRoleAssignmentWrite)
	}
}

func roleBindingPoolNames(f *rbac.ClusterFacts) string {
	if len(f.NodePools) == 0 {
		return "none"
	}
	names := make([]string, len(f.NodePools))
	for i, np := range f.NodePools {
		names[i] = fmt.Sprintf("%q", np.Name)
	}
	return strings.Join(names, ", ")
}

func roleBindingSpec(m roleBindingModel) rbac.AssignmentSpec {
	return rbac.AssignmentSpec{
		Scope:            m.Scope.ValueString(),
		RoleDefinitionID: m.RoleDefinitionID.ValueString(),
		PrincipalID:      m.PrincipalID.ValueString(),
		PrincipalType:    m.PrincipalType.ValueString(),
		Description:      m.Description.ValueString(),
		Condition:        m.Condition.ValueString(),
		ConditionVersion: m.ConditionVersion.ValueString(),
	}
}
