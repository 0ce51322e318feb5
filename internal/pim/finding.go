package pim

import (
	"fmt"
	"strings"
)

// A Finding is one thing a check found wrong with (or worth a warning about in) a policy, a schedule or
// a request, in the domain's terms: which check, which policy rule and setting, the value and the limits.
// This package never words findings for users and never names Terraform attributes: internal/resources
// renders them in the provider's diagnostics style and attaches each to the attribute holding the setting.
type Finding struct {
	Check Check
	// Rule is the policy rule the setting belongs to; empty for a schedule's own fields.
	Rule    RuleID
	Setting Setting
	// Value is the offending value as given; Min and Max the bounds it was held to, where there are bounds.
	Value, Min, Max string
	// Allowed are the values a setting accepts, for CheckNotOneOf.
	Allowed []string
	// IDs are the directory objects involved: for the self-approval checks the approver (group or user)
	// and, where there is one, the eligible principal.
	IDs     []string
	Warning bool
}

// Check names what a finding is about.
type Check string

// Checks of a policy.
const (
	CheckApprovalWithoutApprovers Check = "approval-without-approvers" // approval required and nobody to approve
	CheckApproversWithoutApproval Check = "approvers-without-approval" // approvers set, approval not required (warning)
	CheckNotObjectID              Check = "not-object-id"              // Value should be a directory object ID
	CheckOutOfRange               Check = "out-of-range"               // Value outside [Min, Max]
	CheckMissing                  Check = "missing"                    // the setting needs a value
	CheckShorterThanTokens        Check = "shorter-than-tokens"        // Value under Min, the access token lifetime (warning)
	CheckConflictsWithMFA         Check = "conflicts-with-mfa"         // an authentication context together with MFA
	CheckNotAuthContext           Check = "not-authentication-context" // Value is not c1..c99
	CheckNotWholeMinutes          Check = "not-whole-minutes"          // a duration with seconds
	CheckNotOneOf                 Check = "not-one-of"                 // Value is not one of Allowed
	CheckNotEmailAddress          Check = "not-email-address"
	// Approvers who could approve their own elevation (warnings). IDs: the approver, then the principal.
	CheckApproverIsGovernedGroup Check = "approver-is-governed-group"
	CheckApproverIsEligible      Check = "approver-is-eligible"
	CheckEligibleInApproverGroup Check = "eligible-in-approver-group"
)

// Checks of a schedule.
const (
	CheckScheduleForm        Check = "schedule-form"         // not exactly one of duration, end and permanent; Setting: one to drop
	CheckEndBeforeStart      Check = "end-before-start"      // Value: the end, Min: the start
	CheckTooShort            Check = "too-short"             // Value shorter than Min (MinimumAssignment)
	CheckExceedsPolicy       Check = "exceeds-policy"        // Value (the length) over Max, the Rule's maximum
	CheckPermanentNotAllowed Check = "permanent-not-allowed" // the Rule requires expiry within Max
)

// Setting names a setting of a policy rule (the rule property, as Graph and ARM both spell it) or a field
// of a schedule request.
type Setting string

// Settings of policy rules.
const (
	SettingMaximumDuration        Setting = "maximumDuration"
	SettingExpirationRequired     Setting = "isExpirationRequired"
	SettingEnabledRules           Setting = "enabledRules"
	SettingApprovalRequired       Setting = "isApprovalRequired"
	SettingApprovers              Setting = "primaryApprovers"
	SettingApprovalTimeout        Setting = "approvalStageTimeOutInDays"
	SettingClaimValue             Setting = "claimValue"
	SettingNotificationLevel      Setting = "notificationLevel"
	SettingNotificationRecipients Setting = "notificationRecipients"
)

// Fields of a schedule request.
const (
	SettingStart         Setting = "scheduleInfo.startDateTime"
	SettingDuration      Setting = "scheduleInfo.expiration.duration"
	SettingEnd           Setting = "scheduleInfo.expiration.endDateTime"
	SettingPermanent     Setting = "scheduleInfo.expiration.noExpiration"
	SettingJustification Setting = "justification"
)

// Error renders f for logs and tests, in the domain's terms: "Expiration_EndUser_Assignment.maximumDuration
// = "P2D": out-of-range [PT30M, P1D]".
func (f Finding) Error() string {
	var b strings.Builder
	b.WriteString(strings.TrimPrefix(string(f.Rule)+"."+string(f.Setting), "."))
	if f.Value != "" {
		fmt.Fprintf(&b, " = %q", f.Value)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(string(f.Check))
	if f.Min != "" || f.Max != "" {
		fmt.Fprintf(&b, " [%s, %s]", f.Min, f.Max)
	}
	if len(f.Allowed) > 0 {
		b.WriteString(" (one of " + strings.Join(f.Allowed, ", ") + ")")
	}
	if len(f.IDs) > 0 {
		b.WriteString(" (" + strings.Join(f.IDs, ", ") + ")")
	}
	return b.String()
}

// Errors are the findings that are not warnings.
func Errors(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if !f.Warning {
			out = append(out, f)
		}
	}
	return out
}
