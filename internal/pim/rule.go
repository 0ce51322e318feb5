package pim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// RuleID is the fixed ID of one of the 17 rules of a PIM-for-groups policy.
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

type ruleKind int

const (
	kindExpiration ruleKind = iota
	kindEnablement
	kindNotification
	kindApproval
	kindAuthenticationContext
)

// The @odata.type of each rule kind; Graph needs it to pick the derived type, a rule without it
// deserialises as the abstract base and loses every field.
var ruleODataType = map[ruleKind]string{
	kindExpiration:            "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
	kindEnablement:            "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
	kindNotification:          "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
	kindApproval:              "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
	kindAuthenticationContext: "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
}

const (
	recipientAdmin     = "Admin"
	recipientRequestor = "Requestor"
	recipientApprover  = "Approver"
)

type ruleDef struct {
	id        RuleID
	kind      ruleKind
	scope     ruleScope
	recipient string // notification rules only
	// managed is false for the one rule the resource does not expose (Enablement_Admin_Eligibility): it is
	// never compared, written or reset.
	managed bool
}

// ruleCatalog is the 17 rules in Graph's order.
var ruleCatalog = []ruleDef{
	{id: RuleExpirationAdminEligibility, kind: kindExpiration, scope: scopeAdminEligibility, managed: true},
	{id: RuleEnablementAdminEligibility, kind: kindEnablement, scope: scopeAdminEligibility},
	{id: RuleNotificationAdminAdminEligibility, kind: kindNotification, scope: scopeAdminEligibility, recipient: recipientAdmin, managed: true},
	{id: RuleNotificationRequestorAdminEligibility, kind: kindNotification, scope: scopeAdminEligibility, recipient: recipientRequestor, managed: true},
	{id: RuleNotificationApproverAdminEligibility, kind: kindNotification, scope: scopeAdminEligibility, recipient: recipientApprover, managed: true},
	{id: RuleExpirationAdminAssignment, kind: kindExpiration, scope: scopeAdminAssignment, managed: true},
	{id: RuleEnablementAdminAssignment, kind: kindEnablement, scope: scopeAdminAssignment, managed: true},
	{id: RuleNotificationAdminAdminAssignment, kind: kindNotification, scope: scopeAdminAssignment, recipient: recipientAdmin, managed: true},
	{id: RuleNotificationRequestorAdminAssignment, kind: kindNotification, scope: scopeAdminAssignment, recipient: recipientRequestor, managed: true},
	{id: RuleNotificationApproverAdminAssignment, kind: kindNotification, scope: scopeAdminAssignment, recipient: recipientApprover, managed: true},
	{id: RuleExpirationEndUserAssignment, kind: kindExpiration, scope: scopeEndUserAssignment, managed: true},
	{id: RuleEnablementEndUserAssignment, kind: kindEnablement, scope: scopeEndUserAssignment, managed: true},
	{id: RuleApprovalEndUserAssignment, kind: kindApproval, scope: scopeEndUserAssignment, managed: true},
	{id: RuleAuthenticationContextEndUserAssignment, kind: kindAuthenticationContext, scope: scopeEndUserAssignment, managed: true},
	{id: RuleNotificationAdminEndUserAssignment, kind: kindNotification, scope: scopeEndUserAssignment, recipient: recipientAdmin, managed: true},
	{id: RuleNotificationRequestorEndUserAssignment, kind: kindNotification, scope: scopeEndUserAssignment, recipient: recipientRequestor, managed: true},
	{id: RuleNotificationApproverEndUserAssignment, kind: kindNotification, scope: scopeEndUserAssignment, recipient: recipientApprover, managed: true},
}

