package pim

import (
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// validateShape checks the body alone and returns the normalised request (reference §4.3).
func (e *Engine) validateShape(k pimcore.Kind, in requestInput, now time.Time) (*request, *apiError) {
	allowed := eligibilityActions
	if k == pimcore.Assignment {
		allowed = assignmentActions
	}
	action, ok := pimcore.Canonical(allowed, in.Action)
	if !ok {
		return nil, errInvalidRequest("Unsupported action '" + in.Action + "'.")
	}
	access, ok := pimcore.Canonical(accessIDs, in.AccessID)
	if !ok {
		return nil, errInvalidRequest("accessId must be 'member' or 'owner'.")
	}
	if !guidPattern.MatchString(in.PrincipalID) || !guidPattern.MatchString(in.GroupID) {
		return nil, errInvalidRequest("principalId and groupId must be object IDs.")
	}
	r := &request{Action: action, AccessID: access, PrincipalID: strings.ToLower(in.PrincipalID),
		GroupID: strings.ToLower(in.GroupID), CustomData: in.CustomData,
		Request: pimcore.Request{Kind: k, Justification: in.Justification, Start: now, Expiration: pimcore.Expiration{Type: "notSpecified"}}}
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
		typ, ok := pimcore.Canonical(expirationTypes, *si.Expiration.Type)
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
		d, err := pimcore.ParseDuration(*si.Expiration.Duration, !e.cfg.RejectWeekDurations)
		if err != nil || d <= 0 {
			return nil, errInvalidRequest("Unsupported duration '" + *si.Expiration.Duration + "'.")
		}
		r.Expiration.Duration = pimcore.FormatDuration(d)
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
	if end := r.End(); end != nil {
		if !end.After(r.Start) {
			return nil, errInvalidRequest("The schedule ends before it starts.")
		}
		if end.Sub(r.Start) < e.cfg.MinimumActiveAge {
			return nil, errInvalidRequest("The schedule is shorter than the minimum duration.")
		}
	}
	return r, nil
}

// validateExistence checks the group, the principal and the schedule a request acts on, returning that
// schedule for updates and removals.
func (e *Engine) validateExistence(k pimcore.Kind, c reqctx.Caller, r *request, now time.Time) (*schedule, *apiError) {
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
		if e.findSchedule(pimcore.Assignment, r, now, func(*schedule) bool { return true }) != nil {
			return nil, errExists(e.cfg.ExistsStatus)
		}
		for _, id := range e.st.Order {
			p := e.st.Requests[id]
			if p.Status == pimcore.StatusPendingApproval && p.GroupID == r.GroupID && p.PrincipalID == r.PrincipalID &&
				p.AccessID == r.AccessID {
				return nil, errPending()
			}
		}
	case actSelfDeactivate:
		s := e.findSchedule(pimcore.Assignment, r, now, func(s *schedule) bool { return s.AssignmentType == "activated" })
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
		return errTooShort(pimcore.FormatDuration(e.cfg.MinimumActiveAge))
	}
	return nil
}

// findSchedule returns the newest schedule of kind k for the request's group, principal and access that
// still exists at now and satisfies match.
func (e *Engine) findSchedule(k pimcore.Kind, r *request, now time.Time, match func(*schedule) bool) *schedule {
	var best *schedule
	for _, s := range e.st.Schedules {
		if s.Kind == k && s.GroupID == r.GroupID && s.PrincipalID == r.PrincipalID && s.AccessID == r.AccessID &&
			s.Exists(now) && match(s) && (best == nil || s.Created.After(best.Created)) {
			best = s
		}
	}
	return best
}

// latestSchedule returns the newest schedule for the triple that was not removed, expired or not: renew
// brings back an expired one.
func (e *Engine) latestSchedule(k pimcore.Kind, r *request) *schedule {
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
func (e *Engine) validatePolicy(c reqctx.Caller, r *request, now time.Time) *apiError {
	p, _ := e.policy(r.GroupID, r.AccessID)
	if failed := r.FailedRules(p.Rules, r.Action, c.IsApp, func() bool { return e.useEligibility(r, now) }); len(failed) > 0 {
		return errPolicy(failed)
	}
	return nil
}

// useEligibility finds the active eligibility a self-activation uses, the principal's own or one held by
// a group the principal is a member of (then the activation's memberType is "group"), and records it in
// the request. It reports whether there is one.
func (e *Engine) useEligibility(r *request, now time.Time) bool {
	s, viaGroup := pimcore.PickEligibility(e.st.Schedules, func(s *schedule) bool {
		return s.Kind == pimcore.Eligibility && s.GroupID == r.GroupID && s.AccessID == r.AccessID && s.Active(now)
	}, func(s *schedule) string { return s.PrincipalID }, r.PrincipalID, pimcore.MemberSet(e.dir.MemberOf(r.PrincipalID, now)))
	if s == nil {
		return false
	}
	r.ActivatedUsing, r.MemberType = s.ID, "direct"
	if viaGroup {
		r.MemberType = "group"
	}
	return true
}
