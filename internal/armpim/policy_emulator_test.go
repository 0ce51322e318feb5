package armpim

import (
	"errors"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/directory"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

func TestPolicyApplyAndReset(t *testing.T) {
	inEachVariant(t, func(t *testing.T, p emuclient.Principals, f emulator.Fixtures) {
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

// TestPolicyDirectoryContext: the principals eligible for the role at exactly the scope, and the members
// of the approver groups, so ApproverConflicts can warn about self-approval.
func TestPolicyDirectoryContext(t *testing.T) {
	p, f, srv := testWorld(t, nil)
	ctx := t.Context()
	key := PolicyKey{Scope: f.ClusterID, RoleDefinitionID: roleAKSAdmin}
	dir := srv.Directory()
	approverGroup := dir.AddGroup(directory.Group{DisplayName: "approvers", MailNickname: "approvers", SecurityEnabled: true}).ID
	dir.AddRelationship(approverGroup, f.N01.ID, directory.KindMember, srv.Now().Add(-time.Minute))
	pol := pim.DefaultPolicy()
	pol.Approval = pim.ApprovalRules{Required: true, ApproverUsers: []string{f.P01.ID}, ApproverGroups: []string{approverGroup}, TimeoutDays: 1}
	pc, err := PolicyDirectoryContext(ctx, p.Admin, key, pol)
	if err != nil || len(pc.EligiblePrincipals) != 0 || len(pc.ApproverGroupMembers) != 0 {
		t.Fatalf("nobody eligible yet: %+v, %v", pc, err)
	}
	for _, target := range []Target{
		{Scope: f.ClusterID, RoleDefinitionID: roleAKSAdmin, PrincipalID: f.N01.ID},
		{Scope: f.ClusterID + "/namespaces/payments", RoleDefinitionID: roleAKSAdmin, PrincipalID: f.P01.ID}, // another scope
	} {
		if _, err := Create(ctx, p.Admin, Spec{Kind: Eligible, Target: target, Schedule: pim.Schedule{Duration: days(30)}, Justification: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	pc, err = PolicyDirectoryContext(ctx, p.Admin, key, pol)
	if err != nil || len(pc.EligiblePrincipals) != 1 || !pim.SameObjectID(pc.EligiblePrincipals[0], f.N01.ID) {
		t.Fatalf("eligible at the cluster: %+v, %v", pc, err)
	}
	if m := pc.ApproverGroupMembers[approverGroup]; len(m) != 1 || !pim.SameObjectID(m[0], f.N01.ID) {
		t.Fatalf("approver group members: %+v", pc.ApproverGroupMembers)
	}
	if len(pol.ApproverConflicts(pc)) == 0 {
		t.Fatal("n01, eligible, approves through the approver group: no warning")
	}
}
