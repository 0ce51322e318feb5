package rbac

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

func sharedClient(t *testing.T, srv *emulator.Server, user *emulator.User) *clients.Client {
	t.Helper()
	o := emuclient.Quick()
	o.SharedReads = true
	var c *clients.Client
	var err error
	if user != nil {
		c, err = emuclient.User(t.Context(), srv, user.UPN, user.Password, o)
	} else {
		c, err = emuclient.Admin(t.Context(), srv, o)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sameAsOwnRead checks what a shared read answered (got, err) against the caller's own read of it.
func sameAsOwnRead[T any](t *testing.T, what string, got T, err error, own func() (T, error)) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	want, err := own()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s from the shared list (-own read +shared):\n%s", what, diff)
	}
}

// bindTestGroups creates n groups and binds each to a role at the cluster, returning the assignment IDs.
func bindTestGroups(t *testing.T, c *clients.Client, scope string, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		a, err := CreateAssignment(t.Context(), c, AssignmentSpec{Scope: scope, RoleDefinitionID: RoleAKSRBACReader, PrincipalID: newTestGroup(t, c)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}

// TestReadAssignmentShared: after a few reads one by one, the bindings of a provider instance are
// answered from one list of the subscription's role assignments, with the same result as their own GET;
// one deleted before the run is confirmed missing by its own GET; one this instance writes is read on its
// own.
func TestReadAssignmentShared(t *testing.T) {
	srv, admin := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	ctx := t.Context()
	f := srv.Fixtures()
	ids := bindTestGroups(t, admin, f.ClusterID, 10)
	if err := DeleteAssignment(ctx, admin, ids[9]); err != nil {
		t.Fatal(err)
	}

	c := sharedClient(t, srv, nil)
	srv.ResetStats()
	for i, id := range ids {
		got, err := ReadAssignment(ctx, c, id)
		if i == 9 {
			if !IsAssignmentGone(err) {
				t.Errorf("the deleted assignment read as %+v, %v", got, err)
			}
			continue
		}
		sameAsOwnRead(t, fmt.Sprintf("assignment %d", i), got, err, func() (*Assignment, error) { return GetAssignment(ctx, admin, id) })
	}
	st := srv.Stats()
	gets := st.Routes["GET {scope...}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"].Count
	lists := st.Routes["GET {scope...}/providers/Microsoft.Authorization/roleAssignments"].Count
	// 4 one by one, 1 list, 1 GET confirming the deleted one; the admin's comparison GETs are 9 more.
	if gets != sharedReadsAfter+1+9 || lists != 1 {
		t.Errorf("10 reads: %d GETs and %d lists, want %d and 1: %v", gets, lists, sharedReadsAfter+1+9, st.Routes)
	}

	// A binding this instance creates is not in the list it already holds: its reads go on their own.
	fresh := bindTestGroups(t, c, f.ClusterID, 1)[0]
	if _, err := ReadAssignment(ctx, c, fresh); err != nil {
		t.Errorf("reading the assignment this instance created: %v", err)
	}
}

// TestReadAssignmentFallsBackWhenTheListIsRefused: an identity whose role is scoped to a resource group
// cannot list the subscription's assignments; every read then goes on its own (one list attempt only).
func TestReadAssignmentFallsBackWhenTheListIsRefused(t *testing.T) {
	srv, admin := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	ctx := t.Context()
	f := srv.Fixtures()
	rgScope := "/subscriptions/" + f.SubscriptionID + "/resourceGroups/" + f.ResourceGroup
	if _, err := CreateAssignment(ctx, admin, AssignmentSpec{Scope: rgScope, RoleDefinitionID: RoleReader, PrincipalID: f.N01.ID, PrincipalType: PrincipalUser}); err != nil {
		t.Fatal(err)
	}
	ids := bindTestGroups(t, admin, f.ClusterID, 8)
	n01 := f.N01
	c := sharedClient(t, srv, &n01)
	srv.ResetStats()
	for _, id := range ids {
		if _, err := ReadAssignment(ctx, c, id); err != nil {
			t.Fatalf("read with a resource-group role: %v", err)
		}
	}
	st := srv.Stats()
	if lists := st.Routes["GET {scope...}/providers/Microsoft.Authorization/roleAssignments"].Count; lists != 1 {
		t.Errorf("the refused list was tried %d times, want once", lists)
	}
	if gets := st.Routes["GET {scope...}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"].Count; gets != 8 {
		t.Errorf("%d GETs, want 8 (every read on its own)", gets)
	}
}

// TestClustersShared: with more clusters than sharedReadsAfter, one list of the subscription's clusters
// answers the rest, with the same facts as a GET.
func TestClustersShared(t *testing.T) {
	cfg := emulator.DefaultConfig()
	cfg.Clusters = 7
	srv, admin := emuclient.StartAdmin(t, cfg, emuclient.Quick())
	c := sharedClient(t, srv, nil)
	ctx := context.Background()
	srv.ResetStats()
	for i, raw := range srv.Fixtures().ClusterIDs {
		id, err := ParseClusterID(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := GetCluster(ctx, c, id)
		sameAsOwnRead(t, fmt.Sprintf("cluster %d", i), got, err, func() (*ClusterFacts, error) { return readCluster(ctx, admin, id) })
	}
	st := srv.Stats()
	if lists := routeCount(st, "GET /subscriptions/{subscriptionId}/providers/Microsoft.ContainerService/managedClusters"); lists != 1 {
		t.Errorf("clusters listed %d times, want once: %v", lists, fmt.Sprint(st.Routes))
	}
}
