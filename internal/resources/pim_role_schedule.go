package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// The PIM role schedules, aks_pim_role_eligibility and aks_pim_role_assignment: one implementation, the
// kind (eligible or active) telling them apart. Each resource file holds its kind's description.

var _ scopeRoleResource = (*pimRoleScheduleResource)(nil)

const grantRoleSchedule = `the Azure role "User Access Administrator" (or "Owner") at the scope or above: PIM requests need ` +
	`Microsoft.Authorization/roleEligibilityScheduleRequests/write and roleAssignmentScheduleRequests/write, which ` +
	`"Role Based Access Control Administrator" does not grant`

// roleScheduleKind is what tells the two resources apart.
type roleScheduleKind struct {
	kind          armpim.Kind
	object        string // in diagnostics: "PIM Role Eligibility"
	noun          string // in descriptions: "eligibility"
	description   string
	permanentNote string
}

type pimRoleScheduleResource struct {
	resourceBase
	k roleScheduleKind
}

// newPIMRoleScheduleResource is the resource of kind k, aks{typeName}.
func newPIMRoleScheduleResource(typeName string, k roleScheduleKind) resource.Resource {
	return withMutableIdentity(&pimRoleScheduleResource{resourceBase{typeName: typeName, timeouts: scheduleTimeouts}, k}, pimRoleScheduleIdentity)
}

// An ARM PIM schedule is named by its resource ID (the import ID), which AdminUpdate may change.
var pimRoleScheduleIdentity = resourceIdentity{
	{"id", "The schedule's resource ID, `{scope}/providers/Microsoft.Authorization/{roleEligibilitySchedules|roleAssignmentSchedules}/{guid}`."},
}

type pimRoleScheduleModel struct {
	roleGrantModel
	pimScheduleModel
	resourceTimeouts
	ID types.String `tfsdk:"id"`
	// Policy is the kind's wired policy rule: policy_eligible_assignment or policy_active_assignment
	// (roleEligibilityDoc, roleAssignmentDoc carry it to and from Terraform).
	Policy types.Object `tfsdk:"-"`
}

// The documents Terraform exchanges for each kind: the model and the kind's policy attribute.
type (
	roleEligibilityDoc struct {
		pimRoleScheduleModel
		Policy types.Object `tfsdk:"policy_eligible_assignment"`
	}
	roleAssignmentDoc struct {
		pimRoleScheduleModel
		Policy types.Object `tfsdk:"policy_active_assignment"`
	}
)

// get reads a plan, state or configuration (its Get) into m.
func (r *pimRoleScheduleResource) get(ctx context.Context, get getter, m *pimRoleScheduleModel) diag.Diagnostics {
	if r.k.kind == armpim.Eligible {
		var d roleEligibilityDoc
		diags := get(ctx, &d)
		*m, m.Policy = d.pimRoleScheduleModel, d.Policy
		return diags
	}
	var d roleAssignmentDoc
	diags := get(ctx, &d)
	*m, m.Policy = d.pimRoleScheduleModel, d.Policy
	return diags
}

// doc is run's getter for the model m: it reads the kind's document with get into m.
func (r *pimRoleScheduleResource) doc(get getter, m *pimRoleScheduleModel) getter {
	return func(ctx context.Context, _ any) diag.Diagnostics { return r.get(ctx, get, m) }
}

// set writes m into a plan or state (its Set).
func (r *pimRoleScheduleResource) set(ctx context.Context, set func(context.Context, any) diag.Diagnostics, m pimRoleScheduleModel) diag.Diagnostics {
	if r.k.kind == armpim.Eligible {
		return set(ctx, &roleEligibilityDoc{pimRoleScheduleModel: m, Policy: m.Policy})
	}
	return set(ctx, &roleAssignmentDoc{pimRoleScheduleModel: m, Policy: m.Policy})
}

func (r *pimRoleScheduleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	own := map[string]schema.Attribute{
		"id": keptString("The schedule's resource ID, `{scope}/providers/Microsoft.Authorization/" + r.k.kind.ResourceType() +
			"/{guid}`. It may change when the " + r.k.noun + " is updated."),
		"principal_type":      keptString("`User`, `Group` or `ServicePrincipal`, as PIM reports it (PIM looks the principal up itself)."),
		"timeouts":            timeoutsAttribute(ctx, r.timeouts),
		r.k.policyAttribute(): r.k.policyAttributeSchema(),
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: r.k.description,
		Attributes: withAttributes(pimScheduleAttributes(r.k.noun, r.k.permanentNote), withAttributes(roleGrantAttributes(r.k.noun,
			"Object ID of the user, group or service principal. With a group, its members hold (or may activate) the role. Changing it replaces the "+r.k.noun+".",
			"An ABAC condition limiting the role. Changing it replaces the "+r.k.noun+"."), own)),
	}
}

