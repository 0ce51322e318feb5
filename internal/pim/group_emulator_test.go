package pim

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

func groupSnapshot(srv *emulator.Server, id string) (emulator.SnapshotGroup, bool) {
	for _, g := range srv.Snapshot().Groups {
		if strings.EqualFold(g.ID, id) && !g.Deleted {
			return g, true
		}
	}
	return emulator.SnapshotGroup{}, false
}

func groupsWithNickname(srv *emulator.Server, nick string) int {
	n := 0
	for _, g := range srv.Snapshot().Groups {
		if strings.EqualFold(g.MailNickname, nick) && !g.Deleted {
			n++
		}
	}
	return n
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	for i := range out {
		out[i] = strings.ToLower(out[i])
	}
	slices.Sort(out)
	return out
}

func TestGroupLifecycleAgainstEmulator(t *testing.T) {
	srv, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	ctx := t.Context()
	f := srv.Fixtures()
	name := "AKS default " + uuid.NewString()[:8]

	spec := GroupSpec{DisplayName: name, Description: "everyday read-only access", Members: []string{f.N01.ID}, ManageMembers: true}
	g, adopted, err := CreateGroup(ctx, c, spec, GroupCreateOptions{})
	if err != nil || adopted {
		t.Fatalf("CreateGroup = %+v, adopted %v, %v", g, adopted, err)
	}
	snap, ok := groupSnapshot(srv, g.ID)
	if !ok {
		t.Fatal("the group is not in the emulator")
	}
	// Owners default to the caller, members are the direct ones given, the nickname is derived.
	if diff := cmp.Diff([]string{strings.ToLower(f.AdminObjectID)}, sorted(snap.Owners)); diff != "" {
		t.Errorf("owners: %s", diff)
	}
	if diff := cmp.Diff([]string{strings.ToLower(f.N01.ID)}, sorted(snap.Members)); diff != "" {
		t.Errorf("members: %s", diff)
	}
	if snap.MailNickname != DeriveMailNickname(name) || !snap.SecurityEnabled || snap.MailEnabled {
		t.Errorf("group %+v", snap)
	}
	want := Group{ID: g.ID, DisplayName: name, Description: spec.Description, MailNickname: DeriveMailNickname(name),
		SecurityEnabled: true, GroupTypes: []string{}, Owners: []string{f.AdminObjectID}, Members: []string{f.N01.ID}}
	if diff := cmp.Diff(want, g.Group); diff != "" {
		t.Errorf("created group: %s", diff)
	}

	// A refresh is one HTTP request, however many parts it reads.
	srv.ResetStats()
	read, err := ReadGroup(ctx, c, g.ID, GroupReadOptions{WithMembers: true})
	if err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.Requests != 1 {
		t.Errorf("ReadGroup made %d requests, want 1 ($batch): %+v", st.Requests, st.Routes)
	}
	if diff := cmp.Diff(g.Group, read.Group); diff != "" {
		t.Errorf("read: %s", diff)
	}
	if read.PIMOnboarded || read.ProbeErr != nil {
		t.Errorf("a fresh group reads as onboarded %v (probe error %v)", read.PIMOnboarded, read.ProbeErr)
	}

	// Update: new description, p01 as second owner, n01 replaced by p01 as member.
	spec.Description = "changed"
	spec.Owners = []string{f.AdminObjectID, f.P01.ID}
	spec.Members = []string{f.P01.ID}
	up, err := UpdateGroup(ctx, c, g.ID, spec, GroupUpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	snap, _ = groupSnapshot(srv, g.ID)
	if snap.Description != "changed" || !cmp.Equal(sorted(snap.Owners), sorted(spec.Owners)) || !cmp.Equal(sorted(snap.Members), sorted(spec.Members)) {
		t.Errorf("after update: %+v", snap)
	}
	if up.Description != "changed" || len(up.Owners) != 2 || len(up.Members) != 1 {
		t.Errorf("update returned %+v", up.Group)
	}
	// Clearing the description sends null; unmanaged members are left alone.
	spec.Description = ""
	spec.ManageMembers = false
	spec.Members = nil
	if _, err := UpdateGroup(ctx, c, g.ID, spec, GroupUpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	snap, _ = groupSnapshot(srv, g.ID)
	if snap.Description != "" || len(snap.Members) != 1 {
		t.Errorf("after clearing the description: %+v", snap)
	}

	if err := DeleteGroup(ctx, c, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := groupSnapshot(srv, g.ID); ok {
		t.Error("the group is still there after DeleteGroup")
	}
	if _, err := ReadGroup(ctx, c, g.ID, GroupReadOptions{}); !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("read after delete: %v, want ErrGroupNotFound", err)
	}
	if err := DeleteGroup(ctx, c, g.ID); err != nil {
		t.Errorf("deleting a deleted group: %v", err)
	}
}

// A create whose response is lost leaves exactly one group: the provider finds it by mail nickname and
// adopts it, both within the same create and on a later re-apply.
func TestGroupCreateIdempotencyAgainstEmulator(t *testing.T) {
	srv, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	ctx := t.Context()
	f := srv.Fixtures()

	spec := GroupSpec{DisplayName: "admin " + uuid.NewString()[:8], Description: "JIT admins"}
	srv.DropNextWrite("POST", "/v1.0/groups")
	g, adopted, err := CreateGroup(ctx, c, spec, GroupCreateOptions{})
	if err != nil {
		t.Fatalf("create with a dropped response: %v", err)
	}
	if !adopted {
		t.Error("the group created by the dropped request was not reported as adopted")
	}
	if n := groupsWithNickname(srv, spec.Nickname()); n != 1 {
		t.Fatalf("%d groups with the nickname, want 1", n)
	}
	if srv.Stats().Dropped != 1 {
		t.Errorf("the fault did not fire: %+v", srv.Stats())
	}

	// Re-applying (state lost, or the create errored after the POST) adopts it again.
	again, adopted, err := CreateGroup(ctx, c, spec, GroupCreateOptions{})
	if err != nil || !adopted || again.ID != g.ID {
		t.Fatalf("re-create = %v adopted %v, %v; want adoption of %s", again, adopted, err, g.ID)
	}
	if n := groupsWithNickname(srv, spec.Nickname()); n != 1 {
		t.Fatalf("%d groups with the nickname after re-apply, want 1", n)
	}

	// A group with the nickname that differs from the plan is not adopted.
	other := spec
	other.Description = "someone else's"
	var exists *GroupExistsError
	if _, _, err := CreateGroup(ctx, c, other, GroupCreateOptions{}); !errors.As(err, &exists) || exists.Groups[0].ID != g.ID {
		t.Fatalf("mismatching group: error %v, want *GroupExistsError naming %s", err, g.ID)
	}
	// Nor one owned by someone else.
	owned := spec
	owned.Owners = []string{f.P01.ID}
	if _, err := UpdateGroup(ctx, c, g.ID, owned, GroupUpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := CreateGroup(ctx, c, spec, GroupCreateOptions{}); !errors.As(err, &exists) {
		t.Fatalf("group owned by another principal: error %v, want *GroupExistsError", err)
	}

	// prevent_duplicate_names refuses a second group with the display name (and a new nickname).
	dup := spec
	dup.MailNickname = "another-" + uuid.NewString()[:8]
	var dn *DuplicateGroupNameError
	if _, _, err := CreateGroup(ctx, c, dup, GroupCreateOptions{PreventDuplicateNames: true}); !errors.As(err, &dn) || dn.IDs[0] != g.ID {
		t.Fatalf("duplicate name: error %v, want *DuplicateGroupNameError", err)
	}
	// Without it, a second group with the same display name is fine.
	second, _, err := CreateGroup(ctx, c, dup, GroupCreateOptions{})
	if err != nil || second.ID == g.ID {
		t.Fatalf("second group: %v, %v", second, err)
	}
}

// Members that hold their membership through a PIM activation are not direct members: reading a group
// whose membership is managed must not report them (or an apply would remove them).
func TestGroupReadSkipsActivatedMembers(t *testing.T) {
	w := activationTestSetup(t)
	ctx := t.Context()
	two, _ := ParseDuration("PT2H")
	w.activateApproved(t, ActivationSpec{GroupID: w.adminGroup, Duration: two, Justification: "INC-2"})
	snap, _ := groupSnapshot(w.srv, w.adminGroup)
	if !slices.ContainsFunc(snap.Members, func(m string) bool { return strings.EqualFold(m, w.f.N01.ID) }) {
		t.Fatalf("n01 is not an effective member of admin after approval: %+v", snap)
	}
	g, err := ReadGroup(ctx, w.Admin, w.adminGroup, GroupReadOptions{WithMembers: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Members) != 0 {
		t.Errorf("direct members %v, want none (n01 is activated, not a direct member)", g.Members)
	}
	if !g.PIMOnboarded {
		t.Error("a group with an eligibility and a changed policy reads as not onboarded")
	}
	// Known onboarded: the probes are skipped.
	w.srv.ResetStats()
	if g, err := ReadGroup(ctx, w.Admin, w.adminGroup, GroupReadOptions{Onboarding: OnboardingKnown}); err != nil || !g.PIMOnboarded {
		t.Errorf("read with KnownOnboarded: %+v, %v", g, err)
	}
	if st := w.srv.Stats(); st.BatchItems != 2 {
		t.Errorf("read of a known-onboarded group without members carried %d batch items, want 2 (group, owners)", st.BatchItems)
	}
}

// Members created moments before (replication delay) are added once they are visible, within the
// window, instead of failing the create.
func TestGroupMembersWaitForReplication(t *testing.T) {
	// Graph answers a reference to an object it does not see yet 404 or 400 (graph.missing-reference).
	for _, answer := range []string{"404", "400"} {
		t.Run(answer, func(t *testing.T) {
			cfg := emulator.DefaultConfig()
			cfg.Variants = variant.Spec("graph.missing-reference=" + answer)
			groupMembersWaitForReplication(t, cfg)
		})
	}
}

func groupMembersWaitForReplication(t *testing.T, cfg emulator.Config) {
	srv, c := emuclient.StartAdmin(t, cfg, emuclient.Quick())
	ctx := t.Context()
	inner, _, err := CreateGroup(ctx, c, GroupSpec{DisplayName: "inner " + uuid.NewString()[:8]}, GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetReplicationDelay(time.Second)
	fresh := pimTestGroup(t, c, "fresh") // a plain POST: no wait, not replicated yet
	start := time.Now()
	outer, _, err := CreateGroup(ctx, c, GroupSpec{DisplayName: "outer " + uuid.NewString()[:8],
		Members: []string{inner.ID, fresh}, ManageMembers: true}, GroupCreateOptions{})
	if err != nil {
		t.Fatalf("create with a just-created member: %v", err)
	}
	if diff := cmp.Diff(sorted([]string{inner.ID, fresh}), sorted(outer.Members)); diff != "" {
		t.Errorf("members: %s", diff)
	}
	if time.Since(start) < 500*time.Millisecond {
		t.Errorf("the create did not have to wait (%s): the test does not exercise replication", time.Since(start))
	}
	// Owners other than the caller: the caller steps down after adding them.
	srv.SetReplicationDelay(0)
	f := srv.Fixtures()
	g, _, err := CreateGroup(ctx, c, GroupSpec{DisplayName: "owned " + uuid.NewString()[:8], Owners: []string{f.P01.ID}}, GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{strings.ToLower(f.P01.ID)}, sorted(g.Owners)); diff != "" {
		t.Errorf("owners: %s", diff)
	}
}

// TestMemberRemovalOfAMissingReference: removing a member or owner that is already gone counts as done,
// whether Graph answers 404 or 400 "removed object references do not exist" (the graph.remove-non-member
// variant); the second answer used to fail the change.
func TestMemberRemovalOfAMissingReference(t *testing.T) {
	for _, answer := range []string{"404", "400"} {
		t.Run(answer, func(t *testing.T) {
			srv, c := emuclient.StartAdmin(t, emulator.Config{Variants: variant.Spec("graph.remove-non-member=" + answer)}, emuclient.Quick())
			g, _, err := CreateGroup(t.Context(), c, GroupSpec{DisplayName: "removal " + uuid.NewString()[:8]}, GroupCreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := memberChange(t.Context(), c, g.ID, RelMembers, nil, []string{srv.Fixtures().N01.ID}); err != nil {
				t.Fatalf("removing a member that is not there (%s): %v", answer, err)
			}
		})
	}
}
