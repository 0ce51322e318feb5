package armpim

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// requestBody is the body of a PUT to roleEligibilityScheduleRequests or roleAssignmentScheduleRequests
// (and of their validate action). Read-only properties a client echoes back are ignored.
type requestBody struct {
	Properties *requestInput `json:"properties"`
}

type requestInput struct {
	PrincipalID      string                 `json:"principalId"`
	RoleDefinitionID string                 `json:"roleDefinitionId"`
	RequestType      string                 `json:"requestType"`
	ScheduleInfo     *pimcore.ScheduleInput `json:"scheduleInfo"`
	Justification    *string                `json:"justification"`
	TicketInfo       *pimcore.TicketInput   `json:"ticketInfo"`
	Condition        *string                `json:"condition"`
	ConditionVersion *string                `json:"conditionVersion"`
	LinkedEligible   *string                `json:"linkedRoleEligibilityScheduleId"`
	TargetSchedule   *string                `json:"-"`
	TargetInstance   *string                `json:"-"`
}

// Request types (2020-10-01 RequestType enum) and schedule expiration types, in their canonical spelling;
// input compares case-insensitively.
const (
	reqAdminAssign    = "AdminAssign"
	reqAdminRemove    = "AdminRemove"
	reqAdminUpdate    = "AdminUpdate"
	reqAdminExtend    = "AdminExtend"
	reqAdminRenew     = "AdminRenew"
	reqSelfActivate   = "SelfActivate"
	reqSelfDeactivate = "SelfDeactivate"
	reqSelfExtend     = "SelfExtend"
	reqSelfRenew      = "SelfRenew"

	expAfterDuration = "AfterDuration"
	expAfterDateTime = "AfterDateTime"
	expNone          = "NoExpiration"
)

var (
	requestTypes    = []string{reqAdminAssign, reqAdminRemove, reqAdminUpdate, reqAdminExtend, reqAdminRenew, reqSelfActivate, reqSelfDeactivate, reqSelfExtend, reqSelfRenew}
	expirationTypes = []string{expAfterDuration, expAfterDateTime, expNone}
	guidPattern     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	roleDefPattern  = regexp.MustCompile(`(?i)^(?:/.*)?/providers/Microsoft\.Authorization/roleDefinitions/([0-9a-f-]{36})$`)
)

func isRemoval(t string) bool { return t == reqAdminRemove || t == reqSelfDeactivate }

func isSelf(t string) bool { return strings.HasPrefix(t, "Self") }

// decodeRequest reads a request body; the target schedule and instance IDs have kind-specific names.
func decodeRequest(k pimcore.Kind, body []byte) (*requestInput, *apiError) {
	var b requestBody
	if err := json.Unmarshal(body, &b); err != nil || b.Properties == nil {
		return nil, errBadBody("'properties' is required.")
	}
	in := b.Properties
	var raw struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(body, &raw)
	prefix := "targetRoleEligibilitySchedule"
	if k == pimcore.Assignment {
		prefix = "targetRoleAssignmentSchedule"
	}
	for key, dst := range map[string]**string{prefix + "Id": &in.TargetSchedule, prefix + "InstanceId": &in.TargetInstance} {
		if v, ok := raw.Properties[key]; ok {
			var s *string
			if json.Unmarshal(v, &s) != nil {
				return nil, errBadBody("'" + key + "' must be a string.")
			}
			*dst = s
		}
	}
	return in, nil
}

