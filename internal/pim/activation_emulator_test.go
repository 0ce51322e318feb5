package pim

import (
	"errors"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// activationTestWorld is the scenario's PIM half on a private emulator: admin (JIT group), default
// (n01 a member, eligible for admin) and approver (p01 a member) with admin's member policy requiring
// approval by approver. Clients act as the admin app, n01 and p01.
type activationTestWorld struct {
	emuclient.Principals
	srv                       *emulator.Server
	f                         emulator.Fixtures
	adminGroup, defaultGroup  string
	approverGroup, otherGroup string
}

const activationTestMinimumAge = 2 * time.Second

func activationTestSetup(t *testing.T) *activationTestWorld {
	t.Helper()
	cfg := emulator.DefaultConfig()
	cfg.PIM.MinimumActiveAge = activationTestMinimumAge
	srv, who := emuclient.StartAll(t, cfg, emuclient.Quick())
	w := &activationTestWorld{Principals: who, srv: srv, f: srv.Fixtures()}

	ctx := t.Context()
	w.adminGroup = pimTestGroup(t, w.Admin, "admin")
	w.defaultGroup = pimTestGroup(t, w.Admin, "default", w.f.N01.ID)
	w.approverGroup = pimTestGroup(t, w.Admin, "approver", w.f.P01.ID)
	w.otherGroup = pimTestGroup(t, w.Admin, "other")

	policy := DefaultPolicy()
	policy.Approval.Required = true
	policy.Approval.ApproverGroups = []string{w.approverGroup}
	policy.Activation.RequireJustification = true
	if _, _, err := ApplyPolicy(ctx, w.Admin, PolicyKey{GroupID: w.adminGroup, AccessID: AccessMember}, policy); err != nil {
		t.Fatalf("applying admin's policy: %v", err)
	}
	d, _ := ParseDuration("P30D")
	if _, err := CreateEligibility(ctx, w.Admin, EligibilitySpec{
		Key:      EligibilityKey{GroupID: w.adminGroup, PrincipalID: w.defaultGroup, AccessID: AccessMember},
		Schedule: Schedule{Duration: d}, Justification: "default is eligible for admin",
	}); err != nil {
		t.Fatalf("making default eligible for admin: %v", err)
	}
	return w
}

// activateApproved has n01 request spec, p01 approve it, and waits until it is provisioned.
func (w *activationTestWorld) activateApproved(t *testing.T, spec ActivationSpec) {
	t.Helper()
	ctx := t.Context()
	req, err := SelfActivate(ctx, w.N01, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := DecideApproval(ctx, w.P01, req.ApprovalID, DecisionApprove, "ok"); err != nil {
		t.Fatal(err)
	}
	if _, err := WaitActivation(ctx, w.N01, req.RequestID, ActivationRequest.IsProvisioned); err != nil {
		t.Fatal(err)
	}
}

// TestActivationApprovalFlow is SCENARIO.md §5 through these helpers: n01 activates admin (pending
// approval), cannot approve it, p01 sees and approves it, a second decision is refused, n01 is an active
// member until the end, and the membership is gone once the emulator's clock passes it.
func TestActivationApprovalFlow(t *testing.T) {
	w := activationTestSetup(t)
	ctx := t.Context()
	two, _ := ParseDuration("PT2H")

	// The policy requires a justification: Graph's rejection names the rule.
	_, err := SelfActivate(ctx, w.N01, ActivationSpec{GroupID: w.adminGroup, Duration: two})
	var pe *PolicyRejectedError
	if !errors.As(err, &pe) || !pe.Has(FailedJustification) {
		t.Fatalf("activation without justification: got %v, want a PolicyRejectedError naming JustificationRule", err)
	}
	// Nobody made n01 eligible for other.
	if _, err := SelfActivate(ctx, w.N01, ActivationSpec{GroupID: w.otherGroup, Duration: two, Justification: "x"}); err == nil {
		t.Fatal("n01 activated a group it is not eligible for")
	}

	req, err := SelfActivate(ctx, w.N01, ActivationSpec{GroupID: w.adminGroup, Duration: two, Justification: "INC-1: rotate secrets"})
	if err != nil {
		t.Fatalf("n01 selfActivate: %v", err)
	}
	if !req.IsPendingApproval() || req.ApprovalID == "" {
		t.Fatalf("activation = %+v, want PendingApproval with an approval ID", req)
	}
	if req.PrincipalID != w.f.N01.ID || req.GroupID != w.adminGroup || req.AccessID != AccessMember {
		t.Fatalf("activation names %s/%s/%s, want n01/admin/member", req.PrincipalID, req.GroupID, req.AccessID)
	}
	var exists *ActivationExistsError
	if _, err := SelfActivate(ctx, w.N01, ActivationSpec{GroupID: w.adminGroup, Duration: two, Justification: "again"}); !errors.As(err, &exists) || !exists.Pending {
		t.Errorf("a second activation while one is pending: got %v, want ActivationExistsError{Pending}", err)
	}

	mine, err := MyActivationRequests(ctx, w.N01, w.adminGroup)
	if err != nil {
		t.Fatal(err)
	}
	if !activationTestHasRequest(mine, req.RequestID) {
		t.Errorf("MyActivationRequests does not list %s: %+v", req.RequestID, mine)
	}

	// n01 never approves its own request; the service, not this client, says so.
	var na *NotApproverError
	if err := DecideApproval(ctx, w.N01, req.ApprovalID, DecisionApprove, "self"); !errors.As(err, &na) {
		t.Fatalf("n01 approving its own request: got %v, want NotApproverError", err)
	}
	if pend, err := MyPendingApprovals(ctx, w.N01); err != nil || len(pend) != 0 {
		t.Fatalf("n01's pending approvals = %+v, %v; want none", pend, err)
	}

	pend, err := MyPendingApprovals(ctx, w.P01)
	if err != nil {
		t.Fatal(err)
	}
	if len(pend) != 1 || pend[0].Approval.ID != req.ApprovalID {
		t.Fatalf("p01's pending approvals = %+v, want exactly %s", pend, req.ApprovalID)
	}
	if pend[0].Request.PrincipalID != w.f.N01.ID || pend[0].Request.Justification != "INC-1: rotate secrets" {
		t.Errorf("pending approval's request = %+v, want n01's with its justification", pend[0].Request)
	}
	if err := DecideApproval(ctx, w.P01, req.ApprovalID, DecisionApprove, "ok for INC-1"); err != nil {
		t.Fatalf("p01 approving: %v", err)
	}
	if err := DecideApproval(ctx, w.P01, req.ApprovalID, DecisionDeny, "changed my mind"); !errors.Is(err, ErrAlreadyDecided) {
		t.Fatalf("second decision: got %v, want ErrAlreadyDecided", err)
	}
	appr, err := ReadApproval(ctx, w.N01, req.ApprovalID)
	if err != nil {
		t.Fatal(err)
	}
	if len(appr.Stages) != 1 || !appr.Stages[0].Approved() || appr.Stages[0].ReviewedBy != w.f.P01.ID {
		t.Errorf("approval after decision = %+v, want one stage approved by p01", appr)
	}

	got, err := WaitActivation(ctx, w.N01, req.RequestID, ActivationRequest.IsProvisioned)
	if err != nil {
		t.Fatal(err)
	}
	if got.End.Sub(got.Start) != 2*time.Hour {
		t.Errorf("provisioned window %s..%s, want 2h", got.Start, got.End)
	}
	active, err := AssignmentInstances(ctx, w.Admin, w.adminGroup, w.f.N01.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 1 || active[0].AssignmentType != "activated" || active[0].AccessID != AccessMember {
		t.Fatalf("n01's active assignments to admin = %+v, want one activated membership", active)
	}

	if _, err := SelfActivate(ctx, w.N01, ActivationSpec{GroupID: w.adminGroup, Duration: two, Justification: "again"}); !errors.As(err, &exists) || exists.Pending {
		t.Errorf("activating while active: got %v, want ActivationExistsError (not pending)", err)
	}

	// PIM keeps an activation for its first minutes.
	var tooNew *ActivationTooNewError
	if _, err := SelfDeactivate(ctx, w.N01, w.adminGroup, AccessMember); !errors.As(err, &tooNew) {
		t.Fatalf("deactivating at once: got %v, want ActivationTooNewError", err)
	}

	w.srv.AdvanceClock(2*time.Hour + time.Minute)
	active, err = AssignmentInstances(ctx, w.Admin, w.adminGroup, w.f.N01.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 0 {
		t.Fatalf("after the end, n01's active assignments = %+v, want none", active)
	}
	if _, err := SelfDeactivate(ctx, w.N01, w.adminGroup, AccessMember); !errors.Is(err, ErrNotActive) {
		t.Fatalf("deactivating an expired activation: got %v, want ErrNotActive", err)
	}
}

// TestActivationDenyCancelDeactivate covers the other endings: denied, cancelled while pending, and
// ended early by the user after the minimum age.
func TestActivationDenyCancelDeactivate(t *testing.T) {
	w := activationTestSetup(t)
	ctx := t.Context()
	one, _ := ParseDuration("PT1H")
	spec := ActivationSpec{GroupID: w.adminGroup, Duration: one, Justification: "try"}

	req, err := SelfActivate(ctx, w.N01, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := DecideApproval(ctx, w.P01, req.ApprovalID, DecisionDeny, "no ticket"); err != nil {
		t.Fatal(err)
	}
	if _, err := WaitActivation(ctx, w.N01, req.RequestID, ActivationRequest.IsProvisioned); err == nil {
		t.Fatal("waiting for a denied activation to be provisioned succeeded")
	}
	if got, _ := ReadActivation(ctx, w.N01, req.RequestID); got.Status != StatusDenied {
		t.Fatalf("status after deny = %q, want Denied", got.Status)
	}

	req, err = SelfActivate(ctx, w.N01, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := CancelActivation(ctx, w.N01, req.RequestID); err != nil {
		t.Fatal(err)
	}
	if got, _ := ReadActivation(ctx, w.N01, req.RequestID); got.Status != StatusCanceled {
		t.Fatalf("status after cancel = %q, want Canceled", got.Status)
	}
	if pend, _ := MyPendingApprovals(ctx, w.P01); len(pend) != 0 {
		t.Fatalf("a cancelled request still awaits p01: %+v", pend)
	}

	w.activateApproved(t, spec)
	w.srv.AdvanceClock(activationTestMinimumAge + time.Second)
	end, err := SelfDeactivate(ctx, w.N01, w.adminGroup, AccessMember)
	if err != nil {
		t.Fatalf("deactivating after the minimum age: %v", err)
	}
	if end.Action != "selfDeactivate" {
		t.Errorf("deactivation request action = %q", end.Action)
	}
	if active, _ := AssignmentInstances(ctx, w.Admin, w.adminGroup, w.f.N01.ID); len(active) != 0 {
		t.Fatalf("after deactivation n01 is still active: %+v", active)
	}
}

func activationTestHasRequest(list []ActivationRequest, id string) bool {
	for _, a := range list {
		if a.RequestID == id {
			return true
		}
	}
	return false
}
