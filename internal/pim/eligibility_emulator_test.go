package pim

import (
	"errors"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// TestEligibilityEmulatorLifecycle runs for both kinds of group schedule: an active assignment must also
// make the principal a member while it holds, and stop doing so once removed.
func TestEligibilityEmulatorLifecycle(t *testing.T) {
	for _, k := range []GroupScheduleKind{GroupEligible, GroupActive} {
		t.Run(k.String(), func(t *testing.T) { testGroupScheduleLifecycle(t, k) })
	}
}

// eligibilityTestKey creates a group "admin" and a group "default" and returns the key of default's
// membership of admin, of kind k: the schedule a test creates and removes.
func eligibilityTestKey(t *testing.T, c *clients.Client, k GroupScheduleKind) EligibilityKey {
	t.Helper()
	return EligibilityKey{Kind: k, GroupID: pimTestGroup(t, c, "admin"), PrincipalID: pimTestGroup(t, c, "default"), AccessID: AccessMember}
}

func testGroupScheduleLifecycle(t *testing.T, k GroupScheduleKind) {
	c, srv := pimTestClient(t)
	t.Parallel()
	ctx := t.Context()
	key := eligibilityTestKey(t, c, k)
	group, principal := key.GroupID, key.PrincipalID
	isMember := func() bool {
		t.Helper()
		resp, err := clients.Graph(c).Groups().ByGroupId(group).Members().Get(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range resp.GetValue() {
			if SameObjectID(deref(m.GetId()), principal) {
				return true
			}
		}
		return false
	}
	d30, _ := ParseDuration("P30D")
	spec := EligibilitySpec{Key: key, Schedule: Schedule{Duration: d30}, Justification: "on-call"}

	created, err := CreateEligibility(ctx, c, spec)
	if err != nil {
		t.Fatal(err)
	}
	sid, err := ParseScheduleID(created.ScheduleID)
	if err != nil || !SameObjectID(sid.GroupID, group) || sid.AccessID != AccessMember {
		t.Fatalf("schedule ID %q: %+v %v", created.ScheduleID, sid, err)
	}
	if got := created.End.Sub(created.Start); got != 30*24*time.Hour {
		t.Fatalf("schedule lasts %v, want 30 days (start %v end %v)", got, created.Start, created.End)
	}
	if !SameObjectID(created.Key.PrincipalID, principal) || created.Key.AccessID != AccessMember || created.Key.Kind != k {
		t.Fatalf("schedule key %+v", created.Key)
	}
	if got, want := isMember(), k == GroupActive; got != want {
		t.Fatalf("principal is a member of the group: %v, want %v for an %s", got, want, k)
	}

	found, ok, err := FindEligibility(ctx, c, key)
	if err != nil || !ok || found.ScheduleID != created.ScheduleID {
		t.Fatalf("FindEligibility = %v %v %v, want schedule %s", found.ScheduleID, ok, err, created.ScheduleID)
	}

	// A retried create (the first answer lost) adopts the matching schedule instead of failing...
	again, err := CreateEligibility(ctx, c, spec)
	if err != nil || again.ScheduleID != created.ScheduleID {
		t.Fatalf("retried create: %v %v, want adoption of %s", again.ScheduleID, err, created.ScheduleID)
	}
	// ... but refuses one that does not match the plan, naming it for import.
	other := spec
	other.Schedule = Schedule{Duration: Duration{seconds: 90 * 86400}}
	_, err = CreateEligibility(ctx, c, other)
	var exists *EligibilityExistsError
	if !errors.As(err, &exists) || exists.ImportID() != created.ScheduleID {
		t.Fatalf("create over a different existing eligibility: %v, want EligibilityExistsError naming %s", err, created.ScheduleID)
	}

	// adminUpdate: the duration still counts from the original start, and the schedule gets a new ID.
	d60, _ := ParseDuration("P60D")
	upd := spec
	upd.Schedule = Schedule{Start: created.Start, Duration: d60}
	updated, err := UpdateEligibility(ctx, c, upd)
	if err != nil {
		t.Fatal(err)
	}
	if updated.ScheduleID == created.ScheduleID {
		t.Error("adminUpdate kept the schedule ID; PIM gives updates a new one")
	}
	if want := created.Start.Add(60 * 24 * time.Hour); updated.End.Sub(want).Abs() > time.Second {
		t.Errorf("updated end %v, want %v (original start + 60 days)", updated.End, want)
	}
	if _, ok, err := ReadGroupSchedule(ctx, c, k, created.ScheduleID); err != nil || ok {
		t.Errorf("the replaced schedule still reads: %v %v", ok, err)
	}
	if got, want := isMember(), k == GroupActive; got != want {
		t.Fatalf("after the update the principal is a member: %v, want %v", got, want)
	}

	// Delete right away meets ActiveDurationTooShort and polls it out.
	srv.ResetStats()
	start := time.Now()
	if err := DeleteEligibility(ctx, c, updated.ScheduleID, key); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ReadGroupSchedule(ctx, c, k, updated.ScheduleID); err != nil || ok {
		t.Fatalf("deleted schedule still reads: %v %v", ok, err)
	}
	if _, ok, err := FindEligibility(ctx, c, key); err != nil || ok {
		t.Fatalf("deleted eligibility still listed: %v %v", ok, err)
	}
	if isMember() {
		t.Fatal("the principal is still a member after the removal")
	}
	t.Logf("delete took %v", time.Since(start).Round(time.Millisecond))
	// Deleting again is a no-op.
	if err := DeleteEligibility(ctx, c, updated.ScheduleID, key); err != nil {
		t.Fatalf("second delete: %v", err)
	}
}

// A duration counts from the configured start, also when PIM moves a past start to the request time.
func TestEligibilityEmulatorPastStart(t *testing.T) {
	c, _ := pimTestClient(t)
	t.Parallel()
	ctx := t.Context()
	key := eligibilityTestKey(t, c, GroupEligible)
	start := c.Now().Add(-24 * time.Hour).UTC().Truncate(time.Second)
	e, err := CreateEligibility(ctx, c, EligibilitySpec{Key: key, Schedule: Schedule{Start: start, Duration: Duration{seconds: 30 * 86400}}, Justification: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Add(30 * 24 * time.Hour); e.End.Sub(want).Abs() > time.Second {
		t.Fatalf("ends %v, want %v (configured start + 30 days)", e.End, want)
	}
	if e.Start.Before(start.Add(time.Hour)) {
		t.Logf("the emulator kept the past start %v", e.Start)
	}
}

func TestEligibilityEmulatorPolicyViolation(t *testing.T) {
	c, _ := pimTestClient(t)
	t.Parallel()
	ctx := t.Context()
	key := eligibilityTestKey(t, c, GroupEligible)

	// The default policy rejects a permanent eligibility; the error names the rule and the fix.
	_, err := CreateEligibility(ctx, c, EligibilitySpec{Key: key, Schedule: Schedule{Permanent: true}, Justification: "x"})
	var pe *PolicyRejectedError
	if !errors.As(err, &pe) {
		t.Fatalf("permanent eligibility under the default policy: %v, want a PolicyRejectedError", err)
	}
	if len(pe.Failed) == 0 || pe.Failed[0].Rule != RuleExpirationAdminEligibility {
		t.Fatalf("rejection %v does not name Expiration_Admin_Eligibility", pe)
	}
	// Over the maximum (P365D) is rejected the same way.
	_, err = CreateEligibility(ctx, c, EligibilitySpec{Key: key, Schedule: Schedule{Duration: Duration{seconds: 400 * 86400}}, Justification: "x"})
	if !errors.As(err, &pe) || pe.Failed[0].Rule != RuleExpirationAdminEligibility {
		t.Fatalf("400-day eligibility: %v, want a violation of Expiration_Admin_Eligibility", err)
	}

	// Once the policy allows it, the same request succeeds.
	p := DefaultPolicy()
	p.EligibleAssignment.ExpirationRequired = false
	if _, _, err := ApplyPolicy(ctx, c, PolicyKey{GroupID: key.GroupID, AccessID: AccessMember}, p); err != nil {
		t.Fatal(err)
	}
	e, err := CreateEligibility(ctx, c, EligibilitySpec{Key: key, Schedule: Schedule{Permanent: true}, Justification: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Permanent() {
		t.Fatalf("permanent eligibility reads back with end %v", e.End)
	}
}

// Not parallel: it moves the emulator's clock.
func TestEligibilityEmulatorDrift(t *testing.T) {
	c, srv := pimTestClient(t)
	ctx := t.Context()
	key := eligibilityTestKey(t, c, GroupEligible)

	// Removed out of band: Read reports it gone.
	e, err := CreateEligibility(ctx, c, EligibilitySpec{Key: key, Schedule: Schedule{Duration: Duration{seconds: 86400}}, Justification: "x"})
	if err != nil {
		t.Fatal(err)
	}
	srv.AdvanceClock(pimTestMinimumAge + time.Second)
	if _, err := GroupEligible.post(ctx, c, eligibilityRequest(adminRemove, EligibilitySpec{Key: key}, c.Now())); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ReadEligibility(ctx, c, e.ScheduleID); err != nil || ok {
		t.Fatalf("eligibility removed out of band still reads: %v %v", ok, err)
	}

	// Expired: gone once the clock passes its end.
	e, err = CreateEligibility(ctx, c, EligibilitySpec{Key: key, Schedule: Schedule{Duration: Duration{seconds: 600}}, Justification: "x"})
	if err != nil {
		t.Fatal(err)
	}
	srv.AdvanceClock(11 * time.Minute)
	if _, ok, err := ReadEligibility(ctx, c, e.ScheduleID); err != nil || ok {
		t.Fatalf("expired eligibility still reads: %v %v", ok, err)
	}
	// Deleting what expired is not an error.
	if err := DeleteEligibility(ctx, c, e.ScheduleID, key); err != nil {
		t.Fatalf("delete after expiry: %v", err)
	}
}

var adminRemove = models.ADMINREMOVE_SCHEDULEREQUESTACTIONS

// TestEligibilityOnTheClientsClock: the domain's "now" is its client's clock, here the emulator's. Once a
// test has moved the emulator two days ahead, an end one day ahead of the wall clock is already past, and
// CreateEligibility refuses it before sending anything, as PIM would. (On the wall clock it was sent.)
func TestEligibilityOnTheClientsClock(t *testing.T) {
	srv, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Options{})
	key := eligibilityTestKey(t, c, GroupEligible)
	srv.AdvanceClock(48 * time.Hour)
	if got := time.Until(c.Now()); got < 47*time.Hour {
		t.Fatalf("the client's clock is %v from the wall clock, want the emulator's two days", got)
	}
	_, err := CreateEligibility(t.Context(), c, EligibilitySpec{Key: key, Schedule: Schedule{End: time.Now().Add(24 * time.Hour)}, Justification: "x"})
	var f Finding
	if !errors.As(err, &f) || f.Check != CheckTooShort || f.Setting != SettingEnd {
		t.Fatalf("an end in the emulator's past: %v, want the finding %s on %s", err, CheckTooShort, SettingEnd)
	}
}
