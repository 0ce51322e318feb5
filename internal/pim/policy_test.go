package pim

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// policyFinding is a Finding reduced to what the tests assert.
type policyFinding struct {
	Check   Check
	Rule    RuleID
	Setting Setting
	Warning bool
}

func policyFindings(fs []Finding) []policyFinding {
	out := make([]policyFinding, 0, len(fs))
	for _, f := range fs {
		out = append(out, policyFinding{Check: f.Check, Rule: f.Rule, Setting: f.Setting, Warning: f.Warning})
	}
	key := func(f policyFinding) string { return string(f.Rule) + string(f.Setting) + string(f.Check) }
	slices.SortFunc(out, func(a, b policyFinding) int { return strings.Compare(key(a), key(b)) })
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
			want: []policyFinding{{Check: CheckApprovalWithoutApprovers, Rule: RuleApprovalEndUserAssignment, Setting: SettingApprovalRequired}}},
		{name: "approvers without approval", change: func(p *Policy) { p.Approval.ApproverUsers = []string{ruleApproverUser} },
			want: []policyFinding{{Check: CheckApproversWithoutApproval, Rule: RuleApprovalEndUserAssignment, Setting: SettingApprovers, Warning: true}}},
		{name: "approver not a guid", change: func(p *Policy) {
			p.Approval.Required = true
			p.Approval.ApproverUsers = []string{"p01@contoso.com"}
		}, want: []policyFinding{{Check: CheckNotObjectID, Rule: RuleApprovalEndUserAssignment, Setting: SettingApprovers}}},
		{name: "timeout zero", change: func(p *Policy) { p.Approval.TimeoutDays = 0 },
			want: []policyFinding{{Check: CheckOutOfRange, Rule: RuleApprovalEndUserAssignment, Setting: SettingApprovalTimeout}}},
		{name: "ca context with mfa", change: func(p *Policy) {
			p.Activation.RequireMFA = true
			p.Activation.ConditionalAccessContext = "c1"
		}, want: []policyFinding{{Check: CheckConflictsWithMFA, Rule: RuleAuthenticationContextEndUserAssignment, Setting: SettingClaimValue}}},
		{name: "bad ca context", change: func(p *Policy) { p.Activation.ConditionalAccessContext = "strong-auth" },
			want: []policyFinding{{Check: CheckNotAuthContext, Rule: RuleAuthenticationContextEndUserAssignment, Setting: SettingClaimValue}}},
		{name: "activation under an hour warns", change: func(p *Policy) { p.Activation.MaximumDuration = Duration{seconds: 45 * 60} },
			want: []policyFinding{{Check: CheckShorterThanTokens, Rule: RuleExpirationEndUserAssignment, Setting: SettingMaximumDuration, Warning: true}}},
		{name: "activation of exactly an hour is fine", change: func(p *Policy) { p.Activation.MaximumDuration = Duration{seconds: 3600} }},
		{name: "activation over a day", change: func(p *Policy) { p.Activation.MaximumDuration = Duration{seconds: 25 * 3600} },
			want: []policyFinding{{Check: CheckOutOfRange, Rule: RuleExpirationEndUserAssignment, Setting: SettingMaximumDuration}}},
		{name: "activation missing", change: func(p *Policy) { p.Activation.MaximumDuration = Duration{} },
			want: []policyFinding{{Check: CheckMissing, Rule: RuleExpirationEndUserAssignment, Setting: SettingMaximumDuration}}},
		{name: "expiration required without maximum", change: func(p *Policy) { p.EligibleAssignment.MaximumDuration = Duration{} },
			want: []policyFinding{{Check: CheckMissing, Rule: RuleExpirationAdminEligibility, Setting: SettingMaximumDuration}}},
		{name: "no expiration without maximum is fine", change: func(p *Policy) {
			p.EligibleAssignment = Expiry{ExpirationRequired: false}
		}},
		{name: "active over a year", change: func(p *Policy) { p.ActiveAssignment.MaximumDuration = Duration{seconds: 400 * 86400} },
			want: []policyFinding{{Check: CheckOutOfRange, Rule: RuleExpirationAdminAssignment, Setting: SettingMaximumDuration}}},
		{name: "bad level and address", change: func(p *Policy) {
			p.Notifications.Activation.Approver.Level = "Loud"
			p.Notifications.Activation.Approver.AdditionalRecipients = []string{"ops team"}
		}, want: []policyFinding{
			{Check: CheckNotOneOf, Rule: RuleNotificationApproverEndUserAssignment, Setting: SettingNotificationLevel},
			{Check: CheckNotEmailAddress, Rule: RuleNotificationApproverEndUserAssignment, Setting: SettingNotificationRecipients},
		}},
		{name: "approver group is the governed group", change: func(p *Policy) {
			p.Approval.Required = true
			p.Approval.ApproverGroups = []string{strings.ToUpper(governed)}
		}, ctx: PolicyContext{GovernedGroupID: governed},
			want: []policyFinding{{Check: CheckApproverIsGovernedGroup, Rule: RuleApprovalEndUserAssignment, Setting: SettingApprovers, Warning: true}}},
		{name: "eligible principal is an approver", change: func(p *Policy) { *p = ruleScenarioPolicy() },
			ctx:  PolicyContext{GovernedGroupID: governed, EligiblePrincipals: []string{ruleApproverGroup}},
			want: []policyFinding{{Check: CheckApproverIsEligible, Rule: RuleApprovalEndUserAssignment, Setting: SettingApprovers, Warning: true}}},
		{name: "eligible principal is in the approver group", change: func(p *Policy) { *p = ruleScenarioPolicy() },
			ctx: PolicyContext{GovernedGroupID: governed, EligiblePrincipals: []string{eligible},
				ApproverGroupMembers: map[string][]string{ruleApproverGroup: {ruleApproverUser, strings.ToUpper(eligible)}}},
			want: []policyFinding{{Check: CheckEligibleInApproverGroup, Rule: RuleApprovalEndUserAssignment, Setting: SettingApprovers, Warning: true}}},
		{name: "eligible principal not among approvers", change: func(p *Policy) { *p = ruleScenarioPolicy() },
			ctx: PolicyContext{GovernedGroupID: governed, EligiblePrincipals: []string{eligible},
				ApproverGroupMembers: map[string][]string{ruleApproverGroup: {ruleApproverUser}}}},
		{name: "self approval does not matter without approval", change: func(p *Policy) {
			p.Approval.ApproverGroups = []string{governed}
		}, ctx: PolicyContext{GovernedGroupID: governed},
			want: []policyFinding{{Check: CheckApproversWithoutApproval, Rule: RuleApprovalEndUserAssignment, Setting: SettingApprovers, Warning: true}}},
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
		{name: "none", s: Schedule{}, want: []policyFinding{{Check: CheckScheduleForm}}},
		{name: "two", s: Schedule{Duration: d("P1D"), Permanent: true}, want: []policyFinding{{Check: CheckScheduleForm, Setting: SettingPermanent}}},
		{name: "duration and end", s: Schedule{Duration: d("P1D"), End: now.Add(48 * time.Hour)},
			want: []policyFinding{{Check: CheckScheduleForm, Setting: SettingEnd}}},
		{name: "end before start", s: Schedule{Start: now.Add(2 * time.Hour), End: now.Add(time.Hour)},
			want: []policyFinding{{Check: CheckEndBeforeStart, Setting: SettingEnd}}},
		{name: "end in the past", s: Schedule{End: now.Add(-time.Hour)},
			want: []policyFinding{{Check: CheckTooShort, Setting: SettingEnd}}},
		{name: "too short", s: Schedule{Duration: d("PT4M")}, want: []policyFinding{{Check: CheckTooShort, Setting: SettingDuration}}},
		{name: "past start plus duration already over", s: Schedule{Start: now.Add(-48 * time.Hour), Duration: d("P1D")},
			want: []policyFinding{{Check: CheckTooShort, Setting: SettingStart}}},
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
		wantErr Setting // the setting the finding names; "" = accepted
	}{
		{name: "permanent under default", x: def, s: Schedule{Permanent: true}, wantErr: SettingPermanent},
		{name: "permanent allowed", x: Expiry{ExpirationRequired: false, MaximumDuration: d("P365D")}, s: Schedule{Permanent: true}},
		{name: "365 days", x: def, s: Schedule{Duration: d("P365D")}},
		{name: "366 days", x: def, s: Schedule{Duration: d("P366D")}, wantErr: SettingDuration},
		{name: "end within", x: def, s: Schedule{End: now.Add(300 * 24 * time.Hour)}},
		{name: "end beyond", x: def, s: Schedule{End: now.Add(400 * 24 * time.Hour)}, wantErr: SettingEnd},
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
			if p.Setting != tt.wantErr || p.Rule != RuleExpirationAdminEligibility || p.Max != def.MaximumDuration.String() {
				t.Errorf("%s: finding %+v does not name %s, the rule and its maximum", tt.name, p, tt.wantErr)
			}
		}
	}
}
