package pim

import (
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Decision is an approver's answer to an activation request (the values Graph takes on input).
type Decision string

const (
	DecisionApprove Decision = "Approve"
	DecisionDeny    Decision = "Deny"
)

// Stage statuses and review results as Graph reports them. After a decision Graph may echo the input
// spelling (Approve/Deny) or the past tense (Approved/Denied): both are accepted.
const (
	StageInProgress   = "InProgress"
	StageNotStarted   = "NotStarted"
	StageCompleted    = "Completed"
	ReviewNotReviewed = "NotReviewed"
)

// ActivationApproval is the approval of one activation request; for PIM for groups its ID is the request's ID.
type ActivationApproval struct {
	ID     string
	Stages []ApprovalStage
}

// ApprovalStage is one stage of an approval, as seen by the signed-in user.
type ApprovalStage struct {
	ID            string
	Status        string
	ReviewResult  string
	Justification string
	AssignedToMe  bool
	ReviewedBy    string // object ID of the approver who decided
	Reviewed      time.Time
}

// IsPending reports whether the stage still waits for a decision.
func (s ApprovalStage) IsPending() bool {
	return strings.EqualFold(s.Status, StageInProgress) || strings.EqualFold(s.Status, StageNotStarted)
}

// Approved reports whether the stage was decided in favour.
func (s ApprovalStage) Approved() bool {
	return strings.EqualFold(s.ReviewResult, "Approve") || strings.EqualFold(s.ReviewResult, "Approved")
}

// Denied reports whether the stage was decided against.
func (s ApprovalStage) Denied() bool {
	return strings.EqualFold(s.ReviewResult, "Deny") || strings.EqualFold(s.ReviewResult, "Denied")
}

// CurrentStage is the first stage still pending (the one a decision applies to).
func (a ActivationApproval) CurrentStage() (ApprovalStage, bool) {
	for _, s := range a.Stages {
		if s.IsPending() {
			return s, true
		}
	}
	return ApprovalStage{}, false
}

// PendingApproval is an approval awaiting the signed-in user's decision, with the request it is about
// (who asks for what, why, for how long).
type PendingApproval struct {
	Approval ActivationApproval
	Request  ActivationRequest
}

func approvalFromModel(m models.Approvalable) ActivationApproval {
	a := ActivationApproval{ID: deref(m.GetId())}
	for _, s := range m.GetStages() {
		a.Stages = append(a.Stages, approvalStageFromModel(s))
	}
	return a
}

func approvalStageFromModel(s models.ApprovalStageable) ApprovalStage {
	st := ApprovalStage{
		ID:            deref(s.GetId()),
		Status:        deref(s.GetStatus()),
		ReviewResult:  deref(s.GetReviewResult()),
		Justification: deref(s.GetJustification()),
		AssignedToMe:  deref(s.GetAssignedToMe()),
	}
	if by := s.GetReviewedBy(); by != nil {
		st.ReviewedBy = deref(by.GetId())
	}
	if t := s.GetReviewedDateTime(); t != nil {
		st.Reviewed = t.UTC()
	}
	return st
}
