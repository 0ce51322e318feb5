package armpim

import (
	"net/http"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// writeAction is the Microsoft.Authorization action an administrator needs for requests of kind k.
func writeAction(k pimcore.Kind) string {
	return "Microsoft.Authorization/" + typeName(k, "ScheduleRequests") + "/write"
}

// checkTarget checks what a request names: the role, the principal, and who may ask. name is the
// request's name (for the authorization message).
func (e *Engine) checkTarget(r *http.Request, req *request, name string) *apiError {
	if _, ok := arm.RoleByID(req.RoleID); !ok {
		return errRoleNotFound(req.RoleID)
	}
	typ, ok := e.dir.PrincipalType(req.PrincipalID)
	if !ok {
		return errSubjectNotFound(req.PrincipalID)
	}
	req.PrincipalType = typ
	c := caller(r)
	if isSelf(req.RequestType) {
		if c.IsApp || !strings.EqualFold(c.ObjectID, req.PrincipalID) {
			return errInvalid("A self-service request must name the signed-in user as principalId.")
		}
		return nil
	}
	return e.authorize(r, writeAction(req.Kind), req.Scope, objectID(req.Scope, typeName(req.Kind, "ScheduleRequests"), name))
}

// findSchedule returns the newest schedule of kind k for the target that exists at now and satisfies
// match (nil: any).
func (e *Engine) findSchedule(k pimcore.Kind, t target, now time.Time, match func(*schedule) bool) *schedule {
	var best *schedule
	for _, s := range e.st.Schedules {
		if s.Kind != k || !sameTarget(s.target, t) || !e.live(s, now) || (match != nil && !match(s)) {
			continue
		}
		if best == nil || s.Created.After(best.Created) {
			best = s
		}
	}
	return best
}

func sameTarget(a, b target) bool {
	return strings.EqualFold(a.Scope, b.Scope) && a.RoleID == b.RoleID && a.PrincipalID == b.PrincipalID
}

// live reports whether a schedule exists at now. An active assignment whose role assignment was deleted
// through the roleAssignments API is gone too.
func (e *Engine) live(s *schedule, now time.Time) bool {
	if !s.Exists(now) {
		return false
	}
	return s.Kind == pimcore.Eligibility || !s.Active(now) || e.arm.RoleAssignmentLive(s.Instance)
}

// checkExistence checks the schedule a request acts on and returns it for updates and removals.
func (e *Engine) checkExistence(req *request, now time.Time) (*schedule, *apiError) {
	switch req.RequestType {
	case reqAdminAssign:
		if e.findSchedule(req.Kind, req.target, now, nil) != nil {
			return nil, errExists(e.cfg.ExistsStatus)
		}
	case reqAdminUpdate, reqAdminExtend, reqAdminRemove:
		s := e.findSchedule(req.Kind, req.target, now, nil)
		if s == nil {
			return nil, errDoesNotExist()
		}
		if req.RequestType == reqAdminRemove {
			return s, e.checkMinimumAge(s, now)
		}
		return s, nil
	case reqAdminRenew:
		var last *schedule
		for _, s := range e.st.Schedules {
			if s.Kind == req.Kind && sameTarget(s.target, req.target) && s.Ended == nil && (last == nil || s.Created.After(last.Created)) {
				last = s
			}
		}
		if last == nil {
			return nil, errDoesNotExist()
		}
		return last, nil
	case reqSelfActivate:
		if e.findSchedule(pimcore.Assignment, req.target, now, nil) != nil {
			return nil, errExists(e.cfg.ExistsStatus)
		}
		for _, name := range e.st.Order {
			if p := e.st.Requests[name]; p != nil && p.Status == pimcore.StatusPendingApproval && sameTarget(p.target, req.target) {
				return nil, errPending()
			}
		}
	case reqSelfDeactivate:
		s := e.findSchedule(pimcore.Assignment, req.target, now, func(s *schedule) bool { return s.AssignmentType == assignmentActivated })
		if s == nil {
			return nil, errDoesNotExist()
		}
		return s, e.checkMinimumAge(s, now)
	}
	return nil, nil
}

func (e *Engine) checkMinimumAge(s *schedule, now time.Time) *apiError {
	if !now.Before(s.Start) && now.Sub(s.Start) < e.cfg.MinimumActiveAge {
		return errTooShort(pimcore.FormatDuration(e.cfg.MinimumActiveAge))
	}
	return nil
}

// checkPolicy evaluates the role's policy at the request's scope and reports every rule that fails.
func (e *Engine) checkPolicy(c reqctx.Caller, req *request, now time.Time) *apiError {
	rules := e.policyAt(req.Scope, req.RoleID).Rules
	if failed := req.FailedRules(rules, req.RequestType, c.IsApp, func() bool { return e.useEligibility(req, now) }); len(failed) > 0 {
		return errPolicy(failed)
	}
	return nil
}

// useEligibility finds the active eligibility an activation uses at exactly its scope, the principal's
// own (memberType Direct) or one held by a group the principal is a member of (Group), and records it in
// the request. A linkedRoleEligibilityScheduleId, when given, must name it. It reports whether there is
// one.
func (e *Engine) useEligibility(req *request, now time.Time) bool {
	s, viaGroup := pimcore.PickEligibility(e.st.Schedules, func(s *schedule) bool {
		return s.Kind == pimcore.Eligibility && strings.EqualFold(s.Scope, req.Scope) && s.RoleID == req.RoleID && s.Active(now) &&
			(req.LinkedEligible == "" || s.Name == req.LinkedEligible)
	}, func(s *schedule) string { return s.PrincipalID }, req.PrincipalID, pimcore.MemberSet(e.dir.MemberOf(req.PrincipalID, now)))
	if s == nil {
		return false
	}
	req.LinkedEligible, req.MemberType = s.Name, memberDirect
	if viaGroup {
		req.MemberType = memberGroup
	}
	return true
}
