package pim

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// RuleID is the fixed ID of one of the 17 rules of a PIM policy (the same IDs for groups in Graph and for
// Azure resources in ARM).
type RuleID string

// The 17 rules of a group policy, in the order Graph lists them.
const (
	RuleExpirationAdminEligibility             RuleID = "Expiration_Admin_Eligibility"
	RuleEnablementAdminEligibility             RuleID = "Enablement_Admin_Eligibility"
	RuleNotificationAdminAdminEligibility      RuleID = "Notification_Admin_Admin_Eligibility"
	RuleNotificationRequestorAdminEligibility  RuleID = "Notification_Requestor_Admin_Eligibility"
	RuleNotificationApproverAdminEligibility   RuleID = "Notification_Approver_Admin_Eligibility"
	RuleExpirationAdminAssignment              RuleID = "Expiration_Admin_Assignment"
	RuleEnablementAdminAssignment              RuleID = "Enablement_Admin_Assignment"
	RuleNotificationAdminAdminAssignment       RuleID = "Notification_Admin_Admin_Assignment"
	RuleNotificationRequestorAdminAssignment   RuleID = "Notification_Requestor_Admin_Assignment"
	RuleNotificationApproverAdminAssignment    RuleID = "Notification_Approver_Admin_Assignment"
	RuleExpirationEndUserAssignment            RuleID = "Expiration_EndUser_Assignment"
	RuleEnablementEndUserAssignment            RuleID = "Enablement_EndUser_Assignment"
	RuleApprovalEndUserAssignment              RuleID = "Approval_EndUser_Assignment"
	RuleAuthenticationContextEndUserAssignment RuleID = "AuthenticationContext_EndUser_Assignment"
	RuleNotificationAdminEndUserAssignment     RuleID = "Notification_Admin_EndUser_Assignment"
	RuleNotificationRequestorEndUserAssignment RuleID = "Notification_Requestor_EndUser_Assignment"
	RuleNotificationApproverEndUserAssignment  RuleID = "Notification_Approver_EndUser_Assignment"
)

// ruleScope is the caller/level pair a rule targets; it is also the suffix of the rule ID.
type ruleScope string

const (
	scopeAdminEligibility  ruleScope = "Admin_Eligibility"
	scopeAdminAssignment   ruleScope = "Admin_Assignment"
	scopeEndUserAssignment ruleScope = "EndUser_Assignment"
)

func (s ruleScope) caller() string { c, _, _ := strings.Cut(string(s), "_"); return c }
func (s ruleScope) level() string  { _, l, _ := strings.Cut(string(s), "_"); return l }

// RuleKind is the type of a rule: Graph's @odata.type and ARM's ruleType name the same five.
type RuleKind int

const (
	RuleKindExpiration RuleKind = iota
	RuleKindEnablement
	RuleKindNotification
	RuleKindApproval
	RuleKindAuthenticationContext
)

const (
	recipientAdmin     = "Admin"
	recipientRequestor = "Requestor"
	recipientApprover  = "Approver"
)

type ruleDef struct {
	id        RuleID
	kind      RuleKind
	scope     ruleScope
	recipient string // notification rules only
	// managed is false for the one rule the resource does not expose (Enablement_Admin_Eligibility): it is
	// never compared, written or reset.
	managed bool
}

