package pim

import (
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// Approval stage statuses and review results (reference §5.2).
const (
	stageNotStarted = "NotStarted"
	stageInProgress = "InProgress"
	stageCompleted  = "Completed"
	stageExpired    = "Expired"
	notReviewed     = "NotReviewed"
)

func (e *Engine) approvalRule(r *request) *rule {
	p, ok := e.policy(r.GroupID, r.AccessID)
	if !ok {
		return nil
	}
	ap := findRule(p.Rules, "Approval_EndUser_Assignment")
	if ap == nil || ap.Setting == nil {
		return nil
	}
	return ap
}

func (e *Engine) approvalRequired(r *request) bool {
	ap := e.approvalRule(r)
	return ap != nil && ap.Setting.IsApprovalRequired && ap.Setting.ApprovalMode != "NoApproval"
}

// newStages snapshots the approval stages of the policy at request time. The first stage's ID is the
// request ID, as in the PIM-for-groups sample, or its own (the pim.stage-id variant); later stages get
// their own IDs.
func (e *Engine) newStages(r *request, now time.Time) []*stage {
	ap := e.approvalRule(r)
	settings := ap.Setting.ApprovalStages
	if len(settings) == 0 {
		settings = []approvalStage{{ApprovalStageTimeOutInDays: 1}}
	}
	var out []*stage
	for i, s := range settings {
		st := &stage{ID: e.newID(), Status: stageNotStarted, ReviewResult: notReviewed,
			Approvers: append([]subjectSet{}, s.PrimaryApprovers...), TimeoutDays: s.ApprovalStageTimeOutInDays,
			RequireJustification: s.IsApproverJustificationRequired}
		if i == 0 {
			if e.cfg.StageIDs == "request-id" {
				st.ID = r.ID
			}
			st.Status = stageInProgress
			t := now
			st.Started = &t
		}
		out = append(out, st)
	}
	return out
}

// currentStage returns the stage awaiting a decision, if any.
func currentStage(r *request) *stage {
	for _, st := range r.Stages {
		if st.Status == stageInProgress {
			return st
		}
	}
	return nil
}

// isApprover reports whether userID may decide the stage: a listed user, or a member (not a mere owner)
// of a listed group. With no approvers listed nobody modelled by the emulator may approve (real tenants
// fall back to privileged role administrators).
func (e *Engine) isApprover(st *stage, userID string, now time.Time) bool {
	for _, a := range st.Approvers {
		switch a.Kind {
		case subjectSingleUser:
			if strings.EqualFold(a.UserID, userID) {
				return true
			}
		case subjectGroupMembers:
			if e.dir.IsMember(a.GroupID, userID, now) {
				return true
			}
		}
	}
	return false
}

// isRequester reports whether the user asked for (or would benefit from) the request.
func isRequester(r *request, userID string) bool {
	return strings.EqualFold(r.CreatedBy.ID, userID) || strings.EqualFold(r.PrincipalID, userID)
}

// canSeeApproval reports whether a signed-in user may read an approval: its requester or an approver of
// one of its stages.
func (e *Engine) canSeeApproval(r *request, userID string, now time.Time) bool {
	if isRequester(r, userID) {
		return true
	}
	for _, st := range r.Stages {
		if e.isApprover(st, userID, now) {
			return true
		}
	}
	return false
}

// decide records a reviewer's decision on a stage (PATCH .../stages/{id}).
func (e *Engine) decide(c reqctx.Caller, approvalID, stageID, result, justification string) *apiError {
	now := e.now().UTC()
	r := e.st.Requests[strings.ToLower(approvalID)]
	if r == nil || len(r.Stages) == 0 {
		return errNotFound("approval", approvalID)
	}
	var st *stage
	for _, s := range r.Stages {
		if strings.EqualFold(s.ID, stageID) {
			st = s
		}
	}
	if st == nil {
		return errNotFound("approval stage", stageID)
	}
	if c.IsApp {
		return errForbidden("")
	}
	if isRequester(r, c.ObjectID) {
		return errForbidden("The requestor of a role assignment request cannot approve or deny it.")
	}
	if !e.isApprover(st, c.ObjectID, now) {
		return errForbidden("The caller is not an approver of this approval stage.")
	}
	switch st.Status {
	case stageCompleted, stageExpired:
		return errConflict("The approval stage has already been reviewed or is no longer pending.")
	case stageNotStarted:
		return errForbidden("The approval stage has not started.")
	}
	decision, ok := canonical([]string{"Approve", "Deny"}, result)
	if !ok {
		return errBadRequest("BadRequest", "reviewResult must be 'Approve' or 'Deny'.")
	}
	if st.RequireJustification && e.cfg.EnforceApproverJustification && strings.TrimSpace(justification) == "" {
		return errBadRequest("BadRequest", "A justification is required to review this request.")
	}
	st.Status = stageCompleted
	st.ReviewResult = decision
	if e.cfg.ReviewResultAfterDecision == "Approved" {
		st.ReviewResult = map[string]string{"Approve": "Approved", "Deny": "Denied"}[decision]
	}
	t := now
	st.ReviewedAt = &t
	st.ReviewedBy = &identity{ID: c.ObjectID}
	st.Justification = justification
	if decision == "Deny" {
		e.complete(r, now, statusDenied)
		return nil
	}
	for _, next := range r.Stages {
		if next.Status == stageNotStarted {
			next.Status = stageInProgress
			next.Started = &t
			return nil
		}
	}
	e.provisionActivation(r, now)
	return nil
}

// sweep applies what the clock has decided since the last call: approval stages that timed out. It
// reports whether anything changed.
func (e *Engine) sweep() bool {
	now := e.now().UTC()
	changed := false
	for _, id := range e.st.Order {
		r := e.st.Requests[id]
		if r.Status != statusPendingApproval {
			continue
		}
		st := currentStage(r)
		if st == nil || st.Started == nil || st.TimeoutDays <= 0 {
			continue
		}
		deadline := st.Started.Add(time.Duration(st.TimeoutDays) * 24 * time.Hour)
		if now.Before(deadline) {
			continue
		}
		st.Status = stageExpired
		e.complete(r, deadline, e.cfg.ApprovalTimeoutStatus)
		changed = true
	}
	return changed
}
