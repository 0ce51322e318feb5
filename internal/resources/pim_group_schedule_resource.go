package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// The PIM-for-groups schedules, aks_pim_eligibility and aks_pim_assignment: one implementation, the kind
// (eligible or active) telling them apart. Each resource file holds its kind's description, model and the
// policy attribute it is checked against at plan time.

// pimGroupScheduleModel holds the attributes both kinds share; each kind's model embeds it and adds its
// policy attribute.
type pimGroupScheduleModel struct {
	pimScheduleModel
	resourceTimeouts
	ID          types.String `tfsdk:"id"`
	GroupID     types.String `tfsdk:"group_id"`
	PrincipalID types.String `tfsdk:"principal_id"`
	AccessID    types.String `tfsdk:"access_id"`
}

// groupScheduleIdentity is the identity of a group schedule: its import form
// {group_id}/{principal_id}/{access_id}; who is "eligible" or "assigned".
func groupScheduleIdentity(who string) resourceIdentity {
	return resourceIdentity{
		{"group_id", "Object ID of the PIM-governed group."},
		{"principal_id", "Object ID of the " + who + " user or group."},
		{"access_id", "`member` or `owner`."},
	}
}

// groupScheduleModel is a kind's model: the shared attributes and the wired policy attribute.
type groupScheduleModel interface {
	timed
	common() *pimGroupScheduleModel
	policy() types.Object
}

// groupScheduleKind is what tells the two resources apart.
type groupScheduleKind struct {
	kind          pim.GroupScheduleKind
	object        string // in diagnostics: "PIM Eligibility"
	noun          string // in descriptions and diagnostics: "eligibility"
	description   string
	permanentNote string
	grant         string // the Graph permission the provider needs
	// policyAttr is the attribute a policy block of aks_pim_approval_policy is wired into, policyBlock that
	// block, policySchema the attribute's schema.
	policyAttr, policyBlock string
	policySchema            schema.Attribute
	// checkWired checks the plan against the wired policy; ok is false while it is not known yet.
	checkWired func(ctx context.Context, o types.Object, s pim.Schedule, m *pimGroupScheduleModel, now time.Time, diags *diag.Diagnostics) (findings []pim.Finding, ok bool)
	// checkCurrent checks the plan against the group's current policy (reported as warnings).
	checkCurrent func(p pim.Policy, s pim.Schedule, m *pimGroupScheduleModel, now time.Time) []pim.Finding
	advice       map[string]string // for each failed check of a rejection
	words        findingWords      // of plan-time findings
}

var _ resource.ResourceWithValidateConfig = (*pimGroupScheduleResource[pimEligibilityModel, *pimEligibilityModel])(nil)

type pimGroupScheduleResource[M any, P interface {
	*M
	groupScheduleModel
}] struct {
	resourceBase
	k groupScheduleKind
}

// newPIMGroupScheduleResource is the resource of kind k, aks{typeName}, with model M.
func newPIMGroupScheduleResource[M any, P interface {
	*M
	groupScheduleModel
}](typeName string, k groupScheduleKind, identity resourceIdentity) resource.Resource {
	return withIdentity(&pimGroupScheduleResource[M, P]{resourceBase{typeName: typeName, timeouts: scheduleTimeouts}, k}, identity)
}

func (r *pimGroupScheduleResource[M, P]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	n := r.k.noun
	resp.Schema = schema.Schema{
		MarkdownDescription: r.k.description,
		Attributes: withAttributes(pimScheduleAttributes(n, r.k.permanentNote), map[string]schema.Attribute{
			"id":       keptString("The " + n + " schedule ID, `{group_id}_{member|owner}_{guid}`. It changes when the " + n + " is updated."),
			"group_id": replacingObjectID("Object ID of the group the " + n + " is for. Changing it replaces the " + n + "."),
			"principal_id": replacingObjectID("Object ID of the user, group or service principal. With a group, its members inherit the " + n +
				". Changing it replaces the " + n + "."),
			"access_id":    accessIDAttribute("`member` (the default) or `owner`: the relationship to the group. Changing it replaces the " + n + "."),
			r.k.policyAttr: r.k.policySchema,
			"timeouts":     timeoutsAttribute(ctx, r.timeouts),
		}),
	}
}

func (r *pimGroupScheduleResource[M, P]) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m M
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	P(&m).common().validate(&resp.Diagnostics, r.client.Now(), r.k.words)
}

