package pim

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Bounds the policy resource enforces. PIM rejects activations over a day and eligibility or assignment
// lifetimes over a year; five minutes is the shortest assignment PIM allows.
var (
	PolicyActivationMin  = Duration{seconds: 30 * 60}
	PolicyActivationMax  = Duration{seconds: 24 * 3600}
	PolicyAssignmentMin  = Duration{seconds: 5 * 60}
	PolicyAssignmentMax  = Duration{seconds: 365 * 86400}
	ActivationTokenFloor = Duration{seconds: 3600}
)

// Approval stage timeout bounds, in days.
const (
	PolicyApprovalTimeoutMin = 1
	PolicyApprovalTimeoutMax = 14
)

var policyAuthContext = regexp.MustCompile(`^c([1-9]|[1-9][0-9])$`)

// PolicyContext is what is known about the directory around a policy when it is validated; every field
// is optional and checks that need a missing one are skipped.
type PolicyContext struct {
	// GovernedGroupID is the group whose policy this is.
	GovernedGroupID string
	// EligiblePrincipals are the principals eligible for the governed group under this policy's access ID.
	EligiblePrincipals []string
	// ApproverGroupMembers maps an approver group ID to the object IDs of its members, for the groups whose
	// membership was looked up.
	ApproverGroupMembers map[string][]string
}

// Validate returns what would make the service reject p (errors), and the warnings of SCENARIO.md (self
// approval, activations shorter than the token lifetime).
func (p Policy) Validate(c PolicyContext) []Finding {
	var out []Finding
	add := func(f Finding) { out = append(out, f) }
	approval := func(check Check, setting Setting, value string, warning bool) {
		add(Finding{Check: check, Rule: RuleApprovalEndUserAssignment, Setting: setting, Value: value, Warning: warning})
	}

	a := p.Approval
	if a.Required && len(a.ApproverGroups)+len(a.ApproverUsers) == 0 {
		approval(CheckApprovalWithoutApprovers, SettingApprovalRequired, "", false)
	}
	if !a.Required && len(a.ApproverGroups)+len(a.ApproverUsers) > 0 {
		approval(CheckApproversWithoutApproval, SettingApprovers, "", true)
	}
	for _, id := range slices.Concat(a.ApproverGroups, a.ApproverUsers) {
		if !IsObjectID(id) {
			approval(CheckNotObjectID, SettingApprovers, id, false)
		}
	}
	if a.TimeoutDays < PolicyApprovalTimeoutMin || a.TimeoutDays > PolicyApprovalTimeoutMax {
		add(Finding{Check: CheckOutOfRange, Rule: RuleApprovalEndUserAssignment, Setting: SettingApprovalTimeout,
			Value: fmt.Sprint(a.TimeoutDays), Min: fmt.Sprint(PolicyApprovalTimeoutMin), Max: fmt.Sprint(PolicyApprovalTimeoutMax)})
	}

	act := p.Activation
	maxActivation := Finding{Rule: RuleExpirationEndUserAssignment, Setting: SettingMaximumDuration, Value: act.MaximumDuration.String()}
	switch {
	case act.MaximumDuration.IsZero():
		maxActivation.Check, maxActivation.Value = CheckMissing, ""
		add(maxActivation)
	case act.MaximumDuration.seconds < PolicyActivationMin.seconds || act.MaximumDuration.seconds > PolicyActivationMax.seconds:
		maxActivation.Check, maxActivation.Min, maxActivation.Max = CheckOutOfRange, PolicyActivationMin.String(), PolicyActivationMax.String()
		add(maxActivation)
	case act.MaximumDuration.seconds < ActivationTokenFloor.seconds:
		maxActivation.Check, maxActivation.Min, maxActivation.Warning = CheckShorterThanTokens, ActivationTokenFloor.String(), true
		add(maxActivation)
	}
	if act.ConditionalAccessContext != "" {
		context := Finding{Rule: RuleAuthenticationContextEndUserAssignment, Setting: SettingClaimValue, Value: act.ConditionalAccessContext}
		if act.RequireMFA {
			context.Check = CheckConflictsWithMFA
			add(context)
		}
		if !policyAuthContext.MatchString(act.ConditionalAccessContext) {
			context.Check = CheckNotAuthContext
			add(context)
		}
	}

	for _, e := range []struct {
		rule RuleID
		x    Expiry
	}{{RuleExpirationAdminEligibility, p.EligibleAssignment}, {RuleExpirationAdminAssignment, p.ActiveAssignment.Expiry}} {
		switch {
		case e.x.ExpirationRequired && e.x.MaximumDuration.IsZero():
			add(Finding{Check: CheckMissing, Rule: e.rule, Setting: SettingMaximumDuration})
		case !e.x.MaximumDuration.IsZero() &&
			(e.x.MaximumDuration.seconds < PolicyAssignmentMin.seconds || e.x.MaximumDuration.seconds > PolicyAssignmentMax.seconds):
			add(Finding{Check: CheckOutOfRange, Rule: e.rule, Setting: SettingMaximumDuration, Value: e.x.MaximumDuration.String(),
				Min: PolicyAssignmentMin.String(), Max: PolicyAssignmentMax.String()})
		}
	}

	// Whole minutes: the Graph SDK's duration parser drops the seconds of what Graph returns (PT1M52S
	// reads back as PT1M; TestKiotaISODurationDropsSeconds), so a policy written with seconds would
	// never read back as configured and plan a change on every run. PIM's own settings are in hours and
	// days anyway.
	for _, d := range []struct {
		rule RuleID
		v    Duration
	}{{RuleExpirationEndUserAssignment, act.MaximumDuration}, {RuleExpirationAdminEligibility, p.EligibleAssignment.MaximumDuration},
		{RuleExpirationAdminAssignment, p.ActiveAssignment.MaximumDuration}} {
		if d.v.seconds%60 != 0 {
			add(Finding{Check: CheckNotWholeMinutes, Rule: d.rule, Setting: SettingMaximumDuration, Value: d.v.String()})
		}
	}

	for _, ev := range []struct {
		scope ruleScope
		e     NotificationEvent
	}{{scopeAdminEligibility, p.Notifications.EligibleAssignment}, {scopeAdminAssignment, p.Notifications.ActiveAssignment}, {scopeEndUserAssignment, p.Notifications.Activation}} {
		for _, r := range []struct {
			recipient string
			n         Notification
		}{{recipientAdmin, ev.e.Admin}, {recipientRequestor, ev.e.Requestor}, {recipientApprover, ev.e.Approver}} {
			rule := RuleID("Notification_" + r.recipient + "_" + string(ev.scope))
			if !slices.Contains(NotificationLevels, r.n.Level) {
				add(Finding{Check: CheckNotOneOf, Rule: rule, Setting: SettingNotificationLevel, Value: r.n.Level, Allowed: NotificationLevels})
			}
			for _, addr := range r.n.AdditionalRecipients {
				if at := strings.IndexByte(addr, '@'); at <= 0 || at == len(addr)-1 || strings.ContainsAny(addr, " ,;") {
					add(Finding{Check: CheckNotEmailAddress, Rule: rule, Setting: SettingNotificationRecipients, Value: addr})
				}
			}
		}
	}

	out = append(out, p.ApproverConflicts(c)...)
	return out
}

