package armpim

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// Approvals of activations use the documented roleAssignmentApprovals API (2021-01-01-preview): an
// approver finds the requests awaiting them with roleAssignmentScheduleRequests?$filter=asApprover(),
// reads the request's approvalId, and records a decision on the approval's current stage.

func (e *Engine) approvalRule(req *request) *rule {
	return pimcore.FindRule(e.policyAt(req.Scope, req.RoleID).Rules, pimcore.ActivationRuleID)
}

func (e *Engine) approvalRequired(req *request) bool {
	ap := e.approvalRule(req)
	return ap != nil && ap.Setting.IsApprovalRequired && ap.Setting.ApprovalMode != "NoApproval"
}

// newStages snapshots the policy's approval stages at request time; the first one starts now.
func (e *Engine) newStages(req *request, now time.Time) []*pimcore.Stage {
	return pimcore.NewStages(e.approvalRule(req).Setting.ApprovalStages, now, newName)
}

// isApprover reports whether userID may decide the stage: a listed user, or a member of a listed group.
func (e *Engine) isApprover(st *pimcore.Stage, userID string, now time.Time) bool {
	var groups map[string]bool
	return pimcore.IsApprover(st.Approvers, userID, func(groupID string) bool {
		if groups == nil {
			groups = pimcore.MemberSet(e.dir.MemberOf(userID, now))
		}
		return groups[strings.ToLower(groupID)]
	})
}

// awaits reports whether the request's current stage awaits userID's decision.
func (e *Engine) awaits(req *request, userID string, now time.Time) bool {
	st := pimcore.CurrentStage(req.Stages)
	return req.Status == pimcore.StatusPendingApproval && st != nil && !isRequestor(req, userID) && e.isApprover(st, userID, now)
}

func isRequestor(req *request, userID string) bool {
	return strings.EqualFold(req.RequestorID, userID) || strings.EqualFold(req.PrincipalID, userID)
}

// visibleApproval reports whether userID may read the approval: its requestor or one of its approvers.
func (e *Engine) visibleApproval(req *request, userID string, now time.Time) bool {
	return isRequestor(req, userID) || slices.ContainsFunc(req.Stages, func(st *pimcore.Stage) bool { return e.isApprover(st, userID, now) })
}

func (e *Engine) requestOfApproval(name string) *request {
	name = lastSegment(name)
	for _, n := range e.st.Order {
		if req := e.st.Requests[n]; req != nil && req.ApprovalName == name && len(req.Stages) > 0 {
			return req
		}
	}
	return nil
}

// decide records a decision on a stage. The requestor cannot decide their own request; a stage that
// requires approver justification refuses a decision without one.
func (e *Engine) decide(c reqctx.Caller, req *request, st *pimcore.Stage, result, justification string) *apiError {
	now := e.now().UTC()
	switch {
	case c.IsApp || isRequestor(req, c.ObjectID):
		return errorf(http.StatusForbidden, "AuthorizationFailed", "The requestor of a role assignment request cannot approve or deny it.")
	case !e.isApprover(st, c.ObjectID, now):
		return errorf(http.StatusForbidden, "AuthorizationFailed", "The caller is not an approver of this approval stage.")
	case st.Status != pimcore.StageInProgress:
		return errorf(http.StatusConflict, "Conflict", "The approval stage is %s and cannot be reviewed.", st.Status)
	}
	decision, ok := pimcore.Canonical([]string{"Approve", "Deny"}, result)
	if !ok {
		return errBadBody("reviewResult must be 'Approve' or 'Deny'.")
	}
	if st.RequireJustification && strings.TrimSpace(justification) == "" {
		return errorf(http.StatusBadRequest, "JustificationRequired", "A justification is required to review this request.")
	}
	switch {
	case !pimcore.Review(req.Stages, st, decision, decision, c.ObjectID, justification, now):
	case decision == "Deny":
		req.Status = pimcore.StatusDenied
	default:
		e.provision(req, now)
	}
	return nil
}

// --- handlers ---

// approvalsBase is where an approval lives for a route's scope ("" at tenant level).
func approvalsBase(scope string) string {
	return strings.TrimSuffix(scope, "/") + "/providers/Microsoft.Authorization/roleAssignmentApprovals/"
}

func (e *Engine) stageJSON(base string, req *request, i int, userID string, now time.Time) map[string]any {
	st := req.Stages[i]
	var reviewedBy any
	if st.ReviewedBy != "" {
		reviewedBy = map[string]any{"principalType": "user", "principalId": st.ReviewedBy, "principalName": nil, "userPrincipalName": nil}
	}
	seg := "/stages/"
	if e.cfg.ApprovalStepsProperty {
		seg = "/steps/"
	}
	return map[string]any{
		"id": base + req.ApprovalName + seg + st.ID, "name": st.ID, "type": "Microsoft.Authorization/roleAssignmentApprovals/stages",
		"properties": map[string]any{
			"displayName": "Approval stage " + strconv.Itoa(i+1), "status": st.Status,
			"assignedToMe": st.Status == pimcore.StageInProgress && !isRequestor(req, userID) && e.isApprover(st, userID, now),
			"reviewedBy":   reviewedBy, "reviewedDateTime": timeOrNil(st.ReviewedAt), "reviewResult": st.ReviewResult,
			"justification": st.Justification,
		},
	}
}

func (e *Engine) approvalJSON(base string, req *request, userID string, now time.Time) map[string]any {
	stages := make([]any, 0, len(req.Stages))
	for i := range req.Stages {
		stages = append(stages, e.stageJSON(base, req, i, userID, now))
	}
	prop := "stages"
	if e.cfg.ApprovalStepsProperty {
		prop = "steps"
	}
	return map[string]any{"id": base + req.ApprovalName, "name": req.ApprovalName, "type": "Microsoft.Authorization/roleAssignmentApprovals",
		"properties": map[string]any{prop: stages}}
}

