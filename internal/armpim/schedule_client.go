package armpim

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// adoptTolerance is how far an existing schedule's end may be from the configured one for a create that
// meets RoleAssignmentExists to adopt it (the schedule a create whose answer was lost made).
const adoptTolerance = 10 * time.Minute

// subjectInterval is the pause between tries while PIM does not know a new principal yet.
var subjectInterval = 5 * time.Second

// Request statuses after which no schedule will come of a request.
var failedStatuses = []string{"Denied", "Failed", "Canceled", "Revoked", "TimedOut", "Invalid", "AdminDenied", "FailedAsResourceIsLocked"}

func statusIn(s string, set []string) bool {
	for _, v := range set {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// ExistsError: PIM already has a schedule for the target that this create did not make (or not with
// this schedule), so it is not adopted.
type ExistsError struct {
	Existing Schedule
	Err      error
}

func (e *ExistsError) Error() string {
	if e.Existing.ID == "" {
		return fmt.Sprintf("an %s already exists for %s", e.Existing.Kind, e.Existing.Target)
	}
	return fmt.Sprintf("%s %s already exists for %s", e.Existing.Kind, e.Existing.ID, e.Existing.Target)
}

func (e *ExistsError) Unwrap() error { return e.Err }

// RequestFailedError: PIM accepted the request but it ended without a schedule.
type RequestFailedError struct {
	RequestName string
	Status      string
}

func (e *RequestFailedError) Error() string {
	return fmt.Sprintf("schedule request %s ended with status %s", e.RequestName, e.Status)
}

// classify turns the refusal of the role's PIM policy (RoleAssignmentRequestPolicyValidationFailed) of a
// request by caller ("Admin", "EndUser") at level ("Eligibility", "Assignment") into a
// *pim.PolicyRejectedError: the same checks and rules as a group's policy.
func classify(err error, caller, level string) error {
	if err == nil || !strings.EqualFold(clients.ErrorCode(err), "RoleAssignmentRequestPolicyValidationFailed") {
		return err
	}
	return pim.ParsePolicyRejection(clients.ErrorMessage(err), caller, level, err)
}

// wireTarget is the target as sent: the scope as written (aliases rewritten), the subscription form of
// the role definition ID.
func wireTarget(c *clients.Client, t Target) (Target, error) {
	sc, err := rbac.NormalizeScope(t.Scope)
	if err != nil {
		return Target{}, err
	}
	guid, err := rbac.RoleDefinitionGUID(t.RoleDefinitionID)
	if err != nil {
		return Target{}, err
	}
	return Target{Scope: sc.Wire, RoleDefinitionID: rbac.SubscriptionRoleDefinitionID(c.SubscriptionID, guid), PrincipalID: t.PrincipalID}, nil
}

// scheduleRequest is the request that puts spec's schedule in place with requestType.
func scheduleRequest(c *clients.Client, spec Spec, requestType armauthorization.RequestType) (request, error) {
	t, err := wireTarget(c, spec.Target)
	if err != nil {
		return request{}, err
	}
	r := request{Name: uuid.NewString(), RequestType: requestType, Target: t, Start: spec.Schedule.Start,
		Justification: spec.Justification, TicketNumber: spec.TicketNumber, TicketSystem: spec.TicketSystem,
		Condition: spec.Condition, Version: spec.ConditionVersion}
	switch s := spec.Schedule; {
	case s.Permanent:
		r.ExpirationType = armauthorization.TypeNoExpiration
	case !s.Duration.IsZero():
		r.ExpirationType, r.Duration = armauthorization.TypeAfterDuration, s.Duration.String()
	default:
		r.ExpirationType, r.End = armauthorization.TypeAfterDateTime, s.End
	}
	return r, nil
}

// checkSpec refuses a schedule PIM would refuse before any request; a zero now skips the checks relative
// to the current time (an update keeps its start).
func checkSpec(spec Spec, now time.Time) error {
	if now.IsZero() {
		now = spec.Schedule.Start
	}
	if errs := pim.Errors(spec.Schedule.Validate(now)); len(errs) > 0 {
		return fmt.Errorf("invalid %s schedule: %w", spec.Kind, errs[0])
	}
	return nil
}

// Create sends AdminAssign and waits until the new schedule reads back consistently. PIM not knowing a
// principal created moments ago (SubjectNotFound) is retried for the client's PrincipalNotFoundTimeout. A
// create that meets RoleAssignmentExists adopts the existing schedule when it matches spec (what a
// create whose answer was lost made), and otherwise returns an *ExistsError naming it.
func Create(ctx context.Context, c *clients.Client, spec Spec) (Schedule, error) {
	if err := checkSpec(spec, c.Now()); err != nil {
		return Schedule{}, err
	}
	req, err := scheduleRequest(c, spec, armauthorization.RequestTypeAdminAssign)
	if err != nil {
		return Schedule{}, err
	}
	start := time.Now()
	var got request
	// The request keeps its name across tries: a PUT resent after a lost answer names the same request.
	err = clients.RetryFor(ctx, c.PrincipalNotFoundTimeout, subjectInterval, clients.IsPrincipalNotFound, func(ctx context.Context) error {
		got, err = put(ctx, c, spec.Kind, req)
		return err
	})
	switch {
	case err == nil:
	case clients.IsPrincipalNotFound(err):
		return Schedule{}, &rbac.PrincipalNotFoundError{PrincipalID: spec.PrincipalID, Waited: time.Since(start), Err: err}
	case strings.EqualFold(clients.ErrorCode(err), "RoleAssignmentExists"):
		existing, found, ferr := Find(ctx, c, spec.Kind, spec.Target)
		switch {
		case ferr != nil:
			return Schedule{}, fmt.Errorf("%w (and looking up the existing %s failed: %v)", err, spec.Kind, ferr)
		case !found || !existing.Matches(spec, adoptTolerance):
			if !found {
				existing = Schedule{Kind: spec.Kind, Target: spec.Target}
			}
			return Schedule{}, &ExistsError{Existing: existing, Err: err}
		}
		return Wait(ctx, c, existing.ID)
	default:
		return Schedule{}, classify(err, "Admin", spec.Kind.level())
	}
	return followRequest(ctx, c, spec.Kind, req.Scope, got)
}

// followRequest waits for the schedule an accepted request names.
func followRequest(ctx context.Context, c *clients.Client, k Kind, scope string, got request) (Schedule, error) {
	if statusIn(got.Status, failedStatuses) {
		return Schedule{}, &RequestFailedError{RequestName: got.Name, Status: got.Status}
	}
	if got.TargetSchedule == "" {
		return Schedule{}, fmt.Errorf("the %s request %s (status %s) did not name its schedule", k, got.Name, got.Status)
	}
	id, err := scheduleRef(k, scope, got.TargetSchedule)
	if err != nil {
		return Schedule{}, fmt.Errorf("the %s request %s named its schedule %q: %w", k, got.Name, got.TargetSchedule, err)
	}
	return Wait(ctx, c, id.String())
}

// Wait polls the schedule until it has read back the configured number of times in a row (replicas lag
// behind the write), and returns it.
func Wait(ctx context.Context, c *clients.Client, id string) (Schedule, error) {
	var got Schedule
	err := c.WaitConsistent(ctx, func(ctx context.Context) (bool, error) {
		s, found, err := Read(ctx, c, id)
		got = s
		return found, err
	})
	if err != nil {
		return Schedule{}, fmt.Errorf("waiting for schedule %s to become readable: %w", id, err)
	}
	return got, nil
}

// Read reads a schedule by ID. found is false when it does not exist or no longer holds (removed,
// expired): the access is gone, whatever the requests say.
func Read(ctx context.Context, c *clients.Client, id string) (Schedule, bool, error) {
	sid, err := ParseScheduleID(id)
	if err != nil {
		return Schedule{}, false, err
	}
	s, err := getSchedule(ctx, c, sid.Kind, sid.WireScope, sid.Name)
	if err != nil {
		if clients.IsNotFound(err) {
			return Schedule{}, false, nil
		}
		return Schedule{}, false, fmt.Errorf("reading schedule %s: %w", id, err)
	}
	if s.ID == "" {
		s.ID = id
	}
	return s, !s.ended(c.Now()), nil
}

// Find finds the live schedule of kind k for the target (at most one exists per principal, role and
// scope): the principal's own, made at exactly the target's scope.
func Find(ctx context.Context, c *clients.Client, k Kind, t Target) (Schedule, bool, error) {
	wt, err := wireTarget(c, t)
	if err != nil {
		return Schedule{}, false, err
	}
	list, err := listSchedules(ctx, c, k, wt.Scope, "principalId eq '"+t.PrincipalID+"'")
	if err != nil {
		return Schedule{}, false, fmt.Errorf("listing the %s schedules of %s: %w", k, t, err)
	}
	now := c.Now()
	for _, s := range list {
		if s.Same(t) && (s.MemberType == "" || strings.EqualFold(s.MemberType, "Direct")) && !s.ended(now) {
			return s, true, nil
		}
	}
	return Schedule{}, false, nil
}

// ListInEffect lists the schedules of kind k in effect now (started, not ended) at, above and below
// scope: one unfiltered list, which ARM answers with every schedule there, each principal's own and
// every role's.
func ListInEffect(ctx context.Context, c *clients.Client, k Kind, scope string) ([]Schedule, error) {
	sc, err := rbac.NormalizeScope(scope)
	if err != nil {
		return nil, err
	}
	list, err := listSchedules(ctx, c, k, sc.Wire, "")
	if err != nil {
		return nil, fmt.Errorf("listing the %s schedules at %s: %w", k, scope, err)
	}
	now := c.Now()
	out := list[:0]
	for _, s := range list {
		if !s.ended(now) && !s.Start.After(now) {
			out = append(out, s)
		}
	}
	return out, nil
}

// Update sends AdminUpdate (never a second AdminAssign, which PIM refuses with RoleAssignmentExists) and
// follows the schedule the request names: PIM may give the updated access a new schedule ID, which is
// returned. spec.Schedule.Start should be the original start, so that a duration keeps counting from it.
func Update(ctx context.Context, c *clients.Client, spec Spec) (Schedule, error) {
	if err := checkSpec(spec, time.Time{}); err != nil {
		return Schedule{}, err
	}
	req, err := scheduleRequest(c, spec, armauthorization.RequestTypeAdminUpdate)
	if err != nil {
		return Schedule{}, err
	}
	got, err := put(ctx, c, spec.Kind, req)
	if err != nil {
		return Schedule{}, classify(err, "Admin", spec.Kind.level())
	}
	return followRequest(ctx, c, spec.Kind, req.Scope, got)
}

// Remove ends the schedule with AdminRemove. PIM refuses to remove a schedule in its first minutes
// (ActiveDurationTooShort): that is polled out until ctx's deadline. RoleAssignmentDoesNotExist and 404
// mean it is gone already. It returns once the schedule no longer reads back.
func Remove(ctx context.Context, c *clients.Client, id string, t Target, justification, ticketNumber, ticketSystem string) error {
	sid, err := ParseScheduleID(id)
	if err != nil {
		return err
	}
	if _, found, err := Read(ctx, c, id); err != nil || !found {
		return err
	}
	wt, err := wireTarget(c, t)
	if err != nil {
		return err
	}
	wait := clients.Backoff(c.Consistency.Interval)
	for {
		// Each try is a new request: a resent removal that had taken effect meets "does not exist".
		_, err = put(ctx, c, sid.Kind, request{Name: uuid.NewString(), RequestType: armauthorization.RequestTypeAdminRemove, Target: wt,
			Justification: justification, TicketNumber: ticketNumber, TicketSystem: ticketSystem})
		if err == nil || clients.IsNotFound(err) {
			break
		}
		if !strings.EqualFold(clients.ErrorCode(err), "ActiveDurationTooShort") {
			return classify(err, "Admin", sid.Kind.level())
		}
		if werr := wait(ctx); werr != nil {
			return fmt.Errorf("schedule %s was still too new to remove when the timeout ran out (%w): %w", id, werr, err)
		}
	}
	return c.WaitConsistent(ctx, func(ctx context.Context) (bool, error) {
		_, found, err := Read(ctx, c, id)
		return !found, err
	})
}

// RequestDetails is what PIM records on the request rather than on the schedule it made: the audit fields,
// and the duration when the schedule was requested as one (a schedule only reports its end).
type RequestDetails struct {
	Justification string
	TicketNumber  string
	TicketSystem  string
	Duration      pim.Duration
}

// ReadRequestDetails reads the justification and ticket of the request that made a schedule (its
// RequestID). found is false when PIM no longer has the request: it purges them after about 45 days,
// which is why nothing else keys on requests.
func ReadRequestDetails(ctx context.Context, c *clients.Client, k Kind, requestID string) (RequestDetails, bool, error) {
	infix := strings.ToLower(authzInfix + k.typeName("ScheduleRequests") + "/")
	i := strings.LastIndex(strings.ToLower(requestID), infix)
	if i < 0 {
		return RequestDetails{}, false, nil
	}
	scope := requestID[:i]
	r, err := getRequest(ctx, c, k, scope, requestID[i+len(infix):])
	if err != nil {
		if clients.IsNotFound(err) {
			return RequestDetails{}, false, nil
		}
		return RequestDetails{}, false, fmt.Errorf("reading request %s: %w", requestID, err)
	}
	d := RequestDetails{Justification: r.Justification, TicketNumber: r.TicketNumber, TicketSystem: r.TicketSystem}
	if r.ExpirationType == armauthorization.TypeAfterDuration {
		d.Duration, _ = pim.ParseDuration(r.Duration)
	}
	return d, true, nil
}
