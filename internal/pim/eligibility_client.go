package pim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// The functions here serve both kinds of PIM-for-groups schedule (GroupScheduleKind): eligibilities and
// administrators' active assignments, chosen by the key's Kind.

// EligibilityExistsError is returned by CreateEligibility when the principal is already eligible for (or
// assigned to) the group and the existing schedule is not the one planned, so adopting it would be wrong.
type EligibilityExistsError struct {
	Existing Eligibility
	Err      error
}

func (e *EligibilityExistsError) Error() string {
	state := "eligible"
	if e.Existing.Key.Kind == GroupActive {
		state = "actively assigned"
	}
	return fmt.Sprintf("principal %s is already %s as %s of group %s (schedule %s) with a different schedule",
		e.Existing.Key.PrincipalID, state, e.Existing.Key.AccessID, e.Existing.Key.GroupID, e.Existing.ScheduleID)
}

func (e *EligibilityExistsError) Unwrap() error { return e.Err }

// ImportID is the ID to import the existing eligibility with.
func (e *EligibilityExistsError) ImportID() string {
	if e.Existing.ScheduleID != "" {
		return e.Existing.ScheduleID
	}
	return e.Existing.Key.String()
}

// RequestFailedError is a schedule request Graph accepted but could not carry out (status Failed, ...).
type RequestFailedError struct {
	RequestID string
	Status    string
}

func (e *RequestFailedError) Error() string {
	return fmt.Sprintf("the schedule request %s ended with status %s", e.RequestID, e.Status)
}

// eligibilityAdoptTolerance is how far an existing schedule's start and end may be from the plan and still
// count as the one a lost create made (PIM sets the start when it processes the request).
const eligibilityAdoptTolerance = 10 * time.Minute

// classifyRequestError turns Graph's answer to a schedule request of kind k into the package's error types.
func classifyRequestError(k GroupScheduleKind, err error) error {
	if err == nil {
		return nil
	}
	if strings.EqualFold(clients.ErrorCode(err), "RoleAssignmentRequestPolicyValidationFailed") {
		return policyRejected(clients.ErrorMessage(err), k.scope(), err)
	}
	return err
}

// CreateEligibility sends adminAssign and waits until the new schedule is consistently readable. A create
// that meets RoleAssignmentExists (typically a retry of a create whose answer was lost) adopts the existing
// schedule when it matches spec, and otherwise returns an EligibilityExistsError naming it.
func CreateEligibility(ctx context.Context, c *clients.Client, spec EligibilitySpec) (Eligibility, error) {
	now := c.Now()
	if err := eligibilityCheckSpec(spec, now); err != nil {
		return Eligibility{}, err
	}
	k := spec.Key.Kind
	body := eligibilityRequest(models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, spec, now)
	// PIM refuses a second adminAssign for the same principal, group and access (RoleAssignmentExists,
	// handled below by adopting), so an attempt that got a 5xx or no answer can safely be sent again.
	resp, err := k.post(clients.WithIdempotentPOST(ctx), c, body)
	if err != nil {
		if strings.EqualFold(clients.ErrorCode(err), "RoleAssignmentExists") {
			existing, found, ferr := findEligibilityReplicated(ctx, c, spec.Key)
			if ferr != nil {
				return Eligibility{}, fmt.Errorf("%w (and looking up the existing eligibility failed: %v)", err, ferr)
			}
			if !found {
				return Eligibility{}, &EligibilityExistsError{Existing: Eligibility{Key: spec.Key}, Err: err}
			}
			if !existing.Matches(spec, now, eligibilityAdoptTolerance) {
				return Eligibility{}, &EligibilityExistsError{Existing: existing, Err: err}
			}
			return WaitGroupSchedule(ctx, c, k, existing.ScheduleID)
		}
		return Eligibility{}, classifyRequestError(k, err)
	}
	return followRequest(ctx, c, k, resp)
}

