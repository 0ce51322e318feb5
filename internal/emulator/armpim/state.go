package armpim

import "time"

// kind tells eligibility objects from assignment objects; both live in the same tables.
type kind string

const (
	kindEligibility kind = "eligibility"
	kindAssignment  kind = "assignment"
)

// state is everything the engine persists. Policies nobody changed are not stored: they are derived from
// their scope and role until the first change.
type state struct {
	Requests  map[string]*request  `json:"requests"`
	Schedules map[string]*schedule `json:"schedules"`
	Policies  map[string]*policy   `json:"policies"` // by policyKey(scope, role)
	Order     []string             `json:"order"`    // request names in creation order
}

func newState() *state {
	return &state{Requests: map[string]*request{}, Schedules: map[string]*schedule{}, Policies: map[string]*policy{}}
}

// expiration is a request's or schedule's scheduleInfo.expiration.
type expiration struct {
	Type     string     `json:"type"` // AfterDuration | AfterDateTime | NoExpiration
	End      *time.Time `json:"end,omitempty"`
	Duration string     `json:"duration,omitempty"` // canonical, AfterDuration only
}

// target is what a request or schedule is about: a role at a scope for a principal.
type target struct {
	Scope         string `json:"scope"`  // canonical casing
	RoleID        string `json:"roleId"` // role definition GUID, lower case
	PrincipalID   string `json:"principalId"`
	PrincipalType string `json:"principalType"`
}

type request struct {
	target
	Kind             kind       `json:"kind"`
	Name             string     `json:"name"`
	RequestType      string     `json:"requestType"`
	Status           string     `json:"status"`
	Created          time.Time  `json:"created"`
	RequestorID      string     `json:"requestorId"`
	Start            time.Time  `json:"start"`
	HasSchedule      bool       `json:"hasSchedule,omitempty"`
	Expiration       expiration `json:"expiration"`
	Justification    *string    `json:"justification,omitempty"`
	TicketNumber     *string    `json:"ticketNumber,omitempty"`
	TicketSystem     *string    `json:"ticketSystem,omitempty"`
	Condition        *string    `json:"condition,omitempty"`
	ConditionVersion *string    `json:"conditionVersion,omitempty"`
	TargetSchedule   string     `json:"targetSchedule,omitempty"` // name of the schedule created or acted on
	TargetInstance   string     `json:"targetInstance,omitempty"`
	LinkedEligible   string     `json:"linkedEligible,omitempty"` // eligibility schedule an activation uses
	MemberType       string     `json:"memberType,omitempty"`     // of the schedule an activation creates
	ApprovalName     string     `json:"approvalName,omitempty"`
	Stages           []*stage   `json:"stages,omitempty"`
}

type schedule struct {
	target
	Kind             kind       `json:"kind"`
	Name             string     `json:"name"`
	RequestName      string     `json:"requestName"`
	Created          time.Time  `json:"created"`
	Updated          time.Time  `json:"updated"`
	Start            time.Time  `json:"start"`
	End              *time.Time `json:"end,omitempty"` // nil: permanent
	Expiration       expiration `json:"expiration"`    // as requested
	MemberType       string     `json:"memberType"`    // Direct | Group
	AssignmentType   string     `json:"assignmentType,omitempty"`
	LinkedEligible   string     `json:"linkedEligible,omitempty"`
	Condition        *string    `json:"condition,omitempty"`
	ConditionVersion *string    `json:"conditionVersion,omitempty"`
	// Instance names the current instance: for an active assignment, the role assignment ARM holds while
	// the schedule is active (the instance's originRoleAssignmentId).
	Instance string     `json:"instance"`
	Ended    *time.Time `json:"ended,omitempty"` // removed, deactivated or replaced
}

// exists reports whether the schedule is still there at t: not removed and not past its end. Future
// schedules exist (and block duplicates) but have no instance yet.
func (s *schedule) exists(t time.Time) bool {
	return s.Ended == nil && (s.End == nil || t.Before(*s.End))
}

// active reports whether the schedule has an instance at t.
func (s *schedule) active(t time.Time) bool {
	return s.exists(t) && !t.Before(s.Start)
}

// stage is one approval stage of a pending activation, with the approvers it had when requested.
type stage struct {
	Name                 string     `json:"name"`
	Status               string     `json:"status"` // NotStarted | InProgress | Completed | Expired
	ReviewResult         string     `json:"reviewResult"`
	ReviewedBy           string     `json:"reviewedBy,omitempty"`
	ReviewedAt           *time.Time `json:"reviewedAt,omitempty"`
	Justification        string     `json:"justification"`
	Approvers            []userSet  `json:"approvers"`
	TimeoutDays          int        `json:"timeoutDays"`
	RequireJustification bool       `json:"requireJustification"`
	Started              *time.Time `json:"started,omitempty"`
}

// policy is the role management policy of one role at one scope, once it differs from the defaults.
type policy struct {
	Name           string     `json:"name"`
	Scope          string     `json:"scope"`
	RoleID         string     `json:"roleId"`
	Rules          []rule     `json:"rules"`
	LastModified   *time.Time `json:"lastModified,omitempty"`
	LastModifiedBy string     `json:"lastModifiedBy,omitempty"`
}
