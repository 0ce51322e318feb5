package pim

// Rule kinds, named after the @odata.type of unifiedRoleManagementPolicyRule's derived types.
const (
	ruleExpiration            = "unifiedRoleManagementPolicyExpirationRule"
	ruleEnablement            = "unifiedRoleManagementPolicyEnablementRule"
	ruleApproval              = "unifiedRoleManagementPolicyApprovalRule"
	ruleAuthenticationContext = "unifiedRoleManagementPolicyAuthenticationContextRule"
	ruleNotification          = "unifiedRoleManagementPolicyNotificationRule"
)

// rule is one of the 17 rules of a group's policy. Only the fields of its kind are meaningful.
type rule struct {
	Kind   string     `json:"kind"`
	ID     string     `json:"id"`
	Target ruleTarget `json:"target"`

	IsExpirationRequired bool   `json:"isExpirationRequired,omitempty"`
	MaximumDuration      string `json:"maximumDuration,omitempty"`

	EnabledRules []string `json:"enabledRules,omitempty"`

	Setting *approvalSetting `json:"setting,omitempty"`

	IsEnabled  bool    `json:"isEnabled,omitempty"`
	ClaimValue *string `json:"claimValue,omitempty"`

	NotificationType           string   `json:"notificationType,omitempty"`
	RecipientType              string   `json:"recipientType,omitempty"`
	NotificationLevel          string   `json:"notificationLevel,omitempty"`
	IsDefaultRecipientsEnabled bool     `json:"isDefaultRecipientsEnabled,omitempty"`
	NotificationRecipients     []string `json:"notificationRecipients,omitempty"`
}

type ruleTarget struct {
	Caller              string   `json:"caller"`
	Operations          []string `json:"operations"`
	Level               string   `json:"level"`
	InheritableSettings []string `json:"inheritableSettings"`
	EnforcedSettings    []string `json:"enforcedSettings"`
}

type approvalSetting struct {
	IsApprovalRequired               bool            `json:"isApprovalRequired"`
	IsApprovalRequiredForExtension   bool            `json:"isApprovalRequiredForExtension"`
	IsRequestorJustificationRequired bool            `json:"isRequestorJustificationRequired"`
	ApprovalMode                     string          `json:"approvalMode"`
	ApprovalStages                   []approvalStage `json:"approvalStages"`
}

type approvalStage struct {
	ApprovalStageTimeOutInDays      int          `json:"approvalStageTimeOutInDays"`
	IsApproverJustificationRequired bool         `json:"isApproverJustificationRequired"`
	EscalationTimeInMinutes         int          `json:"escalationTimeInMinutes"`
	IsEscalationEnabled             bool         `json:"isEscalationEnabled"`
	PrimaryApprovers                []subjectSet `json:"primaryApprovers"`
	EscalationApprovers             []subjectSet `json:"escalationApprovers"`
}

// subjectSet is an approver: a single user or the members of a group.
type subjectSet struct {
	Kind    string `json:"kind"` // singleUser | groupMembers
	UserID  string `json:"userId,omitempty"`
	GroupID string `json:"groupId,omitempty"`
}

const (
	subjectSingleUser   = "singleUser"
	subjectGroupMembers = "groupMembers"
)