// listApprovals supports asApprover() (awaiting the caller's decision), asCreatedBy() and asTarget()
// (the caller's own requests); without a filter, every approval the caller may read. Below a scope, only
// requests at or below it.
func (e *Engine) listApprovals(w http.ResponseWriter, r *http.Request, p router.Params) {
	scope := ""
	if p["scope"] != "" {
		var aerr *apiError
		if scope, aerr = e.resolveScope(p["scope"]); aerr != nil {
			writeError(w, aerr)
			return
		}
	}
	raw := strings.TrimSpace(r.URL.Query().Get("$filter"))
	fn := strings.ToLower(strings.TrimSuffix(raw, "()"))
	if raw != "" && fn != "asapprover" && fn != "ascreatedby" && fn != "astarget" {
		writeError(w, errFilter(raw))
		return
	}
	c := caller(r)
	now := e.now().UTC()
	e.mu.Lock()
	value := []any{}
	for _, n := range e.st.Order {
		req := e.st.Requests[n]
		if req == nil || len(req.Stages) == 0 || (scope != "" && !below(scope, req.Scope)) {
			continue
		}
		ok := e.visibleApproval(req, c.ObjectID, now)
		switch fn {
		case "asapprover":
			ok = e.awaits(req, c.ObjectID, now)
		case "ascreatedby":
			ok = strings.EqualFold(req.RequestorID, c.ObjectID)
		case "astarget":
			ok = strings.EqualFold(req.PrincipalID, c.ObjectID)
		}
		if ok {
			value = append(value, e.approvalJSON(approvalsBase(scope), req, c.ObjectID, now))
		}
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

// withApproval finds the approval of the route for a caller allowed to read it, or writes the 404.
func (e *Engine) withApproval(w http.ResponseWriter, r *http.Request, p router.Params, fn func(base string, req *request, c reqctx.Caller, now time.Time)) {
	base := approvalsBase(p["scope"])
	if p["scope"] != "" {
		scope, aerr := e.resolveScope(p["scope"])
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		base = approvalsBase(scope)
	}
	c := caller(r)
	now := e.now().UTC()
	e.mu.Lock()
	defer e.mu.Unlock()
	req := e.requestOfApproval(p["approvalId"])
	if req == nil || !e.visibleApproval(req, c.ObjectID, now) {
		writeError(w, errNotFound("RoleAssignmentApprovalNotFound", "role assignment approval", p["approvalId"]))
		return
	}
	fn(base, req, c, now)
}

func (e *Engine) getApproval(w http.ResponseWriter, r *http.Request, p router.Params) {
	e.withApproval(w, r, p, func(base string, req *request, c reqctx.Caller, now time.Time) {
		writeJSON(w, http.StatusOK, e.approvalJSON(base, req, c.ObjectID, now))
	})
}

func (e *Engine) listStages(w http.ResponseWriter, r *http.Request, p router.Params) {
	e.withApproval(w, r, p, func(base string, req *request, c reqctx.Caller, now time.Time) {
		value := make([]any, 0, len(req.Stages))
		for i := range req.Stages {
			value = append(value, e.stageJSON(base, req, i, c.ObjectID, now))
		}
		writeJSON(w, http.StatusOK, map[string]any{"value": value})
	})
}

func stageIndex(req *request, name string) int {
	for i, st := range req.Stages {
		if strings.EqualFold(st.ID, name) {
			return i
		}
	}
	return -1
}

func (e *Engine) getStage(w http.ResponseWriter, r *http.Request, p router.Params) {
	e.withApproval(w, r, p, func(base string, req *request, c reqctx.Caller, now time.Time) {
		i := stageIndex(req, p["stageId"])
		if i < 0 {
			writeError(w, errNotFound("RoleAssignmentApprovalStepNotFound", "approval stage", p["stageId"]))
			return
		}
		writeJSON(w, http.StatusOK, e.stageJSON(base, req, i, c.ObjectID, now))
	})
}

// decideStage records a decision. The examples send {"properties": {...}}, the definitions make the
// properties the body itself; both are read.
func (e *Engine) decideStage(w http.ResponseWriter, r *http.Request, p router.Params) {
	body, _ := io.ReadAll(r.Body)
	var in struct {
		ReviewResult  string `json:"reviewResult"`
		Justification string `json:"justification"`
		Properties    *struct {
			ReviewResult  string `json:"reviewResult"`
			Justification string `json:"justification"`
		} `json:"properties"`
	}
	if json.Unmarshal(body, &in) != nil {
		writeError(w, errBadBody("the body is not JSON."))
		return
	}
	if in.Properties != nil {
		in.ReviewResult, in.Justification = in.Properties.ReviewResult, in.Properties.Justification
	}
	decided := false
	e.withApproval(w, r, p, func(base string, req *request, c reqctx.Caller, now time.Time) {
		i := stageIndex(req, p["stageId"])
		if i < 0 {
			writeError(w, errNotFound("RoleAssignmentApprovalStepNotFound", "approval stage", p["stageId"]))
			return
		}
		if aerr := e.decide(c, req, req.Stages[i], in.ReviewResult, in.Justification); aerr != nil {
			writeError(w, aerr)
			return
		}
		decided = true
		writeJSON(w, http.StatusOK, e.stageJSON(base, req, i, c.ObjectID, now))
	})
	if decided {
		e.Fire()
	}
}
