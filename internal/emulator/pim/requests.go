package pim

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// requestInput is the body of a POST to eligibilityScheduleRequests or assignmentScheduleRequests.
// Unknown properties (the SDK's @odata.type among them) are ignored.
type requestInput struct {
	Action           string         `json:"action"`
	AccessID         string         `json:"accessId"`
	PrincipalID      string         `json:"principalId"`
	GroupID          string         `json:"groupId"`
	Justification    *string        `json:"justification"`
	ScheduleInfo     *scheduleInput `json:"scheduleInfo"`
	TicketInfo       *ticketInput   `json:"ticketInfo"`
	IsValidationOnly *bool          `json:"isValidationOnly"`
	CustomData       *string        `json:"customData"`
}

type scheduleInput struct {
	StartDateTime *string          `json:"startDateTime"`
	Expiration    *expirationInput `json:"expiration"`
	Recurrence    json.RawMessage  `json:"recurrence"`
}

type expirationInput struct {
	Type        *string `json:"type"`
	EndDateTime *string `json:"endDateTime"`
	Duration    *string `json:"duration"`
}

type ticketInput struct {
	TicketNumber *string `json:"ticketNumber"`
	TicketSystem *string `json:"ticketSystem"`
}

const (
	actAdminAssign    = "adminAssign"
	actAdminUpdate    = "adminUpdate"
	actAdminRemove    = "adminRemove"
	actAdminExtend    = "adminExtend"
	actAdminRenew     = "adminRenew"
	actSelfActivate   = "selfActivate"
	actSelfDeactivate = "selfDeactivate"
)

// Request statuses (reference §4.5).
const (
	statusProvisioned     = "Provisioned"
	statusPendingApproval = "PendingApproval"
	statusRevoked         = "Revoked"
	statusCanceled        = "Canceled"
	statusDenied          = "Denied"
)