// ModifyPlan checks the schedule against the group's policy rules for this kind: against the wired policy
// attribute (an error, at plan time, even when the policy is created in the same apply), or else against
// the group's current policy (a warning: an unwired policy resource in the same configuration may still
// change it). It also marks the schedule's computed values unknown when the update will create a new
// schedule.
func (r *pimGroupScheduleResource[M, P]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planM, _, stateM, ok := planned(ctx, req, readModel[M], &resp.Diagnostics)
	if !ok {
		return
	}
	plan := P(&planM).common()
	var state *pimGroupScheduleModel
	prior := pimGroupScheduleModel{}
	if stateM != nil {
		state = P(stateM).common()
		prior = *state
	}
	var refs objectRefs
	refs.add(path.Root("group_id"), plan.GroupID, prior.GroupID, pim.KindGroup)
	refs.add(path.Root("principal_id"), plan.PrincipalID, prior.PrincipalID, pim.KindUser, pim.KindGroup)
	refs.check(ctx, r.client, &resp.Diagnostics)

	willRequest := state == nil || plan.needsRequest(state.pimScheduleModel)
	if state != nil && willRequest {
		plan.ID = types.StringUnknown()
		plan.markReportedUnknown()
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &planM)...)
	}

	sched, known := plan.schedule()
	if !known {
		return
	}
	now := r.client.Now()
	if o := P(&planM).policy(); !o.IsNull() {
		if fs, ok := r.k.checkWired(ctx, o, sched, plan, now, &resp.Diagnostics); ok {
			addFindingsAbout(&resp.Diagnostics, fs, scheduleFindingPath, r.k.words)
		}
		return
	}
	if !willRequest || r.client == nil || plan.GroupID.IsUnknown() || plan.PrincipalID.IsUnknown() || plan.AccessID.IsUnknown() {
		return
	}
	key := pim.PolicyKey{GroupID: plan.GroupID.ValueString(), AccessID: pim.AccessID(plan.AccessID.ValueString())}
	ps, err := pim.ReadPolicy(ctx, r.client, key)
	if err != nil {
		tflog.Debug(ctx, "skipping the plan-time check of the schedule against the group's policy", map[string]any{"error": err.Error()})
		return
	}
	for _, f := range r.k.checkCurrent(ps.Rules.Policy(), sched, plan, now) {
		if f.Warning {
			// Already a warning (the approver checks), and not about this resource's policy attribute.
			addFindingsAbout(&resp.Diagnostics, []pim.Finding{f}, scheduleFindingPath, r.k.words)
			continue
		}
		p := scheduleFindingPath(f)
		summary, detail := r.k.words.text(f, p)
		resp.Diagnostics.AddAttributeWarning(p, summary, detail+fmt.Sprintf(
			" (Checked against the group's current policy. If an aks_pim_approval_policy in this configuration changes it, "+
				"set %s to its %s so the check uses the new value and the policy is applied first.)", r.k.policyAttr, r.k.policyBlock))
	}
}

func (r *pimGroupScheduleResource[M, P]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var planM M
	plan := P(&planM).common()
	r.run(ctx, opCreate, req.Plan.Get, P(&planM), &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		if r.send(ctx, c, "Create", plan, pim.CreateEligibility, &resp.Diagnostics) {
			resp.Diagnostics.Append(resp.State.Set(ctx, &planM)...)
		}
	})
}

// send makes the request of verb (Create: adminAssign, Update: adminUpdate) for plan and writes the
// schedule it produced into plan; ok is false when it failed (diagnosed in diags).
func (r *pimGroupScheduleResource[M, P]) send(ctx context.Context, c *clients.Client, verb string, plan *pimGroupScheduleModel,
	request func(context.Context, *clients.Client, pim.EligibilitySpec) (pim.Eligibility, error), diags *diag.Diagnostics) (ok bool) {
	old := plan.ID.ValueString()
	e, err := request(ctx, c, r.spec(plan))
	if err != nil {
		r.apiError(diags, verb, plan, err)
		return false
	}
	tflog.Info(ctx, "PIM group schedule "+verb, map[string]any{"old_id": old, "id": e.ScheduleID, "kind": r.k.noun})
	groupScheduleFlatten(e, plan)
	return true
}

