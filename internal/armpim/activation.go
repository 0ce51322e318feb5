package armpim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// ActivationSpec is a request by the signed-in principal to activate its eligible role at a scope for a
// while. Activations are always time-bound: Duration is required.
type ActivationSpec struct {
	Scope            string
	RoleDefinitionID string
	Duration         pim.Duration
	Justification    string
	TicketNumber     string
	TicketSystem     string
}

// Activation is a SelfActivate request as ARM reports it. When approval is needed, ApprovalID names the
// approval (roleAssignmentApprovals) approvers decide on.
type Activation struct {
	// RequestID is the request's resource ID.
	RequestID   string
	ApprovalID  string
	Status      string
	RequestType string
	Target
	// Start and End are the window requested (End computed from the duration).
	Start, End time.Time
}

// IsPendingApproval reports whether the request waits for an approver.
func (a Activation) IsPendingApproval() bool {
	return strings.EqualFold(a.Status, pim.StatusPendingApproval)
}

// IsProvisioned reports whether the activation was carried out: the principal holds the role until End.
func (a Activation) IsProvisioned() bool { return strings.EqualFold(a.Status, pim.StatusProvisioned) }

// ActivationExistsError: the principal already holds the role at the scope (RoleAssignmentExists), or
// an activation of it already waits for approval (PendingRoleAssignmentRequest).
type ActivationExistsError struct {
	Pending bool
	Err     error
}

func (e *ActivationExistsError) Error() string {
	return "the signed-in principal already holds (or has requested) this role: " + clients.ErrorMessage(e.Err)
}

func (e *ActivationExistsError) Unwrap() error { return e.Err }

// ErrTooNew is ActiveDurationTooShort: PIM refuses to end an activation in its first minutes.
var ErrTooNew = errors.New("PIM does not let an activation end within its first five minutes")

// ErrNotActive: there is no activation to end.
var ErrNotActive = errors.New("no active activation to end")

func activationError(err error) error {
	switch strings.ToLower(clients.ErrorCode(err)) {
	case "roleassignmentexists":
		return &ActivationExistsError{Err: err}
	case "pendingroleassignmentrequest":
		return &ActivationExistsError{Pending: true, Err: err}
	case "activedurationtooshort":
		return fmt.Errorf("%w: %w", ErrTooNew, err)
	case "roleassignmentdoesnotexist":
		return fmt.Errorf("%w: %w", ErrNotActive, err)
	}
	return classify(err, "EndUser", "Assignment")
}

func activationOf(r request, scope string) Activation {
	a := Activation{RequestID: objectID(scope, Active.typeName("ScheduleRequests"), r.Name), ApprovalID: r.ApprovalID,
		Status: r.Status, RequestType: string(r.RequestType), Target: r.Target, Start: r.Start, End: r.End}
	if d, err := pim.ParseDuration(r.Duration); err == nil && a.End.IsZero() && !a.Start.IsZero() {
		a.End = a.Start.Add(d.Std())
	}
	return a
}

// SelfActivate asks PIM to activate the caller's eligible role at the scope. The answer is Provisioned when
// the policy needs no approval, PendingApproval when it does.
func SelfActivate(ctx context.Context, c *clients.Client, spec ActivationSpec) (Activation, error) {
	if spec.Duration.Std() < pim.MinimumAssignment {
		return Activation{}, fmt.Errorf("activation duration %s is under five minutes, the shortest PIM accepts", spec.Duration)
	}
	me, err := c.CallerObjectID(ctx)
	if err != nil {
		return Activation{}, fmt.Errorf("finding the signed-in principal: %w", err)
	}
	t, err := wireTarget(c, Target{Scope: spec.Scope, RoleDefinitionID: spec.RoleDefinitionID, PrincipalID: me})
	if err != nil {
		return Activation{}, err
	}
	got, err := put(ctx, c, Active, request{Name: uuid.NewString(), RequestType: armauthorization.RequestTypeSelfActivate, Target: t,
		ExpirationType: armauthorization.TypeAfterDuration, Duration: spec.Duration.String(), Justification: spec.Justification,
		TicketNumber: spec.TicketNumber, TicketSystem: spec.TicketSystem})
	if err != nil {
		return Activation{}, activationError(err)
	}
	a := activationOf(got, t.Scope)
	if statusIn(a.Status, failedStatuses) {
		return a, &RequestFailedError{RequestName: got.Name, Status: a.Status}
	}
	return a, nil
}

// ReadActivation reads an activation request by its resource ID.
func ReadActivation(ctx context.Context, c *clients.Client, requestID string) (Activation, error) {
	infix := strings.ToLower(authzInfix + Active.typeName("ScheduleRequests") + "/")
	i := strings.LastIndex(strings.ToLower(requestID), infix)
	if i < 0 {
		return Activation{}, fmt.Errorf("%q is not a role assignment schedule request ID", requestID)
	}
	scope := requestID[:i]
	r, err := getRequest(ctx, c, Active, scope, requestID[i+len(infix):])
	if err != nil {
		return Activation{}, fmt.Errorf("reading role assignment schedule request %s: %w", requestID, err)
	}
	return activationOf(r, scope), nil
}

// WaitActivation polls the request until done reports true, and fails when it reaches a final status done
// does not accept (waiting for Provisioned ends at once on Denied). It returns the last state read.
func WaitActivation(ctx context.Context, c *clients.Client, requestID string, done func(Activation) bool) (Activation, error) {
	wait := clients.Backoff(c.Consistency.Interval)
	for {
		a, err := ReadActivation(ctx, c, requestID)
		if err != nil {
			return a, err
		}
		if done(a) {
			return a, nil
		}
		if statusIn(a.Status, failedStatuses) || a.IsProvisioned() {
			return a, fmt.Errorf("activation request %s ended with status %s", requestID, a.Status)
		}
		if err := wait(ctx); err != nil {
			return a, fmt.Errorf("activation request %s still %s: %w", requestID, a.Status, err)
		}
	}
}

// MyActivations lists the caller's activation requests of the role at the scope, newest last.
func MyActivations(ctx context.Context, c *clients.Client, scope, roleDefinitionID string) ([]Activation, error) {
	t, err := wireTarget(c, Target{Scope: scope, RoleDefinitionID: roleDefinitionID})
	if err != nil {
		return nil, err
	}
	ms, err := listAssignmentRequests(ctx, c, t.Scope, "asRequestor()")
	if err != nil {
		return nil, fmt.Errorf("listing my activation requests at %s: %w", scope, err)
	}
	var out []Activation
	for _, m := range ms {
		r := assignmentRequestOf(m)
		if r.RequestType == armauthorization.RequestTypeSelfActivate && r.Same(Target{Scope: scope, RoleDefinitionID: roleDefinitionID, PrincipalID: r.PrincipalID}) {
			out = append(out, activationOf(r, t.Scope))
		}
	}
	return out, nil
}

// SelfDeactivate ends the caller's activation of the role at the scope: ErrTooNew within PIM's first
// minutes, ErrNotActive when there is none.
func SelfDeactivate(ctx context.Context, c *clients.Client, scope, roleDefinitionID string) error {
	me, err := c.CallerObjectID(ctx)
	if err != nil {
		return fmt.Errorf("finding the signed-in principal: %w", err)
	}
	t, err := wireTarget(c, Target{Scope: scope, RoleDefinitionID: roleDefinitionID, PrincipalID: me})
	if err != nil {
		return err
	}
	_, err = put(ctx, c, Active, request{Name: uuid.NewString(), RequestType: armauthorization.RequestTypeSelfDeactivate, Target: t})
	if err != nil {
		return activationError(err)
	}
	return nil
}
