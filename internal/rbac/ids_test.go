package rbac

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const (
	testSub     = "00000000-0000-0000-0000-00000000a001"
	testCluster = "/subscriptions/" + testSub + "/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1"
)

// tableCase is a case of a table test: an input and what it must give, or an error containing wantErr.
type tableCase[I, W any] struct {
	in      I
	want    W
	wantErr string
}

// runTable runs f on each case's input in a parallel subtest: an error must contain wantErr, and
// without wantErr check judges the result.
func runTable[I, W, G any](t *testing.T, cases map[string]tableCase[I, W], f func(I) (G, error), check func(t *testing.T, tc tableCase[I, W], got G)) {
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := f(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%v: error = %v, want containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v: %v", tc.in, err)
			}
			check(t, tc, got)
		})
	}
}

func TestParseClusterID(t *testing.T) {
	t.Parallel()
	want := ClusterID{SubscriptionID: testSub, ResourceGroup: "rg-aks", Name: "aks1"}
	cases := map[string]tableCase[string, ClusterID]{
		"canonical": {in: testCluster, want: want},
		"lowercase resourcegroups": {
			in:   "/subscriptions/" + testSub + "/resourcegroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1",
			want: want,
		},
		"all lowercase keywords": {
			in:   "/SUBSCRIPTIONS/" + testSub + "/RESOURCEGROUPS/rg-aks/PROVIDERS/microsoft.containerservice/MANAGEDCLUSTERS/aks1",
			want: want,
		},
		"agent pool is not a cluster": {in: testCluster + "/agentPools/system", wantErr: "expected /subscriptions"},
		"wrong provider": {
			in:      "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
			wantErr: "expected /subscriptions",
		},
		"trailing slash":     {in: testCluster + "/", wantErr: "must not end with '/'"},
		"double slash":       {in: strings.Replace(testCluster, "/resourceGroups/", "//resourceGroups/", 1), wantErr: "empty segments"},
		"relative":           {in: strings.TrimPrefix(testCluster, "/"), wantErr: "must start with '/'"},
		"subscription guid":  {in: strings.Replace(testCluster, testSub, "sub1", 1), wantErr: "not a GUID"},
		"bad cluster name":   {in: strings.Replace(testCluster, "aks1", "-aks", 1), wantErr: "cluster name"},
		"bad resource group": {in: strings.Replace(testCluster, "rg-aks", "rg.", 1), wantErr: "resource group name"},
		"whitespace":         {in: testCluster + " ", wantErr: "whitespace"},
		"empty":              {in: "", wantErr: "must start with '/'"},
	}
	runTable(t, cases, ParseClusterID, func(t *testing.T, tc tableCase[string, ClusterID], got ClusterID) {
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("unexpected difference: %s", diff)
		}
		if got.String() != testCluster {
			t.Errorf("String() = %q, want canonical %q", got.String(), testCluster)
		}
	})
}

func TestClusterIDDerivedIDs(t *testing.T) {
	t.Parallel()
	c, err := ParseClusterID(testCluster)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.ResourceGroupID(), c.AgentPoolID("system"), c.NamespaceScope("payments"), c.SubscriptionScope()}
	want := []string{
		"/subscriptions/" + testSub + "/resourceGroups/rg-aks",
		testCluster + "/agentPools/system",
		testCluster + "/namespaces/payments",
		"/subscriptions/" + testSub,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unexpected difference: %s", diff)
	}
	other, _ := ParseClusterID(strings.ToUpper(testCluster[:40]) + testCluster[40:])
	if !c.Equal(other) {
		t.Errorf("Equal should ignore case")
	}
}

