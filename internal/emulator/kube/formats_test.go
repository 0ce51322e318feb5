package kube_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// TestResourceFormats: the plain JSON list (kubectl -o json), a single object, the Table kubectl asks
// for, NotFound, and the discovery documents kubectl reads.
func TestResourceFormats(t *testing.T) {
	h := start(t, emulator.Config{})
	n01 := h.f.N01
	h.assign(n01.ID, "User", "Azure Kubernetes Service Cluster User Role", h.f.ClusterID)
	h.assign(n01.ID, "User", "Azure Kubernetes Service RBAC Cluster Admin", h.f.ClusterID)
	cfg := h.userKubeconfig(h.f.ClusterID, n01)
	server, token := endpoint(t, cfg), h.aksToken(n01)

	var list struct {
		Kind  string
		Items []struct {
			Metadata struct{ Name, Namespace string }
			Spec     struct{ NodeName string }
		}
	}
	status, body := h.get(server, "/api/v1/pods", token)
	if err := json.Unmarshal([]byte(body), &list); status != http.StatusOK || err != nil || list.Kind != "PodList" || len(list.Items) < 5 {
		t.Fatalf("pods in all namespaces: HTTP %d %v %s", status, err, body)
	}
	for _, p := range list.Items {
		if p.Metadata.Namespace != "kube-system" || !strings.HasPrefix(p.Spec.NodeName, "aks-") {
			t.Fatalf("pod %+v", p)
		}
	}
	status, body = h.get(server, "/api/v1/nodes", token, "Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
	var tbl struct {
		Kind              string
		ColumnDefinitions []struct{ Name string }
		Rows              []struct {
			Cells  []any
			Object struct{ Kind string }
		}
	}
	if err := json.Unmarshal([]byte(body), &tbl); status != http.StatusOK || err != nil || tbl.Kind != "Table" || len(tbl.Rows) != 5 ||
		tbl.ColumnDefinitions[0].Name != "Name" || tbl.Rows[0].Object.Kind != "PartialObjectMetadata" {
		t.Fatalf("nodes as a Table: HTTP %d %v %s", status, err, body)
	}
	wantNodes := []string{"aks-system-", "vmss000000", "aks-user-", "vmss000001"}
	names := ""
	for _, r := range tbl.Rows {
		name, _ := r.Cells[0].(string)
		names += name + " "
	}
	for _, w := range wantNodes {
		if !strings.Contains(names, w) {
			t.Fatalf("node names %q lack %q (one node per scale set instance: aks-<pool>-<8 digits>-vmss00000<n>)", names, w)
		}
	}
	if status, body = h.get(server, "/api/v1/namespaces/kube-system/pods/nope", token); status != http.StatusNotFound || !strings.Contains(body, `pods \"nope\" not found`) {
		t.Fatalf("missing pod: HTTP %d %s", status, body)
	}
	for _, path := range []string{"/api", "/apis", "/api/v1", "/apis/authorization.k8s.io/v1", "/apis/authentication.k8s.io/v1", "/version"} {
		if status, body := h.get(server, path, token); status != http.StatusOK || !strings.HasPrefix(body, "{") {
			t.Errorf("%s: HTTP %d %s", path, status, body)
		}
	}
	res := kubectl(t, withToken(t, cfg, token), "get", "namespace", "kube-system", "-o", "jsonpath={.status.phase}")
	if res.exit != 0 || res.stdout != "Active" {
		t.Fatalf("kubectl get namespace: exit %d %q %q", res.exit, res.stdout, res.stderr)
	}
}
