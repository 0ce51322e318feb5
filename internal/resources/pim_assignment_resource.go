package resources

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// NewPIMAssignmentResource is the aks_pim_assignment resource: a principal made member or owner of a
// group by an administrator's active PIM-for-groups assignment, for a limited time or permanently.
func NewPIMAssignmentResource() resource.Resource {
	return newPIMGroupScheduleResource[pimAssignmentModel]("_pim_assignment", assignmentKind, pimAssignmentIdentity)
}

// An active assignment is named by who is assigned to what, not by its schedule ID, which PIM assigns
// (and changes on every update).
var pimAssignmentIdentity = groupScheduleIdentity("assigned")

type pimAssignmentModel struct {
	pimGroupScheduleModel
	PolicyActiveAssignment types.Object `tfsdk:"policy_active_assignment"`
}

func (m *pimAssignmentModel) common() *pimGroupScheduleModel { return &m.pimGroupScheduleModel }
func (m *pimAssignmentModel) policy() types.Object           { return m.PolicyActiveAssignment }

var assignmentKind = groupScheduleKind{
	kind: pim.GroupActive, object: "PIM Assignment", noun: "assignment",
	grant:         "the Microsoft Graph application permission PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup (admin consent required)",
	permanentNote: "The default group policy rejects it (`active_assignment.expiration_required`).",
	description: "An active PIM-for-groups assignment: `principal_id` **is** a `member` (or `owner`) of `group_id` from " +
		"`start_date_time` for `duration` (or until `end_date_time`, or permanently), assigned by an administrator through " +
		"PIM rather than activated by the principal: for break-glass and standing access that must expire or be audited by " +
		"PIM. While it holds, the principal is a member of the group like any other (group claims in new tokens, Azure roles " +
		"held by the group); PIM removes the membership when it ends. It is the active counterpart of `aks_pim_eligibility`, " +
		"which the principal must activate.\n\n" +
		"The assignment is subject to the group's PIM policy for active assignments (`aks_pim_approval_policy`'s " +
		"`active_assignment`): by default it must expire within 180 days and needs a `justification`.\n\n" +
		"The resource is keyed on the assignment **schedule**, never on the request that created it (Graph purges requests " +
		"after about 45 days): an assignment removed or expired outside Terraform is recreated on the next apply. Changes " +
		"are made with `adminUpdate`, which gives the schedule a new ID. Destroy sends `adminRemove`; PIM refuses to remove " +
		"a schedule in its first five minutes, and destroy waits that out within its timeout.\n\n" +
		"Do not also list the principal in the group's `aks_pim_group` `members`: a permanent assignment reads there like a " +
		"direct member, and the two resources would fight over it (time-bound assignments are ignored by `aks_pim_group`).\n\n" +
		"Set exactly one of `duration`, `end_date_time` or `permanent`. Wire `policy_active_assignment` to the group's " +
		"`aks_pim_approval_policy` so a schedule or missing justification the policy would reject fails at plan time.\n\n" +
		"Required Microsoft Graph permission: PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup (application, admin consent).",
	policyAttr: "policy_active_assignment", policyBlock: "active_assignment",
	policySchema: wiredPolicyAttribute("The group's rules for active assignments, for plan-time checking: set it to the "+
		"`active_assignment` attribute of the group's `aks_pim_approval_policy` "+
		"(`policy_active_assignment = aks_pim_approval_policy.admin.active_assignment`). A permanent or over-long "+
		"assignment, or one without the justification the policy requires, then fails at plan time, and Terraform orders "+
		"the policy change before the assignment. Not sent to Azure. Without it, the plan reads the group's current policy "+
		"and warns.", wiredRules{
		expirationRequired: "Whether the policy requires active assignments to expire.",
		maximumDuration:    "Longest active assignment the policy allows.",
		justification:      "Whether the policy requires a justification for active assignments.",
		mfa:                "Whether the policy requires multi-factor authentication for active assignments. Not checked: it binds a signed-in administrator.",
	}),
	checkWired: func(_ context.Context, o types.Object, s pim.Schedule, m *pimGroupScheduleModel, now time.Time, _ *diag.Diagnostics) ([]pim.Finding, bool) {
		if m.Justification.IsUnknown() {
			return nil, false
		}
		a, ok := assignmentWiredRules(o)
		if !ok {
			return nil, false
		}
		return a.CheckRequest(s, m.Justification.ValueString(), now), true
	},
	checkCurrent: func(p pim.Policy, s pim.Schedule, m *pimGroupScheduleModel, now time.Time) []pim.Finding {
		if m.Justification.IsUnknown() {
			return nil
		}
		return p.ActiveAssignment.CheckRequest(s, m.Justification.ValueString(), now)
	},
	words:  groupAssignmentWords,
	advice: assignmentAdvice,
}

// assignmentWiredRules reads policy_active_assignment; ok is false while it is not known yet.
func assignmentWiredRules(o types.Object) (pim.ActiveAssignmentRules, bool) {
	x, ok := wiredExpiry(o)
	if !ok {
		return pim.ActiveAssignmentRules{}, false
	}
	justification, _ := o.Attributes()["require_justification"].(types.Bool)
	if justification.IsUnknown() {
		return pim.ActiveAssignmentRules{}, false
	}
	return pim.ActiveAssignmentRules{Expiry: x, RequireJustification: justification.ValueBool()}, true
}
