package pim

import "time"

// kind tells eligibility objects from assignment objects; both live in the same tables.
type kind string

const (
	kindEligibility kind = "eligibility"
	kindAssignment  kind = "assignment"
)

// state is everything the engine persists. Group policies that were never touched are not stored: they
// are derived from the group ID until the first change.
type state struct {
	Requests  map[string]*request     `json:"requests"`
	Schedules map[string]*schedule    `json:"schedules"`
	Groups    map[string]*groupPolicy `json:"groups"`
	Order     []string                `json:"order"` // request IDs in creation order
}

func newState() *state {
	return &state{
		Requests:  map[string]*request{},
		Schedules: map[string]*schedule{},
		Groups:    map[string]*groupPolicy{},
	}
}

// expiration is a request's or schedule's scheduleInfo.expiration.
type expiration struct {
	Type     string     `json:"type"` // notSpecified | noExpiration | afterDateTime | afterDuration
	End      *time.Time `json:"end,omitempty"`
	Duration string     `json:"duration,omitempty"` // canonical form, afterDuration only
}

// identity is the createdBy / reviewedBy of a request or stage.
type identity struct {
	ID    string `json:"id"`
	IsApp bool   `json:"isApp,omitempty"`
}

type request struct {
	Kind             kind       `json:"kind"`
	ID               string     `json:"id"`
	Status           string     `json:"status"`
	Created          time.Time  `json:"created"`
	Completed        *time.Time `json:"completed,omitempty"`
	ApprovalID       string     `json:"approvalId,omitempty"`
	CustomData       *string    `json:"customData,omitempty"`
	CreatedBy        identity   `json:"createdBy"`
	Action           string     `json:"action"`
	IsValidationOnly bool       `json:"isValidationOnly,omitempty"`
	Justification    *string    `json:"justification,omitempty"`
	HasSchedule      bool       `json:"hasSchedule,omitempty"`
	Start            time.Time  `json:"start"`
	Expiration       expiration `json:"expiration"`
	TicketNumber     *string    `json:"ticketNumber,omitempty"`
	TicketSystem     *string    `json:"ticketSystem,omitempty"`
	AccessID         string     `json:"accessId"`
	PrincipalID      string     `json:"principalId"`
	GroupID          string     `json:"groupId"`
	TargetScheduleID string     `json:"targetScheduleId"`
	MemberType       string     `json:"memberType,omitempty"`     // of the schedule an activation creates
	ActivatedUsing   string     `json:"activatedUsing,omitempty"` // eligibility schedule an activation uses
	Stages           []*stage   `json:"stages,omitempty"`         // approval, when one is required
}

// stage is one approval stage of a pending activation, with the approvers it had when requested.
type stage struct {
	ID                   string       `json:"id"`
	Status               string       `json:"status"` // NotStarted | InProgress | Completed | Expired
	ReviewResult         string       `json:"reviewResult"`
	ReviewedBy           *identity    `json:"reviewedBy,omitempty"`
	ReviewedAt           *time.Time   `json:"reviewedAt,omitempty"`
	Justification        string       `json:"justification"`
	Approvers            []subjectSet `json:"approvers"`
	TimeoutDays          int          `json:"timeoutDays"`
	RequireJustification bool         `json:"requireJustification"`
	Started              *time.Time   `json:"started,omitempty"`
}

type schedule struct {
	Kind           kind       `json:"kind"`
	ID             string     `json:"id"`
	CreatedUsing   string     `json:"createdUsing"`
	Created        time.Time  `json:"created"`
	Start          time.Time  `json:"start"`
	End            *time.Time `json:"end,omitempty"` // nil: permanent
	Expiration     expiration `json:"expiration"`    // as requested
	AccessID       string     `json:"accessId"`
	PrincipalID    string     `json:"principalId"`
	GroupID        string     `json:"groupId"`
	MemberType     string     `json:"memberType"`
	AssignmentType string     `json:"assignmentType,omitempty"` // assigned | activated (assignments only)
	ActivatedUsing string     `json:"activatedUsing,omitempty"`
	Ended          *time.Time `json:"ended,omitempty"` // removed, deactivated or replaced
}

// effective reports whether the schedule still exists at t: not removed and not past its end. Future
// schedules exist (and block duplicates) but have no instance yet.
func (s *schedule) effective(t time.Time) bool {
	return s.Ended == nil && (s.End == nil || t.Before(*s.End))
}

// active reports whether the schedule has an instance at t.
func (s *schedule) active(t time.Time) bool {
	return s.effective(t) && !t.Before(s.Start)
}

// groupPolicy holds a group's onboarding state and its member and owner policies once they differ from
// the derived defaults.
type groupPolicy struct {
	Onboarded bool                     `json:"onboarded"`
	Access    map[string]*accessPolicy `json:"access"`
}

type accessPolicy struct {
	GUID           string     `json:"guid"`
	Rules          []rule     `json:"rules,omitempty"` // nil: the defaults
	LastModified   *time.Time `json:"lastModified,omitempty"`
	LastModifiedBy string     `json:"lastModifiedBy,omitempty"`
}
