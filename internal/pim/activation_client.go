package pim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// These functions act as the signed-in user (a client built from the user's own credential): PIM
// self-activation and self-deactivation are delegated calls and refuse application tokens' principals
// that are not the caller.

// ErrNotActive is returned by SelfDeactivate when the caller holds no active assignment to end.
var ErrNotActive = errors.New("no active assignment to deactivate")

// ActivationExistsError is RoleAssignmentExists (the caller is already active for this group and access)
// or PendingRoleAssignmentRequest (an activation of the caller already waits for approval).
type ActivationExistsError struct {
	Pending bool
	Err     error
}

func (e *ActivationExistsError) Error() string {
	return "the signed-in principal already holds (or has requested) this activation: " + clients.ErrorMessage(e.Err)
}

func (e *ActivationExistsError) Unwrap() error { return e.Err }

// ActivationTooNewError is ActiveDurationTooShort: PIM refuses to end an activation in its first minutes.
type ActivationTooNewError struct{ Err error }

func (e *ActivationTooNewError) Error() string {
	return "PIM does not let an activation be ended within its first five minutes; it ends by itself at its end time: " + clients.ErrorMessage(e.Err)
}

func (e *ActivationTooNewError) Unwrap() error { return e.Err }

func activationError(err error) error {
	switch strings.ToLower(clients.ErrorCode(err)) {
	case "roleassignmentrequestpolicyvalidationfailed":
		return policyRejected(clients.ErrorMessage(err), scopeEndUserAssignment, err)
	case "roleassignmentexists":
		return &ActivationExistsError{Err: err}
	case "pendingroleassignmentrequest":
		return &ActivationExistsError{Pending: true, Err: err}
	case "activedurationtooshort":
		return &ActivationTooNewError{Err: err}
	}
	return err
}

func assignmentRequests(c *clients.Client) *identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilder {
	return clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests()
}

// SelfActivate asks PIM to activate the caller's eligible membership (or ownership) of spec.GroupID. The
// returned request is Provisioned when the policy needs no approval, PendingApproval when it does (its
// ApprovalID names the approval).
func SelfActivate(ctx context.Context, c *clients.Client, spec ActivationSpec) (ActivationRequest, error) {
	if err := spec.Validate(); err != nil {
		return ActivationRequest{}, err
	}
	me, err := c.CallerObjectID(ctx)
	if err != nil {
		return ActivationRequest{}, fmt.Errorf("finding the signed-in principal: %w", err)
	}
	body := activationRequest(models.SELFACTIVATE_SCHEDULEREQUESTACTIONS, me, spec, c.Now())
	// Group reads later in this provider instance must see the activation (group_timed.go).
	defer ForgetTimedMemberships(c, me)
	resp, err := assignmentRequests(c).Post(ctx, body, nil)
	if err != nil {
		return ActivationRequest{}, activationError(err)
	}
	a := activationFromRequest(resp)
	if strings.EqualFold(a.Status, StatusFailed) {
		return a, &RequestFailedError{RequestID: a.RequestID, Status: a.Status}
	}
	return a, nil
}

// ReadActivation reads an assignment schedule request by ID.
func ReadActivation(ctx context.Context, c *clients.Client, requestID string) (ActivationRequest, error) {
	r, err := assignmentRequests(c).ByPrivilegedAccessGroupAssignmentScheduleRequestId(requestID).Get(ctx, nil)
	if err != nil {
		return ActivationRequest{}, fmt.Errorf("reading assignment schedule request %s: %w", requestID, err)
	}
	return activationFromRequest(r), nil
}

// WaitActivation polls the request until done reports true, and fails when the request reaches a final
// status done does not accept (so waiting for Provisioned ends at once on Denied). The wait is bounded
// by ctx. On failure it returns the last state it read (zero when no read succeeded).
func WaitActivation(ctx context.Context, c *clients.Client, requestID string, done func(ActivationRequest) bool) (ActivationRequest, error) {
	interval := c.Consistency.Interval
	if interval <= 0 {
		interval = time.Second
	}
	var last ActivationRequest
	for {
		a, err := ReadActivation(ctx, c, requestID)
		if err != nil && !clients.IsNotFound(err) {
			return last, err
		}
		if err == nil {
			last = a
			if done(a) {
				return a, nil
			}
			if a.IsFinal() {
				return a, fmt.Errorf("assignment schedule request %s ended with status %s", requestID, a.Status)
			}
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, fmt.Errorf("waiting for assignment schedule request %s (last status %q): %w", requestID, last.Status, ctx.Err())
		case <-t.C:
		}
		if interval *= 2; interval > 10*time.Second {
			interval = 10 * time.Second
		}
	}
}

// CancelActivation withdraws a request that has not been carried out yet (e.g. PendingApproval).
func CancelActivation(ctx context.Context, c *clients.Client, requestID string) error {
	err := assignmentRequests(c).ByPrivilegedAccessGroupAssignmentScheduleRequestId(requestID).Cancel().Post(ctx, nil)
	if err != nil {
		return fmt.Errorf("cancelling assignment schedule request %s: %w", requestID, err)
	}
	return nil
}

