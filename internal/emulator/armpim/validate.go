package armpim

import (
	"net/http"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// Names of the policy rules RoleAssignmentRequestPolicyValidationFailed reports, in report order.
var policyRuleNames = []string{"EligibilityRule", "ExpirationRule", "JustificationRule", "TicketingRule", "MfaRule", "AuthenticationContextRule"}

// writeAction is the Microsoft.Authorization action an administrator needs for requests of kind k.
func writeAction(k kind) string {
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
func (e *Engine) findSchedule(k kind, t target, now time.Time, match func(*schedule) bool) *schedule {
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
	if !s.exists(now) {
		return false
	}
	return s.Kind == kindEligibility || !s.active(now) || e.arm.RoleAssignmentLive(s.Instance)
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
		if e.findSchedule(kindAssignment, req.target, now, nil) != nil {
			return nil, errExists(e.cfg.ExistsStatus)
		}
		for _, name := range e.st.Order {
			if p := e.st.Requests[name]; p != nil && p.Status == statusPendingApproval && sameTarget(p.target, req.target) {
				return nil, errPending()
			}
		}
	case reqSelfDeactivate:
		s := e.findSchedule(kindAssignment, req.target, now, func(s *schedule) bool { return s.AssignmentType == assignmentActivated })
		if s == nil {
			return nil, errDoesNotExist()
		}
		return s, e.checkMinimumAge(s, now)
	}
	return nil, nil
}

func (e *Engine) checkMinimumAge(s *schedule, now time.Time) *apiError {
	if !now.Before(s.Start) && now.Sub(s.Start) < e.cfg.MinimumActiveAge {
		return errTooShort(pim.FormatDuration(e.cfg.MinimumActiveAge))
	}
	return nil
}

// checkPolicy evaluates the role's policy at the request's scope and reports every rule that fails.
func (e *Engine) checkPolicy(c reqctx.Caller, req *request, now time.Time) *apiError {
	rules := e.policyAt(req.Scope, req.RoleID).Rules
	failed := map[string]bool{}
	end := requestEnd(req)
	expiry := func(id string) {
		r := findRule(rules, id)
		if r == nil || !r.IsExpirationRequired {
			return
		}
		limit, err := pim.ParseDuration(r.MaximumDuration)
		if end == nil || (err == nil && end.Sub(req.Start) > limit) {
			failed["ExpirationRule"] = true
		}
	}
	enablement := func(id string) {
		r := findRule(rules, id)
		if enabled(r, "Justification") && blank(req.Justification) {
			failed["JustificationRule"] = true
		}
		if enabled(r, "Ticketing") && (blank(req.TicketNumber) || blank(req.TicketSystem)) {
			failed["TicketingRule"] = true
		}
		// Tokens the emulator issues never carry an MFA claim (ROPC cannot do MFA); applications are not
		// subject to the rule.
		if enabled(r, "MultiFactorAuthentication") && !c.IsApp {
			failed["MfaRule"] = true
		}
	}
	level := "Eligibility"
	if req.Kind == kindAssignment {
		level = "Assignment"
	}
	switch req.RequestType {
	case reqAdminAssign, reqAdminUpdate, reqAdminExtend, reqAdminRenew:
		expiry("Expiration_Admin_" + level)
		enablement("Enablement_Admin_" + level)
	case reqSelfActivate:
		if elig, memberType := e.eligibilityFor(req, now); elig == nil {
			failed["EligibilityRule"] = true
		} else {
			req.LinkedEligible, req.MemberType = elig.Name, memberType
		}
		expiry("Expiration_EndUser_Assignment")
		enablement("Enablement_EndUser_Assignment")
		if ap := findRule(rules, "Approval_EndUser_Assignment"); ap != nil && ap.Setting.IsApprovalRequired &&
			ap.Setting.IsRequestorJustificationRequired && blank(req.Justification) {
			failed["JustificationRule"] = true
		}
		if ac := findRule(rules, "AuthenticationContext_EndUser_Assignment"); ac != nil && ac.IsEnabled {
			failed["AuthenticationContextRule"] = true
		}
	}
	if len(failed) == 0 {
		return nil
	}
	var list []string
	for _, n := range policyRuleNames {
		if failed[n] {
			list = append(list, n)
		}
	}
	return errPolicy(list)
}

// eligibilityFor finds the active eligibility an activation uses at exactly its scope: the principal's
// own (memberType Direct) or one held by a group the principal is a member of (Group). A
// linkedRoleEligibilityScheduleId, when given, must name it.
func (e *Engine) eligibilityFor(req *request, now time.Time) (*schedule, string) {
	groups := map[string]bool{}
	for _, g := range e.dir.MemberOf(req.PrincipalID, now) {
		groups[strings.ToLower(g)] = true
	}
	var direct, inherited *schedule
	for _, s := range e.st.Schedules {
		if s.Kind != kindEligibility || !strings.EqualFold(s.Scope, req.Scope) || s.RoleID != req.RoleID || !s.active(now) {
			continue
		}
		if req.LinkedEligible != "" && s.Name != req.LinkedEligible {
			continue
		}
		switch {
		case s.PrincipalID == req.PrincipalID:
			direct = s
		case groups[s.PrincipalID]:
			inherited = s
		}
	}
	if direct != nil {
		return direct, memberDirect
	}
	if inherited != nil {
		return inherited, memberGroup
	}
	return nil, ""
}
