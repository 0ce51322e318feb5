package pimcore

import (
	"encoding/json"
	"slices"
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
)

// maxActivation is the longest activation a policy may allow (PIM's 24-hour cap).
const maxActivation = 24 * time.Hour

// Object is a JSON object as it came in, read property by property: a PATCH changes only what it names.
type Object = map[string]json.RawMessage

// RuleError is a rule PATCH refused. Code "" is the API's own code for an invalid rule.
type RuleError struct {
	Code    string
	Message string
}

func invalid(msg string) *RuleError { return &RuleError{Message: msg} }

// Dialect is where the two APIs merge a rule PATCH differently.
type Dialect struct {
	// TargetSettings: the target's inheritableSettings and enforcedSettings are written (Graph; ARM
	// ignores them).
	TargetSettings bool
	// NullKeeps: a null claimValue or approvalStages keeps what was there and an empty maximumDuration
	// clears it (ARM); Graph clears on null and refuses the empty duration.
	NullKeeps bool
	// Weeks: maximumDuration may use the W designator.
	Weeks bool
	// Approvers reads a list of approvers (primaryApprovers, escalationApprovers) in the API's shape.
	Approvers func(key string, raw json.RawMessage) ([]Approver, *RuleError)
	// NoMaximum is the refusal of an expiration rule that requires expiration without a maximum.
	NoMaximum func(r *Rule) *RuleError
	// Ticketing, when set, refuses Ticketing in an enablement rule for which it returns an error.
	Ticketing func(r *Rule) *RuleError
}

// Canonical returns the spelling from allowed that equals v case-insensitively: the services accept
// PascalCase enum input and answer their own spelling.
func Canonical(allowed []string, v string) (string, bool) {
	for _, a := range allowed {
		if strings.EqualFold(a, v) {
			return a, true
		}
	}
	return "", false
}

