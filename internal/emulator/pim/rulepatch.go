package pim

import (
	"encoding/json"
	"strings"
	"time"
)

// Canonical spellings of the policy enums; input compares case-insensitively (reference §6.2 notes
// "All" for groups but "all" for directory roles).
var (
	ruleOperations    = []string{"All", "Activate", "Deactivate", "Assign", "Update", "Remove", "Extend", "Renew"}
	enablementValues  = []string{"Justification", "MultiFactorAuthentication", "Ticketing"}
	approvalModes     = []string{"SingleStage", "Serial", "Parallel", "NoApproval"}
	notificationLevel = []string{"None", "Critical", "All"}
	notificationTypes = []string{"Email"}
	subjectKinds      = []string{subjectSingleUser, subjectGroupMembers}
)

// maxActivation is the longest activation a policy may allow (PIM's 24-hour cap).
const maxActivation = 24 * time.Hour

type object = map[string]json.RawMessage

// stripType normalises an @odata.type value: clients send it with or without the leading "#".
func stripType(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil || s == "" {
		return "", false
	}
	return strings.TrimPrefix(s, "#"), true
}

func decodeField[T any](o object, key string, dst *T) *apiError {
	raw, ok := o[key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return errInvalidRule("Property '" + key + "' has an invalid value.")
	}
	return nil
}

// applyRulePatch merges a rule PATCH body into r. The body must name the rule's derived type in
// @odata.type; only the properties supplied change.
func (e *Engine) applyRulePatch(r *rule, o object) *apiError {
	raw, ok := o["@odata.type"]
	if !ok {
		return errInvalidRule("The request body must specify '@odata.type' of the rule.")
	}
	typ, ok := stripType(raw)
	if !ok || !strings.EqualFold(typ, "microsoft.graph."+r.Kind) {
		return errInvalidRule("The '@odata.type' of the request does not match the type of rule '" + r.ID + "'.")
	}
	if rawID, ok := o["id"]; ok {
		var id string
		if json.Unmarshal(rawID, &id) != nil || !strings.EqualFold(id, r.ID) {
			return errInvalidRule("The rule ID in the body does not match the rule being updated.")
		}
	}
	if rawTarget, ok := o["target"]; ok && string(rawTarget) != "null" {
		if aerr := patchTarget(&r.Target, rawTarget); aerr != nil {
			return aerr
		}
	}
	switch r.Kind {
	case ruleExpiration:
		return e.patchExpiration(r, o)
	case ruleEnablement:
		return patchEnablement(r, o)
	case ruleApproval:
		return e.patchApproval(r, o)
	case ruleAuthenticationContext:
		if aerr := decodeField(o, "isEnabled", &r.IsEnabled); aerr != nil {
			return aerr
		}
		if aerr := decodeField(o, "claimValue", &r.ClaimValue); aerr != nil {
			return aerr
		}
		if r.IsEnabled && blank(r.ClaimValue) {
			return errInvalidRule("claimValue is required when the authentication context rule is enabled.")
		}
	case ruleNotification:
		return patchNotification(r, o)
	}
	return nil
}

func patchTarget(t *ruleTarget, raw json.RawMessage) *apiError {
	var o object
	if json.Unmarshal(raw, &o) != nil {
		return errInvalidRule("Property 'target' has an invalid value.")
	}
	var caller, level string
	if aerr := decodeField(o, "caller", &caller); aerr != nil {
		return aerr
	}
	if aerr := decodeField(o, "level", &level); aerr != nil {
		return aerr
	}
	if (caller != "" && !strings.EqualFold(caller, t.Caller)) || (level != "" && !strings.EqualFold(level, t.Level)) {
		return errInvalidRule("The caller and level of a rule's target cannot be changed.")
	}
	var ops []string
	if aerr := decodeField(o, "operations", &ops); aerr != nil {
		return aerr
	}
	if ops != nil {
		var canon []string
		for _, op := range ops {
			c, ok := canonical(ruleOperations, op)
			if !ok {
				return errInvalidRule("Unsupported operation '" + op + "'.")
			}
			canon = append(canon, c)
		}
		t.Operations = canon
	}
	for key, dst := range map[string]*[]string{"inheritableSettings": &t.InheritableSettings, "enforcedSettings": &t.EnforcedSettings} {
		var v []string
		if aerr := decodeField(o, key, &v); aerr != nil {
			return aerr
		}
		if _, ok := o[key]; ok {
			*dst = nonNil(v)
		}
	}
	return nil
}

func (e *Engine) patchExpiration(r *rule, o object) *apiError {
	if aerr := decodeField(o, "isExpirationRequired", &r.IsExpirationRequired); aerr != nil {
		return aerr
	}
	var maxDur *string
	if aerr := decodeField(o, "maximumDuration", &maxDur); aerr != nil {
		return aerr
	}
	if _, ok := o["maximumDuration"]; ok {
		if maxDur == nil {
			r.MaximumDuration = ""
		} else {
			d, err := parseDuration(*maxDur, !e.cfg.RejectWeekDurations)
			if err != nil || d <= 0 {
				return errInvalidRule("maximumDuration '" + *maxDur + "' is not a supported duration.")
			}
			if r.Target.Caller == "EndUser" && d > maxActivation {
				return errInvalidRule("The maximum activation duration cannot exceed 24 hours.")
			}
			r.MaximumDuration = formatDuration(d)
		}
	}
	if r.IsExpirationRequired && r.MaximumDuration == "" {
		return errInvalidRule("maximumDuration is required when expiration is required.")
	}
	return nil
}

