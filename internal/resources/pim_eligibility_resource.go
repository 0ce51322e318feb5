package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

var (
	_ resource.Resource                   = (*pimEligibilityResource)(nil)
	_ resource.ResourceWithConfigure      = (*pimEligibilityResource)(nil)
	_ resource.ResourceWithImportState    = (*pimEligibilityResource)(nil)
	_ resource.ResourceWithValidateConfig = (*pimEligibilityResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*pimEligibilityResource)(nil)
)

// NewPIMEligibilityResource is the aks_pim_eligibility resource: a principal eligible (through PIM for
// groups) to become member or owner of a group.
func NewPIMEligibilityResource() resource.Resource {
	return withIdentity(&pimEligibilityResource{}, pimEligibilityIdentity)
}

// An eligibility is named by who is eligible for what, not by its schedule ID, which PIM assigns.
var pimEligibilityIdentity = resourceIdentity{
	{"group_id", "Object ID of the PIM-governed group."},
	{"principal_id", "Object ID of the eligible user or group."},
	{"access_id", "`member` or `owner`."},
}

type pimEligibilityResource struct{ resourceBase }

const eligibilityObject = "PIM Eligibility"

const grantEligibility = "the Microsoft Graph application permission PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup (admin consent required)"

// Delete includes PIM's five-minute minimum age of a new schedule.
var eligibilityTimeouts = timeoutDefaults{Create: 10 * time.Minute, Read: 5 * time.Minute, Update: 10 * time.Minute, Delete: 15 * time.Minute}