func (r *pimGroupScheduleResource[M, P]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var stateM M
	state := P(&stateM).common()
	r.run(ctx, opRead, req.State.Get, P(&stateM), &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		e, found, err := pim.ReadGroupSchedule(ctx, c, r.k.kind, state.ID.ValueString())
		if err != nil {
			addAPIError(&resp.Diagnostics, "Read", r.k.object, err, r.k.grant)
			return
		}
		if !found {
			tflog.Warn(ctx, "PIM group schedule gone (removed or expired outside Terraform); removing it from state",
				map[string]any{"id": state.ID.ValueString(), "status": e.Status, "kind": r.k.noun})
			resp.State.RemoveResource(ctx)
			return
		}
		groupScheduleFlatten(e, state)
		if imported, d := req.Private.GetKey(ctx, groupScheduleImportedKey); len(imported) > 0 && !d.HasError() {
			// Justification and ticket live on the request, not the schedule: after an import, read them from
			// the request that created the schedule (once; Graph may have purged it), so that importing into a
			// configuration that sets them plans no change.
			details, ok, err := pim.ReadGroupScheduleRequestDetails(ctx, c, r.k.kind, e.CreatedUsing)
			if err != nil {
				addAPIError(&resp.Diagnostics, "Read", r.k.object, err, r.k.grant)
				return
			}
			if ok {
				state.Justification = optionalString(details.Justification)
				state.TicketNumber = optionalString(details.TicketNumber)
				state.TicketSystem = optionalString(details.TicketSystem)
			}
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, groupScheduleImportedKey, nil)...)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &stateM)...)
	})
}

// groupScheduleImportedKey marks, in private state, a schedule imported but not yet read.
const groupScheduleImportedKey = "imported"

func (r *pimGroupScheduleResource[M, P]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var planM, stateM M
	plan, state := P(&planM).common(), P(&stateM).common()
	resp.Diagnostics.Append(req.State.Get(ctx, &stateM)...)
	r.run(ctx, opUpdate, req.Plan.Get, P(&planM), &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		plan.ID = state.ID
		if !plan.needsRequest(state.pimScheduleModel) {
			// Only the form of the schedule, the wired policy or the timeouts changed: nothing to tell Azure.
			plan.keepReported(state.pimScheduleModel)
			resp.Diagnostics.Append(resp.State.Set(ctx, &planM)...)
			return
		}
		if r.send(ctx, c, "Update", plan, pim.UpdateEligibility, &resp.Diagnostics) {
			resp.Diagnostics.Append(resp.State.Set(ctx, &planM)...)
		}
	})
}

func (r *pimGroupScheduleResource[M, P]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var stateM M
	state := P(&stateM).common()
	r.run(ctx, opDelete, req.State.Get, P(&stateM), &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		spec := r.spec(state)
		spec.Schedule = pim.Schedule{}
		// A policy that wants a justification for assignments may want one for their removal too.
		if spec.Justification == "" {
			spec.Justification = "Removed by Terraform"
		}
		if err := pim.DeleteGroupSchedule(ctx, c, state.ID.ValueString(), spec); err != nil {
			r.apiError(&resp.Diagnostics, "Delete", state, err)
		}
	})
}

// ImportState accepts the schedule ID or {group_id}/{principal_id}/{access_id}.
func (r *pimGroupScheduleResource[M, P]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if id, err := pim.ParseScheduleID(req.ID); err == nil {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("group_id"), id.GroupID)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("access_id"), string(id.AccessID))...)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, groupScheduleImportedKey, []byte("true"))...)
		return
	}
	key, err := pim.ParseEligibilityKey(req.ID)
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("Import", r.k.object), errorDetail(
			fmt.Sprintf("%q is neither an %s schedule ID nor {group_id}/{principal_id}/{access_id}.", req.ID, r.k.noun),
			"Use the schedule ID ({group_id}_{member|owner}_{guid}, the id attribute) or group, principal and access ID separated by slashes.",
			err))
		return
	}
	key.Kind = r.k.kind
	c := r.requireClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	e, found, err := pim.FindEligibility(ctx, c, key)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Import", r.k.object, err, r.k.grant)
		return
	}
	if !found {
		resp.Diagnostics.AddError(errorSummary("Import", r.k.object), errorDetail(
			fmt.Sprintf("Principal %s has no live %s as %s of group %s.", key.PrincipalID, r.k.noun, key.AccessID, key.GroupID),
			fmt.Sprintf("Check the IDs; an expired or removed %s cannot be imported.", r.k.noun), nil))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), e.ScheduleID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("group_id"), key.GroupID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("principal_id"), key.PrincipalID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("access_id"), string(key.AccessID))...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, groupScheduleImportedKey, []byte("true"))...)
}
