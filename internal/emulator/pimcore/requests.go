package pimcore

import (
	"encoding/json"
	"strings"
	"time"
)

// Kind tells eligibility objects from assignment objects; both live in the same tables.
type Kind string

const (
	Eligibility Kind = "eligibility"
	Assignment  Kind = "assignment"
)

// Level is the target level of the rules that govern k: Eligibility or Assignment.
func (k Kind) Level() string {
	if k == Assignment {
		return "Assignment"
	}
	return "Eligibility"
}

// Request statuses (reference §4.5; the 2020-10-01 Status enum).
const (
	StatusProvisioned     = "Provisioned"
	StatusPendingApproval = "PendingApproval"
	StatusRevoked         = "Revoked"
	StatusCanceled        = "Canceled"
	StatusDenied          = "Denied"
)

// ScheduleInput is a request's scheduleInfo, TicketInput its ticketInfo: both APIs write them alike.
type ScheduleInput struct {
	StartDateTime *string          `json:"startDateTime"`
	Expiration    *ExpirationInput `json:"expiration"`
	Recurrence    json.RawMessage  `json:"recurrence"`
}

type ExpirationInput struct {
	Type        *string `json:"type"`
	EndDateTime *string `json:"endDateTime"`
	Duration    *string `json:"duration"`
}

type TicketInput struct {
	TicketNumber *string `json:"ticketNumber"`
	TicketSystem *string `json:"ticketSystem"`
}

// Expiration is a request's or schedule's scheduleInfo.expiration, its type as the API spells it
// (Graph: notSpecified | noExpiration | afterDateTime | afterDuration; ARM: NoExpiration | AfterDateTime |
// AfterDuration).
type Expiration struct {
	Type     string     `json:"type"`
	End      *time.Time `json:"end,omitempty"`
	Duration string     `json:"duration,omitempty"` // canonical form, afterDuration only
}

// EndAfter is the end of a schedule with this expiration that starts at start (nil: none).
func (x Expiration) EndAfter(start time.Time) *time.Time {
	switch {
	case strings.EqualFold(x.Type, "afterDuration"):
		d, err := ParseDuration(x.Duration, true)
		if err != nil {
			return nil
		}
		t := start.Add(d)
		return &t
	case strings.EqualFold(x.Type, "afterDateTime"):
		return x.End
	}
	return nil
}

// Schedule is what the schedules of both APIs hold alike. It holds from Start to End (nil: permanent)
// unless it Ended before (removed, deactivated or replaced).
type Schedule struct {
	Kind           Kind       `json:"kind"`
	Created        time.Time  `json:"created"`
	Start          time.Time  `json:"start"`
	End            *time.Time `json:"end,omitempty"`
	Ended          *time.Time `json:"ended,omitempty"`
	Expiration     Expiration `json:"expiration"` // as requested
	MemberType     string     `json:"memberType"`
	AssignmentType string     `json:"assignmentType,omitempty"` // assignments only
}

// Exists reports whether the schedule is still there at t: not removed and not past its end. Future
// schedules exist (and block duplicates) but have no instance yet.
func (s *Schedule) Exists(t time.Time) bool {
	return s.Ended == nil && (s.End == nil || t.Before(*s.End))
}

// Active reports whether the schedule has an instance at t.
func (s *Schedule) Active(t time.Time) bool {
	return s.Exists(t) && !t.Before(s.Start)
}

// Policy rule names reported in RoleAssignmentRequestPolicyValidationFailed, in report order.
var ruleNames = []string{"EligibilityRule", "ExpirationRule", "JustificationRule", "TicketingRule", "MfaRule",
	"AuthenticationContextRule"}

// Request is what the schedule requests of both APIs hold alike.
type Request struct {
	Kind          Kind       `json:"kind"`
	Status        string     `json:"status"`
	Created       time.Time  `json:"created"`
	Start         time.Time  `json:"start"`
	HasSchedule   bool       `json:"hasSchedule,omitempty"`
	Expiration    Expiration `json:"expiration"`
	Justification *string    `json:"justification,omitempty"`
	TicketNumber  *string    `json:"ticketNumber,omitempty"`
	TicketSystem  *string    `json:"ticketSystem,omitempty"`
	MemberType    string     `json:"memberType,omitempty"` // of the schedule an activation creates
	Stages        []*Stage   `json:"stages,omitempty"`     // approval, when one is required
}

// End is the end of the schedule the request asks for (nil: none).
func (r *Request) End() *time.Time { return r.Expiration.EndAfter(r.Start) }