func (r *pimRoleScheduleResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return scopeRoleConfigValidators()
}

func (r *pimRoleScheduleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m pimRoleScheduleModel
	resp.Diagnostics.Append(r.get(ctx, req.Config.Get, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateScopeRole(m.scopeRoleModel, &resp.Diagnostics)
	m.validate(&resp.Diagnostics, r.client.Now(), roleFindingWords)
}

// ModifyPlan derives the scope and role like aks_role_binding does, replaces the schedule when its target
// changes, and marks what Azure will report afresh when an update sends a request.
func (r *pimRoleScheduleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	plan, config, state, ok := planned(ctx, req, r.get, &resp.Diagnostics)
	if !ok {
		return
	}
	var priorGrant *roleGrantModel
	if state != nil {
		priorGrant = &state.roleGrantModel
	}
	kinds := []string{pim.KindUser, pim.KindGroup, pim.KindServicePrincipal}
	replace, fresh, ok := plan.planGrant(ctx, r.client, config.roleGrantModel, priorGrant, kinds, func() path.Paths {
		if !plan.Condition.Equal(state.Condition) || !plan.ConditionVersion.Equal(state.ConditionVersion) {
			return path.Paths{path.Root("condition")}
		}
		return nil
	}, &resp.Diagnostics)
	if !ok {
		return
	}
	switch {
	case fresh:
		plan.ID, plan.PrincipalType = types.StringUnknown(), types.StringUnknown()
		plan.markReportedUnknown()
	case plan.needsRequest(state.pimScheduleModel):
		plan.ID = types.StringUnknown()
		plan.markReportedUnknown()
	}
	resp.RequiresReplace = append(resp.RequiresReplace, replace...)
	resp.Diagnostics.Append(r.set(ctx, resp.Plan.Set, plan)...)
	if !resp.Diagnostics.HasError() && (fresh || plan.needsRequest(state.pimScheduleModel)) {
		r.checkPolicy(ctx, plan, &resp.Diagnostics)
	}
}

// checkPolicy checks a schedule that will be requested against the role's policy at the scope: against
// the wired policy_eligible_assignment or policy_active_assignment (errors, at plan time, even when the
// policy is created in the same apply), or else against the role's current policy (warnings: an unwired
// aks_pim_role_policy in the configuration may still change it). An eligibility also draws the
// self-approval warning when its principal approves activations of the role.
func (r *pimRoleScheduleResource) checkPolicy(ctx context.Context, plan pimRoleScheduleModel, diags *diag.Diagnostics) {
	sched, ok := plan.schedule()
	if !ok {
		return
	}
	rule := pim.RuleExpirationAdminEligibility
	if r.k.kind == armpim.Active {
		rule = pim.RuleExpirationAdminAssignment
	}
	now := r.client.Now()
	if !plan.Policy.IsNull() {
		x, ok := wiredExpiry(plan.Policy)
		if !ok {
			return // the policy's values are not known yet
		}
		if f := x.CheckScheduleUnder(rule, sched, now); f != nil {
			addFindingsAbout(diags, []pim.Finding{*f}, scheduleFindingPath, roleFindingWords)
		}
		if required, ok := plan.Policy.Attributes()["require_justification"].(types.Bool); ok && required.ValueBool() && plan.Justification.IsNull() {
			diags.AddAttributeError(path.Root("justification"), "Justification Required by Policy", fmt.Sprintf(
				"The role's PIM policy at this scope (%s, wired in %s) requires a justification for active assignments; ARM would "+
					"reject the request with RoleAssignmentRequestPolicyValidationFailed [\"JustificationRule\"]. Set justification.",
				pim.RuleEnablementAdminAssignment, r.k.policyAttribute()))
		}
		return
	}
	if r.client == nil || !known(plan.Scope) || !known(plan.RoleDefinitionID) || !known(plan.PrincipalID) {
		return
	}
	key := armpim.PolicyKey{Scope: plan.Scope.ValueString(), RoleDefinitionID: plan.RoleDefinitionID.ValueString()}
	ps, err := armpim.ReadPolicy(ctx, r.client, key)
	if err != nil {
		tflog.Debug(ctx, "skipping the plan-time check of the schedule against the role's policy", map[string]any{"error": err.Error()})
		return
	}
	current := ps.Rules.Policy()
	x := current.EligibleAssignment
	if r.k.kind == armpim.Active {
		x = current.ActiveAssignment.Expiry
	}
	if f := x.CheckScheduleUnder(rule, sched, now); f != nil {
		p := scheduleFindingPath(*f)
		summary, detail := roleFindingWords.text(*f, p)
		diags.AddAttributeWarning(p, summary, detail+" (Checked against the role's current policy at this scope. If an "+
			"aks_pim_role_policy in this configuration changes it, set "+r.k.policyAttribute()+" to its "+r.k.policyBlock()+
			" so the check uses the new value and the policy is applied first.)")
	}
	if r.k.kind == armpim.Eligible {
		pc := pim.PolicyContext{EligiblePrincipals: []string{plan.PrincipalID.ValueString()}}
		addFindingsAbout(diags, current.ApproverConflicts(pc), scheduleFindingPath, roleFindingWords)
	}
}

// policyAttribute is the attribute a kind's policy rule is wired into; policyBlock the policy's block.
func (k roleScheduleKind) policyAttribute() string { return "policy_" + k.policyBlock() }

func (k roleScheduleKind) policyBlock() string {
	if k.kind == armpim.Active {
		return "active_assignment"
	}
	return "eligible_assignment"
}

// policyAttributeSchema is the wired policy rule: the role policy's eligible_assignment (or
// active_assignment) object, assigned as a whole.
func (k roleScheduleKind) policyAttributeSchema() schema.SingleNestedAttribute {
	w := wiredRules{expirationRequired: "Whether the policy requires each " + k.noun + " to expire.", maximumDuration: "Longest " + k.noun + " the policy allows."}
	if k.kind == armpim.Active {
		w.justification = "Whether the policy requires a justification for active assignments (then `justification` is required)."
		w.mfa = "Whether the policy requires multi-factor authentication for active assignments (not checked here)."
	}
	return wiredPolicyAttribute("The role's "+k.noun+" rules at this scope, for plan-time checking: set it to the `"+k.policyBlock()+
		"` attribute of the role's `aks_pim_role_policy` (`"+k.policyAttribute()+" = aks_pim_role_policy.admin."+k.policyBlock()+
		"`). A permanent or over-long "+k.noun+" the policy would reject then fails at plan time, and Terraform orders the "+
		"policy change before the "+k.noun+". Not sent to Azure. Without it, the plan reads the role's current policy at "+
		"the scope and warns.", w)
}

func (r *pimRoleScheduleResource) spec(m pimRoleScheduleModel) armpim.Spec {
	s, _ := m.schedule()
	return armpim.Spec{
		Kind:     r.k.kind,
		Target:   armpim.Target{Scope: m.Scope.ValueString(), RoleDefinitionID: m.RoleDefinitionID.ValueString(), PrincipalID: m.PrincipalID.ValueString()},
		Schedule: s, Justification: m.Justification.ValueString(), TicketNumber: m.TicketNumber.ValueString(),
		TicketSystem: m.TicketSystem.ValueString(), Condition: m.Condition.ValueString(), ConditionVersion: m.ConditionVersion.ValueString(),
	}
}

func (r *pimRoleScheduleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config pimRoleScheduleModel
	r.run(ctx, opCreate, r.doc(req.Plan.Get, &plan), &plan, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		resp.Diagnostics.Append(r.get(ctx, req.Config.Get, &config)...)
		// Values the plan could not know yet (inputs unknown at plan time) are settled now.
		p := scopeRolePlanner{c: c, diags: &resp.Diagnostics, apply: true}
		p.settle(ctx, &plan.scopeRoleModel, config.scopeRoleModel)
		if resp.Diagnostics.HasError() {
			return
		}
		s, err := armpim.Create(ctx, c, r.spec(plan))
		if err != nil {
			r.apiError("Create", plan, err, &resp.Diagnostics)
			return
		}
		tflog.Info(ctx, "PIM role schedule created", map[string]any{"id": s.ID, "kind": r.k.noun})
		r.flatten(s, &plan)
		resp.Diagnostics.Append(r.set(ctx, resp.State.Set, plan)...)
	})
}

// flatten writes the schedule as ARM reports it into m, keeping the spellings m already has for the same
// scope, role and ID (so an import into a configuration plans no change).
func (r *pimRoleScheduleResource) flatten(s armpim.Schedule, m *pimRoleScheduleModel) {
	// The ID spells the scope as the configuration does (ARM may answer another casing), so that importing
	// it into that configuration reads back the same scope.
	id := s.ID
	if sid, err := armpim.ParseScheduleID(s.ID); err == nil && known(m.Scope) {
		if sc, err := rbac.NormalizeScope(m.Scope.ValueString()); err == nil && rbac.SameScope(sc.ID, sid.Scope) {
			sid.WireScope = sc.Wire
			id = sid.String()
		}
	}
	if !strings.EqualFold(m.ID.ValueString(), id) {
		m.ID = types.StringValue(id)
	}
	if !rbac.SameScope(m.Scope.ValueString(), s.Scope) {
		m.Scope = types.StringValue(s.Scope)
	}
	if !rbac.SameRoleDefinition(m.RoleDefinitionID.ValueString(), s.RoleDefinitionID) {
		m.RoleDefinitionID, m.Role = types.StringValue(s.RoleDefinitionID), types.StringNull()
	}
	if !strings.EqualFold(m.PrincipalID.ValueString(), s.PrincipalID) {
		m.PrincipalID = types.StringValue(s.PrincipalID)
	}
	m.PrincipalType = optionalString(s.PrincipalType)
	m.Condition, m.ConditionVersion = readCondition(s.Condition, s.ConditionVersion)
	m.flatten(reportedSchedule{Status: s.Status, Start: s.Start, End: s.End})
}

func (r *pimRoleScheduleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pimRoleScheduleModel
	r.run(ctx, opRead, r.doc(req.State.Get, &state), &state, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		s, found, err := armpim.Read(ctx, c, state.ID.ValueString())
		if err != nil {
			addAPIError(&resp.Diagnostics, "Read", r.k.object, err, grantRoleSchedule)
			return
		}
		if !found {
			tflog.Warn(ctx, "PIM role schedule gone (removed or expired outside Terraform); removing it from state", map[string]any{"id": state.ID.ValueString()})
			resp.State.RemoveResource(ctx)
			return
		}
		imported, d := req.Private.GetKey(ctx, roleScheduleImportedKey)
		resp.Diagnostics.Append(d...)
		if len(imported) > 0 {
			r.readImported(ctx, s, &state, resp)
			if resp.Diagnostics.HasError() {
				return
			}
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, roleScheduleImportedKey, nil)...)
		}
		r.flatten(s, &state)
		if resolveRoleName(ctx, c, r.k.object, &state.scopeRoleModel, s.RoleDefinitionID, &resp.Diagnostics) {
			resp.Diagnostics.Append(r.set(ctx, resp.State.Set, state)...)
		}
	})
}