// SelfDeactivate ends the caller's active assignment to the group before its end time. PIM refuses within
// the first minutes (ActivationTooNewError); with nothing active it returns ErrNotActive.
func SelfDeactivate(ctx context.Context, c *clients.Client, groupID string, access AccessID) (ActivationRequest, error) {
	me, err := c.CallerObjectID(ctx)
	if err != nil {
		return ActivationRequest{}, fmt.Errorf("finding the signed-in principal: %w", err)
	}
	body := activationRequest(models.SELFDEACTIVATE_SCHEDULEREQUESTACTIONS, me, ActivationSpec{GroupID: groupID, AccessID: access}, c.Now())
	defer ForgetTimedMemberships(c, me)
	resp, err := assignmentRequests(c).Post(ctx, body, nil)
	if err != nil {
		if strings.EqualFold(clients.ErrorCode(err), "RoleAssignmentDoesNotExist") || clients.StatusCode(err) == 404 {
			return ActivationRequest{}, fmt.Errorf("%w: %s", ErrNotActive, clients.ErrorMessage(err))
		}
		return ActivationRequest{}, activationError(err)
	}
	return activationFromRequest(resp), nil
}

// MyActivationRequests lists the caller's own assignment schedule requests for a group (newest first
// when Graph orders them), e.g. to find one still pending approval.
func MyActivationRequests(ctx context.Context, c *clients.Client, groupID string) ([]ActivationRequest, error) {
	filter := fmt.Sprintf("groupId eq '%s'", groupID)
	resp, err := assignmentRequests(c).FilterByCurrentUserWithOn(ptr("principal")).GetAsFilterByCurrentUserWithOnGetResponse(ctx,
		&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Filter: &filter},
		})
	if err != nil {
		return nil, fmt.Errorf("listing my assignment schedule requests for group %s: %w", groupID, err)
	}
	out := make([]ActivationRequest, 0, len(resp.GetValue()))
	for _, r := range resp.GetValue() {
		out = append(out, activationFromRequest(r))
	}
	return out, nil
}

// AssignmentInstance is an assignment in effect now (a schedule instance): who holds which access to a
// group until when, and whether it was activated or assigned.
type AssignmentInstance struct {
	InstanceID     string
	ScheduleID     string
	GroupID        string
	PrincipalID    string
	AccessID       AccessID
	MemberType     string // direct or group
	AssignmentType string // activated or assigned
	Start, End     time.Time
}

// AssignmentInstances lists the assignments of principalID to groupID in effect now (instances exist only
// while effective). Any caller with read access to assignment schedules may ask.
func AssignmentInstances(ctx context.Context, c *clients.Client, groupID, principalID string) ([]AssignmentInstance, error) {
	filter := fmt.Sprintf("groupId eq '%s' and principalId eq '%s'", groupID, principalID)
	return listAssignmentInstances(ctx, c, filter, fmt.Sprintf("active assignments of %s to group %s", principalID, groupID))
}

// listAssignmentInstances lists the assignment schedule instances matching filter that are in effect now.
func listAssignmentInstances(ctx context.Context, c *clients.Client, filter, what string) ([]AssignmentInstance, error) {
	info, err := clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleInstances().ToGetRequestInformation(ctx,
		&identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesRequestBuilderGetQueryParameters{Filter: &filter},
		})
	if err != nil {
		return nil, err
	}
	body, err := c.GraphSendRaw(ctx, info)
	if err == nil {
		var resp models.PrivilegedAccessGroupAssignmentScheduleInstanceCollectionResponseable
		if resp, err = clients.Decode[models.PrivilegedAccessGroupAssignmentScheduleInstanceCollectionResponseable](body,
			models.CreatePrivilegedAccessGroupAssignmentScheduleInstanceCollectionResponseFromDiscriminatorValue); err == nil {
			return assignmentInstancesFrom(resp.GetValue(), wireEnumsByID(body), c.Now()), nil
		}
	}
	return nil, fmt.Errorf("listing %s: %w", what, err)
}

// assignmentInstancesFrom maps the instances in effect at now; wire holds their enums as sent.
func assignmentInstancesFrom(list []models.PrivilegedAccessGroupAssignmentScheduleInstanceable, wire map[string]wireEnums, now time.Time) []AssignmentInstance {
	var out []AssignmentInstance
	for _, in := range list {
		// The SDK's enum values are nil when Graph spells them otherwise ("Direct"); the wire has them.
		w := wire[strings.ToLower(deref(in.GetId()))]
		a := AssignmentInstance{
			InstanceID:     deref(in.GetId()),
			ScheduleID:     deref(in.GetAssignmentScheduleId()),
			GroupID:        deref(in.GetGroupId()),
			PrincipalID:    deref(in.GetPrincipalId()),
			MemberType:     w.MemberType,
			AssignmentType: w.AssignmentType,
		}
		a.AccessID, _ = ParseAccessID(w.AccessID)
		if v := in.GetAccessId(); v != nil {
			a.AccessID, _ = ParseAccessID(v.String())
		}
		if v := in.GetMemberType(); v != nil {
			a.MemberType = v.String()
		}
		if v := in.GetAssignmentType(); v != nil {
			a.AssignmentType = v.String()
		}
		if v := in.GetStartDateTime(); v != nil {
			a.Start = v.UTC()
		}
		if v := in.GetEndDateTime(); v != nil {
			a.End = v.UTC()
		}
		// Instances should only exist while effective; a replica may lag, so trust the end time too.
		if !a.End.IsZero() && !a.End.After(now) {
			continue
		}
		out = append(out, a)
	}
	return out
}