// followRequest waits for the schedule an accepted request names.
func followRequest(ctx context.Context, c *clients.Client, k GroupScheduleKind, resp requestAnswer) (Eligibility, error) {
	if eligibilityStatusIn(resp.Status, eligibilityGoneStatuses) {
		return Eligibility{}, &RequestFailedError{RequestID: resp.ID, Status: resp.Status}
	}
	if resp.TargetScheduleID == "" {
		return Eligibility{}, fmt.Errorf("the %s schedule request %s (status %s) did not name its schedule", k, resp.ID, resp.Status)
	}
	return WaitGroupSchedule(ctx, c, k, resp.TargetScheduleID)
}

// findEligibilityReplicated looks up the eligibility PIM says exists. When the existing one is what an
// earlier attempt of this create made moments ago, replication may hide it for a while: the look-up is
// repeated within the lost-create window before concluding it is not there.
func findEligibilityReplicated(ctx context.Context, c *clients.Client, key EligibilityKey) (Eligibility, bool, error) {
	errNotYet := errors.New("not replicated yet")
	var e Eligibility
	var found bool
	err := clients.RetryFor(ctx, groupLostCreateWindow(c), c.Consistency.Interval, func(err error) bool { return errors.Is(err, errNotYet) }, func(ctx context.Context) error {
		var err error
		if e, found, err = FindEligibility(ctx, c, key); err == nil && !found {
			return errNotYet
		}
		return err
	})
	if errors.Is(err, errNotYet) {
		err = nil
	}
	return e, found, err
}

// eligibilityCheckSpec refuses a schedule PIM would refuse (or that would be sent without an expiration)
// before any request. A zero now skips the checks relative to the current time (an update keeps its start).
func eligibilityCheckSpec(spec EligibilitySpec, now time.Time) error {
	check := now
	if check.IsZero() {
		check = spec.Schedule.Start
	}
	if errs := Errors(spec.Schedule.Validate(check)); len(errs) > 0 {
		return fmt.Errorf("invalid %s schedule: %w", spec.Key.Kind, errs[0])
	}
	return nil
}

// WaitEligibility polls the eligibility schedule until it has been readable the configured number of
// times in a row (replicas lag behind the write), and returns it.
func WaitEligibility(ctx context.Context, c *clients.Client, scheduleID string) (Eligibility, error) {
	return WaitGroupSchedule(ctx, c, GroupEligible, scheduleID)
}

// WaitGroupSchedule is WaitEligibility for a schedule of kind k.
func WaitGroupSchedule(ctx context.Context, c *clients.Client, k GroupScheduleKind, scheduleID string) (Eligibility, error) {
	var got Eligibility
	err := c.WaitConsistent(ctx, func(ctx context.Context) (bool, error) {
		e, found, err := ReadGroupSchedule(ctx, c, k, scheduleID)
		if err != nil {
			return false, err
		}
		got = e
		return found, nil
	})
	if err != nil {
		return Eligibility{}, fmt.Errorf("waiting for %s schedule %s to become readable: %w", k, scheduleID, err)
	}
	return got, nil
}

// ReadEligibility reads the eligibility schedule by ID. found is false when the schedule does not exist or
// no longer holds (revoked, expired): the eligibility is gone, whatever the requests say.
func ReadEligibility(ctx context.Context, c *clients.Client, scheduleID string) (Eligibility, bool, error) {
	return ReadGroupSchedule(ctx, c, GroupEligible, scheduleID)
}

// ReadGroupSchedule is ReadEligibility for a schedule of kind k.
func ReadGroupSchedule(ctx context.Context, c *clients.Client, k GroupScheduleKind, scheduleID string) (Eligibility, bool, error) {
	info, err := k.scheduleRequest(ctx, c, scheduleID)
	if err != nil {
		return Eligibility{}, false, err
	}
	body, err := c.GraphSendRaw(ctx, info)
	if err != nil {
		if clients.IsNotFound(err) {
			return Eligibility{}, false, nil
		}
		return Eligibility{}, false, fmt.Errorf("reading %s schedule %s: %w", k, scheduleID, err)
	}
	s, err := k.decodeSchedule(body)
	if err != nil {
		return Eligibility{}, false, fmt.Errorf("reading %s schedule %s: %w", k, scheduleID, err)
	}
	e := eligibilityFromSchedule(k, s, wireEnumsByID(body)[strings.ToLower(deref(s.GetId()))])
	if e.ScheduleID == "" {
		e.ScheduleID = scheduleID
	}
	if e.Ended(c.Now()) {
		return e, false, nil
	}
	return e, true, nil
}

