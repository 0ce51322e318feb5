package rbac

import (
	"strings"
	"testing"
)

func TestAssignmentName(t *testing.T) {
	t.Parallel()
	const principal = "0f9a8b7c-1234-4abc-9def-0123456789ab"
	roleByID := SubscriptionRoleDefinitionID(testSub, RoleAKSRBACReader)
	base, err := AssignmentName(testCluster, roleByID, principal)
	if err != nil {
		t.Fatal(err)
	}
	if !IsGUID(base) {
		t.Fatalf("name %q is not a GUID", base)
	}
	// The name is pinned: it must never change between provider versions, or every existing binding
	// would be re-created under a new name.
	if base != mustName(t, testCluster, RoleAKSRBACReader, principal) {
		t.Fatal("not deterministic")
	}
	same := map[string][3]string{
		"bare role guid":          {testCluster, RoleAKSRBACReader, principal},
		"tenant-level role id":    {testCluster, "/providers/Microsoft.Authorization/roleDefinitions/" + RoleAKSRBACReader, principal},
		"lowercase scope":         {strings.ToLower(testCluster), roleByID, principal},
		"resourcegroups keyword":  {strings.Replace(testCluster, "resourceGroups", "resourcegroups", 1), roleByID, principal},
		"uppercase principal":     {testCluster, roleByID, strings.ToUpper(principal)},
		"uppercase role guid":     {testCluster, strings.ToUpper(RoleAKSRBACReader), principal},
		"other subscription form": {testCluster, SubscriptionRoleDefinitionID("11111111-2222-3333-4444-555555555555", RoleAKSRBACReader), principal},
	}
	for name, in := range same {
		if got := mustName(t, in[0], in[1], in[2]); got != base {
			t.Errorf("%s: name %q, want %q", name, got, base)
		}
	}
	different := map[string][3]string{
		"other scope":     {testCluster + "/namespaces/x", roleByID, principal},
		"other role":      {testCluster, RoleAKSRBACAdmin, principal},
		"other principal": {testCluster, roleByID, "0f9a8b7c-1234-4abc-9def-0123456789ac"},
	}
	seen := map[string]string{base: "base"}
	for name, in := range different {
		got := mustName(t, in[0], in[1], in[2])
		if prev, ok := seen[got]; ok {
			t.Errorf("%s: name %q collides with %s", name, got, prev)
		}
		seen[got] = name
	}
	// Node pool alias: same assignment, same name.
	a := mustName(t, testCluster+"/nodepools/system", roleByID, principal)
	b := mustName(t, testCluster+"/agentPools/system", roleByID, principal)
	if a != b {
		t.Errorf("nodepools alias gives a different name: %q vs %q", a, b)
	}
	for _, bad := range [][3]string{{"x", roleByID, principal}, {testCluster, "Reader", principal}, {testCluster, roleByID, "alice"}} {
		if _, err := AssignmentName(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("AssignmentName%v: want error", bad)
		}
	}
}

func TestAssignmentNamePinned(t *testing.T) {
	t.Parallel()
	// A golden value: if this changes, existing deployments would get new assignment names.
	got := mustName(t, testCluster, RoleAKSRBACReader, "0f9a8b7c-1234-4abc-9def-0123456789ab")
	const want = "8a6250c1-6af4-5aeb-9762-f21aad5ce543"
	if got != want {
		t.Errorf("AssignmentName = %q, want %q", got, want)
	}
}

func mustName(t *testing.T, scope, role, principal string) string {
	t.Helper()
	n, err := AssignmentName(scope, role, principal)
	if err != nil {
		t.Fatalf("AssignmentName(%q, %q, %q): %v", scope, role, principal, err)
	}
	return n
}

func TestIsKubernetesDataPlaneRole(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, id string
		want     bool
	}{
		{"Azure Kubernetes Service RBAC Reader", "", true},
		{"azure kubernetes service rbac writer", "", true},
		{"", SubscriptionRoleDefinitionID(testSub, RoleAKSRBACAdmin), true},
		{"", RoleAKSRBACClusterAdmin, true},
		{"Azure Kubernetes Service Cluster User Role", SubscriptionRoleDefinitionID(testSub, RoleAKSClusterUser), false},
		{"Reader", RoleReader, false},
		{"Virtual Machine User Login", "", false},
		{"", "not-an-id", false},
	}
	for _, tc := range cases {
		if got := IsKubernetesDataPlaneRole(tc.name, tc.id); got != tc.want {
			t.Errorf("IsKubernetesDataPlaneRole(%q, %q) = %v, want %v", tc.name, tc.id, got, tc.want)
		}
	}
}