// defaultRules returns the 17 rules of a fresh group's policy (reference §6.2, the documented owner
// policy; the member policy is assumed identical).
func defaultRules() []rule {
	target := func(caller, level string) ruleTarget {
		return ruleTarget{Caller: caller, Operations: []string{"All"}, Level: level,
			InheritableSettings: []string{}, EnforcedSettings: []string{}}
	}
	notifications := func(caller, level, suffix string) []rule {
		var out []rule
		for _, recipient := range []string{"Admin", "Requestor", "Approver"} {
			out = append(out, rule{Kind: ruleNotification, ID: "Notification_" + recipient + "_" + suffix,
				Target: target(caller, level), NotificationType: "Email", RecipientType: recipient,
				NotificationLevel: "All", IsDefaultRecipientsEnabled: true, NotificationRecipients: []string{}})
		}
		return out
	}
	var rules []rule
	rules = append(rules,
		rule{Kind: ruleExpiration, ID: "Expiration_Admin_Eligibility", Target: target("Admin", "Eligibility"),
			IsExpirationRequired: true, MaximumDuration: "P365D"},
		rule{Kind: ruleEnablement, ID: "Enablement_Admin_Eligibility", Target: target("Admin", "Eligibility"),
			EnabledRules: []string{}})
	rules = append(rules, notifications("Admin", "Eligibility", "Admin_Eligibility")...)
	rules = append(rules,
		rule{Kind: ruleExpiration, ID: "Expiration_Admin_Assignment", Target: target("Admin", "Assignment"),
			IsExpirationRequired: true, MaximumDuration: "P180D"},
		rule{Kind: ruleEnablement, ID: "Enablement_Admin_Assignment", Target: target("Admin", "Assignment"),
			EnabledRules: []string{"Justification"}})
	rules = append(rules, notifications("Admin", "Assignment", "Admin_Assignment")...)
	rules = append(rules,
		rule{Kind: ruleExpiration, ID: "Expiration_EndUser_Assignment", Target: target("EndUser", "Assignment"),
			IsExpirationRequired: true, MaximumDuration: "PT8H"},
		rule{Kind: ruleEnablement, ID: "Enablement_EndUser_Assignment", Target: target("EndUser", "Assignment"),
			EnabledRules: []string{"Justification"}},
		rule{Kind: ruleApproval, ID: "Approval_EndUser_Assignment", Target: target("EndUser", "Assignment"),
			Setting: &approvalSetting{
				IsRequestorJustificationRequired: true,
				ApprovalMode:                     "SingleStage",
				ApprovalStages: []approvalStage{{ApprovalStageTimeOutInDays: 1, IsApproverJustificationRequired: true,
					PrimaryApprovers: []subjectSet{}, EscalationApprovers: []subjectSet{}}},
			}},
		rule{Kind: ruleAuthenticationContext, ID: "AuthenticationContext_EndUser_Assignment",
			Target: target("EndUser", "Assignment")})
	rules = append(rules, notifications("EndUser", "Assignment", "EndUser_Assignment")...)
	return rules
}

// clone returns a deep copy, so that stored rules never alias the defaults or a caller's copy.
func (r rule) clone() rule {
	c := r
	c.Target.Operations = append([]string{}, r.Target.Operations...)
	c.Target.InheritableSettings = append([]string{}, r.Target.InheritableSettings...)
	c.Target.EnforcedSettings = append([]string{}, r.Target.EnforcedSettings...)
	if r.EnabledRules != nil {
		c.EnabledRules = append([]string{}, r.EnabledRules...)
	}
	if r.NotificationRecipients != nil {
		c.NotificationRecipients = append([]string{}, r.NotificationRecipients...)
	}
	if r.ClaimValue != nil {
		v := *r.ClaimValue
		c.ClaimValue = &v
	}
	if r.Setting != nil {
		s := *r.Setting
		s.ApprovalStages = nil
		for _, st := range r.Setting.ApprovalStages {
			st.PrimaryApprovers = append([]subjectSet{}, st.PrimaryApprovers...)
			st.EscalationApprovers = append([]subjectSet{}, st.EscalationApprovers...)
			s.ApprovalStages = append(s.ApprovalStages, st)
		}
		if s.ApprovalStages == nil {
			s.ApprovalStages = []approvalStage{}
		}
		c.Setting = &s
	}
	return c
}

func cloneRules(rs []rule) []rule {
	if rs == nil {
		return nil
	}
	out := make([]rule, len(rs))
	for i, r := range rs {
		out[i] = r.clone()
	}
	return out
}

func findRule(rs []rule, id string) *rule {
	for i := range rs {
		if rs[i].ID == id {
			return &rs[i]
		}
	}
	return nil
}

func hasEnabled(r *rule, name string) bool {
	if r == nil {
		return false
	}
	for _, v := range r.EnabledRules {
		if v == name {
			return true
		}
	}
	return false
}
