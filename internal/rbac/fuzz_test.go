package rbac

import (
	"fmt"
	"strings"
	"testing"
)

// The parsers take user input and API output; these fuzz tests check they never panic and that every
// accepted value round-trips through its canonical form.

// fuzzRoundTrip parses s; when the parser accepts it (ok), its canonical form (String) must parse back
// to the same value.
func fuzzRoundTrip[T fmt.Stringer](t *testing.T, s string, parse func(string) (T, error), same func(a, b T) bool) (id T, ok bool) {
	t.Helper()
	id, err := parse(s)
	if err != nil {
		return id, false
	}
	again, err := parse(id.String())
	if err != nil {
		t.Fatalf("canonical form %q of %q does not parse: %v", id.String(), s, err)
	}
	if !same(again, id) || again.String() != id.String() {
		t.Fatalf("round trip changed %+v to %+v", id, again)
	}
	return id, true
}

func FuzzParseClusterID(f *testing.F) {
	f.Add(testCluster)
	f.Add(strings.ToLower(testCluster))
	f.Add(testCluster + "/agentPools/x")
	f.Add("/subscriptions//resourceGroups/a")
	f.Add("/")
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := fuzzRoundTrip(t, s, ParseClusterID, func(a, b ClusterID) bool { return a == b })
		if !ok {
			return
		}
		if !strings.EqualFold(id.String(), s) {
			t.Fatalf("canonical form %q differs from input %q by more than case", id.String(), s)
		}
	})
}

func FuzzParseRoleAssignmentID(f *testing.F) {
	const name = "2f1e0d9c-8b7a-4c6d-9e0f-1a2b3c4d5e6f"
	f.Add(testCluster + "/providers/Microsoft.Authorization/roleAssignments/" + name)
	f.Add(testCluster + "/nodepools/p/providers/Microsoft.Authorization/roleAssignments/" + name)
	f.Add("/providers/Microsoft.Authorization/roleAssignments/" + name)
	f.Add("/providers/Microsoft.Authorization/roleAssignments/")
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := fuzzRoundTrip(t, s, ParseRoleAssignmentID, RoleAssignmentID.Same)
		if !ok {
			return
		}
		wire, err := ParseRoleAssignmentID(id.WireString())
		if err != nil || !wire.Same(id) || wire.WireString() != id.WireString() {
			t.Fatalf("wire form %q of %q does not round-trip: %+v %v", id.WireString(), s, wire, err)
		}
		if !IsGUID(id.Name) {
			t.Fatalf("name %q is not a GUID", id.Name)
		}
	})
}

func FuzzNormalizeScope(f *testing.F) {
	f.Add("/")
	f.Add(testCluster)
	f.Add(testCluster + "/nodepools/system")
	f.Add(testCluster + "/namespaces/a/providers/X.Y/t/n")
	f.Add("/providers/Microsoft.Management/managementGroups/mg")
	f.Add("/subscriptions/" + testSub + "/resourcegroups/rg")
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := NormalizeScope(s)
		if err != nil {
			return
		}
		again, err := NormalizeScope(sc.ID)
		if err != nil {
			t.Fatalf("normalised %q of %q is invalid: %v", sc.ID, s, err)
		}
		if again.ID != sc.ID || again.Rewritten {
			t.Fatalf("NormalizeScope is not idempotent: %q -> %q -> %q", s, sc.ID, again.ID)
		}
		if !SameScope(s, sc.ID) || !SameScope(sc.Wire, sc.ID) {
			t.Fatalf("SameScope(%q, %q, %q) = false", s, sc.Wire, sc.ID)
		}
		if sc.Cluster != nil {
			if raw, err := ParseClusterID(sc.ClusterRaw); err != nil || !raw.Equal(*sc.Cluster) {
				t.Fatalf("ClusterRaw %q does not parse to %v: %v", sc.ClusterRaw, sc.Cluster, err)
			}
		}
		if sc.Cluster != nil {
			if _, err := ParseClusterID(sc.Cluster.String()); err != nil {
				t.Fatalf("recognised cluster %q does not parse: %v", sc.Cluster.String(), err)
			}
			if !strings.HasPrefix(strings.ToLower(sc.ID), strings.ToLower(sc.Cluster.String())) {
				t.Fatalf("scope %q is not below its cluster %q", sc.ID, sc.Cluster.String())
			}
		}
		if sc.NodePool != "" && !strings.HasSuffix(sc.ID, "/agentPools/"+sc.NodePool) {
			t.Fatalf("node pool scope %q does not end in /agentPools/%s", sc.ID, sc.NodePool)
		}
		// Every valid scope names an assignment with a stable name.
		n1, err1 := AssignmentName(s, RoleReader, testSub)
		n2, err2 := AssignmentName(sc.ID, RoleReader, testSub)
		if err1 != nil || err2 != nil || n1 != n2 {
			t.Fatalf("AssignmentName differs between %q and its normal form: %v %v", s, err1, err2)
		}
	})
}

func FuzzRoleDefinitionGUID(f *testing.F) {
	f.Add("/subscriptions/" + testSub + "/providers/Microsoft.Authorization/roleDefinitions/" + RoleReader)
	f.Add(RoleReader)
	f.Add("/providers/Microsoft.Authorization/roleDefinitions/")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := RoleDefinitionGUID(s)
		if err != nil {
			return
		}
		if !IsGUID(g) || g != strings.ToLower(g) {
			t.Fatalf("RoleDefinitionGUID(%q) = %q: not a lower-case GUID", s, g)
		}
		if !SameRoleDefinition(s, SubscriptionRoleDefinitionID(testSub, g)) {
			t.Fatalf("%q and its subscription form differ", s)
		}
	})
}
