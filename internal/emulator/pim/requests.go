package pim

import (
	"regexp"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// requestInput is the body of a POST to eligibilityScheduleRequests or assignmentScheduleRequests.
// Unknown properties (the SDK's @odata.type among them) are ignored.
type requestInput struct {
	Action           string                 `json:"action"`
	AccessID         string                 `json:"accessId"`
	PrincipalID      string                 `json:"principalId"`
	GroupID          string                 `json:"groupId"`
	Justification    *string                `json:"justification"`
	ScheduleInfo     *pimcore.ScheduleInput `json:"scheduleInfo"`
	TicketInfo       *pimcore.TicketInput   `json:"ticketInfo"`
	IsValidationOnly *bool                  `json:"isValidationOnly"`
	CustomData       *string                `json:"customData"`
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

var (
	eligibilityActions = []string{actAdminAssign, actAdminUpdate, actAdminRemove, actAdminExtend, actAdminRenew}
	assignmentActions  = append(append([]string{}, eligibilityActions...), actSelfActivate, actSelfDeactivate)
	expirationTypes    = []string{"notSpecified", "noExpiration", "afterDateTime", "afterDuration"}
	guidPattern        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// createRequest validates a schedule request in the service's order (shape, existence, policy rules) and
// applies it. The caller holds e.mu.
func (e *Engine) createRequest(k pimcore.Kind, c reqctx.Caller, in requestInput) (*request, *apiError) {
	now := e.now().UTC()
	r, aerr := e.validateShape(k, in, now)
	if aerr != nil {
		return nil, aerr
	}
	target, aerr := e.validateExistence(k, c, r, now)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := e.validatePolicy(c, r, now); aerr != nil {
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
		r.Status = pimcore.StatusProvisioned
		if r.Action == actSelfActivate && e.approvalRequired(r) {
			r.Status = pimcore.StatusPendingApproval
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
		e.complete(r, now, pimcore.StatusRevoked)
	case actSelfActivate:
		if e.approvalRequired(r) {
			r.Status = pimcore.StatusPendingApproval
			r.ApprovalID = r.ID
			r.Stages = e.newStages(r, now)
		} else {
			e.provisionActivation(r, now)
		}
	}
	e.st.Add(r.ID, r)
	return r, nil
}

func (e *Engine) assignStatus(r *request, now time.Time) string {
	if r.Start.After(now) {
		return e.cfg.FutureStartStatus
	}
	return pimcore.StatusProvisioned
}

func (e *Engine) complete(r *request, at time.Time, status string) {
	r.Status = status
	t := at
	r.Completed = &t
}

// addSchedule creates the schedule a provisioned request targets and, for an active assignment, the
// time-bound relationship in the directory.
func (e *Engine) addSchedule(r *request, now time.Time, memberType, assignmentType, activatedUsing string) {
	if memberType == "" {
		memberType = "direct"
	}
	s := &schedule{Schedule: r.NewSchedule(now, memberType, assignmentType), ID: r.TargetScheduleID, CreatedUsing: r.ID,
		AccessID: r.AccessID, PrincipalID: r.PrincipalID, GroupID: r.GroupID, ActivatedUsing: activatedUsing}
	if r.Kind == pimcore.Assignment {
		var end time.Time
		if s.End != nil {
			end = *s.End
		}
		e.dir.SetTimedRelationship(s.GroupID, s.PrincipalID, s.AccessID, s.Start, end, s.ID)
	}
	e.st.Schedules[s.ID] = s
}

func (e *Engine) endSchedule(s *schedule, now time.Time) {
	t := now
	s.Ended = &t
	if s.Kind == pimcore.Assignment {
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
	e.complete(r, at, pimcore.StatusProvisioned)
}

// cancelRequest cancels a pending request (reference §4.5: only pending ones can be).
func (e *Engine) cancelRequest(k pimcore.Kind, c reqctx.Caller, id string) *apiError {
	r := e.st.Requests[strings.ToLower(id)]
	if r == nil || r.Kind != k {
		return errNotFound("request", id)
	}
	if !c.IsApp && !strings.EqualFold(r.CreatedBy.ID, c.ObjectID) && !e.callerOwns(r.GroupID, c, e.now()) {
		return errForbidden("")
	}
	now := e.now().UTC()
	switch r.Status {
	case pimcore.StatusPendingApproval, "PendingAdminDecision", "PendingProvisioning", "PendingScheduleCreation",
		"Granted", "ScheduleCreated":
	default:
		return errInvalidRequest("A request with status '" + r.Status + "' cannot be canceled.")
	}
	if s := e.st.Schedules[r.TargetScheduleID]; s != nil && s.CreatedUsing == r.ID && s.Ended == nil {
		e.endSchedule(s, now)
	}
	pimcore.Close(r.Stages)
	e.complete(r, now, pimcore.StatusCanceled)
	return nil
}
