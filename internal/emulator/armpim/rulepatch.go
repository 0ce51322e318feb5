package armpim

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
)

// Canonical spellings of the policy enums; input compares case-insensitively.
var (
	ruleOperations   = []string{"All", "Activate", "Deactivate", "Assign", "Update", "Remove", "Extend", "Renew"}
	enablementValues = []string{"Justification", "MultiFactorAuthentication", "Ticketing"}
	approvalModes    = []string{"SingleStage", "Serial", "Parallel", "NoApproval"}
	notifyLevels     = []string{"None", "Critical", "All"}
	userTypes        = []string{"User", "Group"}
)

// maxActivation is the longest activation a policy may allow (PIM's 24-hour cap).
const maxActivation = 24 * time.Hour

type object = map[string]json.RawMessage

func field[T any](o object, key string, dst *T) *apiError {
	raw, ok := o[key]
	if !ok || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return errInvalidRule("Property '" + key + "' has an invalid value.")
	}
	return nil
}

// patchRules merges the rules of a PATCH body into rs (the policy's current rules): only the rules listed
// change, and of those only the properties supplied (the PatchPartialRoleManagementPolicy example).
func (e *Engine) patchRules(rs []rule, body []byte) *apiError {
	var b struct {
		Properties *struct {
			Rules []object `json:"rules"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(body, &b); err != nil || b.Properties == nil {
		return errBadBody("'properties' is required.")
	}
	for _, o := range b.Properties.Rules {
		var id, typ string
		if aerr := field(o, "id", &id); aerr != nil {
			return aerr
		}
		if aerr := field(o, "ruleType", &typ); aerr != nil {
			return aerr
		}
		r := findRuleFold(rs, id)
		switch {
		case r == nil:
			return errInvalidRule("The policy has no rule '" + id + "'.")
		case !strings.EqualFold(typ, r.RuleType):
			return errInvalidRule("The ruleType '" + typ + "' does not match rule '" + r.ID + "', which is a " + r.RuleType + ".")
		}
		if aerr := e.patchRule(r, o); aerr != nil {
			return aerr
		}
	}
	return crossCheck(rs)
}

func findRuleFold(rs []rule, id string) *rule {
	for i := range rs {
		if strings.EqualFold(rs[i].ID, id) {
			return &rs[i]
		}
	}
	return nil
}

func (e *Engine) patchRule(r *rule, o object) *apiError {
	if raw, ok := o["target"]; ok && string(raw) != "null" {
		if aerr := patchTarget(&r.Target, raw); aerr != nil {
			return aerr
		}
	}
	switch r.RuleType {
	case ruleExpiration:
		return patchExpiration(r, o)
	case ruleEnablement:
		return patchEnablement(r, o)
	case ruleApproval:
		return patchApproval(r, o)
	case ruleAuthContext:
		if aerr := field(o, "isEnabled", &r.IsEnabled); aerr != nil {
			return aerr
		}
		if aerr := field(o, "claimValue", &r.ClaimValue); aerr != nil {
			return aerr
		}
		if r.IsEnabled && strings.TrimSpace(r.ClaimValue) == "" {
			return errInvalidRule("claimValue is required when the authentication context rule is enabled.")
		}
	case ruleNotify:
		return patchNotification(r, o)
	}
	return nil
}

func patchTarget(t *ruleTarget, raw json.RawMessage) *apiError {
	var o object
	if json.Unmarshal(raw, &o) != nil {
		return errInvalidRule("Property 'target' has an invalid value.")
	}
	var callerName, level string
	var ops []string
	for key, dst := range map[string]*string{"caller": &callerName, "level": &level} {
		if aerr := field(o, key, dst); aerr != nil {
			return aerr
		}
	}
	if (callerName != "" && !strings.EqualFold(callerName, t.Caller)) || (level != "" && !strings.EqualFold(level, t.Level)) {
		return errInvalidRule("The caller and level of a rule's target cannot be changed.")
	}
	if aerr := field(o, "operations", &ops); aerr != nil {
		return aerr
	}
	if ops != nil {
		canon := make([]string, 0, len(ops))
		for _, op := range ops {
			c, ok := canonical(ruleOperations, op)
			if !ok {
				return errInvalidRule("Unsupported operation '" + op + "'.")
			}
			canon = append(canon, c)
		}
		t.Operations = canon
	}
	return nil
}

func patchExpiration(r *rule, o object) *apiError {
	if aerr := field(o, "isExpirationRequired", &r.IsExpirationRequired); aerr != nil {
		return aerr
	}
	if raw, ok := o["maximumDuration"]; ok {
		var s *string
		if json.Unmarshal(raw, &s) != nil {
			return errInvalidRule("Property 'maximumDuration' has an invalid value.")
		}
		r.MaximumDuration = ""
		if s != nil && *s != "" {
			d, err := pim.ParseDuration(*s)
			if err != nil || d <= 0 {
				return errInvalidRule("maximumDuration '" + *s + "' is not a supported duration.")
			}
			if r.Target.Caller == "EndUser" && d > maxActivation {
				return errInvalidRule("The maximum activation duration cannot exceed 24 hours.")
			}
			r.MaximumDuration = pim.FormatDuration(d)
		}
	}
	if r.IsExpirationRequired && r.MaximumDuration == "" {
		// azuread#1537: expiration required without a maximum is refused as an invalid policy.
		return errorf(400, "InvalidPolicy", "The policy is invalid. maximumDuration is required when expiration is required (rule %s).", r.ID)
	}
	return nil
}

func patchEnablement(r *rule, o object) *apiError {
	raw, ok := o["enabledRules"]
	if !ok {
		return nil
	}
	var vals []string
	if string(raw) != "null" && json.Unmarshal(raw, &vals) != nil {
		return errInvalidRule("Property 'enabledRules' has an invalid value.")
	}
	out := []string{}
	for _, v := range vals {
		c, ok := canonical(enablementValues, v)
		if !ok {
			return errInvalidRule("Unsupported enabled rule '" + v + "'.")
		}
		if c == "Ticketing" && r.Target.Caller == "Admin" {
			// Observed (azurerm#33068): ticketing exists only for activation.
			return errorf(400, "InvalidPolicyEnabledRules", "The enabled rules of rule '%s' are invalid: Ticketing is not supported for admin assignments.", r.ID)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	r.EnabledRules = out
	return nil
}

func patchNotification(r *rule, o object) *apiError {
	var recipient, level, typ string
	for key, dst := range map[string]*string{"recipientType": &recipient, "notificationLevel": &level, "notificationType": &typ} {
		if aerr := field(o, key, dst); aerr != nil {
			return aerr
		}
	}
	if recipient != "" && !strings.EqualFold(recipient, r.RecipientType) {
		return errInvalidRule("The recipientType of a notification rule cannot be changed.")
	}
	if level != "" {
		c, ok := canonical(notifyLevels, level)
		if !ok {
			return errInvalidRule("Unsupported notificationLevel '" + level + "'.")
		}
		r.NotificationLevel = c
	}
	if typ != "" && !strings.EqualFold(typ, "Email") {
		return errInvalidRule("Unsupported notificationType '" + typ + "'.")
	}
	if aerr := field(o, "isDefaultRecipientsEnabled", &r.IsDefaultRecipientsEnabled); aerr != nil {
		return aerr
	}
	if _, ok := o["notificationRecipients"]; ok {
		var recipients []string
		if aerr := field(o, "notificationRecipients", &recipients); aerr != nil {
			return aerr
		}
		r.NotificationRecipients = nonNil(recipients)
	}
	return nil
}

func patchApproval(r *rule, o object) *apiError {
	raw, ok := o["setting"]
	if !ok || string(raw) == "null" {
		return nil
	}
	var so object
	if json.Unmarshal(raw, &so) != nil {
		return errInvalidRule("Property 'setting' has an invalid value.")
	}
	s := r.Setting
	for key, dst := range map[string]*bool{"isApprovalRequired": &s.IsApprovalRequired,
		"isApprovalRequiredForExtension":   &s.IsApprovalRequiredForExtension,
		"isRequestorJustificationRequired": &s.IsRequestorJustificationRequired} {
		if aerr := field(so, key, dst); aerr != nil {
			return aerr
		}
	}
	var mode string
	if aerr := field(so, "approvalMode", &mode); aerr != nil {
		return aerr
	}
	if mode != "" {
		c, ok := canonical(approvalModes, mode)
		if !ok {
			return errInvalidRule("Unsupported approvalMode '" + mode + "'.")
		}
		s.ApprovalMode = c
	}
	if rawStages, ok := so["approvalStages"]; ok && string(rawStages) != "null" {
		var stages []object
		if json.Unmarshal(rawStages, &stages) != nil {
			return errInvalidRule("Property 'approvalStages' has an invalid value.")
		}
		if len(stages) > 2 {
			return errInvalidRule("At most two approval stages are supported.")
		}
		out := make([]approvalStage, 0, len(stages))
		for i, so := range stages {
			st := approvalStage{TimeoutDays: 1, ApproverJustificationRequired: true}
			if i < len(s.ApprovalStages) {
				st = s.ApprovalStages[i]
			}
			if aerr := patchStage(&st, so); aerr != nil {
				return aerr
			}
			out = append(out, st)
		}
		s.ApprovalStages = out
	}
	if s.IsApprovalRequired && len(s.ApprovalStages) == 0 {
		return errInvalidRule("An approval stage is required when approval is required.")
	}
	return nil
}

func patchStage(st *approvalStage, o object) *apiError {
	if aerr := field(o, "approvalStageTimeOutInDays", &st.TimeoutDays); aerr != nil {
		return aerr
	}
	if st.TimeoutDays < 1 {
		return errInvalidRule("approvalStageTimeOutInDays must be at least 1.")
	}
	for key, dst := range map[string]*bool{"isApproverJustificationRequired": &st.ApproverJustificationRequired, "isEscalationEnabled": &st.EscalationEnabled} {
		if aerr := field(o, key, dst); aerr != nil {
			return aerr
		}
	}
	if aerr := field(o, "escalationTimeInMinutes", &st.EscalationMinutes); aerr != nil {
		return aerr
	}
	for key, dst := range map[string]*[]userSet{"primaryApprovers": &st.Primary, "escalationApprovers": &st.Escalation} {
		if _, ok := o[key]; !ok {
			continue
		}
		var in []userSet
		if aerr := field(o, key, &in); aerr != nil {
			return aerr
		}
		out := []userSet{}
		for _, u := range in {
			t, ok := canonical(userTypes, u.UserType)
			if !ok {
				return errInvalidRule("Approver userType must be User or Group, not '" + u.UserType + "'.")
			}
			if !guidPattern.MatchString(u.ID) {
				return errInvalidRule("Approver id '" + u.ID + "' must be an object ID.")
			}
			out = append(out, userSet{ID: strings.ToLower(u.ID), UserType: t, IsBackup: u.IsBackup})
		}
		*dst = out
	}
	return nil
}

// crossCheck refuses combinations of rules PIM does not allow together.
func crossCheck(rs []rule) *apiError {
	if ac := findRule(rs, "AuthenticationContext_EndUser_Assignment"); ac != nil && ac.IsEnabled &&
		enabled(findRule(rs, "Enablement_EndUser_Assignment"), "MultiFactorAuthentication") {
		return errorf(400, "InvalidPolicy", "The policy is invalid. Multi-factor authentication and an authentication context cannot both be required on activation.")
	}
	return nil
}
