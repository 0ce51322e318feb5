package pim

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Problem is a finding about a configuration, named in the resource's attribute vocabulary so the
// resource layer can attach it to the right attribute. Warnings do not stop a plan.
type Problem struct {
	// Attribute is the dotted attribute path ("approvers", "activation.maximum_duration"); empty for the
	// resource as a whole.
	Attribute string
	Warning   bool
	Summary   string
	Detail    string
}

func (p Problem) Error() string { return p.Summary + ": " + p.Detail }

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

// Validate returns the errors that would make Graph reject p, and the warnings of SCENARIO.md (self
// approval, activations shorter than the token lifetime).
func (p Policy) Validate(c PolicyContext) []Problem {
	var out []Problem
	errf := func(attr, summary, format string, args ...any) {
		out = append(out, Problem{Attribute: attr, Summary: summary, Detail: fmt.Sprintf(format, args...)})
	}
	warnf := func(attr, summary, format string, args ...any) {
		out = append(out, Problem{Attribute: attr, Warning: true, Summary: summary, Detail: fmt.Sprintf(format, args...)})
	}

	a := p.Approval
	if a.Required && len(a.ApproverGroups)+len(a.ApproverUsers) == 0 {
		// On require_approval, the attribute that is always written when this fires (approvers may be
		// absent, and Terraform cannot point at an absent attribute).
		errf("require_approval", "Approval Required Without Approvers",
			"require_approval is true but approvers lists no group and no user, so nobody could approve an activation "+
				"(PIM would fall back to directory administrators). Add at least one entry to approvers.groups or "+
				"approvers.users, or set require_approval = false.")
	}
	if !a.Required && len(a.ApproverGroups)+len(a.ApproverUsers) > 0 {
		warnf("approvers", "Approvers Without Approval",
			"approvers are set but require_approval is false, so activations are granted without anyone approving them. "+
				"Set require_approval = true if the approvers should decide.")
	}
	for _, id := range slices.Concat(a.ApproverGroups, a.ApproverUsers) {
		if !IsObjectID(id) {
			errf("approvers", "Invalid Approver ID", "approver %q is not an object ID (GUID); use the group's or user's object ID.", id)
		}
	}
	if a.TimeoutDays < PolicyApprovalTimeoutMin || a.TimeoutDays > PolicyApprovalTimeoutMax {
		errf("approval_timeout_days", "Approval Timeout Out of Range",
			"approval_timeout_days is %d; it must be between %d and %d days.", a.TimeoutDays, PolicyApprovalTimeoutMin, PolicyApprovalTimeoutMax)
	}

	act := p.Activation
	switch {
	case act.MaximumDuration.IsZero():
		errf("activation.maximum_duration", "Activation Maximum Duration Missing",
			"activations are always time-bound, so activation.maximum_duration needs a value such as PT8H.")
	case act.MaximumDuration.seconds < PolicyActivationMin.seconds || act.MaximumDuration.seconds > PolicyActivationMax.seconds:
		errf("activation.maximum_duration", "Activation Maximum Duration Out of Range",
			"activation.maximum_duration is %s; PIM accepts between %s and %s.", act.MaximumDuration, PolicyActivationMin, PolicyActivationMax)
	case act.MaximumDuration.seconds < ActivationTokenFloor.seconds:
		warnf("activation.maximum_duration", "Activation Shorter Than Token Lifetime",
			"activation.maximum_duration is %s, under one hour. Access tokens live 60 to 90 minutes and cannot be revoked, "+
				"so kubectl and kubelogin keep the elevated access for that long after the activation ends. "+
				"Use at least PT1H unless the shorter window is only a formality.", act.MaximumDuration)
	}
	if act.ConditionalAccessContext != "" {
		if act.RequireMFA {
			errf("activation.require_conditional_access_context", "Conditional Access Context Conflicts With MFA",
				"PIM does not accept require_mfa together with a Conditional Access authentication context on activation: "+
					"the context's Conditional Access policy is where MFA is required. Set activation.require_mfa = false "+
					"or remove activation.require_conditional_access_context.")
		}
		if !policyAuthContext.MatchString(act.ConditionalAccessContext) {
			errf("activation.require_conditional_access_context", "Invalid Authentication Context",
				"%q is not an authentication context ID; they are c1 to c99.", act.ConditionalAccessContext)
		}
	}

	for _, e := range []struct {
		attr string
		x    Expiry
	}{{"eligible_assignment", p.EligibleAssignment}, {"active_assignment", p.ActiveAssignment.Expiry}} {
		switch {
		case e.x.ExpirationRequired && e.x.MaximumDuration.IsZero():
			errf(e.attr+".maximum_duration", "Maximum Duration Required",
				"%s.expiration_required is true, so %s.maximum_duration must say how long assignments may last (for example P180D); "+
					"Graph rejects the policy otherwise (\"The policy is invalid\").", e.attr, e.attr)
		case !e.x.MaximumDuration.IsZero() &&
			(e.x.MaximumDuration.seconds < PolicyAssignmentMin.seconds || e.x.MaximumDuration.seconds > PolicyAssignmentMax.seconds):
			errf(e.attr+".maximum_duration", "Maximum Duration Out of Range",
				"%s.maximum_duration is %s; PIM accepts between %s and %s.", e.attr, e.x.MaximumDuration, PolicyAssignmentMin, PolicyAssignmentMax)
		}
	}

	// Whole minutes: the Graph SDK's duration parser drops the seconds of what Graph returns (PT1M52S
	// reads back as PT1M; TestKiotaISODurationDropsSeconds), so a policy written with seconds would
	// never read back as configured and plan a change on every run. PIM's own settings are in hours and
	// days anyway.
	for _, d := range []struct {
		attr string
		v    Duration
	}{{"activation.maximum_duration", act.MaximumDuration}, {"eligible_assignment.maximum_duration", p.EligibleAssignment.MaximumDuration},
		{"active_assignment.maximum_duration", p.ActiveAssignment.MaximumDuration}} {
		if d.v.seconds%60 != 0 {
			errf(d.attr, "Duration Not in Whole Minutes",
				"%s is %s; PIM policy durations must be whole minutes (for example PT8H, PT90M or P180D), because the seconds "+
					"would not read back from Microsoft Graph and the policy would show a change on every plan.", d.attr, d.v)
		}
	}

	for _, ev := range []struct {
		attr string
		e    NotificationEvent
	}{{"eligible_assignment", p.Notifications.EligibleAssignment}, {"active_assignment", p.Notifications.ActiveAssignment}, {"activation", p.Notifications.Activation}} {
		for _, r := range []struct {
			attr string
			n    Notification
		}{{"admin", ev.e.Admin}, {"requestor", ev.e.Requestor}, {"approver", ev.e.Approver}} {
			path := "notifications." + ev.attr + "." + r.attr
			if !slices.Contains(NotificationLevels, r.n.Level) {
				errf(path+".level", "Invalid Notification Level", "%q is not one of %s.", r.n.Level, strings.Join(NotificationLevels, ", "))
			}
			for _, addr := range r.n.AdditionalRecipients {
				if at := strings.IndexByte(addr, '@'); at <= 0 || at == len(addr)-1 || strings.ContainsAny(addr, " ,;") {
					errf(path+".additional_recipients", "Invalid E-mail Address", "%q is not an e-mail address.", addr)
				}
			}
		}
	}

	out = append(out, p.ApproverConflicts(c)...)
	return out
}

