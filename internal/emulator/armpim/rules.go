package armpim

import "slices"

// Rule types: the ruleType discriminator of RoleManagementPolicyRule (2020-10-01).
const (
	ruleExpiration  = "RoleManagementPolicyExpirationRule"
	ruleEnablement  = "RoleManagementPolicyEnablementRule"
	ruleApproval    = "RoleManagementPolicyApprovalRule"
	ruleAuthContext = "RoleManagementPolicyAuthenticationContextRule"
	ruleNotify      = "RoleManagementPolicyNotificationRule"
)

// rule is one of the 17 rules of a role's policy at a scope. Only the fields of its type are meaningful.
type rule struct {
	ID       string     `json:"id"`
	RuleType string     `json:"ruleType"`
	Target   ruleTarget `json:"target"`

	IsExpirationRequired bool   `json:"isExpirationRequired,omitempty"`
	MaximumDuration      string `json:"maximumDuration,omitempty"`

	EnabledRules []string `json:"enabledRules,omitempty"`

	Setting *approvalSetting `json:"setting,omitempty"`

	IsEnabled  bool   `json:"isEnabled,omitempty"`
	ClaimValue string `json:"claimValue,omitempty"`

	NotificationType           string   `json:"notificationType,omitempty"`
	RecipientType              string   `json:"recipientType,omitempty"`
	NotificationLevel          string   `json:"notificationLevel,omitempty"`
	IsDefaultRecipientsEnabled bool     `json:"isDefaultRecipientsEnabled,omitempty"`
	NotificationRecipients     []string `json:"notificationRecipients,omitempty"`
}

type ruleTarget struct {
	Caller     string   `json:"caller"`
	Operations []string `json:"operations"`
	Level      string   `json:"level"`
}

type approvalSetting struct {
	IsApprovalRequired               bool            `json:"isApprovalRequired"`
	IsApprovalRequiredForExtension   bool            `json:"isApprovalRequiredForExtension"`
	IsRequestorJustificationRequired bool            `json:"isRequestorJustificationRequired"`
	ApprovalMode                     string          `json:"approvalMode"`
	ApprovalStages                   []approvalStage `json:"approvalStages"`
}

type approvalStage struct {
	TimeoutDays                   int       `json:"approvalStageTimeOutInDays"`
	ApproverJustificationRequired bool      `json:"isApproverJustificationRequired"`
	EscalationMinutes             int       `json:"escalationTimeInMinutes"`
	EscalationEnabled             bool      `json:"isEscalationEnabled"`
	Primary                       []userSet `json:"primaryApprovers"`
	Escalation                    []userSet `json:"escalationApprovers"`
}

// userSet is an approver: a user, or the members of a group (UserSet, userType User | Group).
type userSet struct {
	ID       string `json:"id"`
	UserType string `json:"userType"`
	IsBackup bool   `json:"isBackup,omitempty"`
}

// ruleCatalog is the 17 rules of a policy: ID, type, caller and level. The IDs are the same as a
// PIM-for-groups policy's.
var ruleCatalog = []struct{ id, typ, caller, level string }{
	{"Expiration_Admin_Eligibility", ruleExpiration, "Admin", "Eligibility"},
	{"Enablement_Admin_Eligibility", ruleEnablement, "Admin", "Eligibility"},
	{"Notification_Admin_Admin_Eligibility", ruleNotify, "Admin", "Eligibility"},
	{"Notification_Requestor_Admin_Eligibility", ruleNotify, "Admin", "Eligibility"},
	{"Notification_Approver_Admin_Eligibility", ruleNotify, "Admin", "Eligibility"},
	{"Expiration_Admin_Assignment", ruleExpiration, "Admin", "Assignment"},
	{"Enablement_Admin_Assignment", ruleEnablement, "Admin", "Assignment"},
	{"Notification_Admin_Admin_Assignment", ruleNotify, "Admin", "Assignment"},
	{"Notification_Requestor_Admin_Assignment", ruleNotify, "Admin", "Assignment"},
	{"Notification_Approver_Admin_Assignment", ruleNotify, "Admin", "Assignment"},
	{"Expiration_EndUser_Assignment", ruleExpiration, "EndUser", "Assignment"},
	{"Enablement_EndUser_Assignment", ruleEnablement, "EndUser", "Assignment"},
	{"Approval_EndUser_Assignment", ruleApproval, "EndUser", "Assignment"},
	{"AuthenticationContext_EndUser_Assignment", ruleAuthContext, "EndUser", "Assignment"},
	{"Notification_Admin_EndUser_Assignment", ruleNotify, "EndUser", "Assignment"},
	{"Notification_Requestor_EndUser_Assignment", ruleNotify, "EndUser", "Assignment"},
	{"Notification_Approver_EndUser_Assignment", ruleNotify, "EndUser", "Assignment"},
}

