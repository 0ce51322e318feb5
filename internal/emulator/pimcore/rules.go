// Package pimcore is what PIM for groups (package pim, on Graph) and PIM for Azure resources (package
// armpim, on ARM) share: the 17 rules of a role management policy (model, defaults, the merge of a rule
// PATCH, the judgement of a schedule request against them), approval stages, schedule windows, request
// statuses, the ISO 8601 duration subset and the scheduleInfo of a request body. Both services run the
// same PIM engine behind two wire formats; each package keeps its own wire (JSON rendering, errors,
// approver shapes) and this one keeps neither.
package pimcore

import (
	"slices"
	"strings"
)

// RuleKind is a rule's kind. Graph spells its type unifiedRoleManagementPolicy{kind}Rule, ARM
// RoleManagementPolicy{kind}Rule.
type RuleKind string

const (
	RuleExpiration            RuleKind = "Expiration"
	RuleEnablement            RuleKind = "Enablement"
	RuleApproval              RuleKind = "Approval"
	RuleAuthenticationContext RuleKind = "AuthenticationContext"
	RuleNotification          RuleKind = "Notification"
)

// Rule is one of the 17 rules of a policy. Only the fields of its kind are meaningful.
type Rule struct {
	ID     string   `json:"id"`
	Kind   RuleKind `json:"kind"`
	Target Target   `json:"target"`

	IsExpirationRequired bool   `json:"isExpirationRequired,omitempty"`
	MaximumDuration      string `json:"maximumDuration,omitempty"`

	EnabledRules []string `json:"enabledRules,omitempty"`

	Setting *ApprovalSetting `json:"setting,omitempty"`

	IsEnabled  bool    `json:"isEnabled,omitempty"`
	ClaimValue *string `json:"claimValue,omitempty"`

	NotificationType           string   `json:"notificationType,omitempty"`
	RecipientType              string   `json:"recipientType,omitempty"`
	NotificationLevel          string   `json:"notificationLevel,omitempty"`
	IsDefaultRecipientsEnabled bool     `json:"isDefaultRecipientsEnabled,omitempty"`
	NotificationRecipients     []string `json:"notificationRecipients,omitempty"`
}

// Target is a rule's target. Graph answers the inheritable and enforced settings; ARM always sends null.
type Target struct {
	Caller              string   `json:"caller"`
	Operations          []string `json:"operations"`
	Level               string   `json:"level"`
	InheritableSettings []string `json:"inheritableSettings"`
	EnforcedSettings    []string `json:"enforcedSettings"`
}

// ApprovalSetting is the setting of the approval rule.
type ApprovalSetting struct {
	IsApprovalRequired               bool            `json:"isApprovalRequired"`
	IsApprovalRequiredForExtension   bool            `json:"isApprovalRequiredForExtension"`
	IsRequestorJustificationRequired bool            `json:"isRequestorJustificationRequired"`
	ApprovalMode                     string          `json:"approvalMode"`
	ApprovalStages                   []ApprovalStage `json:"approvalStages"`
}

// ApprovalStage is one stage of the approval setting.
type ApprovalStage struct {
	TimeoutDays                   int        `json:"approvalStageTimeOutInDays"`
	ApproverJustificationRequired bool       `json:"isApproverJustificationRequired"`
	EscalationMinutes             int        `json:"escalationTimeInMinutes"`
	EscalationEnabled             bool       `json:"isEscalationEnabled"`
	Primary                       []Approver `json:"primaryApprovers"`
	Escalation                    []Approver `json:"escalationApprovers"`
}

// Approver is a user, or the members of a group (Graph: singleUser | groupMembers; ARM: userType User |
// Group). IsBackup is ARM's.
type Approver struct {
	ID       string `json:"id"`
	Group    bool   `json:"group,omitempty"`
	IsBackup bool   `json:"isBackup,omitempty"`
}

// ActivationRuleID is the approval rule's ID, the rule an activation's stages come from.
const ActivationRuleID = "Approval_EndUser_Assignment"