func ruleDefOf(id RuleID) (ruleDef, bool) {
	for _, d := range ruleCatalog {
		if strings.EqualFold(string(d.id), string(id)) {
			return d, true
		}
	}
	return ruleDef{}, false
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

// Enablement rule values.
const (
	enableJustification = "Justification"
	enableMFA           = "MultiFactorAuthentication"
	enableTicketing     = "Ticketing"
)

// ruleSpec is the normalised content of one rule: exactly what this package writes, and what it compares
// after reading. Two rules with equal specs need no PATCH. Sets are sorted lower case; fields that Graph
// ignores in a given state (approval mode while approval is off, claim value while the context is off)
// are blanked so a harmless echo is not a difference.
type ruleSpec struct {
	ID   RuleID
	Kind ruleKind

	ExpirationRequired bool
	MaximumDuration    Duration

	EnabledRules []string

	NotificationLevel string
	DefaultRecipients bool
	Recipients        []string

	Approval approvalSpec

	AuthContextEnabled bool
	ClaimValue         string
}

type approvalSpec struct {
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

func (s ruleSpec) normalised() ruleSpec {
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
		for _, known := range []string{enableJustification, enableMFA, enableTicketing} {
			if strings.EqualFold(v, known) {
				canon = known
			}
		}
		out = append(out, canon)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// specOf is the rule p implies for rule d.
func specOf(p Policy, d ruleDef) ruleSpec {
	s := ruleSpec{ID: d.id, Kind: d.kind}
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
		if p.ActiveAssignment.RequireJustification {
			s.EnabledRules = append(s.EnabledRules, enableJustification)
		}
		if p.ActiveAssignment.RequireMFA {
			s.EnabledRules = append(s.EnabledRules, enableMFA)
		}
	case RuleExpirationEndUserAssignment:
		// Activations are always time-bound; only the maximum is a setting.
		s.ExpirationRequired = true
		s.MaximumDuration = p.Activation.MaximumDuration
	case RuleEnablementEndUserAssignment:
		if p.Activation.RequireJustification {
			s.EnabledRules = append(s.EnabledRules, enableJustification)
		}
		if p.Activation.RequireMFA {
			s.EnabledRules = append(s.EnabledRules, enableMFA)
		}
		if p.Activation.RequireTicketInfo {
			s.EnabledRules = append(s.EnabledRules, enableTicketing)
		}
	case RuleApprovalEndUserAssignment:
		s.Approval = approvalSpec{
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
	return s.normalised()
}

// apply copies spec s (read from Graph) into the fields of p that rule d maps to.
func (s ruleSpec) apply(p *Policy, d ruleDef) {
	switch d.id {
	case RuleExpirationAdminEligibility:
		p.EligibleAssignment = Expiry{ExpirationRequired: s.ExpirationRequired, MaximumDuration: s.MaximumDuration}
	case RuleEnablementAdminEligibility:
	case RuleExpirationAdminAssignment:
		p.ActiveAssignment.Expiry = Expiry{ExpirationRequired: s.ExpirationRequired, MaximumDuration: s.MaximumDuration}
	case RuleEnablementAdminAssignment:
		p.ActiveAssignment.RequireJustification = slices.Contains(s.EnabledRules, enableJustification)
		p.ActiveAssignment.RequireMFA = slices.Contains(s.EnabledRules, enableMFA)
	case RuleExpirationEndUserAssignment:
		p.Activation.MaximumDuration = s.MaximumDuration
	case RuleEnablementEndUserAssignment:
		p.Activation.RequireJustification = slices.Contains(s.EnabledRules, enableJustification)
		p.Activation.RequireMFA = slices.Contains(s.EnabledRules, enableMFA)
		p.Activation.RequireTicketInfo = slices.Contains(s.EnabledRules, enableTicketing)
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

// ruleError is returned when Graph's rules cannot be mapped.
func ruleError(id RuleID, format string, args ...any) error {
	return fmt.Errorf("policy rule %s: %s", id, fmt.Sprintf(format, args...))
}

// ensure the SDK's rule interface is what we think it is at compile time.
var _ models.UnifiedRoleManagementPolicyRuleable = (*models.UnifiedRoleManagementPolicyExpirationRule)(nil)