// ruleCatalog is the 17 rules in Graph's order.
var ruleCatalog = []ruleDef{
	{id: RuleExpirationAdminEligibility, kind: RuleKindExpiration, scope: scopeAdminEligibility, managed: true},
	{id: RuleEnablementAdminEligibility, kind: RuleKindEnablement, scope: scopeAdminEligibility},
	{id: RuleNotificationAdminAdminEligibility, kind: RuleKindNotification, scope: scopeAdminEligibility, recipient: recipientAdmin, managed: true},
	{id: RuleNotificationRequestorAdminEligibility, kind: RuleKindNotification, scope: scopeAdminEligibility, recipient: recipientRequestor, managed: true},
	{id: RuleNotificationApproverAdminEligibility, kind: RuleKindNotification, scope: scopeAdminEligibility, recipient: recipientApprover, managed: true},
	{id: RuleExpirationAdminAssignment, kind: RuleKindExpiration, scope: scopeAdminAssignment, managed: true},
	{id: RuleEnablementAdminAssignment, kind: RuleKindEnablement, scope: scopeAdminAssignment, managed: true},
	{id: RuleNotificationAdminAdminAssignment, kind: RuleKindNotification, scope: scopeAdminAssignment, recipient: recipientAdmin, managed: true},
	{id: RuleNotificationRequestorAdminAssignment, kind: RuleKindNotification, scope: scopeAdminAssignment, recipient: recipientRequestor, managed: true},
	{id: RuleNotificationApproverAdminAssignment, kind: RuleKindNotification, scope: scopeAdminAssignment, recipient: recipientApprover, managed: true},
	{id: RuleExpirationEndUserAssignment, kind: RuleKindExpiration, scope: scopeEndUserAssignment, managed: true},
	{id: RuleEnablementEndUserAssignment, kind: RuleKindEnablement, scope: scopeEndUserAssignment, managed: true},
	{id: RuleApprovalEndUserAssignment, kind: RuleKindApproval, scope: scopeEndUserAssignment, managed: true},
	{id: RuleAuthenticationContextEndUserAssignment, kind: RuleKindAuthenticationContext, scope: scopeEndUserAssignment, managed: true},
	{id: RuleNotificationAdminEndUserAssignment, kind: RuleKindNotification, scope: scopeEndUserAssignment, recipient: recipientAdmin, managed: true},
	{id: RuleNotificationRequestorEndUserAssignment, kind: RuleKindNotification, scope: scopeEndUserAssignment, recipient: recipientRequestor, managed: true},
	{id: RuleNotificationApproverEndUserAssignment, kind: RuleKindNotification, scope: scopeEndUserAssignment, recipient: recipientApprover, managed: true},
}

func ruleDefOf(id RuleID) (ruleDef, bool) {
	for _, d := range ruleCatalog {
		if strings.EqualFold(string(d.id), string(id)) {
			return d, true
		}
	}
	return ruleDef{}, false
}

// Kind is the type of rule id (false for an ID outside the catalogue).
func (id RuleID) Kind() (RuleKind, bool) {
	d, ok := ruleDefOf(id)
	return d.kind, ok
}

// Target is the caller ("Admin", "EndUser") and level ("Eligibility", "Assignment") rule id applies to,
// and for a notification rule its recipient ("Admin", "Requestor", "Approver"; empty for other kinds).
func (id RuleID) Target() (caller, level, recipient string) {
	d, _ := ruleDefOf(id)
	return d.scope.caller(), d.scope.level(), d.recipient
}

// RuleSpecOf is the content of rule id that p implies (false for an ID outside the catalogue).
func RuleSpecOf(p Policy, id RuleID) (RuleSpec, bool) {
	d, ok := ruleDefOf(id)
	if !ok {
		return RuleSpec{}, false
	}
	return specOf(p, d), true
}

// AllRuleIDs returns the 17 rule IDs in Graph's order.
func AllRuleIDs() []RuleID {
	out := make([]RuleID, len(ruleCatalog))
	for i, d := range ruleCatalog {
		out[i] = d.id
	}
	return out
}

// ManagedRuleIDs returns the rules aks_pim_approval_policy writes and resets: all but
// Enablement_Admin_Eligibility, which has no setting in the resource.
func ManagedRuleIDs() []RuleID {
	var out []RuleID
	for _, d := range ruleCatalog {
		if d.managed {
			out = append(out, d.id)
		}
	}
	return out
}

// The values of an enablement rule's enabledRules.
const (
	EnableJustification = "Justification"
	EnableMFA           = "MultiFactorAuthentication"
	EnableTicketing     = "Ticketing"
)

// RuleSpec is the normalised content of one rule: exactly what this package writes, and what it compares
// after reading. Two rules with equal specs need no PATCH. Sets are sorted lower case; fields that the
// service ignores in a given state (approval mode while approval is off, claim value while the context is
// off) are blanked so a harmless echo is not a difference. It is the same for every API that carries
// these rules (Graph's unifiedRoleManagementPolicy for groups, ARM's roleManagementPolicies for Azure
// resources): rule_graph.go maps it to and from Graph's models; another API's mapping goes beside it.
type RuleSpec struct {
	ID   RuleID
	Kind RuleKind

	ExpirationRequired bool
	MaximumDuration    Duration

	EnabledRules []string

	NotificationLevel string
	DefaultRecipients bool
	Recipients        []string

	Approval ApprovalSpec

	AuthContextEnabled bool
	ClaimValue         string
}

// ApprovalSpec is the content of the approval rule (one stage).
type ApprovalSpec struct {
	Required                       bool
	RequiredForExtension           bool
	RequestorJustificationRequired bool
	Mode                           string
	Stages                         int
	TimeoutDays                    int32
	ApproverJustificationRequired  bool
	EscalationEnabled              bool
	EscalationMinutes              int32
	ApproverUsers                  []string
	ApproverGroups                 []string
	EscalationApprovers            []string
}

