package pim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// Approvals are delegated-only in Graph ("Application: Not supported"): these functions need a client
// signed in as a user (an approver, or the requester reading its own request's approval).

// NotApproverError: the signed-in user may not decide this approval (not an approver of its current
// stage, or the requester itself, who can never approve their own request).
type NotApproverError struct {
	ApprovalID string
	Err        error
}

func (e *NotApproverError) Error() string {
	return fmt.Sprintf("the signed-in user may not decide approval %s (%s)", e.ApprovalID, clients.ErrorMessage(e.Err))
}

func (e *NotApproverError) Unwrap() error { return e.Err }

// ErrAlreadyDecided: the stage was decided already (by another approver, or earlier).
var ErrAlreadyDecided = errors.New("the approval stage has already been decided")

func assignmentApprovals(c *clients.Client) *identitygovernance.PrivilegedAccessGroupAssignmentApprovalsRequestBuilder {
	return clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group().AssignmentApprovals()
}

// ReadApproval reads an approval with its stages. Graph returns the stages inline; when a service
// leaves them out they are listed separately.
func ReadApproval(ctx context.Context, c *clients.Client, approvalID string) (ActivationApproval, error) {
	m, err := assignmentApprovals(c).ByApprovalId(approvalID).Get(ctx, nil)
	if err != nil {
		if clients.StatusCode(err) == http.StatusForbidden {
			return ActivationApproval{}, &NotApproverError{ApprovalID: approvalID, Err: err}
		}
		return ActivationApproval{}, fmt.Errorf("reading approval %s: %w", approvalID, err)
	}
	a := approvalFromModel(m)
	if len(a.Stages) == 0 {
		stages, err := assignmentApprovals(c).ByApprovalId(approvalID).Stages().Get(ctx, nil)
		if err != nil {
			return ActivationApproval{}, fmt.Errorf("listing the stages of approval %s: %w", approvalID, err)
		}
		for _, s := range stages.GetValue() {
			a.Stages = append(a.Stages, approvalStageFromModel(s))
		}
	}
	if a.ID == "" {
		a.ID = approvalID
	}
	return a, nil
}

// MyPendingApprovals lists the activation requests waiting for the signed-in user's decision, with the
// request each approval is about. Two requests: the approvals assigned to me, and the requests for which
// I am an approver (their approval IDs join them).
func MyPendingApprovals(ctx context.Context, c *clients.Client) ([]PendingApproval, error) {
	resp, err := assignmentApprovals(c).FilterByCurrentUserWithOn(ptr("approver")).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("listing the approvals assigned to me: %w", err)
	}
	var approvals []ActivationApproval
	for _, m := range resp.GetValue() {
		a := approvalFromModel(m)
		if st, ok := a.CurrentStage(); ok && (st.AssignedToMe || len(a.Stages) == 1) {
			approvals = append(approvals, a)
		}
	}
	if len(approvals) == 0 {
		return nil, nil
	}
	reqs, err := assignmentRequests(c).FilterByCurrentUserWithOn(ptr("approver")).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("listing the requests awaiting my approval: %w", err)
	}
	byApproval := map[string]ActivationRequest{}
	for _, r := range reqs.GetValue() {
		act := activationFromRequest(r)
		key := act.ApprovalID
		if key == "" {
			key = act.RequestID // in PIM for groups the approval ID is the request ID
		}
		byApproval[strings.ToLower(key)] = act
	}
	out := make([]PendingApproval, 0, len(approvals))
	for _, a := range approvals {
		p := PendingApproval{Approval: a, Request: byApproval[strings.ToLower(a.ID)]}
		if p.Request.RequestID == "" {
			// Not in the list (replica lag): the approval ID is the request ID, read it directly.
			if act, err := ReadActivation(ctx, c, a.ID); err == nil {
				p.Request = act
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// DecideApproval records the signed-in user's decision on the approval's current stage (PATCH of the
// stage, 204). The service decides who may decide: a 403 (the requester, or someone who is not an
// approver) is a NotApproverError, a 409 or a stage no longer pending is ErrAlreadyDecided.
func DecideApproval(ctx context.Context, c *clients.Client, approvalID string, decision Decision, justification string) error {
	if decision != DecisionApprove && decision != DecisionDeny {
		return fmt.Errorf("decision %q is neither %s nor %s", decision, DecisionApprove, DecisionDeny)
	}
	a, err := ReadApproval(ctx, c, approvalID)
	if err != nil {
		return err
	}
	stage, ok := a.CurrentStage()
	if !ok {
		return fmt.Errorf("approval %s: %w", approvalID, ErrAlreadyDecided)
	}
	body := models.NewApprovalStage()
	body.SetReviewResult(ptr(string(decision)))
	if justification != "" {
		body.SetJustification(ptr(justification))
	}
	_, err = assignmentApprovals(c).ByApprovalId(approvalID).Stages().ByApprovalStageId(stage.ID).Patch(ctx, body, nil)
	switch {
	case err == nil:
		return nil
	case clients.StatusCode(err) == http.StatusForbidden:
		return &NotApproverError{ApprovalID: approvalID, Err: err}
	case clients.StatusCode(err) == http.StatusConflict:
		return fmt.Errorf("approval %s: %w: %s", approvalID, ErrAlreadyDecided, clients.ErrorMessage(err))
	}
	return fmt.Errorf("deciding approval %s: %w", approvalID, err)
}