// ApproverConflicts warns when approvers can approve their own elevation: the how-to's production
// warning (SCENARIO.md §1, §3).
func (p Policy) ApproverConflicts(c PolicyContext) []Finding {
	if !p.Approval.Required {
		return nil
	}
	var out []Finding
	warn := func(check Check, ids ...string) {
		out = append(out, Finding{Check: check, Rule: RuleApprovalEndUserAssignment, Setting: SettingApprovers, IDs: ids, Warning: true})
	}
	for _, g := range p.Approval.ApproverGroups {
		if c.GovernedGroupID != "" && SameObjectID(g, c.GovernedGroupID) {
			warn(CheckApproverIsGovernedGroup, g)
		}
	}
	for _, e := range c.EligiblePrincipals {
		for _, a := range slices.Concat(p.Approval.ApproverGroups, p.Approval.ApproverUsers) {
			if SameObjectID(a, e) {
				warn(CheckApproverIsEligible, a)
			}
		}
		for g, members := range c.ApproverGroupMembers {
			if slices.IndexFunc(members, func(m string) bool { return SameObjectID(m, e) }) >= 0 {
				warn(CheckEligibleInApproverGroup, g, e)
			}
		}
	}
	return out
}

// CheckSchedule reports whether the eligibility expiration rule x (Expiration_Admin_Eligibility) accepts
// schedule s. now is when the request would be made (a start in the past counts from now, as PIM
// normalises it).
func (x Expiry) CheckSchedule(s Schedule, now time.Time) *Finding {
	return x.CheckScheduleUnder(RuleExpirationAdminEligibility, s, now)
}

// CheckScheduleUnder is CheckSchedule for the expiration rule x is the content of: the eligibilities'
// (Expiration_Admin_Eligibility) or the active assignments' (Expiration_Admin_Assignment).
func (x Expiry) CheckScheduleUnder(rule RuleID, s Schedule, now time.Time) *Finding {
	if !x.ExpirationRequired {
		return nil
	}
	if s.Permanent {
		return &Finding{Check: CheckPermanentNotAllowed, Rule: rule, Setting: SettingPermanent, Max: x.MaximumDuration.String()}
	}
	length, ok := s.Length(now)
	if !ok || x.MaximumDuration.IsZero() || length <= x.MaximumDuration.Std() {
		return nil
	}
	setting := SettingDuration
	if s.Duration.IsZero() {
		setting = SettingEnd
	}
	return &Finding{Check: CheckExceedsPolicy, Rule: rule, Setting: setting,
		Value: DurationOf(length).String(), Max: x.MaximumDuration.String()}
}

// CheckRequest reports what the rules for administrators' active assignments (Expiration_Admin_Assignment,
// Enablement_Admin_Assignment) would reject of an active assignment with schedule s and justification.
// MFA is not checked: it binds a signed-in administrator, and whether it binds an application is not
// documented.
func (a ActiveAssignmentRules) CheckRequest(s Schedule, justification string, now time.Time) []Finding {
	var out []Finding
	if f := a.CheckScheduleUnder(RuleExpirationAdminAssignment, s, now); f != nil {
		out = append(out, *f)
	}
	if a.RequireJustification && strings.TrimSpace(justification) == "" {
		out = append(out, Finding{Check: CheckMissing, Rule: RuleEnablementAdminAssignment, Setting: SettingJustification})
	}
	return out
}