// defaultRules returns a role's policy before anyone changed it. The documented values of a fresh policy
// for Azure resource roles are not published as an API sample (the 2020-10-01 examples show a changed
// policy); the emulator uses the PIM-for-groups defaults, with MFA on activation as a variant.
func (e *Engine) defaultRules() []rule {
	var out []rule
	for _, c := range ruleCatalog {
		r := rule{ID: c.id, RuleType: c.typ, Target: ruleTarget{Caller: c.caller, Operations: []string{"All"}, Level: c.level}}
		switch c.id {
		case "Expiration_Admin_Eligibility":
			r.IsExpirationRequired, r.MaximumDuration = true, "P365D"
		case "Expiration_Admin_Assignment":
			r.IsExpirationRequired, r.MaximumDuration = true, "P180D"
		case "Expiration_EndUser_Assignment":
			r.IsExpirationRequired, r.MaximumDuration = true, "PT8H"
		case "Enablement_Admin_Eligibility":
			r.EnabledRules = []string{}
		case "Enablement_Admin_Assignment":
			r.EnabledRules = []string{"Justification"}
		case "Enablement_EndUser_Assignment":
			r.EnabledRules = []string{"Justification"}
			if e.cfg.ActivationMFAByDefault {
				r.EnabledRules = []string{"MultiFactorAuthentication", "Justification"}
			}
		case "Approval_EndUser_Assignment":
			r.Setting = &approvalSetting{IsRequestorJustificationRequired: true, ApprovalMode: "SingleStage",
				ApprovalStages: []approvalStage{{TimeoutDays: 1, ApproverJustificationRequired: true, Primary: []userSet{}, Escalation: []userSet{}}}}
		case "AuthenticationContext_EndUser_Assignment":
		default: // notifications: Notification_{Recipient}_{Caller}_{Level}
			r.NotificationType, r.RecipientType, r.NotificationLevel = "Email", notificationRecipient(c.id), "All"
			r.IsDefaultRecipientsEnabled = true
			r.NotificationRecipients = []string{}
		}
		out = append(out, r)
	}
	return out
}

func notificationRecipient(id string) string {
	for _, r := range []string{"Admin", "Requestor", "Approver"} {
		if len(id) > len("Notification_"+r) && id[:len("Notification_"+r)] == "Notification_"+r {
			return r
		}
	}
	return ""
}

// clone returns a deep copy, so stored rules never alias the defaults or a caller's copy.
func (r rule) clone() rule {
	c := r
	c.Target.Operations = slices.Clone(r.Target.Operations)
	c.EnabledRules = slices.Clone(r.EnabledRules)
	c.NotificationRecipients = slices.Clone(r.NotificationRecipients)
	if r.Setting != nil {
		s := *r.Setting
		s.ApprovalStages = make([]approvalStage, len(r.Setting.ApprovalStages))
		for i, st := range r.Setting.ApprovalStages {
			st.Primary = slices.Clone(st.Primary)
			st.Escalation = slices.Clone(st.Escalation)
			s.ApprovalStages[i] = st
		}
		c.Setting = &s
	}
	return c
}

func findRule(rs []rule, id string) *rule {
	for i := range rs {
		if rs[i].ID == id {
			return &rs[i]
		}
	}
	return nil
}

func enabled(r *rule, name string) bool { return r != nil && slices.Contains(r.EnabledRules, name) }

// ruleJSON renders a rule as ARM does: the properties of its type, a target with the three settings
// ARM always sends as null.
func ruleJSON(r rule) map[string]any {
	m := map[string]any{"id": r.ID, "ruleType": r.RuleType, "target": map[string]any{
		"caller": r.Target.Caller, "operations": nonNil(r.Target.Operations), "level": r.Target.Level,
		"targetObjects": nil, "inheritableSettings": nil, "enforcedSettings": nil,
	}}
	switch r.RuleType {
	case ruleExpiration:
		m["isExpirationRequired"], m["maximumDuration"] = r.IsExpirationRequired, r.MaximumDuration
	case ruleEnablement:
		m["enabledRules"] = nonNil(r.EnabledRules)
	case ruleAuthContext:
		m["isEnabled"], m["claimValue"] = r.IsEnabled, r.ClaimValue
	case ruleNotify:
		m["notificationType"], m["recipientType"], m["notificationLevel"] = r.NotificationType, r.RecipientType, r.NotificationLevel
		m["isDefaultRecipientsEnabled"], m["notificationRecipients"] = r.IsDefaultRecipientsEnabled, nonNil(r.NotificationRecipients)
	case ruleApproval:
		s := r.Setting
		stages := make([]any, 0, len(s.ApprovalStages))
		for _, st := range s.ApprovalStages {
			stages = append(stages, map[string]any{
				"approvalStageTimeOutInDays": st.TimeoutDays, "isApproverJustificationRequired": st.ApproverJustificationRequired,
				"escalationTimeInMinutes": st.EscalationMinutes, "isEscalationEnabled": st.EscalationEnabled,
				"primaryApprovers": usersJSON(st.Primary), "escalationApprovers": usersJSON(st.Escalation),
			})
		}
		m["setting"] = map[string]any{
			"isApprovalRequired": s.IsApprovalRequired, "isApprovalRequiredForExtension": s.IsApprovalRequiredForExtension,
			"isRequestorJustificationRequired": s.IsRequestorJustificationRequired, "approvalMode": s.ApprovalMode,
			"approvalStages": stages,
		}
	}
	return m
}

func usersJSON(us []userSet) []any {
	out := make([]any, 0, len(us))
	for _, u := range us {
		out = append(out, map[string]any{"id": u.ID, "userType": u.UserType, "isBackup": u.IsBackup, "description": nil})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
