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
	r.SetAction(&action)
	access := models.MEMBER_PRIVILEGEDACCESSGROUPRELATIONSHIPS
	if spec.access() == AccessOwner {
		access = models.OWNER_PRIVILEGEDACCESSGROUPRELATIONSHIPS
	}
	r.SetAccessId(&access)
	r.SetGroupId(ptr(spec.GroupID))
	r.SetPrincipalId(ptr(principalID))
	if spec.Justification != "" {
		r.SetJustification(ptr(spec.Justification))
	}
	if spec.TicketNumber != "" {
		t := models.NewTicketInfo()
		t.SetTicketNumber(ptr(spec.TicketNumber))
		if spec.TicketSystem != "" {
			t.SetTicketSystem(ptr(spec.TicketSystem))
		}
		r.SetTicketInfo(t)
	}
	if action == models.SELFDEACTIVATE_SCHEDULEREQUESTACTIONS {
		return r
	}
	info := models.NewRequestSchedule()
	start := spec.Start
	if start.IsZero() {
		start = now
	}
	start = start.UTC().Truncate(time.Second)
	info.SetStartDateTime(&start)
	exp := models.NewExpirationPattern()
	t := models.AFTERDURATION_EXPIRATIONPATTERNTYPE
	exp.SetTypeEscaped(&t)
	// A plain string, as for eligibilities: kiota's ISODuration writer rewrites days as weeks.
	exp.SetAdditionalData(map[string]any{"duration": ptr(spec.Duration.String())})
	info.SetExpiration(exp)
	r.SetScheduleInfo(info)
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
	if info := r.GetScheduleInfo(); info != nil {
		if s := info.GetStartDateTime(); s != nil {
			a.Start = s.UTC()
		}
		if exp := info.GetExpiration(); exp != nil {
			switch {
			case exp.GetEndDateTime() != nil:
				a.End = exp.GetEndDateTime().UTC()
			case !a.Start.IsZero():
				if d := activationDuration(exp); !d.IsZero() {
					a.End = a.Start.Add(d.Std())
				}
			}
		}
	}
	return a
}

// activationDuration reads the expiration's duration whichever way it was decoded.
func activationDuration(exp models.ExpirationPatternable) Duration {
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
