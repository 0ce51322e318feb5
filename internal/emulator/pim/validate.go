package pim

import (
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

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
		if maxDur, err := parseDuration(exp.MaximumDuration, true); err == nil && end.Sub(r.Start) > maxDur {
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
