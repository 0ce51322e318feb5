package pimcore

import (
	"strings"
	"time"
)

// Approval stage statuses and review results (reference §5.2; RoleAssignmentApprovalStepStatus).
const (
	StageNotStarted = "NotStarted"
	StageInProgress = "InProgress"
	StageCompleted  = "Completed"
	StageExpired    = "Expired"
	NotReviewed     = "NotReviewed"
)

// Stage is one approval stage of a pending activation, with the approvers it had when requested.
type Stage struct {
	ID                   string     `json:"id"`
	Status               string     `json:"status"`
	ReviewResult         string     `json:"reviewResult"`
	ReviewedBy           string     `json:"reviewedBy,omitempty"` // object ID of the reviewer
	ReviewedAt           *time.Time `json:"reviewedAt,omitempty"`
	Justification        string     `json:"justification"`
	Approvers            []Approver `json:"approvers"`
	TimeoutDays          int        `json:"timeoutDays"`
	RequireJustification bool       `json:"requireJustification"`
	Started              *time.Time `json:"started,omitempty"`
}

// NewStages snapshots the approval stages of a policy's setting at request time; the first one starts
// now. A setting without stages still gets one, which nobody modelled may decide.
func NewStages(settings []ApprovalStage, now time.Time, newID func() string) []*Stage {
	if len(settings) == 0 {
		settings = []ApprovalStage{{TimeoutDays: 1}}
	}
	out := make([]*Stage, 0, len(settings))
	for i, s := range settings {
		st := &Stage{ID: newID(), Status: StageNotStarted, ReviewResult: NotReviewed, Approvers: append([]Approver{}, s.Primary...),
			TimeoutDays: s.TimeoutDays, RequireJustification: s.ApproverJustificationRequired}
		if i == 0 {
			t := now
			st.Status, st.Started = StageInProgress, &t
		}
		out = append(out, st)
	}
	return out
}

// CurrentStage returns the stage awaiting a decision, if any.
func CurrentStage(stages []*Stage) *Stage {
	for _, st := range stages {
		if st.Status == StageInProgress {
			return st
		}
	}
	return nil
}

// IsApprover reports whether userID may decide a stage with these approvers: a listed user, or a member
// of a listed group (isMember tells). With nobody listed, no emulated user may (real tenants fall back to
// privileged role administrators).
func IsApprover(approvers []Approver, userID string, isMember func(groupID string) bool) bool {
	for _, a := range approvers {
		if a.Group {
			if isMember(a.ID) {
				return true
			}
		} else if strings.EqualFold(a.ID, userID) {
			return true
		}
	}
	return false
}

// Review records the decision ("Approve" or "Deny", stored as result) of by on st, the current stage of
// stages, and starts the next stage after an approval. It reports whether the request is now decided
// for good: denied, or approved by its last stage.
func Review(stages []*Stage, st *Stage, decision, result, by, justification string, now time.Time) (done bool) {
	t := now
	st.Status, st.ReviewResult, st.ReviewedBy, st.ReviewedAt, st.Justification = StageCompleted, result, by, &t, justification
	if decision == "Deny" {
		return true
	}
	for _, next := range stages {
		if next.Status == StageNotStarted {
			next.Status, next.Started = StageInProgress, &t
			return false
		}
	}
	return true
}

// Expire expires the current stage once its timeout has passed at now and returns its deadline.
func Expire(stages []*Stage, now time.Time) (deadline time.Time, expired bool) {
	st := CurrentStage(stages)
	if st == nil || st.Started == nil || st.TimeoutDays <= 0 {
		return time.Time{}, false
	}
	deadline = st.Started.Add(time.Duration(st.TimeoutDays) * 24 * time.Hour)
	if now.Before(deadline) {
		return time.Time{}, false
	}
	st.Status = StageExpired
	return deadline, true
}

// Close ends the stages still open (a cancelled request).
func Close(stages []*Stage) {
	for _, st := range stages {
		if st.Status == StageInProgress || st.Status == StageNotStarted {
			st.Status = StageCompleted
		}
	}
}
