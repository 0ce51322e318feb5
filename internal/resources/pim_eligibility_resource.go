package resources

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// NewPIMEligibilityResource is the aks_pim_eligibility resource: a principal eligible (through PIM for
// groups) to become member or owner of a group.
func NewPIMEligibilityResource() resource.Resource {
	return newPIMGroupScheduleResource[pimEligibilityModel]("_pim_eligibility", eligibilityKind, pimEligibilityIdentity)
}

// An eligibility is named by who is eligible for what, not by its schedule ID, which PIM assigns.
var pimEligibilityIdentity = groupScheduleIdentity("eligible")

type pimEligibilityModel struct {
	pimGroupScheduleModel
	PolicyEligibleAssignment types.Object `tfsdk:"policy_eligible_assignment"`
}

func (m *pimEligibilityModel) common() *pimGroupScheduleModel { return &m.pimGroupScheduleModel }
func (m *pimEligibilityModel) policy() types.Object           { return m.PolicyEligibleAssignment }

var eligibilityKind = groupScheduleKind{
	kind: pim.GroupEligible, object: "PIM Eligibility", noun: "eligibility",
	grant:         "the Microsoft Graph application permission PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup (admin consent required)",
	permanentNote: "The default group policy rejects it (`eligible_assignment.expiration_required`).",
	description: "A PIM-for-groups eligibility: `principal_id` may activate `member` (or `owner`) access to `group_id` " +
		"for a limited time, subject to the group's PIM policy (`aks_pim_approval_policy`).\n\n" +
		"The resource is keyed on the eligibility **schedule**, never on the request that created it (Graph purges requests " +
		"after about 45 days): an eligibility removed or expired outside Terraform is recreated on the next apply. Changes are " +
		"made with `adminUpdate`, which gives the schedule a new ID. Destroy sends `adminRemove`; PIM refuses to remove a " +
		"schedule in its first five minutes, and destroy waits that out within its timeout.\n\n" +
		"Set exactly one of `duration`, `end_date_time` or `permanent`. Under the default group policy eligibilities must " +
		"expire within 365 days; wire `policy_eligible_assignment` to the group's `aks_pim_approval_policy` so a schedule " +
		"the policy would reject fails at plan time.",
	policyAttr: "policy_eligible_assignment", policyBlock: "eligible_assignment",
	policySchema: wiredPolicyAttribute("The group's eligibility expiration rule, for plan-time checking: set it to the "+
		"`eligible_assignment` attribute of the group's `aks_pim_approval_policy` "+
		"(`policy_eligible_assignment = aks_pim_approval_policy.admin.eligible_assignment`). A permanent or over-long "+
		"eligibility the policy would reject then fails at plan time, and Terraform orders the policy change before the "+
		"eligibility. Not sent to Azure. Without it, the plan reads the group's current policy and warns.", wiredRules{
		expirationRequired: "Whether the policy requires eligibilities to expire.",
		maximumDuration:    "Longest eligibility the policy allows.",
	}),
	checkWired: func(_ context.Context, o types.Object, s pim.Schedule, _ *pimGroupScheduleModel, now time.Time, _ *diag.Diagnostics) ([]pim.Finding, bool) {
		x, ok := wiredExpiry(o)
		if !ok {
			return nil, false
		}
		if f := x.CheckSchedule(s, now); f != nil {
			return []pim.Finding{*f}, true
		}
		return nil, true
	},
	checkCurrent: func(p pim.Policy, s pim.Schedule, m *pimGroupScheduleModel, now time.Time) []pim.Finding {
		var out []pim.Finding
		if f := p.EligibleAssignment.CheckSchedule(s, now); f != nil {
			out = append(out, *f)
		}
		return append(out, p.ApproverConflicts(pim.PolicyContext{EligiblePrincipals: []string{m.PrincipalID.ValueString()}})...)
	},
	words:  groupFindingWords,
	advice: eligibilityAdvice,
}
