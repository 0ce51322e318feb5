package pim

import (
	"fmt"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Statuses of an assignment schedule request (Graph spells them PascalCase; compare with strings.EqualFold).
const (
	StatusPendingApproval     = "PendingApproval"
	StatusPendingProvisioning = "PendingProvisioning"
	StatusGranted             = "Granted"
	StatusProvisioned         = "Provisioned"
	StatusDenied              = "Denied"
	StatusCanceled            = "Canceled"
	StatusFailed              = "Failed"
	StatusRevoked             = "Revoked"
)

// activationFinalStatuses are the statuses a self-activation request never leaves.
var activationFinalStatuses = []string{StatusProvisioned, StatusDenied, StatusCanceled, StatusFailed, StatusRevoked}

// ActivationSpec is a request by the signed-in user to activate their eligible membership (or ownership)
// of a group for a while. Activations are always time-bound: Duration is required.
type ActivationSpec struct {
	GroupID  string
	AccessID AccessID // member when empty
	Duration Duration
	// Start is when the activation should begin; zero means now.
	Start         time.Time
	Justification string
	TicketNumber  string
	TicketSystem  string
}

// ActivationRequest is a user's assignment schedule request (selfActivate or selfDeactivate) as Graph reports
// it. For an activation that needs approval, ApprovalID names the approval approvers decide on.
type ActivationRequest struct {
	RequestID     string
	ApprovalID    string
	Status        string
	Action        string
	GroupID       string
	PrincipalID   string
	AccessID      AccessID
	ScheduleID    string
	Justification string
	TicketNumber  string
	TicketSystem  string
	// Start and End are the window requested (End computed from a duration when Graph reports one).
	Start, End time.Time
	Created    time.Time
}

// IsPendingApproval reports whether the request waits for an approver.
func (a ActivationRequest) IsPendingApproval() bool {
	return strings.EqualFold(a.Status, StatusPendingApproval)
}

// IsProvisioned reports whether the activation has been carried out (the principal holds the access
// until End).
func (a ActivationRequest) IsProvisioned() bool {
	return strings.EqualFold(a.Status, StatusProvisioned)
}

// IsFinal reports whether the request's status can no longer change.
func (a ActivationRequest) IsFinal() bool {
	return activationStatusIn(a.Status, activationFinalStatuses)
}

func activationStatusIn(status string, set []string) bool {
	for _, s := range set {
		if strings.EqualFold(status, s) {
			return true
		}
	}
	return false
}

// Validate checks the spec before anything is sent.
func (s ActivationSpec) Validate() error {
	if !IsObjectID(s.GroupID) {
		return fmt.Errorf("group ID %q is not an object ID", s.GroupID)
	}
	if s.AccessID != "" {
		if _, err := ParseAccessID(string(s.AccessID)); err != nil {
			return err
		}
	}
	if s.Duration.IsZero() {
		return fmt.Errorf("an activation needs a duration: PIM activations are always time-bound")
	}
	if s.Duration.Std() < MinimumAssignment {
		return fmt.Errorf("activation duration %s is under five minutes, the shortest PIM accepts", s.Duration)
	}
	if s.TicketNumber == "" && s.TicketSystem != "" {
		return fmt.Errorf("a ticket system without a ticket number is not ticket information")
	}
	return nil
}

func (s ActivationSpec) access() AccessID {
	if s.AccessID == "" {
		return AccessMember
	}
	return s.AccessID
}

// activationRequest builds the body of a selfActivate or selfDeactivate assignment schedule request.
func activationRequest(action models.ScheduleRequestActions, principalID string, spec ActivationSpec, now time.Time) *models.PrivilegedAccessGroupAssignmentScheduleRequest {
	r := models.NewPrivilegedAccessGroupAssignmentScheduleRequest()
	// Validate refuses a ticket system without a number.
	fillRequest(r, action, requestParty{GroupID: spec.GroupID, PrincipalID: principalID, AccessID: spec.access(),
		Justification: spec.Justification, TicketNumber: spec.TicketNumber, TicketSystem: spec.TicketSystem})
	if action == models.SELFDEACTIVATE_SCHEDULEREQUESTACTIONS {
		return r
	}
	setSchedule(r, requestStart(spec.Start, now), models.AFTERDURATION_EXPIRATIONPATTERNTYPE, nil, &spec.Duration)
	return r
}

// activationFromRequest reads Graph's answer into an ActivationRequest.
func activationFromRequest(r models.PrivilegedAccessGroupAssignmentScheduleRequestable) ActivationRequest {
	a := ActivationRequest{
		RequestID:     deref(r.GetId()),
		ApprovalID:    deref(r.GetApprovalId()),
		Status:        deref(r.GetStatus()),
		GroupID:       deref(r.GetGroupId()),
		PrincipalID:   deref(r.GetPrincipalId()),
		ScheduleID:    deref(r.GetTargetScheduleId()),
		Justification: deref(r.GetJustification()),
	}
	if act := r.GetAction(); act != nil {
		a.Action = act.String()
	}
	if acc := r.GetAccessId(); acc != nil {
		a.AccessID, _ = ParseAccessID(acc.String())
	}
	if t := r.GetTicketInfo(); t != nil {
		a.TicketNumber, a.TicketSystem = deref(t.GetTicketNumber()), deref(t.GetTicketSystem())
	}
	if t := r.GetCreatedDateTime(); t != nil {
		a.Created = t.UTC()
	}
	a.Start, a.End, _, _ = scheduleWindow(r.GetScheduleInfo())
	return a
}

// scheduleWindow reads the scheduleInfo of a request or schedule: its start, its end (without one, start
// plus duration), the expiration's type and its duration.
func scheduleWindow(info models.RequestScheduleable) (start, end time.Time, expirationType string, d Duration) {
	if info == nil {
		return
	}
	if s := info.GetStartDateTime(); s != nil {
		start = s.UTC()
	}
	exp := info.GetExpiration()
	if exp == nil {
		return
	}
	if t := exp.GetTypeEscaped(); t != nil {
		expirationType = t.String()
	}
	d = expirationDuration(exp)
	if e := exp.GetEndDateTime(); e != nil {
		end = e.UTC()
	} else if !start.IsZero() && !d.IsZero() {
		end = start.Add(d.Std())
	}
	return
}

// expirationDuration reads the expiration's duration whichever way it was decoded.
func expirationDuration(exp models.ExpirationPatternable) Duration {
	if d := exp.GetDuration(); d != nil {
		return durationFromISO(d)
	}
	if v, ok := exp.GetAdditionalData()["duration"]; ok {
		if s, ok := v.(*string); ok && s != nil {
			if d, err := ParseDuration(*s); err == nil {
				return d
			}
		}
	}
	return Duration{}
}
