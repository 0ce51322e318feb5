package pim

import (
	"slices"
	"strings"
)

// Policy is everything aks_pim_approval_policy manages of one group's PIM policy for one access ID, in
// the resource's vocabulary. It maps onto the 17 rules of the Graph policy (rule.go); DefaultPolicy is
// what a fresh group has.
type Policy struct {
	Approval           ApprovalRules
	Activation         ActivationRules
	EligibleAssignment Expiry
	ActiveAssignment   ActiveAssignmentRules
	Notifications      Notifications
}

// ApprovalRules is the approval rule for activations (Approval_EndUser_Assignment), single stage.
type ApprovalRules struct {
	Required bool
	// ApproverGroups and ApproverUsers are object IDs; members of an approver group approve (owners do not).
	ApproverGroups                []string
	ApproverUsers                 []string
	ApproverJustificationRequired bool
	TimeoutDays                   int32
}

// ActivationRules is what an eligible principal must satisfy to activate.
type ActivationRules struct {
	MaximumDuration      Duration
	RequireJustification bool
	RequireMFA           bool
	RequireTicketInfo    bool
	// ConditionalAccessContext is the authentication context class reference (such as "c1") a Conditional
	// Access policy must satisfy; empty means none. PIM does not allow it together with RequireMFA.
	ConditionalAccessContext string
}

// Expiry is an expiration rule: whether assignments must end, and their longest allowed lifetime.
type Expiry struct {
	ExpirationRequired bool
	MaximumDuration    Duration
}

// ActiveAssignmentRules is the rules for active (not eligible) assignments made by an administrator. Ticket
// information is deliberately absent: the API rejects Ticketing on Enablement_Admin_Assignment.
type ActiveAssignmentRules struct {
	Expiry
	RequireJustification bool
	RequireMFA           bool
}

// Notifications holds the nine notification rules: per event, per recipient type.
type Notifications struct {
	EligibleAssignment NotificationEvent
	ActiveAssignment   NotificationEvent
	Activation         NotificationEvent
}

// NotificationEvent holds the notification settings of one event for each recipient type.
type NotificationEvent struct {
	Admin     Notification
	Requestor Notification
	Approver  Notification
}

// Notification is one e-mail notification rule.
type Notification struct {
	// Level is one of NotificationLevels.
	Level                string
	DefaultRecipients    bool
	AdditionalRecipients []string
}

// Notification levels Graph accepts.
const (
	NotificationAll      = "All"
	NotificationCritical = "Critical"
	NotificationNone     = "None"
)

// NotificationLevels lists the valid notification levels.
var NotificationLevels = []string{NotificationAll, NotificationCritical, NotificationNone}

// Defaults of a fresh group's policy (azure-api-contract.md §6.2), exported so schemas document and use
// exactly the values the mapping writes on reset.
var (
	DefaultEligibleMaximum   = Duration{seconds: 365 * 86400} // P365D
	DefaultActiveMaximum     = Duration{seconds: 180 * 86400} // P180D
	DefaultActivationMaximum = Duration{seconds: 8 * 3600}    // PT8H
)

// DefaultApprovalTimeoutDays is the default approval stage timeout.
const DefaultApprovalTimeoutDays = 1

// DefaultPolicy returns the policy of a group nobody has changed: what Azure documents for a fresh group,
// and what destroying aks_pim_approval_policy puts back.
func DefaultPolicy() Policy {
	n := Notification{Level: NotificationAll, DefaultRecipients: true}
	event := NotificationEvent{Admin: n, Requestor: n, Approver: n}
	return Policy{
		Approval: ApprovalRules{
			Required:                      false,
			ApproverJustificationRequired: true,
			TimeoutDays:                   DefaultApprovalTimeoutDays,
		},
		Activation: ActivationRules{
			MaximumDuration:      DefaultActivationMaximum,
			RequireJustification: true,
		},
		EligibleAssignment: Expiry{ExpirationRequired: true, MaximumDuration: DefaultEligibleMaximum},
		ActiveAssignment: ActiveAssignmentRules{
			Expiry:               Expiry{ExpirationRequired: true, MaximumDuration: DefaultActiveMaximum},
			RequireJustification: true,
		},
		Notifications: Notifications{EligibleAssignment: event, ActiveAssignment: event, Activation: event},
	}
}

// Event returns the notification settings of one event by its rule-ID suffix form; used by the mapping.
func (n *Notifications) event(level ruleScope) *NotificationEvent {
	switch level {
	case scopeAdminEligibility:
		return &n.EligibleAssignment
	case scopeAdminAssignment:
		return &n.ActiveAssignment
	default:
		return &n.Activation
	}
}

func (e *NotificationEvent) recipient(r string) *Notification {
	switch r {
	case recipientAdmin:
		return &e.Admin
	case recipientRequestor:
		return &e.Requestor
	default:
		return &e.Approver
	}
}

// policyIDSet is a set of object IDs or e-mail addresses compared case-insensitively, kept sorted in lower
// case so two policies that differ only by order or case compare equal.
func policyIDSet(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.ToLower(strings.TrimSpace(s)))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// policyLevel returns the canonical spelling of a notification level (Graph may echo another case).
func policyLevel(s string) string {
	for _, l := range NotificationLevels {
		if strings.EqualFold(l, s) {
			return l
		}
	}
	return s
}