// validateShape checks a request body on its own and returns the normalised request; scope is the
// canonical scope of the route.
func (e *Engine) validateShape(k pimcore.Kind, scope string, in *requestInput, now time.Time) (*request, *apiError) {
	rt, ok := pimcore.Canonical(requestTypes, in.RequestType)
	if !ok {
		return nil, errBadBody("'" + in.RequestType + "' is not a valid requestType.")
	}
	switch {
	case k == pimcore.Eligibility && isSelf(rt):
		return nil, errInvalid("Request type '" + rt + "' is not supported for role eligibilities.")
	case rt == reqSelfExtend || rt == reqSelfRenew:
		return nil, errInvalid("Request type '" + rt + "' is not supported by the emulator.")
	}
	m := roleDefPattern.FindStringSubmatch(in.RoleDefinitionID)
	if m == nil {
		return nil, errInvalid("roleDefinitionId '" + in.RoleDefinitionID + "' is not a role definition ID.")
	}
	if !guidPattern.MatchString(in.PrincipalID) {
		return nil, errInvalid("principalId must be an object ID.")
	}
	r := &request{RequestType: rt, Request: pimcore.Request{Kind: k, Start: now, Justification: in.Justification},
		Condition: in.Condition, ConditionVersion: in.ConditionVersion,
		target: target{Scope: scope, RoleID: strings.ToLower(m[1]), PrincipalID: strings.ToLower(in.PrincipalID)}}
	if in.Condition != nil && in.ConditionVersion != nil && *in.ConditionVersion != "2.0" {
		return nil, errorf(400, "InvalidConditionVersion", "The condition version '%s' is not supported. Supported version is '2.0'.", *in.ConditionVersion)
	}
	if in.TicketInfo != nil {
		r.TicketNumber, r.TicketSystem = in.TicketInfo.TicketNumber, in.TicketInfo.TicketSystem
	}
	if in.LinkedEligible != nil {
		r.LinkedEligible = lastSegment(*in.LinkedEligible)
	}
	if in.TargetSchedule != nil {
		r.TargetSchedule = lastSegment(*in.TargetSchedule)
	}
	if isRemoval(rt) || in.ScheduleInfo == nil {
		if !isRemoval(rt) {
			return nil, errInvalid("scheduleInfo is required for request type '" + rt + "'.")
		}
		// The service ignores the schedule of a removal.
		return r, nil
	}
	return r, e.readSchedule(k, r, in.ScheduleInfo, now)
}

// readSchedule fills the request's start and expiration from scheduleInfo.
func (e *Engine) readSchedule(k pimcore.Kind, r *request, si *pimcore.ScheduleInput, now time.Time) *apiError {
	r.HasSchedule = true
	if len(si.Recurrence) > 0 && string(si.Recurrence) != "null" {
		return errInvalid("Recurrence is not supported.")
	}
	if si.StartDateTime != nil && *si.StartDateTime != "" {
		t, err := time.Parse(time.RFC3339Nano, *si.StartDateTime)
		if err != nil {
			return errBadBody("startDateTime is not a date-time.")
		}
		// A start in the past is the time the request is processed.
		if t.After(now) {
			r.Start = t.UTC()
		}
	}
	r.Expiration = pimcore.Expiration{Type: expNone}
	if si.Expiration != nil && si.Expiration.Type != nil && *si.Expiration.Type != "" {
		typ, ok := pimcore.Canonical(expirationTypes, *si.Expiration.Type)
		if !ok {
			return errBadBody("'" + *si.Expiration.Type + "' is not a valid expiration type.")
		}
		r.Expiration.Type = typ
	}
	switch r.Expiration.Type {
	case expAfterDuration:
		if si.Expiration.Duration == nil || *si.Expiration.Duration == "" {
			// Reported (azure-rest-api-specs#24242): eligibility requests take a null duration as no
			// expiration, assignment requests refuse it.
			if k == pimcore.Eligibility {
				r.Expiration = pimcore.Expiration{Type: expNone}
				return nil
			}
			return errInvalid("duration is required with AfterDuration.")
		}
		d, err := pimcore.ParseDuration(*si.Expiration.Duration, true)
		if err != nil || d <= 0 {
			return errInvalid("The duration '" + *si.Expiration.Duration + "' is not supported.")
		}
		r.Expiration.Duration = pimcore.FormatDuration(d)
	case expAfterDateTime:
		if si.Expiration.EndDateTime == nil {
			return errInvalid("endDateTime is required with AfterDateTime.")
		}
		t, err := time.Parse(time.RFC3339Nano, *si.Expiration.EndDateTime)
		if err != nil {
			return errBadBody("endDateTime is not a date-time.")
		}
		t = t.UTC()
		r.Expiration.End = &t
	}
	if end := r.End(); end != nil {
		if !end.After(r.Start) {
			return errInvalid("The schedule ends before it starts.")
		}
		if end.Sub(r.Start) < e.cfg.MinimumActiveAge {
			return errInvalid("The schedule is shorter than the minimum duration of " + pimcore.FormatDuration(e.cfg.MinimumActiveAge) + ".")
		}
	}
	return nil
}

// lastSegment accepts a bare name or a resource ID ending in it.
func lastSegment(s string) string {
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	return strings.ToLower(s)
}
