package pim

import (
	"encoding/json"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// rule is one of the 17 rules of a group's policy (pimcore's model, shared with PIM for Azure resources).
type rule = pimcore.Rule

// ruleType is a rule's @odata.type without the namespace: unifiedRoleManagementPolicyExpirationRule, ...
func ruleType(k pimcore.RuleKind) string { return "unifiedRoleManagementPolicy" + string(k) + "Rule" }

// Approver types of an approval stage: subjectSet's derived types.
const (
	subjectSingleUser   = "singleUser"
	subjectGroupMembers = "groupMembers"
)

var subjectKinds = []string{subjectSingleUser, subjectGroupMembers}

// defaultRules returns the 17 rules of a fresh group's policy (reference §6.2, the documented owner
// policy; the member policy is assumed identical).
func defaultRules() []rule { return pimcore.DefaultRules(false) }

// dialect is how Graph merges a rule PATCH: the target's settings are written, a null clears, weeks as
// the configuration says, approvers as subjectSets.
func (e *Engine) dialect() pimcore.Dialect {
	return pimcore.Dialect{
		TargetSettings: true,
		Weeks:          !e.cfg.RejectWeekDurations,
		Approvers:      parseSubjects,
		NoMaximum: func(*rule) *pimcore.RuleError {
			return &pimcore.RuleError{Message: "maximumDuration is required when expiration is required."}
		},
	}
}

// applyRulePatch merges a rule PATCH body into r. The body must name the rule's derived type in
// @odata.type; only the properties supplied change.
func (e *Engine) applyRulePatch(r *rule, o pimcore.Object) *apiError {
	raw, ok := o["@odata.type"]
	if !ok {
		return errInvalidRule("The request body must specify '@odata.type' of the rule.")
	}
	typ, ok := stripType(raw)
	if !ok || !strings.EqualFold(typ, "microsoft.graph."+ruleType(r.Kind)) {
		return errInvalidRule("The '@odata.type' of the request does not match the type of rule '" + r.ID + "'.")
	}
	if rawID, ok := o["id"]; ok {
		var id string
		if json.Unmarshal(rawID, &id) != nil || !strings.EqualFold(id, r.ID) {
			return errInvalidRule("The rule ID in the body does not match the rule being updated.")
		}
	}
	if rerr := e.dialect().Patch(r, o); rerr != nil {
		return errInvalidRule(rerr.Message)
	}
	return nil
}

// stripType normalises an @odata.type value: clients send it with or without the leading "#".
func stripType(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil || s == "" {
		return "", false
	}
	return strings.TrimPrefix(s, "#"), true
}

// parseSubjects reads primaryApprovers or escalationApprovers: singleUser (userId) and groupMembers
// (groupId) subject sets.
func parseSubjects(key string, raw json.RawMessage) ([]pimcore.Approver, *pimcore.RuleError) {
	var subjects []pimcore.Object
	if json.Unmarshal(raw, &subjects) != nil {
		return nil, &pimcore.RuleError{Message: "Property '" + key + "' has an invalid value."}
	}
	out := []pimcore.Approver{}
	for _, so := range subjects {
		typ, _ := stripType(so["@odata.type"])
		k, ok := pimcore.Canonical(subjectKinds, strings.TrimPrefix(typ, "microsoft.graph."))
		if !ok {
			return nil, &pimcore.RuleError{Message: "Unsupported approver type '" + typ + "'."}
		}
		idKey := map[string]string{subjectSingleUser: "userId", subjectGroupMembers: "groupId"}[k]
		var id string
		if rerr := pimcore.Field(so, idKey, &id); rerr != nil {
			return nil, rerr
		}
		if !guidPattern.MatchString(id) {
			return nil, &pimcore.RuleError{Message: "Approver '" + idKey + "' must be an object ID."}
		}
		out = append(out, pimcore.Approver{ID: strings.ToLower(id), Group: k == subjectGroupMembers})
	}
	return out, nil
}