// DefaultRules returns the 17 rules of a policy nobody changed: the documented PIM-for-groups owner
// policy (reference §6.2), which the emulator also takes for member policies and for Azure resource
// roles (no API sample shows a fresh one); activationMFA adds MultiFactorAuthentication to activation.
func DefaultRules(activationMFA bool) []Rule {
	activation := []string{"Justification"}
	if activationMFA {
		activation = []string{"MultiFactorAuthentication", "Justification"}
	}
	var rules []Rule
	for _, p := range []struct {
		caller, level, maximum string
		enabled                []string
	}{
		{"Admin", "Eligibility", "P365D", []string{}},
		{"Admin", "Assignment", "P180D", []string{"Justification"}},
		{"EndUser", "Assignment", "PT8H", activation},
	} {
		suffix := p.caller + "_" + p.level
		t := Target{Caller: p.caller, Operations: []string{"All"}, Level: p.level, InheritableSettings: []string{}, EnforcedSettings: []string{}}
		rules = append(rules,
			Rule{Kind: RuleExpiration, ID: "Expiration_" + suffix, Target: t, IsExpirationRequired: true, MaximumDuration: p.maximum},
			Rule{Kind: RuleEnablement, ID: "Enablement_" + suffix, Target: t, EnabledRules: p.enabled})
		if p.caller == "EndUser" {
			rules = append(rules,
				Rule{Kind: RuleApproval, ID: ActivationRuleID, Target: t, Setting: &ApprovalSetting{
					IsRequestorJustificationRequired: true, ApprovalMode: "SingleStage", ApprovalStages: []ApprovalStage{DefaultStage()}}},
				Rule{Kind: RuleAuthenticationContext, ID: "AuthenticationContext_" + suffix, Target: t})
		}
		for _, recipient := range []string{"Admin", "Requestor", "Approver"} {
			rules = append(rules, Rule{Kind: RuleNotification, ID: "Notification_" + recipient + "_" + suffix, Target: t,
				NotificationType: "Email", RecipientType: recipient, NotificationLevel: "All",
				IsDefaultRecipientsEnabled: true, NotificationRecipients: []string{}})
		}
	}
	// Each rule gets its own slices: the loop shares them between the rules of a target.
	return CloneRules(rules)
}

// DefaultStage is the approval stage of a fresh policy, and what a PATCH that adds a stage starts from.
func DefaultStage() ApprovalStage {
	return ApprovalStage{TimeoutDays: 1, ApproverJustificationRequired: true, Primary: []Approver{}, Escalation: []Approver{}}
}

// Clone returns a deep copy, so that stored rules never alias the defaults or a caller's copy.
func (r Rule) Clone() Rule {
	c := r
	c.Target.Operations = append([]string{}, r.Target.Operations...)
	c.Target.InheritableSettings = append([]string{}, r.Target.InheritableSettings...)
	c.Target.EnforcedSettings = append([]string{}, r.Target.EnforcedSettings...)
	c.EnabledRules = slices.Clone(r.EnabledRules)
	c.NotificationRecipients = slices.Clone(r.NotificationRecipients)
	if r.ClaimValue != nil {
		v := *r.ClaimValue
		c.ClaimValue = &v
	}
	if r.Setting != nil {
		s := *r.Setting
		s.ApprovalStages = make([]ApprovalStage, 0, len(r.Setting.ApprovalStages))
		for _, st := range r.Setting.ApprovalStages {
			st.Primary = append([]Approver{}, st.Primary...)
			st.Escalation = append([]Approver{}, st.Escalation...)
			s.ApprovalStages = append(s.ApprovalStages, st)
		}
		c.Setting = &s
	}
	return c
}

// CloneRules deep-copies rs (nil stays nil).
func CloneRules(rs []Rule) []Rule {
	if rs == nil {
		return nil
	}
	out := make([]Rule, len(rs))
	for i, r := range rs {
		out[i] = r.Clone()
	}
	return out
}

// FindRule returns the rule of rs with the ID id (in any case), or nil.
func FindRule(rs []Rule, id string) *Rule {
	for i := range rs {
		if strings.EqualFold(rs[i].ID, id) {
			return &rs[i]
		}
	}
	return nil
}

// Enabled reports whether the enablement rule r requires name (Justification, Ticketing, ...).
func Enabled(r *Rule, name string) bool { return r != nil && slices.Contains(r.EnabledRules, name) }

// NonNil returns s, or an empty list for nil: the services answer [] for an empty collection.
func NonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