// readImported fills, once after an import, what a configuration would give: the derived scope inputs,
// and the justification, ticket and duration PIM recorded on the request (it may have purged it).
func (r *pimRoleScheduleResource) readImported(ctx context.Context, s armpim.Schedule, m *pimRoleScheduleModel, resp *resource.ReadResponse) {
	c := r.client
	// The scope as the imported ID spells it: what a configuration that produced this ID says.
	m.Scope = types.StringValue(s.Scope)
	if id, err := armpim.ParseScheduleID(m.ID.ValueString()); err == nil && rbac.SameScope(id.WireScope, s.Scope) {
		m.Scope = types.StringValue(id.WireScope)
	}
	deriveImportedScope(ctx, c, &m.scopeRoleModel)
	details, ok, err := armpim.ReadRequestDetails(ctx, c, r.k.kind, s.RequestID)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Read", r.k.object, err, grantRoleSchedule)
		return
	}
	if ok {
		m.Justification = optionalString(details.Justification)
		m.TicketNumber = optionalString(details.TicketNumber)
		m.TicketSystem = optionalString(details.TicketSystem)
		if !details.Duration.IsZero() {
			m.Duration = newPIMDuration(details.Duration)
		}
	}
}

// roleScheduleImportedKey marks, in private state, a schedule imported but not yet read.
const roleScheduleImportedKey = "imported"

