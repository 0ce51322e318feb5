package emulator_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
)

const secretsRead = "Microsoft.ContainerService/managedClusters/secrets/read"
const podsRead = "Microsoft.ContainerService/managedClusters/pods/read"

// n01Permissions reads n01's own effective permissions at the cluster (or a sub-scope) through the
// permissions API, as n01.
func n01Permissions(t *testing.T, srv *emulator.Server, client *armauthorization.PermissionsClient, parent, typ, name string) []arm.Permission {
	t.Helper()
	f := srv.Fixtures()
	var out []arm.Permission
	pager := client.NewListForResourcePager(f.ResourceGroup, "Microsoft.ContainerService", parent, typ, name, nil)
	for pager.More() {
		page, err := pager.NextPage(ctxT(t))
		if err != nil {
			t.Fatalf("permissions: %v", err)
		}
		for _, p := range page.Value {
			out = append(out, arm.Permission{Actions: deref(p.Actions), NotActions: deref(p.NotActions), DataActions: deref(p.DataActions), NotDataActions: deref(p.NotDataActions)})
		}
	}
	return out
}

func deref(l []*string) []string {
	out := make([]string, 0, len(l))
	for _, s := range l {
		out = append(out, *s)
	}
	return out
}

// TestPermissionsFollowTimeBoundMembership reproduces the scenario's access change: n01, a member of a
// group holding only AKS RBAC Reader at the cluster, lacks secrets/read; a time-bound membership of a
// group holding AKS RBAC Admin grants it; it is gone once the clock passes the membership's end.
func TestPermissionsFollowTimeBoundMembership(t *testing.T) {
	srv, admin, g, ctx := startAdmin(t, emulator.Config{})
	f := srv.Fixtures()
	readers := newGroup(t, g, "default")
	admins := newGroup(t, g, "admin")
	if err := g.Groups().ByGroupId(*readers.GetId()).Members().Ref().Post(ctx, refBody(f.N01.ID), nil); err != nil {
		t.Fatal(err)
	}
	ra, err := armauthorization.NewRoleAssignmentsClient(f.SubscriptionID, admin, armOptions(srv))
	if err != nil {
		t.Fatal(err)
	}
	for gid, role := range map[string]string{*readers.GetId(): roleAKSReader, *admins.GetId(): roleAKSAdmin} {
		_, err := ra.Create(ctx, f.ClusterID, uuid.NewString(), armauthorization.RoleAssignmentCreateParameters{Properties: &armauthorization.RoleAssignmentProperties{
			RoleDefinitionID: ptr(roleDefID(srv, role)), PrincipalID: ptr(gid), PrincipalType: ptr(armauthorization.PrincipalTypeGroup),
		}}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	perms, err := armauthorization.NewPermissionsClient(f.SubscriptionID, userCred(t, srv, f.N01), armOptions(srv))
	if err != nil {
		t.Fatal(err)
	}
	assignedToN01 := func() int {
		t.Helper()
		n := 0
		pager := ra.NewListForScopePager(f.ClusterID, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: ptr(url.PathEscape("assignedTo('" + f.N01.ID + "')"))})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("assignedTo: %v", err)
			}
			n += len(page.Value)
		}
		return n
	}
	check := func(stage string, wantSecrets bool) {
		t.Helper()
		for _, scope := range []struct{ parent, typ, name string }{
			{"", "managedClusters", f.ClusterName},
			{"managedClusters/" + f.ClusterName, "namespaces", "kube-system"},
		} {
			p := n01Permissions(t, srv, perms, scope.parent, scope.typ, scope.name)
			if !arm.Evaluate(p, podsRead, true) {
				t.Errorf("%s, %s: n01 lacks pods/read", stage, scope.typ)
			}
			if got := arm.Evaluate(p, secretsRead, true); got != wantSecrets {
				t.Errorf("%s, %s: secrets/read = %v, want %v (entries %d)", stage, scope.typ, got, wantSecrets, len(p))
			}
		}
	}
	check("reader only", false)
	if n := assignedToN01(); n != 1 {
		t.Errorf("assignedTo(n01) before activation: %d assignments, want the reader group's", n)
	}
	// At the resource group n01 holds nothing yet: the cluster-scoped assignments do not apply above it.
	rgPager := perms.NewListForResourceGroupPager(f.ResourceGroup, nil)
	page, err := rgPager.NextPage(ctx)
	if err != nil || len(page.Value) != 0 {
		t.Errorf("permissions at the resource group: %v, %d entries", err, len(page.Value))
	}

	start := srv.Now()
	srv.Directory().SetTimedRelationship(*admins.GetId(), f.N01.ID, "member", start, start.Add(time.Hour), "schedule-1")
	check("active time-bound admin membership", true)
	if n := assignedToN01(); n != 2 {
		t.Errorf("assignedTo(n01) during activation: %d assignments, want 2", n)
	}
	members, err := g.Groups().ByGroupId(*admins.GetId()).Members().Get(ctx, nil)
	if err != nil || len(members.GetValue()) != 1 || *members.GetValue()[0].GetId() != f.N01.ID {
		t.Errorf("n01 not listed as an active member of admin: %v", err)
	}

	srv.AdvanceClock(61 * time.Minute)
	check("membership ended", false)
	members, err = g.Groups().ByGroupId(*admins.GetId()).Members().Get(ctx, nil)
	if err != nil || len(members.GetValue()) != 0 {
		t.Errorf("n01 still listed after the membership ended: %v", err)
	}
}
