package pim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// PolicyRejectedError is RoleAssignmentRequestPolicyValidationFailed: a PIM policy rejected a request (an
// activation, an eligibility). Failed are the checks the service names, each with the policy rule that
// holds its setting for the request's caller and level, so the caller can say which setting to change.
// Graph and ARM name the same checks.
type PolicyRejectedError struct {
	Failed []FailedCheck
	Err    error
}

// FailedCheck is one check a request failed: the service's name for it and the policy rule holding its
// setting (empty when no rule does, as for EligibilityRule).
type FailedCheck struct {
	Name string
	Rule RuleID
}

// The check names of RoleAssignmentRequestPolicyValidationFailed.
const (
	FailedExpiration    = "ExpirationRule"
	FailedJustification = "JustificationRule"
	FailedTicketing     = "TicketingRule"
	FailedMFA           = "MfaRule"
	FailedEligibility   = "EligibilityRule"
	// FailedUnnamed stands for a rejection whose message names no check.
	FailedUnnamed = "(unnamed rule)"
)

func (e *PolicyRejectedError) Error() string {
	parts := make([]string, 0, len(e.Failed))
	for _, f := range e.Failed {
		if f.Rule != "" {
			parts = append(parts, fmt.Sprintf("%s (policy rule %s)", f.Name, f.Rule))
		} else {
			parts = append(parts, f.Name)
		}
	}
	return "the PIM policy rejected the request: " + strings.Join(parts, ", ")
}

func (e *PolicyRejectedError) Unwrap() error { return e.Err }

// Has reports whether the request failed the check of that name.
func (e *PolicyRejectedError) Has(name string) bool {
	for _, f := range e.Failed {
		if f.Name == name {
			return true
		}
	}
	return false
}

// Names are the names of the failed checks.
func (e *PolicyRejectedError) Names() []string {
	out := make([]string, 0, len(e.Failed))
	for _, f := range e.Failed {
		out = append(out, f.Name)
	}
	return out
}

var policyFailedList = regexp.MustCompile(`\[[^\]]*\]`)

// policyRejected reads the failed checks from the message ("The following policy rules failed:
// [\"ExpirationRule\"]") of a request made at scope (caller and level).
func policyRejected(message string, scope ruleScope, err error) *PolicyRejectedError {
	pe := &PolicyRejectedError{Err: err}
	if m := policyFailedList.FindString(message); m != "" {
		var names []string
		if json.Unmarshal([]byte(m), &names) != nil {
			for _, n := range strings.Split(strings.Trim(m, "[]"), ",") {
				names = append(names, strings.Trim(strings.TrimSpace(n), `"'`))
			}
		}
		for _, n := range names {
			if n != "" {
				pe.Failed = append(pe.Failed, FailedCheck{Name: n, Rule: failedCheckRule(n, scope)})
			}
		}
	}
	if len(pe.Failed) == 0 {
		pe.Failed = []FailedCheck{{Name: FailedUnnamed}}
	}
	return pe
}

// ParsePolicyRejection reads the failed checks of a RoleAssignmentRequestPolicyValidationFailed message
// for a request by caller ("Admin", "EndUser") at level ("Eligibility", "Assignment"): how another API
// carrying the same policy rules (ARM's role management policies) reports its rejections.
func ParsePolicyRejection(message, caller, level string, err error) *PolicyRejectedError {
	return policyRejected(message, ruleScope(caller+"_"+level), err)
}

// failedCheckRule is the rule at scope that holds the setting a check enforces: the expiration rule for
// ExpirationRule, the enablement rule for justification, ticket and MFA.
func failedCheckRule(name string, scope ruleScope) RuleID {
	var kind string
	switch name {
	case FailedExpiration:
		kind = "Expiration"
	case FailedJustification, FailedTicketing, FailedMFA:
		kind = "Enablement"
	default:
		return ""
	}
	id, _ := RuleIDFromString(kind + "_" + string(scope))
	return id
}
