package rbac

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// routeCount sums the requests whose route key contains all the given parts.
func routeCount(s emulator.Stats, parts ...string) int64 {
	var n int64
	for k, v := range s.Routes {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(k, p)
		}
		if ok {
			n += v.Count
		}
	}
	return n
}

func newTestGroup(t *testing.T, c *clients.Client) string {
	t.Helper()
	return emuclient.NewGroup(t, c, "rbac-test")
}

func TestRolesAndClusterAgainstEmulator(t *testing.T) {
	srv, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	ctx := t.Context()
	f := srv.Fixtures()

	rd, err := ResolveRoleByName(ctx, c, "azure kubernetes service rbac reader")
	if err != nil {
		t.Fatal(err)
	}
	if len(rd.Permissions) == 0 || len(rd.Permissions[0].DataActions) == 0 {
		t.Errorf("ResolveRoleByName: no data actions in %+v", rd.Permissions)
	}
	rd.Permissions = nil
	want := RoleDefinition{ID: SubscriptionRoleDefinitionID(f.SubscriptionID, RoleAKSRBACReader), GUID: RoleAKSRBACReader,
		Name: "Azure Kubernetes Service RBAC Reader", Type: "BuiltInRole"}
	if diff := cmp.Diff(want, rd); diff != "" {
		t.Errorf("ResolveRoleByName: unexpected difference: %s", diff)
	}
	byID, err := ResolveRoleByID(ctx, c, "/providers/Microsoft.Authorization/roleDefinitions/"+strings.ToUpper(RoleVirtualMachineUserLogin))
	if err != nil || byID.Name != "Virtual Machine User Login" {
		t.Errorf("ResolveRoleByID = %+v, %v", byID, err)
	}
	// Resolved once per provider instance: repeated and concurrent look-ups (also by the other key)
	// make no request.
	srv.ResetStats()
	done := make(chan error, 10)
	for range 10 {
		go func() {
			_, err1 := ResolveRoleByName(ctx, c, "Azure Kubernetes Service RBAC Reader")
			_, err2 := ResolveRoleByID(ctx, c, RoleAKSRBACReader)
			done <- errors.Join(err1, err2)
		}()
	}
	for range 10 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Stats().Requests; n != 0 {
		t.Errorf("cached role look-ups made %d requests, want 0", n)
	}
	var nf *RoleNotFoundError
	if _, err := ResolveRoleByName(ctx, c, "Azure Kubernetes Service RBAC Superuser"); !errors.As(err, &nf) {
		t.Errorf("unknown role: error %v, want *RoleNotFoundError", err)
	}
	var dnf *RoleDefinitionNotFoundError
	if _, err := ResolveRoleByID(ctx, c, uuid.NewString()); !errors.As(err, &dnf) {
		t.Errorf("unknown role definition: error %v, want *RoleDefinitionNotFoundError", err)
	}

	cluster, err := ParseClusterID(f.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetStats()
	facts, err := GetCluster(ctx, c, cluster)
	if err != nil {
		t.Fatal(err)
	}
	if facts.NodeResourceGroup != f.NodeResourceGroup || !facts.AADManaged || !facts.AzureRBACEnabled || facts.TenantID != f.TenantID {
		t.Errorf("cluster facts %+v", facts)
	}
	var pools []string
	for _, p := range facts.NodePools {
		pools = append(pools, p.Name)
		if p.ID != cluster.AgentPoolID(p.Name) {
			t.Errorf("pool ID %q", p.ID)
		}
	}
	if diff := cmp.Diff(f.NodePools, pools); diff != "" {
		t.Errorf("node pools: %s", diff)
	}
	if _, err := GetCluster(ctx, c, cluster); err != nil {
		t.Fatal(err)
	}
	if n := srv.Stats().Requests; n != 1 {
		t.Errorf("two cluster reads made %d requests, want 1 (one ARM read, cached)", n)
	}
	var cnf *ClusterNotFoundError
	missing := cluster
	missing.Name = "no-such-cluster"
	if _, err := GetCluster(ctx, c, missing); !errors.As(err, &cnf) {
		t.Errorf("missing cluster: error %v, want *ClusterNotFoundError", err)
	}
	missing.ResourceGroup = "no-such-rg"
	if _, err := GetCluster(ctx, c, missing); !errors.As(err, &cnf) {
		t.Errorf("missing resource group: error %v, want *ClusterNotFoundError", err)
	}
	other := cluster
	other.SubscriptionID = uuid.NewString()
	var sub *UnsupportedSubscriptionError
	if _, err := GetCluster(ctx, c, other); !errors.As(err, &sub) {
		t.Errorf("other subscription: error %v", err)
	}
}

func TestAssignmentLifecycleAgainstEmulator(t *testing.T) {
	srv, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	ctx := t.Context()
	f := srv.Fixtures()
	cluster, _ := ParseClusterID(f.ClusterID)
	facts, err := GetCluster(ctx, c, cluster)
	if err != nil {
		t.Fatal(err)
	}
	group := newTestGroup(t, c)
	reader := SubscriptionRoleDefinitionID(f.SubscriptionID, RoleAKSRBACReader)

	kinds := []struct {
		kind          ScopeKind
		pool, ns, rid string
	}{
		{kind: ScopeCluster, rid: reader},
		{kind: ScopeResourceGroup, rid: RoleReader},
		{kind: ScopeNodeResourceGroup, rid: RoleVirtualMachineUserLogin},
		{kind: ScopeNodePool, pool: f.NodePools[0], rid: RoleContributor},
		{kind: ScopeNamespace, ns: "payments", rid: RoleAKSRBACWriter},
	}
	for _, k := range kinds {
		scope, err := facts.Scope(k.kind, k.pool, k.ns)
		if err != nil {
			t.Fatal(err)
		}
		spec := AssignmentSpec{Scope: scope, RoleDefinitionID: k.rid, PrincipalID: group, Description: "test " + string(k.kind)}
		a, err := CreateAssignment(ctx, c, spec)
		if err != nil {
			t.Fatalf("%s: create: %v", k.kind, err)
		}
		wantName, _ := AssignmentName(scope, k.rid, group)
		if a.Name != wantName || !SameScope(a.Scope, scope) || !SameRoleDefinition(a.RoleDefinitionID, k.rid) || a.PrincipalType != PrincipalGroup {
			t.Errorf("%s: created %+v", k.kind, a)
		}
		// A retried create (lost response, re-apply) is the same PUT: same assignment, no duplicate.
		again, err := CreateAssignment(ctx, c, spec)
		if err != nil || again.ID != a.ID {
			t.Errorf("%s: re-create = %+v, %v; want the same assignment %s", k.kind, again, err, a.ID)
		}
		got, err := GetAssignment(ctx, c, a.ID)
		if err != nil || got.Description != spec.Description {
			t.Errorf("%s: read %+v, %v", k.kind, got, err)
		}
		spec.Description = "changed"
		if _, err := UpdateAssignment(ctx, c, a.ID, spec); err != nil {
			t.Fatalf("%s: update: %v", k.kind, err)
		}
		if got, _ := GetAssignment(ctx, c, a.ID); got == nil || got.Description != "changed" {
			t.Errorf("%s: after update %+v", k.kind, got)
		}
	}
	count := func() int {
		n := 0
		for _, ra := range srv.Snapshot().RoleAssignments {
			if strings.EqualFold(ra.PrincipalID, group) {
				n++
			}
		}
		return n
	}
	if n := count(); n != len(kinds) {
		t.Fatalf("%d assignments for the group, want %d", n, len(kinds))
	}

	// The same principal, role and scope under another name: a conflict naming the existing one.
	otherName := uuid.NewString()
	if _, err := c.RoleAssignments.Create(ctx, f.ClusterID, otherName, armauthorization.RoleAssignmentCreateParameters{
		Properties: &armauthorization.RoleAssignmentProperties{PrincipalID: to.Ptr(group), PrincipalType: to.Ptr(armauthorization.PrincipalTypeGroup),
			RoleDefinitionID: to.Ptr(SubscriptionRoleDefinitionID(f.SubscriptionID, RoleAKSClusterUser))}}, nil); err != nil {
		t.Fatal(err)
	}
	var exists *ExistingAssignmentError
	_, err = CreateAssignment(ctx, c, AssignmentSpec{Scope: strings.ToLower(f.ClusterID), RoleDefinitionID: RoleAKSClusterUser, PrincipalID: group})
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate under another name: error %v, want *ExistingAssignmentError", err)
	}
	if want := (RoleAssignmentID{Scope: cluster.String(), Name: otherName}).String(); !strings.EqualFold(exists.ID, want) {
		t.Errorf("existing ID %q, want %q", exists.ID, want)
	}

	// Delete everything; deletes are idempotent and wait until the assignment is gone.
	for _, ra := range srv.Snapshot().RoleAssignments {
		if strings.EqualFold(ra.PrincipalID, group) {
			if err := DeleteAssignment(ctx, c, ra.ID); err != nil {
				t.Fatal(err)
			}
			if err := DeleteAssignment(ctx, c, ra.ID); err != nil {
				t.Errorf("second delete: %v", err)
			}
			if _, err := GetAssignment(ctx, c, ra.ID); !IsAssignmentGone(err) {
				t.Errorf("after delete: %v", err)
			}
		}
	}
	if n := count(); n != 0 {
		t.Errorf("%d assignments left", n)
	}
}

