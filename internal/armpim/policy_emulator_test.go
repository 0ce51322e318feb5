package armpim

import (
	"errors"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

func TestPolicyApplyAndReset(t *testing.T) {
	for name, mutate := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, f, _ := testWorld(t, mutate)
			ctx := t.Context()
			key := PolicyKey{Scope: f.ClusterID, RoleDefinitionID: roleAKSAdmin}
			before, err := ReadPolicy(ctx, p.Admin, key)
			if err != nil {
				t.Fatal(err)
			}
			original := before.Rules.Policy()
			if original.Activation.MaximumDuration != pim.DefaultActivationMaximum || !original.EligibleAssignment.ExpirationRequired {
				t.Fatalf("a fresh role policy: %+v", original)
			}
			desired := original
			desired.Approval = pim.ApprovalRules{Required: true, ApproverUsers: []string{f.P01.ID}, ApproverJustificationRequired: true, TimeoutDays: 1}
			desired.Activation.MaximumDuration = pim.DurationOf(4 * time.Hour)
			desired.Activation.RequireMFA = false
			desired.EligibleAssignment.ExpirationRequired = false
			desired.Notifications.Activation.Approver.AdditionalRecipients = []string{"oncall@example.com"}
			state, written, err := ApplyPolicy(ctx, p.Admin, key, desired)
			if err != nil || len(written) == 0 {
				t.Fatalf("apply: %v (%d rules written)", err, len(written))
			}
			if d := state.Rules.Differing(desired); len(d) != 0 {
				t.Fatalf("after apply the rules %v differ", d)
			}
			again, err := ReadPolicy(ctx, p.Admin, key)
			if err != nil || len(again.Rules.Differing(desired)) != 0 {
				t.Fatalf("read back: %v", err)
			}
			// Other roles at the scope, and the role at other scopes, keep their own policy.
			other, err := ReadPolicy(ctx, p.Admin, PolicyKey{Scope: f.ClusterID + "/namespaces/payments", RoleDefinitionID: roleAKSAdmin})
			if err != nil || other.Rules.Policy().Approval.Required {
				t.Fatalf("the namespace's policy changed with the cluster's: %v", err)
			}
			// A policy the API refuses (MFA together with an authentication context) is a RuleWriteError.
			bad := desired
			bad.Activation.RequireMFA, bad.Activation.ConditionalAccessContext = true, "c1"
			var we *RuleWriteError
			if _, _, err := ApplyPolicy(ctx, p.Admin, key, bad); !errors.As(err, &we) {
				t.Fatalf("MFA with an authentication context: %v", err)
			}
			if _, _, err := ResetPolicy(ctx, p.Admin, key, &original); err != nil {
				t.Fatal(err)
			}
			if after, err := ReadPolicy(ctx, p.Admin, key); err != nil || len(after.Rules.Differing(original)) != 0 {
				t.Fatalf("after the reset: %v", err)
			}
			if _, err := ReadPolicy(ctx, p.Admin, PolicyKey{Scope: f.ClusterID, RoleDefinitionID: "00000000-0000-0000-0000-0000000000aa"}); !errors.Is(err, ErrPolicyNotFound) {
				t.Fatalf("an unknown role: %v", err)
			}
		})
	}
}