// Values this package always writes for approval settings the resource does not expose.
const (
	approvalModeSingleStage = "SingleStage"
)

// Normalised is s in the canonical form specs are compared in.
func (s RuleSpec) Normalised() RuleSpec {
	s.EnabledRules = policyEnabledSet(s.EnabledRules)
	s.Recipients = policyIDSet(s.Recipients)
	s.NotificationLevel = policyLevel(s.NotificationLevel)
	a := &s.Approval
	a.ApproverUsers = policyIDSet(a.ApproverUsers)
	a.ApproverGroups = policyIDSet(a.ApproverGroups)
	a.EscalationApprovers = policyIDSet(a.EscalationApprovers)
	if !a.Required {
		// Graph documents NoApproval as the mode of a rule without approval but samples show SingleStage;
		// either is the same policy.
		a.Mode = ""
	}
	if !s.AuthContextEnabled {
		s.ClaimValue = ""
	}
	return s
}

func policyEnabledSet(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, 0, len(in))
	for _, v := range in {
		canon := v
		for _, known := range []string{EnableJustification, EnableMFA, EnableTicketing} {
			if strings.EqualFold(v, known) {
				canon = known
			}
		}
		out = append(out, canon)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// enabledRules are the enablement rules (Graph's words) of the requirements that hold, in the order
// justification, MFA, ticketing.
func enabledRules(justification, mfa, ticketing bool) []string {
	var out []string
	for _, r := range []struct {
		on   bool
		name string
	}{{justification, EnableJustification}, {mfa, EnableMFA}, {ticketing, EnableTicketing}} {
		if r.on {
			out = append(out, r.name)
		}
	}
	return out
}

// specOf is the rule p implies for rule d.
func specOf(p Policy, d ruleDef) RuleSpec {
	s := RuleSpec{ID: d.id, Kind: d.kind}
	switch d.id {
	case RuleExpirationAdminEligibility:
		s.ExpirationRequired = p.EligibleAssignment.ExpirationRequired
		s.MaximumDuration = p.EligibleAssignment.MaximumDuration
	case RuleEnablementAdminEligibility:
		s.EnabledRules = nil
	case RuleExpirationAdminAssignment:
		s.ExpirationRequired = p.ActiveAssignment.ExpirationRequired
		s.MaximumDuration = p.ActiveAssignment.MaximumDuration
	case RuleEnablementAdminAssignment:
		s.EnabledRules = enabledRules(p.ActiveAssignment.RequireJustification, p.ActiveAssignment.RequireMFA, false)
	case RuleExpirationEndUserAssignment:
		// Activations are always time-bound; only the maximum is a setting.
		s.ExpirationRequired = true
		s.MaximumDuration = p.Activation.MaximumDuration
	case RuleEnablementEndUserAssignment:
		s.EnabledRules = enabledRules(p.Activation.RequireJustification, p.Activation.RequireMFA, p.Activation.RequireTicketInfo)
	case RuleApprovalEndUserAssignment:
		s.Approval = ApprovalSpec{
			Required:                       p.Approval.Required,
			RequiredForExtension:           false,
			RequestorJustificationRequired: p.Activation.RequireJustification,
			Mode:                           approvalModeSingleStage,
			Stages:                         1,
			TimeoutDays:                    p.Approval.TimeoutDays,
			ApproverJustificationRequired:  p.Approval.ApproverJustificationRequired,
			ApproverUsers:                  slices.Clone(p.Approval.ApproverUsers),
			ApproverGroups:                 slices.Clone(p.Approval.ApproverGroups),
		}
	case RuleAuthenticationContextEndUserAssignment:
		s.AuthContextEnabled = p.Activation.ConditionalAccessContext != ""
		s.ClaimValue = p.Activation.ConditionalAccessContext
	default: // notification rules
		n := p.Notifications.event(d.scope).recipient(d.recipient)
		s.NotificationLevel = n.Level
		s.DefaultRecipients = n.DefaultRecipients
		s.Recipients = slices.Clone(n.AdditionalRecipients)
	}
	return s.Normalised()
}

// apply copies spec s (read from Graph) into the fields of p that rule d maps to.
func (s RuleSpec) apply(p *Policy, d ruleDef) {
	switch d.id {
	case RuleExpirationAdminEligibility:
		p.EligibleAssignment = Expiry{ExpirationRequired: s.ExpirationRequired, MaximumDuration: s.MaximumDuration}
	case RuleEnablementAdminEligibility:
	case RuleExpirationAdminAssignment:
		p.ActiveAssignment.Expiry = Expiry{ExpirationRequired: s.ExpirationRequired, MaximumDuration: s.MaximumDuration}
	case RuleEnablementAdminAssignment:
		p.ActiveAssignment.RequireJustification = slices.Contains(s.EnabledRules, EnableJustification)
		p.ActiveAssignment.RequireMFA = slices.Contains(s.EnabledRules, EnableMFA)
	case RuleExpirationEndUserAssignment:
		p.Activation.MaximumDuration = s.MaximumDuration
	case RuleEnablementEndUserAssignment:
		p.Activation.RequireJustification = slices.Contains(s.EnabledRules, EnableJustification)
		p.Activation.RequireMFA = slices.Contains(s.EnabledRules, EnableMFA)
		p.Activation.RequireTicketInfo = slices.Contains(s.EnabledRules, EnableTicketing)
	case RuleApprovalEndUserAssignment:
		p.Approval = ApprovalRules{
			Required:                      s.Approval.Required,
			ApproverGroups:                s.Approval.ApproverGroups,
			ApproverUsers:                 s.Approval.ApproverUsers,
			ApproverJustificationRequired: s.Approval.ApproverJustificationRequired,
			TimeoutDays:                   s.Approval.TimeoutDays,
		}
	case RuleAuthenticationContextEndUserAssignment:
		p.Activation.ConditionalAccessContext = ""
		if s.AuthContextEnabled {
			p.Activation.ConditionalAccessContext = s.ClaimValue
		}
	default:
		n := p.Notifications.event(d.scope).recipient(d.recipient)
		*n = Notification{Level: s.NotificationLevel, DefaultRecipients: s.DefaultRecipients, AdditionalRecipients: s.Recipients}
	}
}

// Normalised returns p with its sets sorted and lower-cased and levels canonically spelled, the form
// Rules.Policy returns; compare a desired policy with a read one after normalising both.
func (p Policy) Normalised() Policy {
	var out Policy
	for _, d := range ruleCatalog {
		specOf(p, d).apply(&out, d)
	}
	return out
}

// RuleIDFromString resolves a rule ID case-insensitively.
func RuleIDFromString(s string) (RuleID, bool) {
	d, ok := ruleDefOf(RuleID(s))
	return d.id, ok
}

// ruleError is returned when a service's rules cannot be mapped.
func ruleError(id RuleID, format string, args ...any) error {
	return fmt.Errorf("policy rule %s: %s", id, fmt.Sprintf(format, args...))
}

// Rules is a policy's rules as read from the service, normalised, by rule ID.
type Rules struct {
	specs map[RuleID]RuleSpec
}

// NewRules collects the rules read from a service (any order; rules outside the catalogue are
// ignored) into Rules. Every one of the 17 rules must be present: guessing one would mean writing a
// rule that was not read.
func NewRules(specs []RuleSpec) (Rules, error) {
	r := Rules{specs: make(map[RuleID]RuleSpec, len(ruleCatalog))}
	for _, s := range specs {
		d, ok := ruleDefOf(s.ID)
		if !ok {
			continue
		}
		s.ID, s.Kind = d.id, d.kind
		r.specs[d.id] = s.Normalised()
	}
	var missing []string
	for _, d := range ruleCatalog {
		if _, ok := r.specs[d.id]; !ok {
			missing = append(missing, string(d.id))
		}
	}
	if len(missing) > 0 {
		return Rules{}, fmt.Errorf("the policy read lacks the rules %s", strings.Join(missing, ", "))
	}
	return r, nil
}

// Policy returns the settings these rules amount to.
func (r Rules) Policy() Policy {
	var p Policy
	for _, d := range ruleCatalog {
		r.specs[d.id].apply(&p, d)
	}
	return p
}

// Differing returns, in Graph's order, the managed rules whose content differs from what desired implies:
// the rules a per-rule PATCH must write.
func (r Rules) Differing(desired Policy) []RuleID {
	var out []RuleID
	for _, d := range ruleCatalog {
		if !d.managed {
			continue
		}
		if !specEqual(r.specs[d.id], specOf(desired, d)) {
			out = append(out, d.id)
		}
	}
	return out
}

func specEqual(a, b RuleSpec) bool { return reflect.DeepEqual(a, b) }
