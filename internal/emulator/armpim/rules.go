package armpim

import (
	"encoding/json"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// rule is one of the 17 rules of a role's policy at a scope (pimcore's model, shared with PIM for
// groups, whose rule IDs ARM uses too).
type rule = pimcore.Rule

// ruleType is a rule's ruleType discriminator (2020-10-01): RoleManagementPolicyExpirationRule, ...
func ruleType(k pimcore.RuleKind) string { return "RoleManagementPolicy" + string(k) + "Rule" }

// defaultRules returns a role's policy before anyone changed it. The documented values of a fresh policy
// for Azure resource roles are not published as an API sample (the 2020-10-01 examples show a changed
// policy); the emulator uses the PIM-for-groups defaults, with MFA on activation as a variant.
func (e *Engine) defaultRules() []rule { return pimcore.DefaultRules(e.cfg.ActivationMFAByDefault) }

// ruleJSON renders a rule as ARM does: the properties of its type, a target with the three settings
// ARM always sends as null.
func ruleJSON(r rule) map[string]any {
	m := map[string]any{"id": r.ID, "ruleType": ruleType(r.Kind), "target": map[string]any{
		"caller": r.Target.Caller, "operations": pimcore.NonNil(r.Target.Operations), "level": r.Target.Level,
		"targetObjects": nil, "inheritableSettings": nil, "enforcedSettings": nil,
	}}
	switch r.Kind {
	case pimcore.RuleExpiration:
		m["isExpirationRequired"], m["maximumDuration"] = r.IsExpirationRequired, r.MaximumDuration
	case pimcore.RuleEnablement:
		m["enabledRules"] = pimcore.NonNil(r.EnabledRules)
	case pimcore.RuleAuthenticationContext:
		claim := ""
		if r.ClaimValue != nil {
			claim = *r.ClaimValue
		}
		m["isEnabled"], m["claimValue"] = r.IsEnabled, claim
	case pimcore.RuleNotification:
		m["notificationType"], m["recipientType"], m["notificationLevel"] = r.NotificationType, r.RecipientType, r.NotificationLevel
		m["isDefaultRecipientsEnabled"], m["notificationRecipients"] = r.IsDefaultRecipientsEnabled, pimcore.NonNil(r.NotificationRecipients)
	case pimcore.RuleApproval:
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

// userType is how ARM names an approver's kind (UserSet.userType).
func userType(a pimcore.Approver) string {
	if a.Group {
		return "Group"
	}
	return "User"
}

func usersJSON(us []pimcore.Approver) []any {
	out := make([]any, 0, len(us))
	for _, u := range us {
		out = append(out, map[string]any{"id": u.ID, "userType": userType(u), "isBackup": u.IsBackup, "description": nil})
	}
	return out
}

// patchRules merges the rules of a PATCH body into rs (the policy's current rules): only the rules listed
// change, and of those only the properties supplied (the PatchPartialRoleManagementPolicy example).
func (e *Engine) patchRules(rs []rule, body []byte) *apiError {
	var b struct {
		Properties *struct {
			Rules []pimcore.Object `json:"rules"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(body, &b); err != nil || b.Properties == nil {
		return errBadBody("'properties' is required.")
	}
	for _, o := range b.Properties.Rules {
		var id, typ string
		if rerr := pimcore.Field(o, "id", &id); rerr != nil {
			return ruleError(rerr)
		}
		if rerr := pimcore.Field(o, "ruleType", &typ); rerr != nil {
			return ruleError(rerr)
		}
		r := pimcore.FindRule(rs, id)
		switch {
		case r == nil:
			return errInvalidRule("The policy has no rule '" + id + "'.")
		case !strings.EqualFold(typ, ruleType(r.Kind)):
			return errInvalidRule("The ruleType '" + typ + "' does not match rule '" + r.ID + "', which is a " + ruleType(r.Kind) + ".")
		}
		if rerr := armDialect.Patch(r, o); rerr != nil {
			return ruleError(rerr)
		}
	}
	return crossCheck(rs)
}

// armDialect is how ARM merges a rule PATCH: the target's settings are ignored, a null keeps the value,
// approvers are UserSets, and two refusals have codes of their own.
var armDialect = pimcore.Dialect{
	NullKeeps: true,
	Weeks:     true,
	Approvers: parseUsers,
	NoMaximum: func(r *rule) *pimcore.RuleError {
		// azuread#1537: expiration required without a maximum is refused as an invalid policy.
		return &pimcore.RuleError{Code: "InvalidPolicy",
			Message: "The policy is invalid. maximumDuration is required when expiration is required (rule " + r.ID + ")."}
	},
	Ticketing: func(r *rule) *pimcore.RuleError {
		if r.Target.Caller != "Admin" {
			return nil
		}
		// Observed (azurerm#33068): ticketing exists only for activation.
		return &pimcore.RuleError{Code: "InvalidPolicyEnabledRules",
			Message: "The enabled rules of rule '" + r.ID + "' are invalid: Ticketing is not supported for admin assignments."}
	},
}

// parseUsers reads primaryApprovers or escalationApprovers: UserSets of userType User or Group.
func parseUsers(key string, raw json.RawMessage) ([]pimcore.Approver, *pimcore.RuleError) {
	var in []struct {
		ID       string `json:"id"`
		UserType string `json:"userType"`
		IsBackup bool   `json:"isBackup"`
	}
	if json.Unmarshal(raw, &in) != nil {
		return nil, &pimcore.RuleError{Message: "Property '" + key + "' has an invalid value."}
	}
	out := []pimcore.Approver{}
	for _, u := range in {
		t, ok := pimcore.Canonical([]string{"User", "Group"}, u.UserType)
		if !ok {
			return nil, &pimcore.RuleError{Message: "Approver userType must be User or Group, not '" + u.UserType + "'."}
		}
		if !guidPattern.MatchString(u.ID) {
			return nil, &pimcore.RuleError{Message: "Approver id '" + u.ID + "' must be an object ID."}
		}
		out = append(out, pimcore.Approver{ID: strings.ToLower(u.ID), Group: t == "Group", IsBackup: u.IsBackup})
	}
	return out, nil
}

// ruleError is a refused rule PATCH as ARM answers it.
func ruleError(rerr *pimcore.RuleError) *apiError {
	if rerr.Code != "" {
		return errorf(400, rerr.Code, "%s", rerr.Message)
	}
	return errInvalidRule(rerr.Message)
}

// crossCheck refuses combinations of rules PIM does not allow together.
func crossCheck(rs []rule) *apiError {
	if ac := pimcore.FindRule(rs, "AuthenticationContext_EndUser_Assignment"); ac != nil && ac.IsEnabled &&
		pimcore.Enabled(pimcore.FindRule(rs, "Enablement_EndUser_Assignment"), "MultiFactorAuthentication") {
		return errorf(400, "InvalidPolicy", "The policy is invalid. Multi-factor authentication and an authentication context cannot both be required on activation.")
	}
	return nil
}