// Field decodes the property key of o into dst when o has it.
func Field[T any](o Object, key string, dst *T) *RuleError {
	raw, ok := o[key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return invalid("Property '" + key + "' has an invalid value.")
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return string(raw) == "null" }

// Patch merges the properties of a rule PATCH body into r: its target, then those of its kind. The
// API has checked what names the rule (ID, type).
func (d Dialect) Patch(r *Rule, o Object) *RuleError {
	if raw, ok := o["target"]; ok && !isNull(raw) {
		if rerr := d.patchTarget(&r.Target, raw); rerr != nil {
			return rerr
		}
	}
	switch r.Kind {
	case RuleExpiration:
		return d.patchExpiration(r, o)
	case RuleEnablement:
		return d.patchEnablement(r, o)
	case RuleApproval:
		return d.patchApproval(r, o)
	case RuleAuthenticationContext:
		if rerr := Field(o, "isEnabled", &r.IsEnabled); rerr != nil {
			return rerr
		}
		if raw, ok := o["claimValue"]; !ok || !d.NullKeeps || !isNull(raw) {
			if rerr := Field(o, "claimValue", &r.ClaimValue); rerr != nil {
				return rerr
			}
		}
		if r.IsEnabled && Blank(r.ClaimValue) {
			return invalid("claimValue is required when the authentication context rule is enabled.")
		}
	case RuleNotification:
		return patchNotification(r, o)
	}
	return nil
}

func (d Dialect) patchTarget(t *Target, raw json.RawMessage) *RuleError {
	var o Object
	if json.Unmarshal(raw, &o) != nil {
		return invalid("Property 'target' has an invalid value.")
	}
	var caller, level string
	if rerr := Field(o, "caller", &caller); rerr != nil {
		return rerr
	}
	if rerr := Field(o, "level", &level); rerr != nil {
		return rerr
	}
	if (caller != "" && !strings.EqualFold(caller, t.Caller)) || (level != "" && !strings.EqualFold(level, t.Level)) {
		return invalid("The caller and level of a rule's target cannot be changed.")
	}
	var ops []string
	if rerr := Field(o, "operations", &ops); rerr != nil {
		return rerr
	}
	if ops != nil {
		canon := make([]string, 0, len(ops))
		for _, op := range ops {
			c, ok := Canonical(ruleOperations, op)
			if !ok {
				return invalid("Unsupported operation '" + op + "'.")
			}
			canon = append(canon, c)
		}
		t.Operations = canon
	}
	if !d.TargetSettings {
		return nil
	}
	for key, dst := range map[string]*[]string{"inheritableSettings": &t.InheritableSettings, "enforcedSettings": &t.EnforcedSettings} {
		var v []string
		if rerr := Field(o, key, &v); rerr != nil {
			return rerr
		}
		if _, ok := o[key]; ok {
			*dst = NonNil(v)
		}
	}
	return nil
}

func (d Dialect) patchExpiration(r *Rule, o Object) *RuleError {
	if rerr := Field(o, "isExpirationRequired", &r.IsExpirationRequired); rerr != nil {
		return rerr
	}
	var maxDur *string
	if rerr := Field(o, "maximumDuration", &maxDur); rerr != nil {
		return rerr
	}
	if _, ok := o["maximumDuration"]; ok {
		r.MaximumDuration = ""
		if maxDur != nil && (*maxDur != "" || !d.NullKeeps) {
			dur, err := ParseDuration(*maxDur, d.Weeks)
			if err != nil || dur <= 0 {
				return invalid("maximumDuration '" + *maxDur + "' is not a supported duration.")
			}
			if r.Target.Caller == "EndUser" && dur > maxActivation {
				return invalid("The maximum activation duration cannot exceed 24 hours.")
			}
			r.MaximumDuration = FormatDuration(dur)
		}
	}
	if r.IsExpirationRequired && r.MaximumDuration == "" {
		return d.NoMaximum(r)
	}
	return nil
}

func (d Dialect) patchEnablement(r *Rule, o Object) *RuleError {
	var vals []string
	if rerr := Field(o, "enabledRules", &vals); rerr != nil {
		return rerr
	}
	if _, ok := o["enabledRules"]; !ok {
		return nil
	}
	out := []string{}
	for _, v := range vals {
		c, ok := Canonical(enablementValues, v)
		if !ok {
			return invalid("Unsupported enabled rule '" + v + "'.")
		}
		if c == "Ticketing" && d.Ticketing != nil {
			if rerr := d.Ticketing(r); rerr != nil {
				return rerr
			}
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	r.EnabledRules = out
	return nil
}

func patchNotification(r *Rule, o Object) *RuleError {
	var recipient, level, typ string
	for key, dst := range map[string]*string{"recipientType": &recipient, "notificationLevel": &level, "notificationType": &typ} {
		if rerr := Field(o, key, dst); rerr != nil {
			return rerr
		}
	}
	if recipient != "" && !strings.EqualFold(recipient, r.RecipientType) {
		return invalid("The recipientType of a notification rule cannot be changed.")
	}
	if level != "" {
		c, ok := Canonical(notificationLevel, level)
		if !ok {
			return invalid("Unsupported notificationLevel '" + level + "'.")
		}
		r.NotificationLevel = c
	}
	if typ != "" {
		c, ok := Canonical(notificationTypes, typ)
		if !ok {
			return invalid("Unsupported notificationType '" + typ + "'.")
		}
		r.NotificationType = c
	}
	if rerr := Field(o, "isDefaultRecipientsEnabled", &r.IsDefaultRecipientsEnabled); rerr != nil {
		return rerr
	}
	var recipients []string
	if rerr := Field(o, "notificationRecipients", &recipients); rerr != nil {
		return rerr
	}
	if _, ok := o["notificationRecipients"]; ok {
		r.NotificationRecipients = NonNil(recipients)
	}
	return nil
}

func (d Dialect) patchApproval(r *Rule, o Object) *RuleError {
	raw, ok := o["setting"]
	if !ok || isNull(raw) {
		return nil
	}
	var so Object
	if json.Unmarshal(raw, &so) != nil {
		return invalid("Property 'setting' has an invalid value.")
	}
	s := r.Setting
	for key, dst := range map[string]*bool{"isApprovalRequired": &s.IsApprovalRequired,
		"isApprovalRequiredForExtension":   &s.IsApprovalRequiredForExtension,
		"isRequestorJustificationRequired": &s.IsRequestorJustificationRequired} {
		if rerr := Field(so, key, dst); rerr != nil {
			return rerr
		}
	}
	var mode string
	if rerr := Field(so, "approvalMode", &mode); rerr != nil {
		return rerr
	}
	if mode != "" {
		c, ok := Canonical(approvalModes, mode)
		if !ok {
			return invalid("Unsupported approvalMode '" + mode + "'.")
		}
		s.ApprovalMode = c
	}
	if rawStages, ok := so["approvalStages"]; ok && (!d.NullKeeps || !isNull(rawStages)) {
		var stages []Object
		if json.Unmarshal(rawStages, &stages) != nil {
			return invalid("Property 'approvalStages' has an invalid value.")
		}
		if len(stages) > 2 {
			return invalid("At most two approval stages are supported.")
		}
		out := make([]ApprovalStage, 0, len(stages))
		for i, so := range stages {
			st := DefaultStage()
			if i < len(s.ApprovalStages) {
				st = s.ApprovalStages[i]
			}
			if rerr := d.patchStage(&st, so); rerr != nil {
				return rerr
			}
			out = append(out, st)
		}
		s.ApprovalStages = out
	}
	if s.IsApprovalRequired && len(s.ApprovalStages) == 0 {
		return invalid("An approval stage is required when approval is required.")
	}
	return nil
}

func (d Dialect) patchStage(st *ApprovalStage, o Object) *RuleError {
	if rerr := Field(o, "approvalStageTimeOutInDays", &st.TimeoutDays); rerr != nil {
		return rerr
	}
	if st.TimeoutDays < 1 {
		return invalid("approvalStageTimeOutInDays must be at least 1.")
	}
	for key, dst := range map[string]*bool{"isApproverJustificationRequired": &st.ApproverJustificationRequired,
		"isEscalationEnabled": &st.EscalationEnabled} {
		if rerr := Field(o, key, dst); rerr != nil {
			return rerr
		}
	}
	if rerr := Field(o, "escalationTimeInMinutes", &st.EscalationMinutes); rerr != nil {
		return rerr
	}
	for key, dst := range map[string]*[]Approver{"primaryApprovers": &st.Primary, "escalationApprovers": &st.Escalation} {
		if raw, ok := o[key]; ok {
			approvers, rerr := d.Approvers(key, raw)
			if rerr != nil {
				return rerr
			}
			*dst = approvers
		}
	}
	return nil
}

// Blank reports whether an optional text is missing or only white space.
func Blank(s *string) bool { return s == nil || strings.TrimSpace(*s) == "" }
