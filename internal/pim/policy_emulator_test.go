package pim

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Not parallel: it counts the emulator's requests.
func TestPolicyEmulatorApplyReadReset(t *testing.T) {
	c, srv := pimTestClient(t)
	ctx := t.Context()
	admin := pimTestGroup(t, c, "admin")
	approver := pimTestGroup(t, c, "approver")
	key := PolicyKey{GroupID: admin, AccessID: AccessMember}

	before, err := ReadPolicy(ctx, c, key)
	if err != nil {
		t.Fatal(err)
	}
	if d := before.Rules.Differing(DefaultPolicy()); len(d) != 0 {
		t.Fatalf("a fresh group's policy differs from DefaultPolicy in %v", d)
	}
	owner, err := ReadPolicy(ctx, c, PolicyKey{GroupID: admin, AccessID: AccessOwner})
	if err != nil {
		t.Fatal(err)
	}
	if owner.PolicyID == before.PolicyID {
		t.Fatal("member and owner resolved to the same policy")
	}

	// The scenario's policy: approval by the approver group, plus a few changes across rule kinds.
	desired := DefaultPolicy()
	desired.Approval.Required = true
	desired.Approval.ApproverGroups = []string{approver}
	desired.Activation.MaximumDuration = Duration{seconds: 4 * 3600}
	desired.EligibleAssignment.ExpirationRequired = false
	desired.Notifications.Activation.Approver.AdditionalRecipients = []string{"secops@contoso.com"}
	srv.ResetStats()
	state, written, err := ApplyPolicy(ctx, c, key, desired)
	if err != nil {
		t.Fatal(err)
	}
	wantWritten := []RuleID{RuleExpirationAdminEligibility, RuleExpirationEndUserAssignment, RuleApprovalEndUserAssignment, RuleNotificationApproverEndUserAssignment}
	if len(written) != len(wantWritten) {
		t.Fatalf("wrote %v, want exactly %v", written, wantWritten)
	}
	// One successful PATCH per differing rule; the first write onboards the group and changes the policy
	// ID, so the next PATCH may meet a 404 and be re-sent to the new ID. Where every write changes the ID
	// (the pim.policy-ids variant), every later PATCH may.
	patch := srv.Stats().Routes["PATCH /v1.0/policies/roleManagementPolicies/{id}/rules/{ruleId}"]
	max404 := int64(1)
	if srv.Variants().Is("pim.policy-ids", "every-update") {
		max404 = int64(len(wantWritten) - 1)
	}
	if patch.Status["204"] != int64(len(wantWritten)) || patch.Status["404"] > max404 {
		t.Errorf("PATCH statuses %v, want %d × 204 (one per differing rule) and at most %d × 404", patch.Status, len(wantWritten), max404)
	}
	if state.PolicyID == before.PolicyID {
		t.Log("policy ID did not change at onboarding (emulator configured without regeneration)")
	}
	got, err := ReadPolicy(ctx, c, key)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Rules.Differing(desired); len(d) != 0 {
		t.Fatalf("after ApplyPolicy the policy still differs in %v", d)
	}
	if p := got.Rules.Policy(); !p.Approval.Required || len(p.Approval.ApproverGroups) != 1 || !SameObjectID(p.Approval.ApproverGroups[0], approver) {
		t.Fatalf("approval rule read back as %+v", p.Approval)
	}
	// The owner policy is untouched (azuread #1491).
	if o, err := ReadPolicy(ctx, c, PolicyKey{GroupID: admin, AccessID: AccessOwner}); err != nil {
		t.Fatal(err)
	} else if d := o.Rules.Differing(DefaultPolicy()); len(d) != 0 {
		t.Fatalf("writing the member policy changed the owner policy: %v", d)
	}

	// Applying the same policy again writes nothing.
	if _, written, err := ApplyPolicy(ctx, c, key, desired); err != nil || len(written) != 0 {
		t.Fatalf("re-apply wrote %v, err %v", written, err)
	}

	if _, _, err := ResetPolicy(ctx, c, key); err != nil {
		t.Fatal(err)
	}
	after, err := ReadPolicy(ctx, c, key)
	if err != nil {
		t.Fatal(err)
	}
	if d := after.Rules.Differing(DefaultPolicy()); len(d) != 0 {
		t.Fatalf("after reset the policy differs from the defaults in %v", d)
	}
}

func TestPolicyEmulatorErrors(t *testing.T) {
	c, _ := pimTestClient(t)
	t.Parallel()
	ctx := t.Context()
	_, err := ReadPolicy(ctx, c, PolicyKey{GroupID: uuid.NewString(), AccessID: AccessMember})
	if !errors.Is(err, ErrPolicyNotFound) {
		t.Fatalf("policy of a missing group: %v, want ErrPolicyNotFound", err)
	}
	// A rule Graph refuses is reported with its ID.
	g := pimTestGroup(t, c, "bad")
	bad := DefaultPolicy()
	bad.Activation.MaximumDuration = Duration{} // an expiration rule requiring expiry without a maximum
	_, _, err = ApplyPolicy(ctx, c, PolicyKey{GroupID: g, AccessID: AccessMember}, bad)
	// Graph either refuses the rule or keeps its old maximum; both must surface as an error naming it,
	// never as success with drift.
	var we *RuleWriteError
	var np *RulesNotPersistedError
	switch {
	case errors.As(err, &we):
		if we.Rule != RuleExpirationEndUserAssignment {
			t.Fatalf("error %v names the wrong rule", err)
		}
	case errors.As(err, &np):
		if len(np.Rules) != 1 || np.Rules[0] != RuleExpirationEndUserAssignment {
			t.Fatalf("error %v names the wrong rules", err)
		}
	default:
		t.Fatalf("ApplyPolicy of an invalid rule: %v, want an error naming %s", err, RuleExpirationEndUserAssignment)
	}
}

func TestPolicyDirectoryContextEmulator(t *testing.T) {
	c, srv := pimTestClient(t)
	t.Parallel()
	ctx := t.Context()
	admin := pimTestGroup(t, c, "admin")
	n01 := srv.Fixtures().N01.ID
	approver := pimTestGroup(t, c, "approver", n01)
	p := DefaultPolicy()
	p.Approval.Required = true
	p.Approval.ApproverGroups = []string{approver}
	key := PolicyKey{GroupID: admin, AccessID: AccessMember}
	if _, err := CreateEligibility(ctx, c, EligibilitySpec{Key: EligibilityKey{GroupID: admin, PrincipalID: n01, AccessID: AccessMember},
		Schedule: Schedule{Duration: Duration{seconds: 30 * 86400}}, Justification: "test"}); err != nil {
		t.Fatal(err)
	}
	var pc PolicyContext
	// Memberships replicate; poll a little.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		if pc, err = PolicyDirectoryContext(ctx, c, key, p); err != nil {
			t.Fatal(err)
		}
		if len(pc.ApproverGroupMembers[approver]) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(p.ApproverConflicts(pc)) == 0 {
		t.Fatalf("n01 is eligible and a member of the approver group, but no warning: %+v", pc)
	}
}