// FindEligibility finds the live eligibility (or administrator's active assignment) of key: there is at
// most one per principal, group and access ID. It serves the import form {groupId}/{principalId}/{accessId},
// and adoption after RoleAssignmentExists.
func FindEligibility(ctx context.Context, c *clients.Client, key EligibilityKey) (Eligibility, bool, error) {
	k := key.Kind
	filter := fmt.Sprintf("groupId eq '%s' and principalId eq '%s' and accessId eq '%s'", key.GroupID, key.PrincipalID, key.AccessID)
	info, err := k.listSchedulesRequest(ctx, c, filter)
	if err != nil {
		return Eligibility{}, false, err
	}
	body, err := c.GraphSendRaw(ctx, info)
	if err != nil {
		return Eligibility{}, false, fmt.Errorf("listing %s schedules of %s: %w", k, key, err)
	}
	list, err := k.decodeSchedules(body)
	if err != nil {
		return Eligibility{}, false, fmt.Errorf("listing %s schedules of %s: %w", k, key, err)
	}
	wire := wireEnumsByID(body)
	now := c.Now()
	for _, s := range list {
		e := eligibilityFromSchedule(k, s, wire[strings.ToLower(deref(s.GetId()))])
		// Inherited schedules (memberType group) belong to another principal's schedule, and an activation
		// (assignmentType activated) is the principal's own, not an administrator's assignment.
		if (e.MemberType != "" && !strings.EqualFold(e.MemberType, "direct")) || strings.EqualFold(e.AssignmentType, "activated") {
			continue
		}
		if SameObjectID(e.Key.GroupID, key.GroupID) && SameObjectID(e.Key.PrincipalID, key.PrincipalID) &&
			(e.Key.AccessID == "" || e.Key.AccessID == key.AccessID) && !e.Ended(now) {
			e.Key.AccessID = key.AccessID
			return e, true, nil
		}
	}
	return Eligibility{}, false, nil
}

// UpdateEligibility sends adminUpdate (never a second adminAssign, which PIM answers RoleAssignmentExists)
// and follows the new schedule: PIM gives the updated eligibility a new schedule ID, which is returned.
// spec.Schedule.Start should be the eligibility's original start so a duration keeps counting from it.
func UpdateEligibility(ctx context.Context, c *clients.Client, spec EligibilitySpec) (Eligibility, error) {
	if err := eligibilityCheckSpec(spec, time.Time{}); err != nil {
		return Eligibility{}, err
	}
	k := spec.Key.Kind
	body := eligibilityRequest(models.ADMINUPDATE_SCHEDULEREQUESTACTIONS, spec, c.Now())
	// A second adminUpdate to the same schedule sets the same end again: safe to resend after a 5xx.
	resp, err := k.post(clients.WithIdempotentPOST(ctx), c, body)
	if err != nil {
		return Eligibility{}, classifyRequestError(k, err)
	}
	return followRequest(ctx, c, k, resp)
}

// DeleteEligibility ends the eligibility: adminRemove while the schedule exists, or cancel of a request
// still pending for it. PIM refuses removal within the first minutes of a schedule (ActiveDurationTooShort);
// that is polled out until ctx's deadline. RoleAssignmentDoesNotExist and 404 mean it is already gone.
// It returns once the schedule no longer reads back.
func DeleteEligibility(ctx context.Context, c *clients.Client, scheduleID string, key EligibilityKey) error {
	return DeleteGroupSchedule(ctx, c, scheduleID, EligibilitySpec{Key: key})
}