type pimEligibilityModel struct {
	pimScheduleModel
	ID                       types.String   `tfsdk:"id"`
	GroupID                  types.String   `tfsdk:"group_id"`
	PrincipalID              types.String   `tfsdk:"principal_id"`
	AccessID                 types.String   `tfsdk:"access_id"`
	PolicyEligibleAssignment types.Object   `tfsdk:"policy_eligible_assignment"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}

func (r *pimEligibilityResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pim_eligibility"
}

func (r *pimEligibilityResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A PIM-for-groups eligibility: `principal_id` may activate `member` (or `owner`) access to `group_id` " +
			"for a limited time, subject to the group's PIM policy (`aks_pim_approval_policy`).\n\n" +
			"The resource is keyed on the eligibility **schedule**, never on the request that created it (Graph purges requests " +
			"after about 45 days): an eligibility removed or expired outside Terraform is recreated on the next apply. Changes are " +
			"made with `adminUpdate`, which gives the schedule a new ID. Destroy sends `adminRemove`; PIM refuses to remove a " +
			"schedule in its first five minutes, and destroy waits that out within its timeout.\n\n" +
			"Set exactly one of `duration`, `end_date_time` or `permanent`. Under the default group policy eligibilities must " +
			"expire within 365 days; wire `policy_eligible_assignment` to the group's `aks_pim_approval_policy` so a schedule " +
			"the policy would reject fails at plan time.",
		Attributes: withAttributes(pimScheduleAttributes("eligibility",
			"The default group policy rejects it (`eligible_assignment.expiration_required`)."), map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The eligibility schedule ID, `{group_id}_{member|owner}_{guid}`. It changes when the eligibility is updated.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"group_id": schema.StringAttribute{
				MarkdownDescription: "Object ID of the group the principal becomes eligible for.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{objectIDValidator()},
			},
			"principal_id": schema.StringAttribute{
				MarkdownDescription: "Object ID of the eligible user, group or service principal. With a group, its members inherit the eligibility.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{objectIDValidator()},
			},
			"access_id": schema.StringAttribute{
				MarkdownDescription: "`member` (the default) or `owner`: the relationship the principal may activate.",
				Optional:            true, Computed: true, Default: stringdefault.StaticString(string(pim.AccessMember)),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.OneOf(pim.AccessIDs...)},
			},
			"policy_eligible_assignment": schema.SingleNestedAttribute{
				MarkdownDescription: "The group's eligibility expiration rule, for plan-time checking: set it to the " +
					"`eligible_assignment` attribute of the group's `aks_pim_approval_policy` " +
					"(`policy_eligible_assignment = aks_pim_approval_policy.admin.eligible_assignment`). A permanent or over-long " +
					"eligibility the policy would reject then fails at plan time, and Terraform orders the policy change before the " +
					"eligibility. Not sent to Azure. Without it, the plan reads the group's current policy and warns.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"expiration_required": schema.BoolAttribute{
						MarkdownDescription: "Whether the policy requires eligibilities to expire.",
						Required:            true,
					},
					"maximum_duration": schema.StringAttribute{
						MarkdownDescription: "Longest eligibility the policy allows.",
						CustomType:          pimDurationType{},
						Optional:            true,
					},
				},
			},
			"timeouts": timeoutsAttribute(ctx, eligibilityTimeouts),
		}),
	}
}

func (r *pimEligibilityResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m pimEligibilityModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.validate(&resp.Diagnostics, r.client.Now())
}

// ModifyPlan checks the schedule against the group's eligibility expiration rule: against the wired
// policy_eligible_assignment (an error, at plan time, even when the policy is created in the same apply),
// or else against the group's current policy (a warning: an unwired policy resource in the same
// configuration may still change it). It also marks the schedule's computed values unknown when the
// update will create a new schedule.
func (r *pimEligibilityResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan pimEligibilityModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *pimEligibilityModel
	if !req.State.Raw.IsNull() {
		state = &pimEligibilityModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	var refs objectRefs
	prior := pimEligibilityModel{}
	if state != nil {
		prior = *state
	}
	refs.add(path.Root("group_id"), plan.GroupID, prior.GroupID, pim.KindGroup)
	refs.add(path.Root("principal_id"), plan.PrincipalID, prior.PrincipalID, pim.KindUser, pim.KindGroup)
	refs.check(ctx, r.client, &resp.Diagnostics)

	willRequest := state == nil || plan.needsRequest(state.pimScheduleModel)
	if state != nil && willRequest {
		plan.ID = types.StringUnknown()
		plan.markReportedUnknown()
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
	}

	sched, known := plan.schedule()
	if !known {
		return
	}
	now := r.client.Now()
	if !plan.PolicyEligibleAssignment.IsNull() {
		if x, ok := wiredExpiry(plan.PolicyEligibleAssignment); ok {
			if f := x.CheckSchedule(sched, now); f != nil {
				addFindings(&resp.Diagnostics, []pim.Finding{*f}, scheduleFindingPath)
			}
		}
		return
	}
	if !willRequest || r.client == nil || plan.GroupID.IsUnknown() || plan.PrincipalID.IsUnknown() || plan.AccessID.IsUnknown() {
		return
	}
	key := pim.PolicyKey{GroupID: plan.GroupID.ValueString(), AccessID: pim.AccessID(plan.AccessID.ValueString())}
	ps, err := pim.ReadPolicy(ctx, r.client, key)
	if err != nil {
		tflog.Debug(ctx, "skipping the plan-time check of the eligibility against the group's policy", map[string]any{"error": err.Error()})
		return
	}
	current := ps.Rules.Policy()
	if f := current.EligibleAssignment.CheckSchedule(sched, now); f != nil {
		p := scheduleFindingPath(*f)
		summary, detail := findingText(*f, p)
		resp.Diagnostics.AddAttributeWarning(p, summary, detail+
			" (Checked against the group's current policy. If an aks_pim_approval_policy in this configuration changes it, "+
			"set policy_eligible_assignment to its eligible_assignment so the check uses the new value and the policy is applied first.)")
	}
	pc := pim.PolicyContext{EligiblePrincipals: []string{plan.PrincipalID.ValueString()}}
	addFindings(&resp.Diagnostics, current.ApproverConflicts(pc), scheduleFindingPath)
}

func (r *pimEligibilityResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan pimEligibilityModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.requireClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts.Create, eligibilityTimeouts.Create, &resp.Diagnostics)
	defer cancel()
	e, err := pim.CreateEligibility(ctx, c, eligibilitySpec(plan))
	if err != nil {
		eligibilityAPIError(&resp.Diagnostics, "Create", plan, err)
		return
	}
	tflog.Info(ctx, "PIM eligibility created", map[string]any{"id": e.ScheduleID})
	eligibilityFlatten(e, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *pimEligibilityResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pimEligibilityModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.requireClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts.Read, eligibilityTimeouts.Read, &resp.Diagnostics)
	defer cancel()
	e, found, err := pim.ReadEligibility(ctx, c, state.ID.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, "Read", eligibilityObject, err, grantEligibility)
		return
	}
	if !found {
		tflog.Warn(ctx, "PIM eligibility schedule gone (removed or expired outside Terraform); removing it from state",
			map[string]any{"id": state.ID.ValueString(), "status": e.Status})
		resp.State.RemoveResource(ctx)
		return
	}
	eligibilityFlatten(e, &state)
	if imported, d := req.Private.GetKey(ctx, eligibilityImportedKey); len(imported) > 0 && !d.HasError() {
		// Justification and ticket live on the request, not the schedule: after an import, read them from
		// the request that created the schedule (once; Graph may have purged it), so that importing into a
		// configuration that sets them plans no change.
		details, ok, err := pim.ReadEligibilityRequestDetails(ctx, c, e.CreatedUsing)
		if err != nil {
			addAPIError(&resp.Diagnostics, "Read", eligibilityObject, err, grantEligibility)
			return
		}
		if ok {
			state.Justification = optionalString(details.Justification)
			state.TicketNumber = optionalString(details.TicketNumber)
			state.TicketSystem = optionalString(details.TicketSystem)
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, eligibilityImportedKey, nil)...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// eligibilityImportedKey marks, in private state, an eligibility imported but not yet read.
const eligibilityImportedKey = "imported"

func (r *pimEligibilityResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state pimEligibilityModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.needsRequest(state.pimScheduleModel) {
		// Only the form of the schedule, the wired policy or the timeouts changed: nothing to tell Azure.
		plan.ID = state.ID
		plan.keepReported(state.pimScheduleModel)
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	c := r.requireClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts.Update, eligibilityTimeouts.Update, &resp.Diagnostics)
	defer cancel()
	e, err := pim.UpdateEligibility(ctx, c, eligibilitySpec(plan))
	if err != nil {
		eligibilityAPIError(&resp.Diagnostics, "Update", plan, err)
		return
	}
	tflog.Info(ctx, "PIM eligibility updated", map[string]any{"old_id": state.ID.ValueString(), "id": e.ScheduleID})
	eligibilityFlatten(e, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *pimEligibilityResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state pimEligibilityModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.requireClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts.Delete, eligibilityTimeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if err := pim.DeleteEligibility(ctx, c, state.ID.ValueString(), eligibilitySpec(state).Key); err != nil {
		eligibilityAPIError(&resp.Diagnostics, "Delete", state, err)
	}
}

// ImportState accepts the schedule ID or {group_id}/{principal_id}/{access_id}.
func (r *pimEligibilityResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if id, err := pim.ParseScheduleID(req.ID); err == nil {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("group_id"), id.GroupID)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("access_id"), string(id.AccessID))...)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, eligibilityImportedKey, []byte("true"))...)
		return
	}
	key, err := pim.ParseEligibilityKey(req.ID)
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("Import", eligibilityObject), errorDetail(
			fmt.Sprintf("%q is neither an eligibility schedule ID nor {group_id}/{principal_id}/{access_id}.", req.ID),
			"Use the schedule ID ({group_id}_{member|owner}_{guid}, the id attribute) or group, principal and access ID separated by slashes.",
			err))
		return
	}
	c := r.requireClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	e, found, err := pim.FindEligibility(ctx, c, key)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Import", eligibilityObject, err, grantEligibility)
		return
	}
	if !found {
		resp.Diagnostics.AddError(errorSummary("Import", eligibilityObject), errorDetail(
			fmt.Sprintf("Principal %s has no live eligibility as %s of group %s.", key.PrincipalID, key.AccessID, key.GroupID),
			"Check the IDs; an expired or removed eligibility cannot be imported.", nil))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), e.ScheduleID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("group_id"), key.GroupID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("principal_id"), key.PrincipalID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("access_id"), string(key.AccessID))...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, eligibilityImportedKey, []byte("true"))...)
}
