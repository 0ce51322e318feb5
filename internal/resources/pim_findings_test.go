package resources

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// findingDiag is a diagnostic reduced to what the tests assert: where, how severe, the summary, and
// that the detail names the attribute and says what to do.
type findingDiag struct {
	Attribute string
	Warning   bool
	Summary   string
}

func findingDiags(t *testing.T, diags diag.Diagnostics) []findingDiag {
	t.Helper()
	out := make([]findingDiag, 0, len(diags))
	for _, d := range diags {
		fd := findingDiag{Warning: d.Severity() == diag.SeverityWarning, Summary: d.Summary()}
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			fd.Attribute = wp.Path().String()
		}
		if d.Detail() == "" || d.Summary() == "Invalid Configuration" {
			t.Errorf("%s: detail %q", d.Summary(), d.Detail())
		}
		out = append(out, fd)
	}
	slices.SortFunc(out, func(a, b findingDiag) int { return strings.Compare(a.Attribute+a.Summary, b.Attribute+b.Summary) })
	return out
}

// TestPolicyFindingsRendered: each finding of Policy.Validate lands on the aks_pim_approval_policy
// attribute that holds its setting, with its summary.
func TestPolicyFindingsRendered(t *testing.T) {
	t.Parallel()
	const (
		governed = "0f9a8b7c-1234-4abc-9def-0123456789ab"
		eligible = "5a1c0e2b-0000-4000-8000-00000000c0de"
		approver = "3e2d1c0b-0000-4000-8000-0000000a9902"
	)
	d := func(s string) pim.Duration { v, _ := pim.ParseDuration(s); return v }
	tests := []struct {
		name   string
		change func(*pim.Policy)
		ctx    pim.PolicyContext
		want   []findingDiag
	}{
		{name: "approval without approvers", change: func(p *pim.Policy) { p.Approval.Required = true },
			want: []findingDiag{{Attribute: "require_approval", Summary: "Approval Required Without Approvers"}}},
		{name: "approvers without approval", change: func(p *pim.Policy) { p.Approval.ApproverUsers = []string{approver} },
			want: []findingDiag{{Attribute: "approvers", Warning: true, Summary: "Approvers Without Approval"}}},
		{name: "approver not a guid", change: func(p *pim.Policy) {
			p.Approval.Required = true
			p.Approval.ApproverUsers = []string{"p01@contoso.com"}
		}, want: []findingDiag{{Attribute: "approvers", Summary: "Invalid Approver ID"}}},
		{name: "timeout zero", change: func(p *pim.Policy) { p.Approval.TimeoutDays = 0 },
			want: []findingDiag{{Attribute: "approval_timeout_days", Summary: "Approval Timeout Out of Range"}}},
		{name: "ca context with mfa", change: func(p *pim.Policy) {
			p.Activation.RequireMFA = true
			p.Activation.ConditionalAccessContext = "c1"
		}, want: []findingDiag{{Attribute: "activation.require_conditional_access_context", Summary: "Conditional Access Context Conflicts With MFA"}}},
		{name: "bad ca context", change: func(p *pim.Policy) { p.Activation.ConditionalAccessContext = "strong-auth" },
			want: []findingDiag{{Attribute: "activation.require_conditional_access_context", Summary: "Invalid Authentication Context"}}},
		{name: "activation under an hour", change: func(p *pim.Policy) { p.Activation.MaximumDuration = d("PT45M") },
			want: []findingDiag{{Attribute: "activation.maximum_duration", Warning: true, Summary: "Activation Shorter Than Token Lifetime"}}},
		{name: "activation over a day", change: func(p *pim.Policy) { p.Activation.MaximumDuration = d("PT25H") },
			want: []findingDiag{{Attribute: "activation.maximum_duration", Summary: "Activation Maximum Duration Out of Range"}}},
		{name: "activation missing", change: func(p *pim.Policy) { p.Activation.MaximumDuration = pim.Duration{} },
			want: []findingDiag{{Attribute: "activation.maximum_duration", Summary: "Activation Maximum Duration Missing"}}},
		{name: "activation with seconds", change: func(p *pim.Policy) { p.Activation.MaximumDuration = d("PT90M30S") },
			want: []findingDiag{{Attribute: "activation.maximum_duration", Summary: "Duration Not in Whole Minutes"}}},
		{name: "expiration required without maximum", change: func(p *pim.Policy) { p.EligibleAssignment.MaximumDuration = pim.Duration{} },
			want: []findingDiag{{Attribute: "eligible_assignment.maximum_duration", Summary: "Maximum Duration Required"}}},
		{name: "active over a year", change: func(p *pim.Policy) { p.ActiveAssignment.MaximumDuration = d("P400D") },
			want: []findingDiag{{Attribute: "active_assignment.maximum_duration", Summary: "Maximum Duration Out of Range"}}},
		{name: "bad level and address", change: func(p *pim.Policy) {
			p.Notifications.EligibleAssignment.Requestor.Level = "Loud"
			p.Notifications.Activation.Approver.AdditionalRecipients = []string{"ops team"}
		}, want: []findingDiag{
			{Attribute: "notifications.activation.approver.additional_recipients", Summary: "Invalid E-mail Address"},
			{Attribute: "notifications.eligible_assignment.requestor.level", Summary: "Invalid Notification Level"},
		}},
		{name: "approver group is the governed group", change: func(p *pim.Policy) {
			p.Approval.Required = true
			p.Approval.ApproverGroups = []string{governed}
		}, ctx: pim.PolicyContext{GovernedGroupID: governed},
			want: []findingDiag{{Attribute: "approvers", Warning: true, Summary: "Approvers Can Approve Their Own Elevation"}}},
		{name: "eligible principal in the approver group", change: func(p *pim.Policy) {
			p.Approval.Required = true
			p.Approval.ApproverGroups = []string{approver}
		}, ctx: pim.PolicyContext{EligiblePrincipals: []string{eligible}, ApproverGroupMembers: map[string][]string{approver: {eligible}}},
			want: []findingDiag{{Attribute: "approvers", Warning: true, Summary: "Approvers Can Approve Their Own Elevation"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := pim.DefaultPolicy()
			tt.change(&p)
			var diags diag.Diagnostics
			addFindings(&diags, p.Validate(tt.ctx), policyFindingPath)
			if diff := cmp.Diff(tt.want, findingDiags(t, diags), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScheduleFindingsRendered: schedule findings land on aks_pim_eligibility's attributes, and the
// group policy's self-approval warning on principal_id, the attribute an eligibility can change.
func TestScheduleFindingsRendered(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	d := func(s string) pim.Duration { v, _ := pim.ParseDuration(s); return v }
	tests := []struct {
		name     string
		findings []pim.Finding
		want     []findingDiag
	}{
		{name: "none", findings: pim.Schedule{}.Validate(now), want: []findingDiag{{Summary: "Invalid Eligibility Schedule"}}},
		{name: "two", findings: pim.Schedule{Duration: d("P1D"), Permanent: true}.Validate(now),
			want: []findingDiag{{Attribute: "permanent", Summary: "Invalid Eligibility Schedule"}}},
		{name: "end before start", findings: pim.Schedule{Start: now.Add(2 * time.Hour), End: now.Add(time.Hour)}.Validate(now),
			want: []findingDiag{{Attribute: "end_date_time", Summary: "Eligibility Ends Before It Starts"}}},
		{name: "too short", findings: pim.Schedule{Duration: d("PT4M")}.Validate(now),
			want: []findingDiag{{Attribute: "duration", Summary: "Eligibility Too Short"}}},
		{name: "past start plus duration over", findings: pim.Schedule{Start: now.Add(-48 * time.Hour), Duration: d("P1D")}.Validate(now),
			want: []findingDiag{{Attribute: "duration", Summary: "Eligibility Too Short"}}},
		{name: "over the policy", findings: []pim.Finding{*pim.DefaultPolicy().EligibleAssignment.CheckSchedule(pim.Schedule{Duration: d("P400D")}, now)},
			want: []findingDiag{{Attribute: "duration", Summary: "Eligibility Longer Than Policy Allows"}}},
		{name: "permanent against the policy", findings: []pim.Finding{*pim.DefaultPolicy().EligibleAssignment.CheckSchedule(pim.Schedule{Permanent: true}, now)},
			want: []findingDiag{{Attribute: "permanent", Summary: "Permanent Eligibility Not Allowed by Policy"}}},
		{name: "self approval", findings: []pim.Finding{{Check: pim.CheckApproverIsEligible, Rule: pim.RuleApprovalEndUserAssignment,
			Setting: pim.SettingApprovers, IDs: []string{"x"}, Warning: true}},
			want: []findingDiag{{Attribute: "principal_id", Warning: true, Summary: "Approvers Can Approve Their Own Elevation"}}},
	}
	for _, tt := range tests {
		var diags diag.Diagnostics
		addFindings(&diags, tt.findings, scheduleFindingPath)
		if diff := cmp.Diff(tt.want, findingDiags(t, diags), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: diagnostics (-want +got):\n%s", tt.name, diff)
		}
	}
	// The words name the values and the limits.
	f := pim.DefaultPolicy().EligibleAssignment.CheckSchedule(pim.Schedule{Duration: d("P400D")}, now)
	_, detail := findingText(*f, path.Root("duration"))
	for _, want := range []string{"P400D", "P365D", string(pim.RuleExpirationAdminEligibility), "policy_eligible_assignment"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q: %s", want, detail)
		}
	}
}

// TestRejectionAdvice: each failed check of a rejected activation or eligibility says what to change in
// the configuration, naming the rule.
func TestRejectionAdvice(t *testing.T) {
	t.Parallel()
	pe := &pim.PolicyRejectedError{Failed: []pim.FailedCheck{
		{Name: pim.FailedExpiration, Rule: pim.RuleExpirationAdminEligibility}, {Name: pim.FailedJustification, Rule: pim.RuleEnablementAdminEligibility},
	}}
	if a := rejectionAdvice(pe, eligibilityAdvice); !strings.Contains(a, "eligible_assignment.expiration_required") || !strings.Contains(a, "set justification") ||
		!strings.Contains(a, string(pim.RuleExpirationAdminEligibility)) {
		t.Errorf("eligibility advice: %s", a)
	}
	pe = &pim.PolicyRejectedError{Failed: []pim.FailedCheck{
		{Name: pim.FailedTicketing, Rule: pim.RuleEnablementEndUserAssignment}, {Name: pim.FailedEligibility},
	}}
	if a := rejectionAdvice(pe, activationAdvice); !strings.Contains(a, "set ticket_number and ticket_system") || !strings.Contains(a, "aks_pim_eligibility") ||
		!strings.Contains(a, string(pim.RuleEnablementEndUserAssignment)) {
		t.Errorf("activation advice: %s", a)
	}
}