func TestAssignmentPrincipalNotFoundIsBounded(t *testing.T) {
	old := principalNotFoundInterval
	principalNotFoundInterval = 200 * time.Millisecond
	t.Cleanup(func() { principalNotFoundInterval = old })
	srv, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	f := srv.Fixtures()

	start := time.Now()
	var pnf *PrincipalNotFoundError
	_, err := CreateAssignment(t.Context(), c, AssignmentSpec{Scope: f.ClusterID, RoleDefinitionID: RoleReader, PrincipalID: uuid.NewString()})
	elapsed := time.Since(start)
	if !errors.As(err, &pnf) {
		t.Fatalf("unknown principal: error %v, want *PrincipalNotFoundError", err)
	}
	if elapsed < 1500*time.Millisecond || elapsed > 8*time.Second {
		t.Errorf("gave up after %s; the window is 2s", elapsed)
	}
	if len(srv.Snapshot().RoleAssignments) != 1 { // the seeded admin role only
		t.Errorf("an assignment was created for an unknown principal")
	}

	// A user bound as a Group is not found as a group: the type mismatch is caught the same way.
	_, err = CreateAssignment(t.Context(), c, AssignmentSpec{Scope: f.ClusterID, RoleDefinitionID: RoleReader, PrincipalID: f.N01.ID, PrincipalType: PrincipalGroup})
	if !errors.As(err, &pnf) {
		t.Errorf("user as group: error %v, want *PrincipalNotFoundError", err)
	}
	if _, err := CreateAssignment(t.Context(), c, AssignmentSpec{Scope: f.ClusterID, RoleDefinitionID: RoleReader, PrincipalID: f.N01.ID, PrincipalType: PrincipalUser}); err != nil {
		t.Errorf("user as user: %v", err)
	}
}

// A group created moments before is not visible to Graph or ARM yet (replication delay): the create
// waits for it within the window instead of failing.
func TestAssignmentWaitsForReplication(t *testing.T) {
	old := principalNotFoundInterval
	principalNotFoundInterval = 100 * time.Millisecond
	t.Cleanup(func() { principalNotFoundInterval = old })
	cfg := emulator.DefaultConfig()
	cfg.ReplicationDelay = 700 * time.Millisecond
	srv, c := emuclient.StartAdmin(t, cfg, emuclient.Quick())
	group := newTestGroup(t, c)
	a, err := CreateAssignment(t.Context(), c, AssignmentSpec{Scope: srv.Fixtures().ClusterID, RoleDefinitionID: RoleAKSRBACReader, PrincipalID: group})
	if err != nil {
		t.Fatalf("create right after the group: %v", err)
	}
	if a.PrincipalID != group {
		t.Errorf("assignment %+v", a)
	}
}
