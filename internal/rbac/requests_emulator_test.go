package rbac

import (
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// The requests a role binding costs (make bench, issue 7): a create is one Graph check of the
// principal, asked once per principal and provider instance, and the PUT; a delete is the DELETE. The
// answers of PUT and DELETE are final, so neither is followed by reads of the assignment.
func TestAssignmentRequestCounts(t *testing.T) {
	srv, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	ctx := t.Context()
	f := srv.Fixtures()
	group := newTestGroup(t, c)
	cluster, err := ParseClusterID(f.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	facts, err := GetCluster(ctx, c, cluster)
	if err != nil {
		t.Fatal(err)
	}
	specs := []AssignmentSpec{
		{Scope: f.ClusterID, RoleDefinitionID: RoleAKSRBACReader, PrincipalID: group},
		{Scope: f.ClusterID, RoleDefinitionID: RoleAKSClusterUser, PrincipalID: group},
		{Scope: facts.NodeResourceGroupID, RoleDefinitionID: RoleVirtualMachineUserLogin, PrincipalID: group},
	}
	srv.ResetStats()
	var ids []string
	for _, spec := range specs {
		a, err := CreateAssignment(ctx, c, spec)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	st := srv.Stats()
	if n := routeCount(st, "GET /v1.0/groups/"); n != 1 {
		t.Errorf("%d Graph look-ups of the principal for %d bindings of one group, want 1", n, len(specs))
	}
	if n := routeCount(st, "PUT ", "roleAssignments"); n != int64(len(specs)) {
		t.Errorf("%d PUTs, want %d", n, len(specs))
	}
	if n := routeCount(st, "GET ", "roleAssignments"); n != 0 {
		t.Errorf("%d reads of created assignments, want 0 (the PUT answer is the assignment)", n)
	}

	srv.ResetStats()
	for _, id := range ids {
		if err := DeleteAssignment(ctx, c, id); err != nil {
			t.Fatal(err)
		}
	}
	st = srv.Stats()
	if n := routeCount(st, "DELETE ", "roleAssignments"); n != int64(len(ids)) {
		t.Errorf("%d DELETEs, want %d", n, len(ids))
	}
	if n := st.Requests - routeCount(st, "DELETE ", "roleAssignments"); n != 0 {
		t.Errorf("%d requests besides the DELETEs, want 0", n)
	}
	for _, id := range ids {
		if _, err := GetAssignment(ctx, c, id); !IsAssignmentGone(err) {
			t.Errorf("%s after delete: %v", id, err)
		}
	}
}

// A principal the provider has just created and read back (RememberPrincipal) is not looked up again.
func TestRememberedPrincipalIsNotLookedUp(t *testing.T) {
	srv, c := emuclient.StartAdmin(t, emulator.DefaultConfig(), emuclient.Quick())
	group := newTestGroup(t, c)
	RememberPrincipal(c, PrincipalGroup, group)
	srv.ResetStats()
	if _, err := CreateAssignment(t.Context(), c, AssignmentSpec{Scope: srv.Fixtures().ClusterID, RoleDefinitionID: RoleAKSRBACReader, PrincipalID: group}); err != nil {
		t.Fatal(err)
	}
	st := srv.Stats()
	if n := routeCount(st, "/v1.0/"); n != 0 {
		t.Errorf("%d Graph requests for a remembered principal, want 0", n)
	}
	if n := routeCount(st, "PUT ", "roleAssignments"); n != 1 {
		t.Errorf("%d PUTs, want 1", n)
	}
}