var (
	eligibilityActions = []string{actAdminAssign, actAdminUpdate, actAdminRemove, actAdminExtend, actAdminRenew}
	assignmentActions  = append(append([]string{}, eligibilityActions...), actSelfActivate, actSelfDeactivate)
	expirationTypes    = []string{"notSpecified", "noExpiration", "afterDateTime", "afterDuration"}
	guidPattern        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// canonical returns the spelling from allowed that equals v case-insensitively: the service accepts
// PascalCase enum input and always answers camelCase.
func canonical(allowed []string, v string) (string, bool) {
	for _, a := range allowed {
		if strings.EqualFold(a, v) {
			return a, true
		}
	}
	return "", false
}

// Policy rule names reported in RoleAssignmentRequestPolicyValidationFailed, in report order.
var ruleNames = []string{"EligibilityRule", "ExpirationRule", "JustificationRule", "TicketingRule", "MfaRule",
	"AuthenticationContextRule"}

type failedRules map[string]bool

func (f failedRules) list() []string {
	var out []string
	for _, n := range ruleNames {
		if f[n] {
			out = append(out, n)
		}
	}
	return out
}

// createRequest validates a schedule request in the service's order (shape, existence, policy rules) and
// applies it. The caller holds e.mu.
func (e *Engine) createRequest(k kind, c reqctx.Caller, in requestInput) (*request, *apiError) {
	now := e.now().UTC()
	r, aerr := e.validateShape(k, in, now)
	if aerr != nil {
		return nil, aerr
	}
	target, aerr := e.validateExistence(k, c, r, now)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := e.validatePolicy(k, c, r, now); aerr != nil {
		return nil, aerr
	}
	r.ID = e.newID()
	r.Created = now
	r.CreatedBy = identity{ID: c.ObjectID, IsApp: c.IsApp}
	if c.IsApp {
		r.CreatedBy.ID = c.AppID
	}
	switch r.Action {
	case actAdminRemove, actSelfDeactivate:
		r.TargetScheduleID = target.ID
	default:
		r.TargetScheduleID = r.GroupID + "_" + r.AccessID + "_" + r.ID
	}
	if r.IsValidationOnly {
		// A validation-only request changes nothing and is not kept; it answers the status it would get.
		r.Status = statusProvisioned
		if r.Action == actSelfActivate && e.approvalRequired(r) {
			r.Status = statusPendingApproval
		}
		return r, nil
	}
	e.onboard(r.GroupID)
	switch r.Action {
	case actAdminAssign:
		e.addSchedule(r, now, "", "assigned", "")
		e.complete(r, now, e.assignStatus(r, now))
	case actAdminUpdate, actAdminExtend, actAdminRenew:
		e.endSchedule(target, now)
		e.addSchedule(r, now, target.MemberType, target.AssignmentType, target.ActivatedUsing)
		e.complete(r, now, e.assignStatus(r, now))
	case actAdminRemove, actSelfDeactivate:
		e.endSchedule(target, now)
		e.complete(r, now, statusRevoked)
	case actSelfActivate:
		if e.approvalRequired(r) {
			r.Status = statusPendingApproval
			r.ApprovalID = r.ID
			r.Stages = e.newStages(r, now)
		} else {
			e.provisionActivation(r, now)
		}
	}
	e.st.Requests[r.ID] = r
	e.st.Order = append(e.st.Order, r.ID)
	return r, nil
}

func (e *Engine) assignStatus(r *request, now time.Time) string {
	if r.Start.After(now) {
		return e.cfg.FutureStartStatus
	}
	return statusProvisioned
}

func (e *Engine) complete(r *request, at time.Time, status string) {
	r.Status = status
	t := at
	r.Completed = &t
}

// validateShape checks the body alone and returns the normalised request (reference §4.3).
func (e *Engine) validateShape(k kind, in requestInput, now time.Time) (*request, *apiError) {
	allowed := eligibilityActions
	if k == kindAssignment {
		allowed = assignmentActions
	}
	action, ok := canonical(allowed, in.Action)
	if !ok {
		return nil, errInvalidRequest("Unsupported action '" + in.Action + "'.")
	}
	access, ok := canonical(accessIDs, in.AccessID)
	if !ok {
		return nil, errInvalidRequest("accessId must be 'member' or 'owner'.")
	}
	if !guidPattern.MatchString(in.PrincipalID) || !guidPattern.MatchString(in.GroupID) {
		return nil, errInvalidRequest("principalId and groupId must be object IDs.")
	}
	r := &request{Kind: k, Action: action, AccessID: access, PrincipalID: strings.ToLower(in.PrincipalID),
		GroupID: strings.ToLower(in.GroupID), Justification: in.Justification, CustomData: in.CustomData,
		Start: now, Expiration: expiration{Type: "notSpecified"}}
	if in.IsValidationOnly != nil {
		r.IsValidationOnly = *in.IsValidationOnly
	}
	if in.TicketInfo != nil {
		r.TicketNumber, r.TicketSystem = in.TicketInfo.TicketNumber, in.TicketInfo.TicketSystem
	}
	removal := action == actAdminRemove || action == actSelfDeactivate
	if in.ScheduleInfo == nil {
		if !removal {
			return nil, errInvalidRequest("scheduleInfo is required for action '" + action + "'.")
		}
		return r, nil
	}
	if removal {
		// The service ignores the schedule of a removal; only its shape must be sound.
		if rec := strings.TrimSpace(string(in.ScheduleInfo.Recurrence)); rec != "" && rec != "null" {
			return nil, errInvalidRequest("Recurrence is not supported.")
		}
		return r, nil
	}
	r.HasSchedule = true
	si := in.ScheduleInfo
	if rec := strings.TrimSpace(string(si.Recurrence)); rec != "" && rec != "null" {
		return nil, errInvalidRequest("Recurrence is not supported.")
	}
	if si.StartDateTime != nil && *si.StartDateTime != "" {
		t, err := time.Parse(time.RFC3339Nano, *si.StartDateTime)
		if err != nil {
			return nil, errInvalidRequest("startDateTime is not a date-time.")
		}
		// A start in the past is normalised to the time the request is processed.
		if t.After(now) {
			r.Start = t.UTC()
		}
	}
	if si.Expiration != nil && si.Expiration.Type != nil && *si.Expiration.Type != "" {
		typ, ok := canonical(expirationTypes, *si.Expiration.Type)
		if !ok {
			return nil, errInvalidRequest("Unsupported expiration type '" + *si.Expiration.Type + "'.")
		}
		r.Expiration.Type = typ
	}
	switch r.Expiration.Type {
	case "afterDuration":
		if si.Expiration.Duration == nil {
			return nil, errInvalidRequest("duration is required with afterDuration.")
		}
		d, err := parseDuration(*si.Expiration.Duration, !e.cfg.RejectWeekDurations)
		if err != nil || d <= 0 {
			return nil, errInvalidRequest("Unsupported duration '" + *si.Expiration.Duration + "'.")
		}
		r.Expiration.Duration = formatDuration(d)
	case "afterDateTime":
		if si.Expiration.EndDateTime == nil {
			return nil, errInvalidRequest("endDateTime is required with afterDateTime.")
		}
		t, err := time.Parse(time.RFC3339Nano, *si.Expiration.EndDateTime)
		if err != nil {
			return nil, errInvalidRequest("endDateTime is not a date-time.")
		}
		t = t.UTC()
		r.Expiration.End = &t
	}
	if end := requestEnd(r); end != nil {
		if !end.After(r.Start) {
			return nil, errInvalidRequest("The schedule ends before it starts.")
		}
		if end.Sub(r.Start) < e.cfg.MinimumActiveAge {
			return nil, errInvalidRequest("The schedule is shorter than the minimum duration.")
		}
	}
	return r, nil
}

// requestEnd is the end of the schedule a request asks for (nil: no end).
func requestEnd(r *request) *time.Time {
	switch r.Expiration.Type {
	case "afterDuration":
		d, err := parseDuration(r.Expiration.Duration, true)
		if err != nil {
			return nil
		}
		t := r.Start.Add(d)
		return &t
	case "afterDateTime":
		return r.Expiration.End
	}
	return nil
}

// validateExistence checks the group, the principal and the schedule a request acts on, returning that
// schedule for updates and removals.
func (e *Engine) validateExistence(k kind, c reqctx.Caller, r *request, now time.Time) (*schedule, *apiError) {
	if !e.dir.GroupExists(r.GroupID) {
		return nil, errGroupNotFound(r.GroupID)
	}
	if _, _, ok := e.dir.LookupPrincipal(r.PrincipalID); !ok {
		return nil, errSubjectNotFound(r.PrincipalID)
	}
	self := r.Action == actSelfActivate || r.Action == actSelfDeactivate
	if self && (c.IsApp || !strings.EqualFold(c.ObjectID, r.PrincipalID)) {
		return nil, errInvalidRequest("A self-service request must name the signed-in user as principalId.")
	}
	if !self && !c.IsApp && !e.callerOwns(r.GroupID, c, now) {
		return nil, errForbidden("")
	}
	switch r.Action {
	case actAdminAssign:
		if e.findSchedule(k, r, now, func(*schedule) bool { return true }) != nil {
			return nil, errExists(e.cfg.ExistsStatus)
		}
	case actAdminUpdate, actAdminExtend, actAdminRemove:
		s := e.findSchedule(k, r, now, func(*schedule) bool { return true })
		if s == nil {
			return nil, errDoesNotExist(e.cfg.DoesNotExistStatus)
		}
		if r.Action == actAdminRemove {
			if aerr := e.checkMinimumAge(s, now); aerr != nil {
				return nil, aerr
			}
		}
		return s, nil
	case actAdminRenew:
		s := e.latestSchedule(k, r)
		if s == nil {
			return nil, errDoesNotExist(e.cfg.DoesNotExistStatus)
		}
		return s, nil
	case actSelfActivate:
		if e.findSchedule(kindAssignment, r, now, func(*schedule) bool { return true }) != nil {
			return nil, errExists(e.cfg.ExistsStatus)
		}
		for _, id := range e.st.Order {
			p := e.st.Requests[id]
			if p.Status == statusPendingApproval && p.GroupID == r.GroupID && p.PrincipalID == r.PrincipalID &&
				p.AccessID == r.AccessID {
				return nil, errPending()
			}
		}
	case actSelfDeactivate:
		s := e.findSchedule(kindAssignment, r, now, func(s *schedule) bool { return s.AssignmentType == "activated" })
		if s == nil {
			return nil, errDoesNotExist(e.cfg.DoesNotExistStatus)
		}
		if aerr := e.checkMinimumAge(s, now); aerr != nil {
			return nil, aerr
		}
		return s, nil
	}
	return nil, nil
}

// callerOwns reports whether a signed-in user may administer PIM for the group: the emulator models no
// directory roles, so only the group's owners may (when the directory can tell).
func (e *Engine) callerOwns(groupID string, c reqctx.Caller, now time.Time) bool {
	oc, ok := e.dir.(OwnerChecker)
	return ok && oc.IsOwner(groupID, c.ObjectID, now)
}

func (e *Engine) checkMinimumAge(s *schedule, now time.Time) *apiError {
	if !now.Before(s.Start) && now.Sub(s.Start) < e.cfg.MinimumActiveAge {
		return errTooShort(formatDuration(e.cfg.MinimumActiveAge))
	}
	return nil
}

// findSchedule returns the newest schedule of kind k for the request's group, principal and access that
// still exists at now and satisfies match.
func (e *Engine) findSchedule(k kind, r *request, now time.Time, match func(*schedule) bool) *schedule {
	var best *schedule
	for _, s := range e.st.Schedules {
		if s.Kind == k && s.GroupID == r.GroupID && s.PrincipalID == r.PrincipalID && s.AccessID == r.AccessID &&
			s.effective(now) && match(s) && (best == nil || s.Created.After(best.Created)) {
			best = s
		}
	}
	return best
}

// latestSchedule returns the newest schedule for the triple that was not removed, expired or not: renew
// brings back an expired one.
func (e *Engine) latestSchedule(k kind, r *request) *schedule {
	var best *schedule
	for _, s := range e.st.Schedules {
		if s.Kind == k && s.GroupID == r.GroupID && s.PrincipalID == r.PrincipalID && s.AccessID == r.AccessID &&
			s.Ended == nil && (best == nil || s.Created.After(best.Created)) {
			best = s
		}
	}
	return best
}

// validatePolicy evaluates the group's policy rules for the request and reports every rule that fails.
func (e *Engine) validatePolicy(k kind, c reqctx.Caller, r *request, now time.Time) *apiError {
	p, _ := e.policy(r.GroupID, r.AccessID)
	failed := failedRules{}
	end := requestEnd(r)
	checkExpiration := func(ruleID string) {
		exp := findRule(p.Rules, ruleID)
		if exp == nil || !exp.IsExpirationRequired {
			return
		}
		if end == nil {
			failed["ExpirationRule"] = true
			return
		}
		if max, err := parseDuration(exp.MaximumDuration, true); err == nil && end.Sub(r.Start) > max {
			failed["ExpirationRule"] = true
		}
	}
	checkEnablement := func(ruleID string) {
		en := findRule(p.Rules, ruleID)
		if hasEnabled(en, "Justification") && blank(r.Justification) {
			failed["JustificationRule"] = true
		}
		if hasEnabled(en, "Ticketing") && (blank(r.TicketNumber) || blank(r.TicketSystem)) {
			failed["TicketingRule"] = true
		}
		// Tokens the emulator issues never carry an MFA claim (ROPC cannot do MFA), so a signed-in user
		// never satisfies the rule; an application is not subject to it.
		if hasEnabled(en, "MultiFactorAuthentication") && !c.IsApp {
			failed["MfaRule"] = true
		}
	}
	switch r.Action {
	case actAdminAssign, actAdminUpdate, actAdminExtend, actAdminRenew:
		level := "Eligibility"
		if k == kindAssignment {
			level = "Assignment"
		}
		checkExpiration("Expiration_Admin_" + level)
		checkEnablement("Enablement_Admin_" + level)
	case actSelfActivate:
		elig, memberType := e.eligibilityFor(r, now)
		if elig == nil {
			failed["EligibilityRule"] = true
		} else {
			r.ActivatedUsing, r.MemberType = elig.ID, memberType
		}
		checkExpiration("Expiration_EndUser_Assignment")
		checkEnablement("Enablement_EndUser_Assignment")
		if ap := findRule(p.Rules, "Approval_EndUser_Assignment"); ap != nil && ap.Setting != nil &&
			ap.Setting.IsApprovalRequired && ap.Setting.IsRequestorJustificationRequired && blank(r.Justification) {
			failed["JustificationRule"] = true
		}
		if ac := findRule(p.Rules, "AuthenticationContext_EndUser_Assignment"); ac != nil && ac.IsEnabled {
			failed["AuthenticationContextRule"] = true
		}
	}
	if len(failed) > 0 {
		return errPolicy(failed.list())
	}
	return nil
}

func blank(s *string) bool { return s == nil || strings.TrimSpace(*s) == "" }

// eligibilityFor finds the active eligibility a self-activation uses: the principal's own, or one held by
// a group the principal is a member of (then the activation's memberType is "group").
func (e *Engine) eligibilityFor(r *request, now time.Time) (*schedule, string) {
	var direct, inherited *schedule
	groups := map[string]bool{}
	for _, g := range e.dir.MemberOf(r.PrincipalID, now) {
		groups[strings.ToLower(g)] = true
	}
	for _, s := range e.st.Schedules {
		if s.Kind != kindEligibility || s.GroupID != r.GroupID || s.AccessID != r.AccessID || !s.active(now) {
			continue
		}
		if s.PrincipalID == r.PrincipalID {
			direct = s
		} else if groups[s.PrincipalID] {
			inherited = s
		}
	}
	if direct != nil {
		return direct, "direct"
	}
	if inherited != nil {
		return inherited, "group"
	}
	return nil, ""
}

// addSchedule creates the schedule a provisioned request targets and, for an active assignment, the
// time-bound relationship in the directory.
func (e *Engine) addSchedule(r *request, now time.Time, memberType, assignmentType, activatedUsing string) *schedule {
	if memberType == "" {
		memberType = "direct"
	}
	s := &schedule{Kind: r.Kind, ID: r.TargetScheduleID, CreatedUsing: r.ID, Created: now, Start: r.Start,
		End: requestEnd(r), Expiration: r.Expiration, AccessID: r.AccessID, PrincipalID: r.PrincipalID,
		GroupID: r.GroupID, MemberType: memberType, ActivatedUsing: activatedUsing}
	if r.Kind == kindAssignment {
		s.AssignmentType = assignmentType
		var end time.Time
		if s.End != nil {
			end = *s.End
		}
		e.dir.SetTimedRelationship(s.GroupID, s.PrincipalID, s.AccessID, s.Start, end, s.ID)
	}
	e.st.Schedules[s.ID] = s
	return s
}

func (e *Engine) endSchedule(s *schedule, now time.Time) {
	t := now
	s.Ended = &t
	if s.Kind == kindAssignment {
		e.dir.RemoveTimedRelationship(s.GroupID, s.PrincipalID, s.AccessID, s.ID)
	}
}

// provisionActivation turns an activation (approved, or needing no approval) into an active assignment.
// An activation approved late starts at the approval and keeps its requested duration.
func (e *Engine) provisionActivation(r *request, at time.Time) {
	if at.After(r.Start) {
		r.Start = at
	}
	e.addSchedule(r, at, r.MemberType, "activated", r.ActivatedUsing)
	e.complete(r, at, statusProvisioned)
}

// cancelRequest cancels a pending request (reference §4.5: only pending ones can be).
func (e *Engine) cancelRequest(k kind, c reqctx.Caller, id string) *apiError {
	r := e.st.Requests[strings.ToLower(id)]
	if r == nil || r.Kind != k {
		return errNotFound("request", id)
	}
	if !c.IsApp && !strings.EqualFold(r.CreatedBy.ID, c.ObjectID) && !e.callerOwns(r.GroupID, c, e.now()) {
		return errForbidden("")
	}
	now := e.now().UTC()
	switch r.Status {
	case statusPendingApproval, "PendingAdminDecision", "PendingProvisioning", "PendingScheduleCreation",
		"Granted", "ScheduleCreated":
	default:
		return errInvalidRequest("A request with status '" + r.Status + "' cannot be canceled.")
	}
	if s := e.st.Schedules[r.TargetScheduleID]; s != nil && s.CreatedUsing == r.ID && s.Ended == nil {
		e.endSchedule(s, now)
	}
	for _, st := range r.Stages {
		if st.Status == "InProgress" || st.Status == "NotStarted" {
			st.Status = "Completed"
		}
	}
	e.complete(r, now, statusCanceled)
	return nil
}