func TestParseRoleAssignmentID(t *testing.T) {
	t.Parallel()
	const name = "2f1e0d9c-8b7a-4c6d-9e0f-1a2b3c4d5e6f"
	// want is the scope.
	cases := map[string]tableCase[string, string]{
		"cluster scope": {
			in:   testCluster + "/providers/Microsoft.Authorization/roleAssignments/" + name,
			want: testCluster,
		},
		"namespace scope, lowercase keywords": {
			in:   strings.ToLower(testCluster) + "/namespaces/payments/providers/microsoft.authorization/roleassignments/" + name,
			want: "/subscriptions/" + testSub + "/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1/namespaces/payments",
		},
		"node pool alias": {
			in:   testCluster + "/nodepools/system/providers/Microsoft.Authorization/roleAssignments/" + name,
			want: testCluster + "/agentPools/system",
		},
		"resource group": {
			in:   "/subscriptions/" + testSub + "/resourcegroups/MC_rg_aks1_westeurope/providers/Microsoft.Authorization/roleAssignments/" + name,
			want: "/subscriptions/" + testSub + "/resourceGroups/MC_rg_aks1_westeurope",
		},
		"root": {
			in:   "/providers/Microsoft.Authorization/roleAssignments/" + name,
			want: "/",
		},
		"uppercase name": {
			in:   testCluster + "/providers/Microsoft.Authorization/roleAssignments/" + strings.ToUpper(name),
			want: testCluster,
		},
		"name not a guid": {in: testCluster + "/providers/Microsoft.Authorization/roleAssignments/abc", wantErr: "not a GUID"},
		"no infix":        {in: testCluster, wantErr: "expected {scope}"},
		"bad scope":       {in: "/foo/providers/Microsoft.Authorization/roleAssignments/" + name, wantErr: "invalid scope"},
		"role definition": {in: "/providers/Microsoft.Authorization/roleDefinitions/" + name, wantErr: "expected {scope}"},
	}
	runTable(t, cases, ParseRoleAssignmentID, func(t *testing.T, tc tableCase[string, string], got RoleAssignmentID) {
		if diff := cmp.Diff(RoleAssignmentID{Scope: tc.want, Name: name}, got, cmpopts.IgnoreFields(RoleAssignmentID{}, "WireScope")); diff != "" {
			t.Errorf("unexpected difference: %s", diff)
		}
		again, err := ParseRoleAssignmentID(got.String())
		if err != nil || !again.Same(got) {
			t.Errorf("String() %q does not round-trip: %v %v", got.String(), again, err)
		}
		wire, err := ParseRoleAssignmentID(got.WireString())
		if err != nil || !wire.Same(got) || wire.WireString() != got.WireString() {
			t.Errorf("WireString() %q does not round-trip: %v %v", got.WireString(), wire, err)
		}
		if strings.Contains(got.WireString(), "/nodepools/") {
			t.Errorf("WireString() %q kept the /nodepools/ alias", got.WireString())
		}
	})
}

func TestRoleDefinitionGUID(t *testing.T) {
	t.Parallel()
	const g = "7f6c6a51-bcf8-42ba-9220-52d62157d7db"
	valid := []string{
		g,
		strings.ToUpper(g),
		"/providers/Microsoft.Authorization/roleDefinitions/" + g,
		"/subscriptions/" + testSub + "/providers/Microsoft.Authorization/roleDefinitions/" + g,
		"/subscriptions/" + testSub + "/providers/microsoft.authorization/roledefinitions/" + strings.ToUpper(g),
		"/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Authorization/roleDefinitions/" + g,
	}
	for _, in := range valid {
		got, err := RoleDefinitionGUID(in)
		if err != nil || got != g {
			t.Errorf("RoleDefinitionGUID(%q) = %q, %v; want %q", in, got, err, g)
		}
		if !SameRoleDefinition(in, valid[0]) {
			t.Errorf("SameRoleDefinition(%q, %q) = false", in, valid[0])
		}
	}
	invalid := []string{"", "Reader", "/providers/Microsoft.Authorization/roleDefinitions/x",
		"/bogus/providers/Microsoft.Authorization/roleDefinitions/" + g, "/subscriptions/" + testSub}
	for _, in := range invalid {
		if got, err := RoleDefinitionGUID(in); err == nil {
			t.Errorf("RoleDefinitionGUID(%q) = %q, want error", in, got)
		}
	}
	if SameRoleDefinition(g, RoleReader) {
		t.Error("different roles compare equal")
	}
	if SameRoleDefinition("Reader", "Reader") {
		t.Error("invalid IDs must not compare equal")
	}
	if got := SubscriptionRoleDefinitionID(testSub, strings.ToUpper(g)); got != valid[3] {
		t.Errorf("SubscriptionRoleDefinitionID = %q", got)
	}
}

// TestCanonicalRoleDefinitionID: a built-in role answered at the tenant level (as the azure-rest-api-specs
// role assignment examples show it, issue 13 item 11) is recorded at the assignment's subscription, the
// form role look-ups by name yield; other forms are kept.
func TestCanonicalRoleDefinitionID(t *testing.T) {
	const sub, guid = "00000000-0000-0000-0000-00000000a001", "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	subForm := "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + guid
	for _, tc := range []struct{ id, scope, want string }{
		{"/providers/Microsoft.Authorization/roleDefinitions/" + guid, "/subscriptions/" + sub + "/resourceGroups/rg", subForm},
		{"/PROVIDERS/microsoft.authorization/ROLEDEFINITIONS/" + strings.ToUpper(guid), "/subscriptions/" + sub, subForm},
		{subForm, "/subscriptions/" + sub + "/resourceGroups/rg", subForm},
		{"/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/roleDefinitions/" + guid, "/subscriptions/" + sub,
			"/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/roleDefinitions/" + guid},
		{"/providers/Microsoft.Authorization/roleDefinitions/" + guid, "/providers/Microsoft.Management/managementGroups/mg",
			"/providers/Microsoft.Authorization/roleDefinitions/" + guid},
		{"/providers/Microsoft.Authorization/roleDefinitions/not-a-guid", "/subscriptions/" + sub, "/providers/Microsoft.Authorization/roleDefinitions/not-a-guid"},
		{"é", "/subscriptions/" + sub, "é"},
	} {
		if got := CanonicalRoleDefinitionID(tc.id, tc.scope); got != tc.want {
			t.Errorf("CanonicalRoleDefinitionID(%q, %q) = %q, want %q", tc.id, tc.scope, got, tc.want)
		}
	}
}