// NewSchedule is the schedule the request creates at now once provisioned.
func (r *Request) NewSchedule(now time.Time, memberType, assignmentType string) Schedule {
	s := Schedule{Kind: r.Kind, Created: now, Start: r.Start, End: r.End(), Expiration: r.Expiration, MemberType: memberType}
	if r.Kind == Assignment {
		s.AssignmentType = assignmentType
	}
	return s
}

// FailedRules returns the names of the rules the request fails, in report order (none: it passes).
// action is the request's action or requestType in either API's spelling: admin assignments, updates,
// extensions and renewals are judged by the Admin rules of the request's level, activations by the
// EndUser rules and eligible (whether the activation has an eligibility to use), the rest by none. app:
// an application asks, which MultiFactorAuthentication does not apply to.
func (r *Request) FailedRules(rules []Rule, action string, app bool, eligible func() bool) []string {
	failed := map[string]bool{}
	expiry := func(id string) {
		rule := FindRule(rules, id)
		if rule == nil || !rule.IsExpirationRequired {
			return
		}
		limit, err := ParseDuration(rule.MaximumDuration, true)
		if end := r.End(); end == nil || (err == nil && end.Sub(r.Start) > limit) {
			failed["ExpirationRule"] = true
		}
	}
	enablement := func(id string) {
		rule := FindRule(rules, id)
		if Enabled(rule, "Justification") && Blank(r.Justification) {
			failed["JustificationRule"] = true
		}
		if Enabled(rule, "Ticketing") && (Blank(r.TicketNumber) || Blank(r.TicketSystem)) {
			failed["TicketingRule"] = true
		}
		// Tokens the emulator issues never carry an MFA claim (ROPC cannot do MFA), so a signed-in user
		// never satisfies the rule; an application is not subject to it.
		if Enabled(rule, "MultiFactorAuthentication") && !app {
			failed["MfaRule"] = true
		}
	}
	switch strings.ToLower(action) {
	case "adminassign", "adminupdate", "adminextend", "adminrenew":
		expiry("Expiration_Admin_" + r.Kind.Level())
		enablement("Enablement_Admin_" + r.Kind.Level())
	case "selfactivate":
		failed["EligibilityRule"] = !eligible()
		expiry("Expiration_EndUser_Assignment")
		enablement("Enablement_EndUser_Assignment")
		if ap := FindRule(rules, ActivationRuleID); ap != nil && ap.Setting != nil && ap.Setting.IsApprovalRequired &&
			ap.Setting.IsRequestorJustificationRequired && Blank(r.Justification) {
			failed["JustificationRule"] = true
		}
		if ac := FindRule(rules, "AuthenticationContext_EndUser_Assignment"); ac != nil && ac.IsEnabled {
			failed["AuthenticationContextRule"] = true
		}
	}
	var out []string
	for _, n := range ruleNames {
		if failed[n] {
			out = append(out, n)
		}
	}
	return out
}

// Tables are what an engine persists: its requests and schedules by ID, the policies that differ from
// the defaults (derived from what they govern until the first change), and the order the requests came
// in.
type Tables[R, S, P any] struct {
	Requests  map[string]*R `json:"requests"`
	Schedules map[string]*S `json:"schedules"`
	Policies  map[string]*P `json:"policies"`
	Order     []string      `json:"order"`
}

// Fill makes the maps a persisted file left out, and returns t.
func (t *Tables[R, S, P]) Fill() *Tables[R, S, P] {
	if t.Requests == nil {
		t.Requests = map[string]*R{}
	}
	if t.Schedules == nil {
		t.Schedules = map[string]*S{}
	}
	if t.Policies == nil {
		t.Policies = map[string]*P{}
	}
	return t
}

// Add keeps a new request, last in order.
func (t *Tables[R, S, P]) Add(id string, r *R) {
	t.Requests[id] = r
	t.Order = append(t.Order, id)
}

// MemberSet is the set of groups a principal is a member of, by lower-case ID.
func MemberSet(groupIDs []string) map[string]bool {
	out := make(map[string]bool, len(groupIDs))
	for _, g := range groupIDs {
		out[strings.ToLower(g)] = true
	}
	return out
}

// PickEligibility returns the eligibility an activation by principalID uses among the schedules usable
// for it: the principal's own, else one held (holder) by one of its groups, which viaGroup tells.
func PickEligibility[S any](schedules map[string]*S, usable func(*S) bool, holder func(*S) string, principalID string,
	groups map[string]bool) (pick *S, viaGroup bool) {
	var direct, inherited *S
	for _, s := range schedules {
		switch {
		case !usable(s):
		case holder(s) == principalID:
			direct = s
		case groups[holder(s)]:
			inherited = s
		}
	}
	if direct != nil {
		return direct, false
	}
	return inherited, inherited != nil
}