func patchEnablement(r *rule, o object) *apiError {
	var vals []string
	if aerr := decodeField(o, "enabledRules", &vals); aerr != nil {
		return aerr
	}
	if _, ok := o["enabledRules"]; !ok {
		return nil
	}
	out := []string{}
	seen := map[string]bool{}
	for _, v := range vals {
		c, ok := canonical(enablementValues, v)
		if !ok {
			return errInvalidRule("Unsupported enabled rule '" + v + "'.")
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	r.EnabledRules = out
	return nil
}

func patchNotification(r *rule, o object) *apiError {
	var recipient, level, typ string
	for key, dst := range map[string]*string{"recipientType": &recipient, "notificationLevel": &level, "notificationType": &typ} {
		if aerr := decodeField(o, key, dst); aerr != nil {
			return aerr
		}
	}
	if recipient != "" && !strings.EqualFold(recipient, r.RecipientType) {
		return errInvalidRule("The recipientType of a notification rule cannot be changed.")
	}
	if level != "" {
		c, ok := canonical(notificationLevel, level)
		if !ok {
			return errInvalidRule("Unsupported notificationLevel '" + level + "'.")
		}
		r.NotificationLevel = c
	}
	if typ != "" {
		c, ok := canonical(notificationTypes, typ)
		if !ok {
			return errInvalidRule("Unsupported notificationType '" + typ + "'.")
		}
		r.NotificationType = c
	}
	if aerr := decodeField(o, "isDefaultRecipientsEnabled", &r.IsDefaultRecipientsEnabled); aerr != nil {
		return aerr
	}
	var recipients []string
	if aerr := decodeField(o, "notificationRecipients", &recipients); aerr != nil {
		return aerr
	}
	if _, ok := o["notificationRecipients"]; ok {
		r.NotificationRecipients = nonNil(recipients)
	}
	return nil
}

func (e *Engine) patchApproval(r *rule, o object) *apiError {
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
		if aerr := decodeField(so, key, dst); aerr != nil {
			return aerr
		}
	}
	var mode string
	if aerr := decodeField(so, "approvalMode", &mode); aerr != nil {
		return aerr
	}
	if mode != "" {
		c, ok := canonical(approvalModes, mode)
		if !ok {
			return errInvalidRule("Unsupported approvalMode '" + mode + "'.")
		}
		s.ApprovalMode = c
	}
	if rawStages, ok := so["approvalStages"]; ok {
		var stages []object
		if json.Unmarshal(rawStages, &stages) != nil {
			return errInvalidRule("Property 'approvalStages' has an invalid value.")
		}
		if len(stages) > 2 {
			return errInvalidRule("At most two approval stages are supported.")
		}
		base := defaultRules()
		defaultStage := findRule(base, "Approval_EndUser_Assignment").Setting.ApprovalStages[0]
		var out []approvalStage
		for i, so := range stages {
			st := defaultStage
			if i < len(s.ApprovalStages) {
				st = s.ApprovalStages[i]
			}
			if aerr := patchStage(&st, so); aerr != nil {
				return aerr
			}
			out = append(out, st)
		}
		s.ApprovalStages = out
		if s.ApprovalStages == nil {
			s.ApprovalStages = []approvalStage{}
		}
	}
	if s.IsApprovalRequired && len(s.ApprovalStages) == 0 {
		return errInvalidRule("An approval stage is required when approval is required.")
	}
	return nil
}

func patchStage(st *approvalStage, o object) *apiError {
	if aerr := decodeField(o, "approvalStageTimeOutInDays", &st.ApprovalStageTimeOutInDays); aerr != nil {
		return aerr
	}
	if st.ApprovalStageTimeOutInDays < 1 {
		return errInvalidRule("approvalStageTimeOutInDays must be at least 1.")
	}
	for key, dst := range map[string]*bool{"isApproverJustificationRequired": &st.IsApproverJustificationRequired,
		"isEscalationEnabled": &st.IsEscalationEnabled} {
		if aerr := decodeField(o, key, dst); aerr != nil {
			return aerr
		}
	}
	if aerr := decodeField(o, "escalationTimeInMinutes", &st.EscalationTimeInMinutes); aerr != nil {
		return aerr
	}
	for key, dst := range map[string]*[]subjectSet{"primaryApprovers": &st.PrimaryApprovers, "escalationApprovers": &st.EscalationApprovers} {
		raw, ok := o[key]
		if !ok {
			continue
		}
		var subjects []object
		if json.Unmarshal(raw, &subjects) != nil {
			return errInvalidRule("Property '" + key + "' has an invalid value.")
		}
		out := []subjectSet{}
		for _, so := range subjects {
			typ, _ := stripType(so["@odata.type"])
			k, ok := canonical(subjectKinds, strings.TrimPrefix(typ, "microsoft.graph."))
			if !ok {
				return errInvalidRule("Unsupported approver type '" + typ + "'.")
			}
			var ss subjectSet
			ss.Kind = k
			var id string
			idKey := map[string]string{subjectSingleUser: "userId", subjectGroupMembers: "groupId"}[k]
			if aerr := decodeField(so, idKey, &id); aerr != nil {
				return aerr
			}
			if !guidPattern.MatchString(id) {
				return errInvalidRule("Approver '" + idKey + "' must be an object ID.")
			}
			if k == subjectSingleUser {
				ss.UserID = strings.ToLower(id)
			} else {
				ss.GroupID = strings.ToLower(id)
			}
			out = append(out, ss)
		}
		*dst = out
	}
	return nil
}
