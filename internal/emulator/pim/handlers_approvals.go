package pim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// approvalRoutes serves assignmentApprovals: delegated permissions only ("Application: Not supported"),
// and stages under both /stages/ (the SDK) and /steps/ (the v1.0 documentation's path).
func (e *Engine) approvalRoutes(rt *router.Router) {
	base := groupBase + "assignmentApprovals"
	ro := routeOpts{perms: permAssignmentRead, delegatedOnly: true}
	wo := routeOpts{perms: permAssignmentWrite, delegatedOnly: true}
	const fragment = "identityGovernance/privilegedAccess/group/assignmentApprovals"
	e.handle(rt, http.MethodGet, base, ro, func(c *call) (any, *apiError) {
		return e.approvalCollection(c, false, fragment)
	})
	e.handle(rt, http.MethodGet, base+"/filterByCurrentUser(on='approver')", ro, func(c *call) (any, *apiError) {
		return e.approvalCollection(c, true, fragment)
	})
	e.handle(rt, http.MethodGet, base+"/{id}", ro, func(c *call) (any, *apiError) {
		r, aerr := e.lookupApproval(c, c.p["id"])
		if aerr != nil {
			return nil, aerr
		}
		return entity{fragment: fragment + "/$entity", obj: e.renderApproval(r, c.caller.ObjectID, c.now)}, nil
	})
	for _, seg := range []string{"stages", "steps"} {
		e.handle(rt, http.MethodGet, base+"/{id}/"+seg, ro, func(c *call) (any, *apiError) {
			r, aerr := e.lookupApproval(c, c.p["id"])
			if aerr != nil {
				return nil, aerr
			}
			var items []map[string]any
			for _, st := range r.Stages {
				items = append(items, e.renderStage(st, c.caller.ObjectID, c.now))
			}
			return collection{fragment: fragment + "('" + r.ID + "')/stages", items: c.filterItems(items)}, nil
		})
		e.handle(rt, http.MethodGet, base+"/{id}/"+seg+"/{stageId}", ro, func(c *call) (any, *apiError) {
			r, aerr := e.lookupApproval(c, c.p["id"])
			if aerr != nil {
				return nil, aerr
			}
			for _, st := range r.Stages {
				if strings.EqualFold(st.ID, c.p["stageId"]) {
					return entity{fragment: fragment + "('" + r.ID + "')/stages/$entity",
						obj: e.renderStage(st, c.caller.ObjectID, c.now)}, nil
				}
			}
			return nil, errNotFound("approval stage", c.p["stageId"])
		})
		e.handle(rt, http.MethodPatch, base+"/{id}/"+seg+"/{stageId}", wo, func(c *call) (any, *apiError) {
			var in struct {
				ReviewResult  string `json:"reviewResult"`
				Justification string `json:"justification"`
			}
			body, _ := io.ReadAll(c.r.Body)
			if err := json.Unmarshal(body, &in); err != nil {
				return nil, errBadRequest("BadRequest", "Unable to read JSON request payload.")
			}
			if aerr := e.decide(c.caller, c.p["id"], c.p["stageId"], in.ReviewResult, in.Justification); aerr != nil {
				return nil, aerr
			}
			c.changed = true
			return noContent{}, nil
		})
	}
}

// lookupApproval finds an approval the signed-in user may read (its requester or an approver).
func (e *Engine) lookupApproval(c *call, id string) (*request, *apiError) {
	r := e.st.Requests[strings.ToLower(id)]
	if r == nil || len(r.Stages) == 0 {
		return nil, errNotFound("approval", id)
	}
	if !e.canSeeApproval(r, c.caller.ObjectID, c.now) {
		return nil, errForbidden("")
	}
	return r, nil
}

// approvalCollection lists the approvals the user takes part in, or (pendingForMe) those awaiting the
// user's decision: in progress, the user an approver of the current stage and not the requester.
func (e *Engine) approvalCollection(c *call, pendingForMe bool, fragment string) (any, *apiError) {
	var items []map[string]any
	for _, id := range e.st.Order {
		r := e.st.Requests[id]
		if len(r.Stages) == 0 {
			continue
		}
		if pendingForMe {
			st := pimcore.CurrentStage(r.Stages)
			if r.Status != pimcore.StatusPendingApproval || st == nil || isRequester(r, c.caller.ObjectID) ||
				!e.isApprover(st, c.caller.ObjectID, c.now) {
				continue
			}
		} else if !e.canSeeApproval(r, c.caller.ObjectID, c.now) {
			continue
		}
		items = append(items, e.renderApproval(r, c.caller.ObjectID, c.now))
	}
	return collection{fragment: fragment, items: c.filterItems(items)}, nil
}
