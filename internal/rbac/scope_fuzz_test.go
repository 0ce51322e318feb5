package rbac

import (
	"strings"
	"testing"
)

// FuzzBuildScope checks the scope builder behind aks_role_binding's cluster_id + scope_kind: for any
// cluster ID spelling, kind, node pool, namespace and node resource group it never panics, and every
// scope it builds is a valid explicit scope of the same kind, below the same cluster, that names the
// same assignment in either spelling (so a binding written one way never plans a replacement when read
// back the other way).
func FuzzBuildScope(f *testing.F) {
	f.Add(testCluster, "cluster", "", "", "", false)
	f.Add(strings.ToLower(testCluster), "node_pool", "system", "", "", true)
	f.Add(testCluster, "namespace", "", "kube-system", "", true)
	f.Add(testCluster, "node_resource_group", "", "", "MC_rg-aks_aks1_westeurope", false)
	f.Add(testCluster, "resource_group", "", "", "", true)
	f.Add(testCluster, "node_pool", "Bad_Pool", "", "", false)
	f.Fuzz(func(t *testing.T, raw, kind, pool, ns, nrg string, keepSpelling bool) {
		cluster, err := ParseClusterID(raw)
		if err != nil {
			return
		}
		spec := ScopeSpec{Kind: ScopeKind(kind), Cluster: cluster, NodePool: pool, Namespace: ns, NodeResourceGroup: nrg}
		if keepSpelling {
			spec.ClusterRaw = raw
		}
		scope, err := BuildScope(spec)
		if err != nil {
			return
		}
		sc, err := NormalizeScope(scope)
		if err != nil {
			t.Fatalf("BuildScope(%+v) = %q, which NormalizeScope rejects: %v", spec, scope, err)
		}
		if sc.Rewritten {
			t.Fatalf("BuildScope(%+v) = %q uses a non-canonical alias", spec, scope)
		}
		switch spec.Kind {
		case ScopeCluster, ScopeNodePool, ScopeNamespace:
			if sc.Kind() != spec.Kind {
				t.Fatalf("scope %q built as %s reads back as kind %q", scope, spec.Kind, sc.Kind())
			}
			if sc.Cluster == nil || !sc.Cluster.Equal(cluster) {
				t.Fatalf("scope %q built for %s reads back with cluster %v", scope, cluster, sc.Cluster)
			}
		case ScopeResourceGroup, ScopeNodeResourceGroup:
			if sc.Level != LevelResourceGroup {
				t.Fatalf("scope %q built as %s is at level %s", scope, spec.Kind, sc.Level)
			}
		}
		if sc.NodePool != "" && sc.NodePool != pool || sc.Namespace != "" && sc.Namespace != ns {
			t.Fatalf("scope %q reads back pool %q namespace %q, built with %q %q", scope, sc.NodePool, sc.Namespace, pool, ns)
		}
		// The scope as built and as ARM might echo it in canonical form name the same assignment.
		canonical, err := BuildScope(ScopeSpec{Kind: spec.Kind, Cluster: cluster, NodePool: pool, Namespace: ns, NodeResourceGroup: nrg})
		if err != nil {
			t.Fatalf("the canonical spelling of %+v fails: %v", spec, err)
		}
		if !SameScope(scope, canonical) {
			t.Fatalf("%q and its canonical spelling %q are not the same scope", scope, canonical)
		}
		n1, err1 := AssignmentName(scope, RoleReader, testSub)
		n2, err2 := AssignmentName(canonical, RoleReader, testSub)
		if err1 != nil || err2 != nil || n1 != n2 {
			t.Fatalf("AssignmentName differs between %q and %q: %v %v", scope, canonical, err1, err2)
		}
	})
}
