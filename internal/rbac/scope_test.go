package rbac

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestBuildScope(t *testing.T) {
	t.Parallel()
	cluster := ClusterID{SubscriptionID: testSub, ResourceGroup: "rg-aks", Name: "aks1"}
	cases := map[string]tableCase[ScopeSpec, string]{
		"cluster":        {in: ScopeSpec{Kind: ScopeCluster, Cluster: cluster}, want: testCluster},
		"resource group": {in: ScopeSpec{Kind: ScopeResourceGroup, Cluster: cluster}, want: "/subscriptions/" + testSub + "/resourceGroups/rg-aks"},
		"node resource group": {
			in:   ScopeSpec{Kind: ScopeNodeResourceGroup, Cluster: cluster, NodeResourceGroup: "MC_rg-aks_aks1_westeurope"},
			want: "/subscriptions/" + testSub + "/resourceGroups/MC_rg-aks_aks1_westeurope",
		},
		"node pool": {in: ScopeSpec{Kind: ScopeNodePool, Cluster: cluster, NodePool: "system"}, want: testCluster + "/agentPools/system"},
		"namespace": {in: ScopeSpec{Kind: ScopeNamespace, Cluster: cluster, Namespace: "kube-system"}, want: testCluster + "/namespaces/kube-system"},
		"node resource group unknown": {
			in: ScopeSpec{Kind: ScopeNodeResourceGroup, Cluster: cluster}, wantErr: "node resource group",
		},
		"node pool missing":  {in: ScopeSpec{Kind: ScopeNodePool, Cluster: cluster}, wantErr: "needs a node pool"},
		"node pool invalid":  {in: ScopeSpec{Kind: ScopeNodePool, Cluster: cluster, NodePool: "System"}, wantErr: "not valid"},
		"node pool too long": {in: ScopeSpec{Kind: ScopeNodePool, Cluster: cluster, NodePool: "abcdefghijklm"}, wantErr: "not valid"},
		"namespace missing":  {in: ScopeSpec{Kind: ScopeNamespace, Cluster: cluster}, wantErr: "needs a namespace"},
		"namespace invalid":  {in: ScopeSpec{Kind: ScopeNamespace, Cluster: cluster, Namespace: "Kube_System"}, wantErr: "not a valid Kubernetes namespace"},
		"pool on cluster":    {in: ScopeSpec{Kind: ScopeCluster, Cluster: cluster, NodePool: "system"}, wantErr: "only valid with scope kind"},
		"namespace on rg":    {in: ScopeSpec{Kind: ScopeResourceGroup, Cluster: cluster, Namespace: "x"}, wantErr: "only valid with scope kind"},
		"unknown kind":       {in: ScopeSpec{Kind: "subscription", Cluster: cluster}, wantErr: "unknown scope kind"},
		"cluster not set":    {in: ScopeSpec{Kind: ScopeCluster}, wantErr: "invalid cluster"},
		"bad node rg":        {in: ScopeSpec{Kind: ScopeNodeResourceGroup, Cluster: cluster, NodeResourceGroup: "a/b"}, wantErr: "not valid"},
	}
	runTable(t, cases, BuildScope, func(t *testing.T, tc tableCase[ScopeSpec, string], got string) {
		if got != tc.want {
			t.Errorf("BuildScope = %q, want %q", got, tc.want)
		}
		// Every built scope is a valid explicit scope, already normalised, and of the kind asked for
		// when the kind can be told from the scope alone.
		n, err := NormalizeScope(got)
		if err != nil || n.ID != got || n.Rewritten {
			t.Errorf("NormalizeScope(%q) = %+v, %v", got, n, err)
		}
		if k := n.Kind(); k != "" && k != tc.in.Kind {
			t.Errorf("Kind() = %q, want %q", k, tc.in.Kind)
		}
	})
}