func (r *pimRoleScheduleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state pimRoleScheduleModel
	resp.Diagnostics.Append(r.get(ctx, req.State.Get, &state)...)
	r.run(ctx, opUpdate, r.doc(req.Plan.Get, &plan), &plan, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		plan.PrincipalType, plan.ID = state.PrincipalType, state.ID
		if !plan.needsRequest(state.pimScheduleModel) {
			// Only the form of the schedule or the timeouts changed: nothing to tell Azure.
			plan.keepReported(state.pimScheduleModel)
			resp.Diagnostics.Append(r.set(ctx, resp.State.Set, plan)...)
			return
		}
		s, err := armpim.Update(ctx, c, r.spec(plan))
		if err != nil {
			r.apiError("Update", plan, err, &resp.Diagnostics)
			return
		}
		tflog.Info(ctx, "PIM role schedule updated", map[string]any{"old_id": state.ID.ValueString(), "id": s.ID})
		r.flatten(s, &plan)
		resp.Diagnostics.Append(r.set(ctx, resp.State.Set, plan)...)
	})
}

func (r *pimRoleScheduleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state pimRoleScheduleModel
	r.run(ctx, opDelete, r.doc(req.State.Get, &state), &state, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		// A policy that wants a justification for assignments wants one for their removal too.
		justification := state.Justification.ValueString()
		if justification == "" {
			justification = "Removed by Terraform"
		}
		spec := r.spec(state)
		if err := armpim.Remove(ctx, c, state.ID.ValueString(), spec.Target, justification, spec.TicketNumber, spec.TicketSystem); err != nil {
			r.apiError("Delete", state, err, &resp.Diagnostics)
		}
	})
}

