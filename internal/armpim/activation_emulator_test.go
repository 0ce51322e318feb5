package armpim

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

const secretsRead = "Microsoft.ContainerService/managedClusters/secrets/read"

// setPolicy changes the policy of role at scope from what it is now.
func setPolicy(t *testing.T, c *clients.Client, scope, role string, change func(*pim.Policy)) {
	t.Helper()
	key := PolicyKey{Scope: scope, RoleDefinitionID: role}
	st, err := ReadPolicy(t.Context(), c, key)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Rules.Policy()
	change(&p)
	if _, _, err := ApplyPolicy(t.Context(), c, key, p); err != nil {
		t.Fatal(err)
	}
}

func TestActivationAndApproval(t *testing.T) {
	inEachVariant(t, func(t *testing.T, p emuclient.Principals, f emulator.Fixtures) {
		ctx := t.Context()
		eligible := Spec{Kind: Eligible, Target: Target{Scope: f.ClusterID, RoleDefinitionID: roleAKSAdmin, PrincipalID: f.N01.ID},
			Schedule: pim.Schedule{Duration: days(30)}, Justification: "on-call"}
		if _, err := Create(ctx, p.Admin, eligible); err != nil {
			t.Fatal(err)
		}
		// A default policy may require MFA on activation (armpim.activation-mfa), which no emulator token
		// carries: justification only.
		setPolicy(t, p.Admin, f.ClusterID, roleAKSAdmin, func(p *pim.Policy) { p.Activation.RequireMFA = false })
		can := func() bool {
			t.Helper()
			ok, err := rbac.HasDataAction(ctx, p.N01, f.ClusterID, secretsRead)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		spec := ActivationSpec{Scope: f.ClusterID, RoleDefinitionID: roleAKSAdmin, Duration: pim.DurationOf(time.Hour), Justification: "INC-1"}
		a, err := SelfActivate(ctx, p.N01, spec)
		if err != nil || !a.IsProvisioned() || !can() {
			t.Fatalf("activation without approval: %+v %v (secrets readable %v)", a, err, can())
		}
		var exists *ActivationExistsError
		if _, err := SelfActivate(ctx, p.N01, spec); !errors.As(err, &exists) {
			t.Fatalf("second activation: %v", err)
		}
		if err := SelfDeactivate(ctx, p.N01, f.ClusterID, roleAKSAdmin); !errors.Is(err, ErrTooNew) {
			t.Fatalf("deactivation at once: %v", err)
		}
		time.Sleep(2500 * time.Millisecond)
		if err := SelfDeactivate(ctx, p.N01, f.ClusterID, roleAKSAdmin); err != nil || can() {
			t.Fatalf("deactivation: %v (secrets readable %v)", err, can())
		}
		if err := SelfDeactivate(ctx, p.N01, f.ClusterID, roleAKSAdmin); !errors.Is(err, ErrNotActive) {
			t.Fatalf("deactivating nothing: %v", err)
		}

		setPolicy(t, p.Admin, f.ClusterID, roleAKSAdmin, func(p *pim.Policy) {
			p.Approval = pim.ApprovalRules{Required: true, ApproverUsers: []string{f.P01.ID}, ApproverJustificationRequired: true, TimeoutDays: 1}
		})
		pending, err := SelfActivate(ctx, p.N01, spec)
		if err != nil || !pending.IsPendingApproval() || pending.ApprovalID == "" || can() {
			t.Fatalf("activation needing approval: %+v %v", pending, err)
		}
		if mine, err := MyActivations(ctx, p.N01, f.ClusterID, roleAKSAdmin); err != nil || len(mine) == 0 || !strings.EqualFold(mine[len(mine)-1].RequestID, pending.RequestID) {
			t.Fatalf("my activations: %+v %v", mine, err)
		}
		awaiting, err := PendingApprovals(ctx, p.P01, f.ClusterID)
		if err != nil || len(awaiting) != 1 || awaiting[0].ApprovalID != pending.ApprovalID {
			t.Fatalf("p01's pending approvals: %+v %v", awaiting, err)
		}
		var notApprover *pim.NotApproverError
		if err := Decide(ctx, p.N01, pending.ApprovalID, pim.DecisionApprove, "me"); !errors.As(err, &notApprover) {
			t.Fatalf("n01 approving its own request: %v", err)
		}
		if err := Decide(ctx, p.P01, pending.ApprovalID, pim.DecisionApprove, "ok"); err != nil {
			t.Fatal(err)
		}
		done, err := WaitActivation(ctx, p.N01, pending.RequestID, Activation.IsProvisioned)
		if err != nil || !can() {
			t.Fatalf("after approval: %+v %v", done, err)
		}
		if err := Decide(ctx, p.P01, pending.ApprovalID, pim.DecisionApprove, "again"); !errors.Is(err, pim.ErrAlreadyDecided) {
			t.Fatalf("deciding twice: %v", err)
		}
	})
}