func TestNormalizeScope(t *testing.T) {
	t.Parallel()
	cluster := &ClusterID{SubscriptionID: testSub, ResourceGroup: "rg-aks", Name: "aks1"}
	lc := strings.ToLower(testCluster)
	cases := map[string]tableCase[string, Scope]{
		"root":             {in: "/", want: Scope{ID: "/", Level: LevelRoot}},
		"management group": {in: "/providers/microsoft.management/managementgroups/mg1", want: Scope{ID: "/providers/Microsoft.Management/managementGroups/mg1", Level: LevelManagementGroup}},
		"subscription":     {in: "/SUBSCRIPTIONS/" + testSub, want: Scope{ID: "/subscriptions/" + testSub, Level: LevelSubscription}},
		"resource group":   {in: "/subscriptions/" + testSub + "/resourcegroups/RG", want: Scope{ID: "/subscriptions/" + testSub + "/resourceGroups/RG", Level: LevelResourceGroup}},
		"cluster lowercase": {
			in:   lc,
			want: Scope{ID: "/subscriptions/" + testSub + "/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1", Level: LevelResource, Cluster: cluster},
		},
		"agent pool": {
			in:   testCluster + "/agentpools/system",
			want: Scope{ID: testCluster + "/agentPools/system", Level: LevelResource, Cluster: cluster, NodePool: "system"},
		},
		"nodepools alias": {
			in:   testCluster + "/nodepools/system",
			want: Scope{ID: testCluster + "/agentPools/system", Level: LevelResource, Cluster: cluster, NodePool: "system", Rewritten: true},
		},
		"namespace": {
			in:   testCluster + "/Namespaces/payments",
			want: Scope{ID: testCluster + "/namespaces/payments", Level: LevelResource, Cluster: cluster, Namespace: "payments"},
		},
		"deeper than a node pool": {
			in:   testCluster + "/agentPools/system/machines/m1",
			want: Scope{ID: testCluster + "/agentPools/system/machines/m1", Level: LevelResource, Cluster: cluster},
		},
		"extension resource on cluster": {
			in:   testCluster + "/providers/Microsoft.KubernetesConfiguration/extensions/flux",
			want: Scope{ID: testCluster + "/providers/Microsoft.KubernetesConfiguration/extensions/flux", Level: LevelResource, Cluster: cluster},
		},
		"other resource keeps casing": {
			in:   "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM1",
			want: Scope{ID: "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM1", Level: LevelResource},
		},
		"subscription-level resource": {
			in:   "/subscriptions/" + testSub + "/providers/Microsoft.Network/networkWatchers/w",
			want: Scope{ID: "/subscriptions/" + testSub + "/providers/Microsoft.Network/networkWatchers/w", Level: LevelResource},
		},
		"nodepools not under a cluster stays": {
			in:   "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Other/things/t/nodepools/p",
			want: Scope{ID: "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Other/things/t/nodepools/p", Level: LevelResource},
		},
		"empty":                  {in: "", wantErr: "must start with '/'"},
		"trailing slash":         {in: testCluster + "/", wantErr: "must not end"},
		"unknown root":           {in: "/tenants/x", wantErr: "expected /"},
		"sub not guid":           {in: "/subscriptions/abc", wantErr: "GUID"},
		"rg without name":        {in: "/subscriptions/" + testSub + "/resourceGroups", wantErr: "resource group"},
		"type without name":      {in: testCluster + "/agentPools", wantErr: "has no name"},
		"providers without type": {in: "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Compute", wantErr: "must be followed"},
		"bad namespace":          {in: "/subscriptions/" + testSub + "/resourceGroups/rg/providers/compute/vms/x", wantErr: "not a resource provider namespace"},
		"garbage after rg":       {in: "/subscriptions/" + testSub + "/resourceGroups/rg/foo/bar", wantErr: "expected 'providers'"},
		"mg with extra":          {in: "/providers/Microsoft.Management/managementGroups/mg/x", wantErr: "managementGroups/{name}"},
		"query":                  {in: testCluster + "?api-version=1", wantErr: "must not contain"},
	}
	runTable(t, cases, NormalizeScope, func(t *testing.T, tc tableCase[string, Scope], got Scope) {
		if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Scope{}, "Wire", "ClusterRaw")); diff != "" {
			t.Errorf("unexpected difference: %s", diff)
		}
	})
}

// ARM stores and echoes a scope as it was given, so the provider sends the user's spelling, changing
// only aliases; the cluster part keeps its spelling too.
func TestNormalizeScopeWire(t *testing.T) {
	t.Parallel()
	lower := strings.ToLower(testCluster)
	cases := map[string]struct{ in, wire, clusterRaw string }{
		"lowercase keywords kept": {in: lower + "/namespaces/x", wire: lower + "/namespaces/x", clusterRaw: lower},
		"alias rewritten only":    {in: lower + "/nodepools/p", wire: lower + "/agentPools/p", clusterRaw: lower},
		"canonical":               {in: testCluster, wire: testCluster, clusterRaw: testCluster},
		"not a cluster":           {in: "/SUBSCRIPTIONS/" + testSub, wire: "/SUBSCRIPTIONS/" + testSub},
		"root":                    {in: "/", wire: "/"},
	}
	for name, tc := range cases {
		sc, err := NormalizeScope(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Wire != tc.wire || sc.ClusterRaw != tc.clusterRaw {
			t.Errorf("%s: Wire %q ClusterRaw %q, want %q %q", name, sc.Wire, sc.ClusterRaw, tc.wire, tc.clusterRaw)
		}
		if !SameScope(sc.Wire, sc.ID) {
			t.Errorf("%s: Wire %q is not the same scope as %q", name, sc.Wire, sc.ID)
		}
	}
}

func TestBuildScopeKeepsClusterSpelling(t *testing.T) {
	t.Parallel()
	raw := strings.Replace(testCluster, "resourceGroups", "resourcegroups", 1)
	cluster, _ := ParseClusterID(raw)
	want := map[ScopeKind]string{
		ScopeCluster:           raw,
		ScopeResourceGroup:     "/subscriptions/" + testSub + "/resourcegroups/rg-aks",
		ScopeNodeResourceGroup: "/subscriptions/" + testSub + "/resourcegroups/MC_x",
		ScopeNodePool:          raw + "/agentPools/system",
		ScopeNamespace:         raw + "/namespaces/ns",
	}
	for kind, w := range want {
		spec := ScopeSpec{Kind: kind, Cluster: cluster, ClusterRaw: raw, NodeResourceGroup: "MC_x"}
		switch kind {
		case ScopeNodePool:
			spec.NodePool = "system"
		case ScopeNamespace:
			spec.Namespace = "ns"
		}
		got, err := BuildScope(spec)
		if err != nil || got != w {
			t.Errorf("%s: BuildScope = %q, %v; want %q", kind, got, err, w)
		}
	}
	other, _ := ParseClusterID(strings.Replace(testCluster, "aks1", "aks2", 1))
	if _, err := BuildScope(ScopeSpec{Kind: ScopeCluster, Cluster: other, ClusterRaw: raw}); err == nil {
		t.Error("a raw ID of another cluster was accepted")
	}
}

func TestSameScope(t *testing.T) {
	t.Parallel()
	if !SameScope(testCluster+"/nodepools/system", strings.ToLower(testCluster)+"/agentPools/system") {
		t.Error("nodepools alias and case must compare equal")
	}
	if SameScope(testCluster+"/agentPools/system", testCluster+"/agentPools/user") {
		t.Error("different pools compare equal")
	}
	if SameScope(testCluster, testCluster+"/namespaces/x") {
		t.Error("cluster and namespace compare equal")
	}
}