// ImportState takes the schedule's resource ID (the id attribute, as `az rest` lists it).
func (r *pimRoleScheduleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, err := armpim.ParseScheduleID(req.ID)
	if err == nil && id.Kind != r.k.kind {
		err = fmt.Errorf("it names a %s schedule; this resource manages %s schedules", id.Kind, r.k.kind)
	}
	if err != nil {
		addImportIDError(&resp.Diagnostics, r.k.object, req.ID, fmt.Sprintf("the ID of a %s schedule", r.k.kind),
			"Use the schedule's resource ID, {scope}/providers/Microsoft.Authorization/"+r.k.kind.ResourceType()+"/{guid}, e.g. from "+
				"`az rest --method get --url \"<scope>/providers/Microsoft.Authorization/"+r.k.kind.ResourceType()+"?api-version=2020-10-01\"`.", err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.String())...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, roleScheduleImportedKey, []byte("true"))...)
}

// apiError explains a failed schedule operation, on the attribute to change where there is one.
func (r *pimRoleScheduleResource) apiError(verb string, m pimRoleScheduleModel, err error, diags *diag.Diagnostics) {
	var pe *pim.PolicyRejectedError
	var exists *armpim.ExistsError
	var failed *armpim.RequestFailedError
	var pnf *rbac.PrincipalNotFoundError
	switch {
	case errors.As(err, &pe):
		diags.AddAttributeError(m.rejectedAttribute(pe), errorSummary(verb, r.k.object), errorDetail(
			pe.Error()+".",
			"Change the "+r.k.noun+" to satisfy the role's PIM policy at this scope, or change the policy: ExpirationRule is the maximum "+r.k.noun+" length, JustificationRule and TicketingRule the "+
				"required justification and ticket, MfaRule multi-factor authentication, which an application cannot satisfy.",
			err))
	case errors.As(err, &exists):
		next := "Remove it outside Terraform, or import it and let the configuration manage it."
		if exists.Existing.ID != "" {
			next = fmt.Sprintf("Import it (terraform import <resource address> '%s', or an import block with that ID) and let "+
				"the configuration update it, or remove it outside Terraform and apply again.", exists.Existing.ID)
		}
		diags.AddError(errorSummary(verb, r.k.object), errorDetail(
			exists.Error()+". It was not made by this resource (or not with this schedule), so it is not adopted.", next, err))
	case errors.As(err, &failed):
		diags.AddError(errorSummary(verb, r.k.object), errorDetail(
			"PIM accepted the request but could not carry it out: "+failed.Error()+".",
			"Check the principal, the role and the scope, then apply again.", err))
	case errors.As(err, &pnf):
		diags.AddAttributeError(path.Root("principal_id"), errorSummary(verb, r.k.object), errorDetail(
			fmt.Sprintf("PIM did not find principal %s, and kept not finding it for %s.", pnf.PrincipalID, pnf.Waited.Round(time.Second)),
			"Check that principal_id is the object ID of a user, group or service principal in this tenant. If it was created "+
				"moments ago, directory replication can take a few minutes: apply again, or raise the provider setting "+
				"principal_not_found_retry_timeout.", err))
	default:
		addAPIError(diags, verb, r.k.object, err, grantRoleSchedule)
	}
}
