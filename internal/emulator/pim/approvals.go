package pim

import (
	"slices"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

func (e *Engine) approvalRule(r *request) *rule {
	p, ok := e.policy(r.GroupID, r.AccessID)
	if !ok {
		return nil
	}
	ap := pimcore.FindRule(p.Rules, pimcore.ActivationRuleID)
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
// request ID, as in the PIM-for-groups sample, or its own (the pim.stage-id variant).
func (e *Engine) newStages(r *request, now time.Time) []*pimcore.Stage {
	stages := pimcore.NewStages(e.approvalRule(r).Setting.ApprovalStages, now, e.newID)
	if e.cfg.StageIDs == "request-id" {
		stages[0].ID = r.ID
	}
	return stages
}

// isApprover reports whether userID may decide the stage: a listed user, or a member (not a mere owner)
// of a listed group.
func (e *Engine) isApprover(st *pimcore.Stage, userID string, now time.Time) bool {
	return pimcore.IsApprover(st.Approvers, userID, func(groupID string) bool { return e.dir.IsMember(groupID, userID, now) })
}

// isRequester reports whether the user asked for (or would benefit from) the request.
func isRequester(r *request, userID string) bool {
	return strings.EqualFold(r.CreatedBy.ID, userID) || strings.EqualFold(r.PrincipalID, userID)
}

// canSeeApproval reports whether a signed-in user may read an approval: its requester or an approver of
// one of its stages.
func (e *Engine) canSeeApproval(r *request, userID string, now time.Time) bool {
	return isRequester(r, userID) || slices.ContainsFunc(r.Stages, func(st *pimcore.Stage) bool { return e.isApprover(st, userID, now) })
}

// decide records a reviewer's decision on a stage (PATCH .../stages/{id}).
func (e *Engine) decide(c reqctx.Caller, approvalID, stageID, result, justification string) *apiError {
	now := e.now().UTC()
	r := e.st.Requests[strings.ToLower(approvalID)]
	if r == nil || len(r.Stages) == 0 {
		return errNotFound("approval", approvalID)
	}
	var st *pimcore.Stage
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
	case pimcore.StageCompleted, pimcore.StageExpired:
		return errConflict("The approval stage has already been reviewed or is no longer pending.")
	case pimcore.StageNotStarted:
		return errForbidden("The approval stage has not started.")
	}
	decision, ok := pimcore.Canonical([]string{"Approve", "Deny"}, result)
	if !ok {
		return errBadRequest("BadRequest", "reviewResult must be 'Approve' or 'Deny'.")
	}
	if st.RequireJustification && e.cfg.EnforceApproverJustification && strings.TrimSpace(justification) == "" {
		return errBadRequest("BadRequest", "A justification is required to review this request.")
	}
	recorded := decision
	if e.cfg.ReviewResultAfterDecision == "Approved" {
		recorded = map[string]string{"Approve": "Approved", "Deny": "Denied"}[decision]
	}
	if !pimcore.Review(r.Stages, st, decision, recorded, c.ObjectID, justification, now) {
		return nil
	}
	if decision == "Deny" {
		e.complete(r, now, pimcore.StatusDenied)
	} else {
		e.provisionActivation(r, now)
	}
	return nil
}

// sweep applies what the clock has decided since the last call: approval stages that timed out. It
// reports whether anything changed.
func (e *Engine) sweep() bool {
	now := e.now().UTC()
	changed := false
	for _, id := range e.st.Order {
		r := e.st.Requests[id]
		if r.Status != pimcore.StatusPendingApproval {
			continue
		}
		if deadline, expired := pimcore.Expire(r.Stages, now); expired {
			e.complete(r, deadline, e.cfg.ApprovalTimeoutStatus)
			changed = true
		}
	}
	return changed
}
