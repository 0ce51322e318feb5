package armpim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// Approvals of activations of Azure resource roles go through roleAssignmentApprovals
// (Microsoft.Authorization 2021-01-01-preview), the documented approval API of PIM for Azure resources;
// no SDK covers it, so it is called through the provider's ARM pipeline. An approver finds the requests
// awaiting them with roleAssignmentScheduleRequests?$filter=asApprover() and decides on the current stage
// of the request's approval. Like approvals of PIM for groups, these calls need a signed-in user.

const approvalAPIVersion = "2021-01-01-preview"

// PendingApprovals lists the activation requests at or below scope that await the caller's decision.
func PendingApprovals(ctx context.Context, c *clients.Client, scope string) ([]Activation, error) {
	sc, err := rbac.NormalizeScope(scope)
	if err != nil {
		return nil, err
	}
	ms, err := listAssignmentRequests(ctx, c, sc.Wire, "asApprover()")
	if err != nil {
		return nil, fmt.Errorf("listing the requests awaiting my approval at %s: %w", scope, err)
	}
	var out []Activation
	for _, m := range ms {
		if a := activationOf(assignmentRequestOf(m), val(m.Properties.Scope)); a.IsPendingApproval() && a.ApprovalID != "" {
			out = append(out, a)
		}
	}
	return out, nil
}

// approvalStage is a stage of a roleAssignmentApprovals object, as much of it as a decision needs.
type approvalStage struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Properties struct {
		Status       string `json:"status"`
		AssignedToMe bool   `json:"assignedToMe"`
	} `json:"properties"`
}

// Decide records the caller's decision on the current stage of an approval (approvalID: the request's
// approvalId, a resource ID or a bare GUID). A 403 (the requester, or someone who is not an approver) is a
// *pim.NotApproverError; a stage no longer pending is pim.ErrAlreadyDecided.
func Decide(ctx context.Context, c *clients.Client, approvalID string, decision pim.Decision, justification string) error {
	if decision != pim.DecisionApprove && decision != pim.DecisionDeny {
		return fmt.Errorf("decision %q is neither %s nor %s", decision, pim.DecisionApprove, pim.DecisionDeny)
	}
	path := approvalID
	if !strings.HasPrefix(path, "/") {
		path = "/providers/Microsoft.Authorization/roleAssignmentApprovals/" + approvalID
	}
	q := url.Values{"api-version": {approvalAPIVersion}}
	// The examples list the stages under properties.stages, the definitions under properties.steps.
	var got struct {
		Properties struct {
			Stages []approvalStage `json:"stages"`
			Steps  []approvalStage `json:"steps"`
		} `json:"properties"`
	}
	if err := c.Schedules.Do(ctx, http.MethodGet, path, q, nil, &got); err != nil {
		if clients.StatusCode(err) == http.StatusNotFound || clients.StatusCode(err) == http.StatusForbidden {
			return &pim.NotApproverError{ApprovalID: approvalID, Err: err}
		}
		return fmt.Errorf("reading approval %s: %w", approvalID, err)
	}
	var current *approvalStage
	for _, st := range append(got.Properties.Stages, got.Properties.Steps...) {
		if strings.EqualFold(st.Properties.Status, pim.StageInProgress) {
			current = &st
			break
		}
	}
	if current == nil {
		return fmt.Errorf("approval %s: %w", approvalID, pim.ErrAlreadyDecided)
	}
	// The stage's own ID is the path to decide on (whichever of /stages/ and /steps/ the service uses).
	stagePath := current.ID
	if !strings.HasPrefix(stagePath, "/") {
		stagePath = path + "/stages/" + current.Name
	}
	body := map[string]any{"properties": map[string]any{"reviewResult": string(decision), "justification": justification}}
	err := c.Schedules.Do(ctx, http.MethodPatch, stagePath, q, body, nil)
	switch {
	case err == nil:
		return nil
	case clients.StatusCode(err) == http.StatusForbidden:
		return &pim.NotApproverError{ApprovalID: approvalID, Err: err}
	case clients.StatusCode(err) == http.StatusConflict:
		return fmt.Errorf("approval %s: %w: %s", approvalID, pim.ErrAlreadyDecided, clients.ErrorMessage(err))
	}
	return fmt.Errorf("deciding approval %s: %w", approvalID, err)
}
