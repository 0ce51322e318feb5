package pim

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// policyFinding is a Problem reduced to what the tests assert.
type policyFinding struct {
	Attribute string
	Warning   bool
	Summary   string
}

func policyFindings(ps []Problem) []policyFinding {
	out := make([]policyFinding, 0, len(ps))
	for _, p := range ps {
		out = append(out, policyFinding{Attribute: p.Attribute, Warning: p.Warning, Summary: p.Summary})
	}
	slices.SortFunc(out, func(a, b policyFinding) int { return strings.Compare(a.Attribute+a.Summary, b.Attribute+b.Summary) })
	return out
}

func TestDefaultPolicyMatchesAzure(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	// §6.2 of the API contract, spelled out so a change to DefaultPolicy is a deliberate one.
	checks := map[string]bool{
		"no approval":                    !p.Approval.Required,
		"approver justification":         p.Approval.ApproverJustificationRequired,
		"timeout 1 day":                  p.Approval.TimeoutDays == 1,
		"activation PT8H":                p.Activation.MaximumDuration.String() == "PT8H",
		"activation justification":       p.Activation.RequireJustification,
		"activation no mfa":              !p.Activation.RequireMFA,
		"activation no ticket":           !p.Activation.RequireTicketInfo,
		"activation no ca":               p.Activation.ConditionalAccessContext == "",
		"eligible expiry required P365D": p.EligibleAssignment.ExpirationRequired && p.EligibleAssignment.MaximumDuration.String() == "P365D",
		"active expiry required P180D":   p.ActiveAssignment.ExpirationRequired && p.ActiveAssignment.MaximumDuration.String() == "P180D",
		"active justification":           p.ActiveAssignment.RequireJustification && !p.ActiveAssignment.RequireMFA,
		"notifications all on": p.Notifications.Activation.Approver.Level == NotificationAll &&
			p.Notifications.EligibleAssignment.Admin.DefaultRecipients && p.Notifications.ActiveAssignment.Requestor.AdditionalRecipients == nil,
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("DefaultPolicy: %s does not hold", name)
		}
	}
	if ps := p.Validate(PolicyContext{}); len(ps) != 0 {
		t.Errorf("DefaultPolicy is not valid: %v", ps)
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	const governed = "0f9a8b7c-1234-4abc-9def-0123456789ab"
	const eligible = "5a1c0e2b-0000-4000-8000-00000000c0de"
	tests := []struct {
		name   string
		change func(*Policy)
		ctx    PolicyContext
		want   []policyFinding
	}{
		{name: "scenario is clean", change: func(p *Policy) { *p = ruleScenarioPolicy() }, ctx: PolicyContext{GovernedGroupID: governed}},
		{name: "approval without approvers", change: func(p *Policy) { p.Approval.Required = true },
			want: []policyFinding{{Attribute: "require_approval", Summary: "Approval Required Without Approvers"}}},
		{name: "approvers without approval", change: func(p *Policy) { p.Approval.ApproverUsers = []string{ruleApproverUser} },
			want: []policyFinding{{Attribute: "approvers", Warning: true, Summary: "Approvers Without Approval"}}},
		{name: "approver not a guid", change: func(p *Policy) {
			p.Approval.Required = true
			p.Approval.ApproverUsers = []string{"p01@contoso.com"}
		}, want: []policyFinding{{Attribute: "approvers", Summary: "Invalid Approver ID"}}},
		{name: "timeout zero", change: func(p *Policy) { p.Approval.TimeoutDays = 0 },
			want: []policyFinding{{Attribute: "approval_timeout_days", Summary: "Approval Timeout Out of Range"}}},
		{name: "ca context with mfa", change: func(p *Policy) {
			p.Activation.RequireMFA = true
			p.Activation.ConditionalAccessContext = "c1"
		}, want: []policyFinding{{Attribute: "activation.require_conditional_access_context", Summary: "Conditional Access Context Conflicts With MFA"}}},
		{name: "bad ca context", change: func(p *Policy) { p.Activation.ConditionalAccessContext = "strong-auth" },
			want: []policyFinding{{Attribute: "activation.require_conditional_access_context", Summary: "Invalid Authentication Context"}}},
		{name: "activation under an hour warns", change: func(p *Policy) { p.Activation.MaximumDuration = Duration{seconds: 45 * 60} },
			want: []policyFinding{{Attribute: "activation.maximum_duration", Warning: true, Summary: "Activation Shorter Than Token Lifetime"}}},
		{name: "activation of exactly an hour is fine", change: func(p *Policy) { p.Activation.MaximumDuration = Duration{seconds: 3600} }},
		{name: "activation over a day", change: func(p *Policy) { p.Activation.MaximumDuration = Duration{seconds: 25 * 3600} },
			want: []policyFinding{{Attribute: "activation.maximum_duration", Summary: "Activation Maximum Duration Out of Range"}}},
		{name: "activation missing", change: func(p *Policy) { p.Activation.MaximumDuration = Duration{} },
			want: []policyFinding{{Attribute: "activation.maximum_duration", Summary: "Activation Maximum Duration Missing"}}},
		{name: "expiration required without maximum", change: func(p *Policy) { p.EligibleAssignment.MaximumDuration = Duration{} },
			want: []policyFinding{{Attribute: "eligible_assignment.maximum_duration", Summary: "Maximum Duration Required"}}},
		{name: "no expiration without maximum is fine", change: func(p *Policy) {
			p.EligibleAssignment = Expiry{ExpirationRequired: false}
		}},
		{name: "active over a year", change: func(p *Policy) { p.ActiveAssignment.MaximumDuration = Duration{seconds: 400 * 86400} },
			want: []policyFinding{{Attribute: "active_assignment.maximum_duration", Summary: "Maximum Duration Out of Range"}}},
		{name: "bad level and address", change: func(p *Policy) {
			p.Notifications.Activation.Approver.Level = "Loud"
			p.Notifications.Activation.Approver.AdditionalRecipients = []string{"ops team"}
		}, want: []policyFinding{
			{Attribute: "notifications.activation.approver.additional_recipients", Summary: "Invalid E-mail Address"},
			{Attribute: "notifications.activation.approver.level", Summary: "Invalid Notification Level"},
		}},
		{name: "approver group is the governed group", change: func(p *Policy) {
			p.Approval.Required = true
			p.Approval.ApproverGroups = []string{strings.ToUpper(governed)}
		}, ctx: PolicyContext{GovernedGroupID: governed},
			want: []policyFinding{{Attribute: "approvers", Warning: true, Summary: "Approvers Can Approve Their Own Elevation"}}},
		{name: "eligible principal is an approver", change: func(p *Policy) { *p = ruleScenarioPolicy() },
			ctx:  PolicyContext{GovernedGroupID: governed, EligiblePrincipals: []string{ruleApproverGroup}},
			want: []policyFinding{{Attribute: "approvers", Warning: true, Summary: "Approvers Can Approve Their Own Elevation"}}},
		{name: "eligible principal is in the approver group", change: func(p *Policy) { *p = ruleScenarioPolicy() },
			ctx: PolicyContext{GovernedGroupID: governed, EligiblePrincipals: []string{eligible},
				ApproverGroupMembers: map[string][]string{ruleApproverGroup: {ruleApproverUser, strings.ToUpper(eligible)}}},
			want: []policyFinding{{Attribute: "approvers", Warning: true, Summary: "Approvers Can Approve Their Own Elevation"}}},
		{name: "eligible principal not among approvers", change: func(p *Policy) { *p = ruleScenarioPolicy() },
			ctx: PolicyContext{GovernedGroupID: governed, EligiblePrincipals: []string{eligible},
				ApproverGroupMembers: map[string][]string{ruleApproverGroup: {ruleApproverUser}}}},
		{name: "self approval does not matter without approval", change: func(p *Policy) {
			p.Approval.ApproverGroups = []string{governed}
		}, ctx: PolicyContext{GovernedGroupID: governed},
			want: []policyFinding{{Attribute: "approvers", Warning: true, Summary: "Approvers Without Approval"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := DefaultPolicy()
			tt.change(&p)
			got := policyFindings(p.Validate(tt.ctx))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Validate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScheduleValidate(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	d := func(s string) Duration { v, _ := ParseDuration(s); return v }
	tests := []struct {
		name string
		s    Schedule
		want []policyFinding
	}{
		{name: "duration", s: Schedule{Duration: d("P180D")}},
		{name: "permanent", s: Schedule{Permanent: true}},
		{name: "end", s: Schedule{End: now.Add(24 * time.Hour)}},
		{name: "start and end", s: Schedule{Start: now.Add(time.Hour), End: now.Add(2 * time.Hour)}},
		{name: "none", s: Schedule{}, want: []policyFinding{{Summary: "Invalid Eligibility Schedule"}}},
		{name: "two", s: Schedule{Duration: d("P1D"), Permanent: true}, want: []policyFinding{{Attribute: "permanent", Summary: "Invalid Eligibility Schedule"}}},
		{name: "duration and end", s: Schedule{Duration: d("P1D"), End: now.Add(48 * time.Hour)},
			want: []policyFinding{{Attribute: "end_date_time", Summary: "Invalid Eligibility Schedule"}}},
		{name: "end before start", s: Schedule{Start: now.Add(2 * time.Hour), End: now.Add(time.Hour)},
			want: []policyFinding{{Attribute: "end_date_time", Summary: "Eligibility Ends Before It Starts"}}},
		{name: "end in the past", s: Schedule{End: now.Add(-time.Hour)},
			want: []policyFinding{{Attribute: "end_date_time", Summary: "Eligibility Too Short"}}},
		{name: "too short", s: Schedule{Duration: d("PT4M")}, want: []policyFinding{{Attribute: "duration", Summary: "Eligibility Too Short"}}},
		{name: "past start plus duration already over", s: Schedule{Start: now.Add(-48 * time.Hour), Duration: d("P1D")},
			want: []policyFinding{{Attribute: "duration", Summary: "Eligibility Too Short"}}},
		{name: "past start plus duration still ahead", s: Schedule{Start: now.Add(-48 * time.Hour), Duration: d("P3D")}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, policyFindings(tt.s.Validate(now)), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: Validate mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestExpiryCheckSchedule(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	d := func(s string) Duration { v, _ := ParseDuration(s); return v }
	def := DefaultPolicy().EligibleAssignment
	tests := []struct {
		name    string
		x       Expiry
		s       Schedule
		wantErr string // Attribute of the problem; "" = accepted
	}{
		{name: "permanent under default", x: def, s: Schedule{Permanent: true}, wantErr: "permanent"},
		{name: "permanent allowed", x: Expiry{ExpirationRequired: false, MaximumDuration: d("P365D")}, s: Schedule{Permanent: true}},
		{name: "365 days", x: def, s: Schedule{Duration: d("P365D")}},
		{name: "366 days", x: def, s: Schedule{Duration: d("P366D")}, wantErr: "duration"},
		{name: "end within", x: def, s: Schedule{End: now.Add(300 * 24 * time.Hour)}},
		{name: "end beyond", x: def, s: Schedule{End: now.Add(400 * 24 * time.Hour)}, wantErr: "end_date_time"},
		{name: "past start counts from now", x: def, s: Schedule{Start: now.Add(-100 * 24 * time.Hour), End: now.Add(300 * 24 * time.Hour)}},
		{name: "future start counts from start", x: Expiry{ExpirationRequired: true, MaximumDuration: d("P30D")},
			s: Schedule{Start: now.Add(10 * 24 * time.Hour), End: now.Add(35 * 24 * time.Hour)}},
	}
	for _, tt := range tests {
		p := tt.x.CheckSchedule(tt.s, now)
		switch {
		case tt.wantErr == "" && p != nil:
			t.Errorf("%s: rejected: %v", tt.name, p)
		case tt.wantErr != "" && p == nil:
			t.Errorf("%s: accepted, want a problem on %s", tt.name, tt.wantErr)
		case p != nil:
			if p.Attribute != tt.wantErr || !strings.Contains(p.Detail, string(RuleExpirationAdminEligibility)) {
				t.Errorf("%s: problem %+v does not name %s and the rule", tt.name, p, tt.wantErr)
			}
		}
	}
}
