package armpim

import (
	"net/http"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// Member types and assignment types.
const (
	memberDirect = "Direct"
	memberGroup  = "Group"

	assignmentAssigned  = "Assigned"
	assignmentActivated = "Activated"
)

// createRequest validates a schedule request in the service's order (shape, target and permission,
// existence, policy) and applies it unless validateOnly. The caller holds e.mu.
func (e *Engine) createRequest(k pimcore.Kind, hr *http.Request, scope, name string, body []byte, validateOnly bool) (*request, int, *apiError) {
	now := e.now().UTC()
	if !guidPattern.MatchString(name) {
		return nil, 0, errInvalid("The request name '" + name + "' must be a GUID.")
	}
	name = strings.ToLower(name)
	in, aerr := decodeRequest(k, body)
	if aerr != nil {
		return nil, 0, aerr
	}
	req, aerr := e.validateShape(k, scope, in, now)
	if aerr != nil {
		return nil, 0, aerr
	}
	if aerr := e.checkTarget(hr, req, name); aerr != nil {
		return nil, 0, aerr
	}
	if prev := e.st.Requests[name]; prev != nil && !validateOnly {
		// A PUT resent after a lost answer names the same request: answer it again. Reusing the name for
		// another request is a conflict (UNCONFIRMED how real PIM words either).
		if prev.Kind == k && prev.RequestType == req.RequestType && sameTarget(prev.target, req.target) {
			return prev, http.StatusCreated, nil
		}
		return nil, 0, errorf(http.StatusConflict, "RoleAssignmentRequestExists", "A role assignment request named '%s' already exists.", name)
	}
	acted, aerr := e.checkExistence(req, now)
	if aerr != nil {
		return nil, 0, aerr
	}
	c := caller(hr)
	if aerr := e.checkPolicy(c, req, now); aerr != nil {
		return nil, 0, aerr
	}
	req.Name, req.Created, req.RequestorID = name, now, c.ObjectID
	if validateOnly {
		// Validation changes nothing; it answers the status the request would get.
		req.Status = pimcore.StatusProvisioned
		if req.RequestType == reqSelfActivate && e.approvalRequired(req) {
			req.Status = pimcore.StatusPendingApproval
		}
		return req, http.StatusOK, nil
	}
	e.apply(req, acted, now)
	e.st.Add(req.Name, req)
	return req, http.StatusCreated, nil
}

// apply carries out a validated request; acted is the schedule it updates or removes.
func (e *Engine) apply(req *request, acted *schedule, now time.Time) {
	switch req.RequestType {
	case reqAdminAssign:
		s := e.newSchedule(req, now, memberDirect, assignmentAssigned, "", "")
		req.TargetSchedule = s.Name
		req.Status = pimcore.StatusProvisioned
	case reqAdminUpdate, reqAdminExtend, reqAdminRenew:
		if e.cfg.UpdateKeepsSchedule && req.RequestType != reqAdminRenew {
			acted.Start, acted.End, acted.Expiration, acted.Updated = req.Start, req.End(), req.Expiration, now
			e.materialize(acted)
			req.TargetSchedule = acted.Name
		} else {
			e.endSchedule(acted, now)
			s := e.newSchedule(req, now, acted.MemberType, acted.AssignmentType, acted.LinkedEligible, acted.Instance)
			req.TargetSchedule = s.Name
		}
		req.Status = pimcore.StatusProvisioned
	case reqAdminRemove, reqSelfDeactivate:
		e.endSchedule(acted, now)
		req.TargetSchedule = acted.Name
		req.Status = pimcore.StatusRevoked
	case reqSelfActivate:
		if e.approvalRequired(req) {
			req.Status = pimcore.StatusPendingApproval
			req.ApprovalName = newName()
			req.Stages = e.newStages(req, now)
			return
		}
		e.provision(req, now)
	}
}

// newSchedule creates the schedule a provisioned request targets; instance names the role assignment of
// an assignment that replaces another (kept, so the origin role assignment survives an update).
func (e *Engine) newSchedule(req *request, now time.Time, memberType, assignmentType, linked, instance string) *schedule {
	name := newName()
	if e.cfg.ScheduleNamedAfterRequest {
		name = req.Name
	}
	if instance == "" {
		instance = newName()
	}
	s := &schedule{target: req.target, Schedule: req.NewSchedule(now, memberType, assignmentType), Name: name, RequestName: req.Name,
		Updated: now, LinkedEligible: linked, Condition: req.Condition, ConditionVersion: req.ConditionVersion, Instance: instance}
	e.st.Schedules[s.Name] = s
	e.materialize(s)
	return s
}

// materialize makes ARM hold the role assignment of an assignment schedule for the schedule's window.
func (e *Engine) materialize(s *schedule) {
	if s.Kind != pimcore.Assignment {
		return
	}
	var end time.Time
	if s.End != nil {
		end = *s.End
	}
	e.arm.PutScheduledAssignment(arm.RoleAssignment{
		Name: s.Instance, Scope: s.Scope, RoleDefinitionID: s.RoleID, PrincipalID: s.PrincipalID, PrincipalType: s.PrincipalType,
		Condition: s.Condition, ConditionVersion: s.ConditionVersion, CreatedOn: s.Created, UpdatedOn: s.Updated,
	}, s.Start, end)
}

func (e *Engine) endSchedule(s *schedule, now time.Time) {
	t := now
	s.Ended = &t
	if s.Kind == pimcore.Assignment {
		e.arm.RemoveRoleAssignment(s.Instance)
	}
}

// provision turns an activation (approved, or needing no approval) into an active assignment. One
// approved late starts at the approval and keeps its requested length.
func (e *Engine) provision(req *request, at time.Time) {
	if at.After(req.Start) {
		req.Start = at
	}
	memberType := req.MemberType
	if memberType == "" {
		memberType = memberDirect
	}
	s := e.newSchedule(req, at, memberType, assignmentActivated, req.LinkedEligible, "")
	req.TargetSchedule = s.Name
	req.Status = pimcore.StatusProvisioned
}

// cancel cancels a pending request: only its requestor or an administrator may.
func (e *Engine) cancel(hr *http.Request, k pimcore.Kind, scope, name string) *apiError {
	req := e.st.Requests[strings.ToLower(name)]
	if req == nil || req.Kind != k || !strings.EqualFold(req.Scope, scope) {
		return errRequestNotFound(name)
	}
	c := caller(hr)
	if !strings.EqualFold(req.RequestorID, c.ObjectID) {
		if aerr := e.authorize(hr, writeAction(k), scope, objectID(scope, typeName(k, "ScheduleRequests"), name)); aerr != nil {
			return aerr
		}
	}
	if req.Status != pimcore.StatusPendingApproval {
		return errInvalid("A request with status '" + req.Status + "' cannot be canceled.")
	}
	pimcore.Close(req.Stages)
	req.Status = pimcore.StatusCanceled
	return nil
}

// tick applies what the clock decided since the last call: approval stages past their timeout, requests
// past their retention. It reports whether anything changed. The caller holds e.mu.
func (e *Engine) tick(now time.Time) bool {
	changed := false
	kept := e.st.Order[:0]
	for _, name := range e.st.Order {
		req := e.st.Requests[name]
		if req == nil {
			continue
		}
		if now.Sub(req.Created) > e.cfg.RequestRetention {
			delete(e.st.Requests, name)
			changed = true
			continue
		}
		kept = append(kept, name)
		if req.Status != pimcore.StatusPendingApproval {
			continue
		}
		if _, expired := pimcore.Expire(req.Stages, now); expired {
			req.Status = e.cfg.ApprovalTimeoutStatus
			changed = true
		}
	}
	e.st.Order = kept
	return changed
}
