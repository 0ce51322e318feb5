package pim

import (
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// EligibilitySpec is an eligibility (or, with Key.Kind GroupActive, an active assignment) as configured:
// who is eligible for (or assigned) what, when, and the audit fields of the request that grants it.
type EligibilitySpec struct {
	Key           EligibilityKey
	Schedule      Schedule
	Justification string
	TicketNumber  string
	TicketSystem  string
}

// Eligibility is an eligibility schedule (or, with Key.Kind GroupActive, an active assignment schedule) as
// Graph reports it.
type Eligibility struct {
	ScheduleID string
	Key        EligibilityKey
	// AssignmentType is how an active assignment came about: assigned (by an administrator) or activated
	// (from an eligibility); empty for an eligibility.
	AssignmentType string
	// Status is the schedule's status (Provisioned for a live one).
	Status string
	// Start and End are when the eligibility holds; End is zero for a permanent one.
	Start time.Time
	End   time.Time
	// ExpirationType is Graph's expiration type of the schedule (noExpiration, afterDateTime,
	// afterDuration); Duration is set with afterDuration.
	ExpirationType string
	Duration       Duration
	MemberType     string
	// CreatedUsing is the ID of the request that created the schedule.
	CreatedUsing string
}

// Permanent reports whether the eligibility has no end.
func (e Eligibility) Permanent() bool { return e.End.IsZero() }

// Expiration types of Graph's expirationPattern.
const (
	ExpirationNone     = "noExpiration"
	ExpirationDateTime = "afterDateTime"
	ExpirationDuration = "afterDuration"
)

// Schedule statuses that mean the eligibility no longer holds (or never will).
var eligibilityGoneStatuses = []string{"Canceled", "Denied", "Failed", "Revoked"}

// Request statuses that mean the request is still in flight and can be cancelled.
var eligibilityPendingStatuses = []string{"Granted", "PendingAdminDecision", "PendingApproval", "PendingProvisioning", "PendingScheduleCreation"}

func eligibilityStatusIn(status string, set []string) bool {
	for _, s := range set {
		if strings.EqualFold(s, status) {
			return true
		}
	}
	return false
}

// Ended reports whether the eligibility is over at now: revoked, cancelled, or past its end.
func (e Eligibility) Ended(now time.Time) bool {
	if eligibilityStatusIn(e.Status, eligibilityGoneStatuses) {
		return true
	}
	return !e.End.IsZero() && !e.End.After(now)
}

// eligibilityFromSchedule maps Graph's schedule of kind k; wire holds its enums as sent (wireEnumsByID),
// which the SDK's model drops when they are not spelt as it expects.
func eligibilityFromSchedule(k GroupScheduleKind, s groupSchedule, wire wireEnums) Eligibility {
	e := Eligibility{
		ScheduleID:   deref(s.GetId()),
		Status:       deref(s.GetStatus()),
		CreatedUsing: deref(s.GetCreatedUsing()),
		Key: EligibilityKey{
			Kind:        k,
			GroupID:     deref(s.GetGroupId()),
			PrincipalID: deref(s.GetPrincipalId()),
		},
	}
	if k == GroupActive {
		e.AssignmentType = wire.AssignmentType
		if a, ok := s.(interface {
			GetAssignmentType() *models.PrivilegedAccessGroupAssignmentType
		}); ok && a.GetAssignmentType() != nil {
			e.AssignmentType = a.GetAssignmentType().String()
		}
	}
	if a := s.GetAccessId(); a != nil {
		e.Key.AccessID = AccessID(a.String())
	} else if a, err := ParseAccessID(wire.AccessID); err == nil {
		e.Key.AccessID = a
	} else if id, err := ParseScheduleID(e.ScheduleID); err == nil {
		e.Key.AccessID = id.AccessID // the schedule ID carries the access ID too
	}
	if m := s.GetMemberType(); m != nil {
		e.MemberType = m.String()
	} else {
		e.MemberType = wire.MemberType
	}
	e.Start, e.End, e.ExpirationType, e.Duration = scheduleWindow(s.GetScheduleInfo())
	if e.ExpirationType == "" {
		switch {
		case !e.Duration.IsZero():
			e.ExpirationType = ExpirationDuration
		case !e.End.IsZero():
			e.ExpirationType = ExpirationDateTime
		default:
			e.ExpirationType = ExpirationNone
		}
	}
	return e
}

// eligibilityRequest builds the body of a schedule request of spec.Key.Kind. now stands in for a missing start.
// A Duration counts from the configured start; PIM moves a past start (and the start of an updated
// schedule) to the time it processes the request, so with a start given, or with adminUpdate, the
// duration is sent as the end it implies, and afterDuration only when the start is "now" anyway.
func eligibilityRequest(action models.ScheduleRequestActions, spec EligibilitySpec, now time.Time) groupScheduleRequest {
	r := spec.Key.Kind.newRequest()
	fillRequest(r, action, requestParty{GroupID: spec.Key.GroupID, PrincipalID: spec.Key.PrincipalID, AccessID: spec.Key.AccessID,
		Justification: spec.Justification, TicketNumber: spec.TicketNumber, TicketSystem: spec.TicketSystem})
	if action == models.ADMINREMOVE_SCHEDULEREQUESTACTIONS {
		return r
	}
	start := requestStart(spec.Schedule.Start, now)
	s := spec.Schedule
	switch {
	case s.Permanent:
		setSchedule(r, start, models.NOEXPIRATION_EXPIRATIONPATTERNTYPE, nil, nil)
	case !s.Duration.IsZero() && (action == models.ADMINUPDATE_SCHEDULEREQUESTACTIONS || !spec.Schedule.Start.IsZero()):
		end := start.Add(s.Duration.Std())
		setSchedule(r, start, models.AFTERDATETIME_EXPIRATIONPATTERNTYPE, &end, nil)
	case !s.Duration.IsZero():
		setSchedule(r, start, models.AFTERDURATION_EXPIRATIONPATTERNTYPE, nil, &s.Duration)
	default:
		end := s.End.UTC()
		setSchedule(r, start, models.AFTERDATETIME_EXPIRATIONPATTERNTYPE, &end, nil)
	}
	return r
}

// Matches reports whether an existing eligibility is what spec asks for, within PIM's rounding (starts
// normalised to the request time, ends computed on the service): same principal, group and access, same
// permanence, and start and end within tolerance. now is when spec would have been requested.
func (e Eligibility) Matches(spec EligibilitySpec, now time.Time, tolerance time.Duration) bool {
	if e.Key.Kind != spec.Key.Kind || !SameObjectID(e.Key.GroupID, spec.Key.GroupID) || !SameObjectID(e.Key.PrincipalID, spec.Key.PrincipalID) ||
		e.Key.AccessID != spec.Key.AccessID {
		return false
	}
	near := func(a, b time.Time) bool { d := a.Sub(b); return d <= tolerance && d >= -tolerance }
	s := spec.Schedule
	if !s.Start.IsZero() && s.Start.After(now) && !near(e.Start, s.Start) {
		return false
	}
	switch {
	case s.Permanent:
		return e.Permanent()
	case e.Permanent():
		return false
	case !s.Duration.IsZero():
		d := e.End.Sub(e.Start) - s.Duration.Std()
		return d <= tolerance && d >= -tolerance
	default:
		return near(e.End, s.End)
	}
}