// ApproverConflicts warns when approvers can approve their own elevation: the how-to's production
// warning (SCENARIO.md §1, §3).
func (p Policy) ApproverConflicts(c PolicyContext) []Problem {
	if !p.Approval.Required {
		return nil
	}
	var out []Problem
	warn := func(detail string) {
		out = append(out, Problem{Attribute: "approvers", Warning: true, Summary: "Approvers Can Approve Their Own Elevation", Detail: detail +
			" Whoever activates could then approve their own request and others'. That is acceptable in a test, not in production: " +
			"use a separate approver group whose members are not eligible."})
	}
	for _, g := range p.Approval.ApproverGroups {
		if c.GovernedGroupID != "" && SameObjectID(g, c.GovernedGroupID) {
			warn(fmt.Sprintf("The approver group %s is the group this policy governs, so its (activated) members approve activations into it.", g))
		}
	}
	for _, e := range c.EligiblePrincipals {
		for _, a := range slices.Concat(p.Approval.ApproverGroups, p.Approval.ApproverUsers) {
			if SameObjectID(a, e) {
				warn(fmt.Sprintf("The approver %s is itself eligible for this group.", a))
			}
		}
		for g, members := range c.ApproverGroupMembers {
			if slices.IndexFunc(members, func(m string) bool { return SameObjectID(m, e) }) >= 0 {
				warn(fmt.Sprintf("The eligible principal %s is a member of the approver group %s.", e, g))
			}
		}
	}
	return out
}

// CheckSchedule reports whether the eligibility expiration rule x (Expiration_Admin_Eligibility) accepts
// schedule s; the Problem names the rule and both ways out. now is when the request would be made (a start
// in the past counts from now, as PIM normalises it).
func (x Expiry) CheckSchedule(s Schedule, now time.Time) *Problem {
	if !x.ExpirationRequired {
		return nil
	}
	fix := "Shorten the eligibility, or change the group's policy first: in aks_pim_approval_policy set " +
		"eligible_assignment.expiration_required = false or a longer eligible_assignment.maximum_duration " +
		"(and wire it into this resource's policy_eligible_assignment so the order is right)."
	if s.Permanent {
		return &Problem{Attribute: "permanent", Summary: "Permanent Eligibility Not Allowed by Policy",
			Detail: fmt.Sprintf("The group's PIM policy (rule %s) requires eligibilities to expire, within %s; Graph would reject a "+
				"permanent eligibility with RoleAssignmentRequestPolicyValidationFailed [\"ExpirationRule\"]. %s",
				RuleExpirationAdminEligibility, x.MaximumDuration, fix)}
	}
	length, ok := s.Length(now)
	if !ok || x.MaximumDuration.IsZero() || length <= x.MaximumDuration.Std() {
		return nil
	}
	attr := "duration"
	if s.Duration.IsZero() {
		attr = "end_date_time"
	}
	return &Problem{Attribute: attr, Summary: "Eligibility Longer Than Policy Allows",
		Detail: fmt.Sprintf("The eligibility would last %s but the group's PIM policy (rule %s) allows at most %s; Graph would reject it "+
			"with RoleAssignmentRequestPolicyValidationFailed [\"ExpirationRule\"]. %s",
			DurationOf(length), RuleExpirationAdminEligibility, x.MaximumDuration, fix)}
}