// DeleteGroupSchedule is DeleteEligibility for the schedule of removal.Key, sending removal's justification
// and ticket with adminRemove (a policy that requires them for assignments may want them for removals).
func DeleteGroupSchedule(ctx context.Context, c *clients.Client, scheduleID string, removal EligibilitySpec) error {
	key := removal.Key
	k := key.Kind
	_, found, err := ReadGroupSchedule(ctx, c, k, scheduleID)
	if err != nil {
		return err
	}
	if !found {
		return eligibilityCancelPending(ctx, c, scheduleID, key)
	}
	wait := clients.Backoff(c.Consistency.Interval)
	for {
		// A resent adminRemove that had taken effect meets "does not exist", which is handled as done.
		body := eligibilityRequest(models.ADMINREMOVE_SCHEDULEREQUESTACTIONS, removal, c.Now())
		_, err = k.post(clients.WithIdempotentPOST(ctx), c, body)
		if err == nil {
			break
		}
		if clients.IsNotFound(err) {
			// PIM says the schedule, or its group, no longer exists: there is nothing left to remove, and
			// waiting for the schedule to stop reading back could last the whole timeout (a schedule of a
			// group deleted out of band may stay readable).
			return nil
		}
		if !strings.EqualFold(clients.ErrorCode(err), "ActiveDurationTooShort") {
			return classifyRequestError(k, err)
		}
		// PIM keeps a new schedule for a few minutes; the service's clock decides when, so poll.
		if werr := wait(ctx); werr != nil {
			return fmt.Errorf("%s schedule %s was still too new to remove when the delete timeout ran out (%w): %w", k, scheduleID, werr, err)
		}
	}
	return c.WaitConsistent(ctx, func(ctx context.Context) (bool, error) {
		_, found, err := ReadGroupSchedule(ctx, c, k, scheduleID)
		return !found, err
	})
}

// eligibilityCancelPending cancels requests for scheduleID that have not produced a schedule yet (a
// future start, or a request still being processed); with none, the eligibility is already gone.
func eligibilityCancelPending(ctx context.Context, c *clients.Client, scheduleID string, key EligibilityKey) error {
	filter := fmt.Sprintf("groupId eq '%s' and targetScheduleId eq '%s'", key.GroupID, scheduleID)
	list, err := key.Kind.listRequests(ctx, c, filter)
	if err != nil {
		if clients.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("listing requests for %s schedule %s: %w", key.Kind, scheduleID, err)
	}
	var errs []error
	for _, r := range list {
		if !eligibilityStatusIn(r.Status, eligibilityPendingStatuses) {
			continue
		}
		id := r.ID
		if err := key.Kind.cancel(ctx, c, id); err != nil && !clients.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("cancelling pending request %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// EligibilityRequestDetails is what PIM records on a request rather than on the schedule it creates.
type EligibilityRequestDetails struct {
	Justification string
	TicketNumber  string
	TicketSystem  string
}

// ReadEligibilityRequestDetails reads the justification and ticket of the request that created or last
// updated a schedule (the schedule's CreatedUsing). found is false when Graph no longer has the request:
// it purges requests after about 45 days, which is why nothing else keys on them.
func ReadEligibilityRequestDetails(ctx context.Context, c *clients.Client, requestID string) (EligibilityRequestDetails, bool, error) {
	return ReadGroupScheduleRequestDetails(ctx, c, GroupEligible, requestID)
}

// ReadGroupScheduleRequestDetails is ReadEligibilityRequestDetails for a request of kind k.
func ReadGroupScheduleRequestDetails(ctx context.Context, c *clients.Client, k GroupScheduleKind, requestID string) (EligibilityRequestDetails, bool, error) {
	if requestID == "" {
		return EligibilityRequestDetails{}, false, nil
	}
	r, err := k.readRequest(ctx, c, requestID, []string{"id", "justification", "ticketInfo"})
	if err != nil {
		if clients.IsNotFound(err) {
			return EligibilityRequestDetails{}, false, nil
		}
		return EligibilityRequestDetails{}, false, fmt.Errorf("reading %s request %s: %w", k, requestID, err)
	}
	d := EligibilityRequestDetails{Justification: r.Justification}
	if t := r.Ticket; t != nil {
		d.TicketNumber, d.TicketSystem = deref(t.GetTicketNumber()), deref(t.GetTicketSystem())
	}
	return d, true, nil
}
