package pim

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// graphOps counts the Graph operations since the last reset: $batch items and direct Graph requests
// other than the $batch POSTs themselves, by route.
func graphOps(srv *emulator.Server) (total int64, routes map[string]int64) {
	routes = map[string]int64{}
	for route, rs := range srv.Stats().Routes {
		if !strings.Contains(route, "/v1.0/") || strings.Contains(route, "$batch") {
			continue
		}
		routes[route] += rs.Count
		total += rs.Count
	}
	return total, routes
}

// TestGroupReadSendsWhatItsAttributesNeed: each part of a group read is one Graph operation, sent only
// when asked for (issue 14: the group and its owners always, members and the PIM instances only with
// members, onboarding from nothing to three operations).
func TestGroupReadSendsWhatItsAttributesNeed(t *testing.T) {
	srv, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	ctx := t.Context()
	f := srv.Fixtures()
	withMember, _, err := CreateGroup(ctx, c, GroupSpec{DisplayName: "ops " + uuid.NewString()[:8], Members: []string{f.N01.ID}, ManageMembers: true}, GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(withMember.PolicyIDs) == 0 || withMember.PIMOnboarded {
		t.Fatalf("a new group's read: policy IDs %v (the baseline), onboarded %v", withMember.PolicyIDs, withMember.PIMOnboarded)
	}
	empty, _, err := CreateGroup(ctx, c, GroupSpec{DisplayName: "ops " + uuid.NewString()[:8]}, GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		group *GroupRead
		opts  GroupReadOptions
		want  int64
	}{
		{"properties and owners", withMember, GroupReadOptions{Onboarding: OnboardingIgnore}, 2},
		{"known onboarded", withMember, GroupReadOptions{Onboarding: OnboardingKnown}, 2},
		{"members and their PIM instances", withMember, GroupReadOptions{WithMembers: true, Onboarding: OnboardingKnown}, 4},
		{"members of a group without members", empty, GroupReadOptions{WithMembers: true, Onboarding: OnboardingKnown}, 4},
		{"onboarding without a baseline: three probes", withMember, GroupReadOptions{Onboarding: OnboardingProbe}, 5},
		{"onboarding with a baseline: the policies only", withMember, GroupReadOptions{Onboarding: OnboardingProbe, PolicyBaseline: withMember.PolicyIDs}, 3},
	}
	for _, tc := range tests {
		srv.ResetStats()
		g, err := ReadGroup(ctx, c, tc.group.ID, tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got, routes := graphOps(srv); got != tc.want {
			t.Errorf("%s: %d Graph operations, want %d: %v", tc.name, got, tc.want, routes)
		}
		if g.PIMOnboarded != (tc.opts.Onboarding == OnboardingKnown) {
			t.Errorf("%s: onboarded %v", tc.name, g.PIMOnboarded)
		}
	}
}

// TestGroupReadSharesInstancesPerPrincipal: with shared reads, the PIM instances of known members come
// from one list per principal for every group of the provider instance; a member the caller did not
// know is checked against the group's own list.
func TestGroupReadSharesInstancesPerPrincipal(t *testing.T) {
	w := activationTestSetup(t)
	ctx := t.Context()
	o := emuclient.Quick()
	o.SharedReads = true
	shared, err := emuclient.Admin(ctx, w.srv, o)
	if err != nil {
		t.Fatal(err)
	}
	var groups []string
	for range 3 {
		groups = append(groups, pimTestGroup(t, w.Admin, "shared", w.f.N01.ID))
	}
	known := []string{w.f.N01.ID}
	w.srv.ResetStats()
	for _, g := range groups {
		read, err := ReadGroup(ctx, shared, g, GroupReadOptions{WithMembers: true, KnownMembers: known, SharedInstances: true, Onboarding: OnboardingKnown})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(read.Members, known) {
			t.Errorf("group %s members %v, want n01", g, read.Members)
		}
	}
	_, routes := graphOps(w.srv)
	if n := routes["GET /v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleInstances"]; n != 1 {
		t.Errorf("three groups with the same member listed PIM instances %d times, want once (by principal): %v", n, routes)
	}

	// n01 activates its eligibility for admin. A read of admin that does not know n01 as a member checks
	// admin's own instances, so the activation is not taken for a direct membership, although n01's
	// shared list was read before the activation.
	two, _ := ParseDuration("PT2H")
	w.activateApproved(t, ActivationSpec{GroupID: w.adminGroup, Duration: two, Justification: "INC-3"})
	read, err := ReadGroup(ctx, shared, w.adminGroup, GroupReadOptions{WithMembers: true, KnownMembers: nil, SharedInstances: true, Onboarding: OnboardingKnown})
	if err != nil {
		t.Fatal(err)
	}
	if len(read.Members) != 0 {
		t.Errorf("admin's direct members %v, want none: n01 is activated", read.Members)
	}
}

// TestGroupReadNotOnboardedNeedsNoInstances: a group the read finds not onboarded has no PIM
// assignments, so its known members are direct without an instances list (the bench's default and
// approver groups); an onboarded group's known members are still checked, so an activation is not taken
// for a direct membership.
func TestGroupReadNotOnboardedNeedsNoInstances(t *testing.T) {
	w := activationTestSetup(t)
	ctx := t.Context()
	shared, err := emuclient.Admin(ctx, w.srv, emuclient.Options{SharedReads: true,
		Consistency: clients.ConsistencyOptions{Successes: 1, Interval: 50 * time.Millisecond, Timeout: 20 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	const instances = "GET /v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleInstances"
	known := []string{w.f.N01.ID}
	w.srv.ResetStats()
	read, err := ReadGroup(ctx, shared, w.defaultGroup, GroupReadOptions{WithMembers: true, KnownMembers: known, SharedInstances: true, Onboarding: OnboardingProbe})
	if err != nil {
		t.Fatal(err)
	}
	if _, routes := graphOps(w.srv); routes[instances] != 0 || read.PIMOnboarded || !slices.Equal(read.Members, known) {
		t.Errorf("default (not onboarded): members %v, onboarded %v, %d instances lists; want n01, false, none: %v",
			read.Members, read.PIMOnboarded, routes[instances], routes)
	}

	two, _ := ParseDuration("PT2H")
	w.activateApproved(t, ActivationSpec{GroupID: w.adminGroup, Duration: two, Justification: "INC-4"})
	w.srv.ResetStats()
	read, err = ReadGroup(ctx, shared, w.adminGroup, GroupReadOptions{WithMembers: true, KnownMembers: known, SharedInstances: true, Onboarding: OnboardingProbe})
	if err != nil {
		t.Fatal(err)
	}
	if _, routes := graphOps(w.srv); routes[instances] == 0 || !read.PIMOnboarded || len(read.Members) != 0 {
		t.Errorf("admin (onboarded, n01 activated): members %v, onboarded %v, %d instances lists; want none, true, a list: %v",
			read.Members, read.PIMOnboarded, routes[instances], routes)
	}
}

// TestGroupOnboardingByPolicyBaseline: the policy IDs read when a group is created are its baseline;
// an eligibility onboards the group and changes them, which one request then detects.
func TestGroupOnboardingByPolicyBaseline(t *testing.T) {
	srv, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	ctx := t.Context()
	f := srv.Fixtures()
	g, _, err := CreateGroup(ctx, c, GroupSpec{DisplayName: "onboard " + uuid.NewString()[:8]}, GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opts := GroupReadOptions{Onboarding: OnboardingProbe, PolicyBaseline: g.PolicyIDs}
	if read, err := ReadGroup(ctx, c, g.ID, opts); err != nil || read.PIMOnboarded {
		t.Fatalf("before any PIM request: onboarded %v, %v", read != nil && read.PIMOnboarded, err)
	}
	d, _ := ParseDuration("P30D")
	if _, err := CreateEligibility(ctx, c, EligibilitySpec{Key: EligibilityKey{GroupID: g.ID, PrincipalID: f.N01.ID, AccessID: AccessMember},
		Schedule: Schedule{Duration: d}, Justification: "onboard"}); err != nil {
		t.Fatal(err)
	}
	read, err := ReadGroup(ctx, c, g.ID, opts)
	if err != nil || !read.PIMOnboarded {
		t.Errorf("after an eligibility: onboarded %v, %v; want true from the changed policy IDs", read != nil && read.PIMOnboarded, err)
	}
}

// TestGroupReadWithoutPIMPermissions (issue 17, defect 1): without the PIM read permissions a group
// still reads: pim_onboarded stays as it was with ProbeErr, members are reported with MembersErr naming
// the permission, and an update that would remove a member refuses to act on such a list.
func TestGroupReadWithoutPIMPermissions(t *testing.T) {
	cfg := emulator.DefaultConfig()
	cfg.AdminGraphPermissions = []string{"Group.ReadWrite.All", "User.Read.All"}
	srv, c := emuclient.StartAdmin(t, cfg, emuclient.Quick())
	ctx := t.Context()
	f := srv.Fixtures()
	spec := GroupSpec{DisplayName: "no-pim " + uuid.NewString()[:8], Members: []string{f.N01.ID}, ManageMembers: true}
	g, _, err := CreateGroup(ctx, c, spec, GroupCreateOptions{})
	if err != nil {
		t.Fatalf("creating a group with a member without PIM permissions: %v", err)
	}
	read, err := ReadGroup(ctx, c, g.ID, GroupReadOptions{WithMembers: true})
	if err != nil {
		t.Fatalf("reading without PIM permissions: %v", err)
	}
	if read.PIMOnboarded || read.ProbeErr == nil || read.MembersErr == nil {
		t.Errorf("onboarded %v, probe error %v, members error %v; want false and both errors", read.PIMOnboarded, read.ProbeErr, read.MembersErr)
	}
	if !slices.Equal(read.Members, []string{f.N01.ID}) {
		t.Errorf("members %v, want n01", read.Members)
	}
	if hint, _ := clients.PermissionHint(read.MembersErr); !strings.Contains(hint, "PrivilegedAssignmentSchedule.Read.AzureADGroup") {
		t.Errorf("the members error does not name the permission to grant: %v (hint %q)", read.MembersErr, hint)
	}
	spec.Members = []string{f.P01.ID}
	_, err = UpdateGroup(ctx, c, g.ID, spec, GroupUpdateOptions{})
	if hint, _ := clients.PermissionHint(err); !strings.Contains(hint, "PrivilegedAssignmentSchedule.Read.AzureADGroup") {
		t.Errorf("an update removing n01 without being able to tell activated members: %v, want the permission named", err)
	}
	if snap, _ := groupSnapshot(srv, g.ID); !slices.ContainsFunc(snap.Members, func(m string) bool { return strings.EqualFold(m, f.N01.ID) }) {
		t.Errorf("n01 was removed: %v", snap.Members)
	}
}

// TestGroupReadPlanNamesBuildErrors (issue 17, defect 3): a request that cannot be built is reported
// with what it was for and the builder's error, not swallowed.
func TestGroupReadPlanNamesBuildErrors(t *testing.T) {
	p := &groupReadPlan{}
	if _, err := p.add("group")(nil, nil); err != nil {
		t.Fatal(err)
	}
	_, err := p.add("owners")(nil, errors.New("uri template: bad"))
	if err == nil || !strings.Contains(err.Error(), "owners") || !strings.Contains(err.Error(), "uri template: bad") {
		t.Errorf("error %v, want the part and the builder's error", err)
	}
	if len(p.reqs) != 1 {
		t.Errorf("%d requests planned after a failed build, want 1", len(p.reqs))
	}
}

// TestActivationForgetsSharedInstances: an activation or deactivation by this provider instance drops
// the caller's shared instance list, so later group reads list it again.
func TestActivationForgetsSharedInstances(t *testing.T) {
	_, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	lists := clients.PerInstance(c, principalTimedKey{}, func() *principalTimed { return &principalTimed{} })
	me, err := c.CallerObjectID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	lists.memo.Put(strings.ToLower(me), timedGroups{at: time.Now()})
	// The request itself fails (the admin is not eligible anywhere); the list is dropped all the same.
	hour, _ := ParseDuration("PT1H")
	_, _ = SelfActivate(t.Context(), c, ActivationSpec{GroupID: uuid.NewString(), Duration: hour, Justification: "x"})
	if _, ok := lists.memo.Known(strings.ToLower(me)); ok {
		t.Error("the caller's shared instance list survived its activation request")
	}
}
