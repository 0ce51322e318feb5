package kube_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/kube"
)

const forbiddenSecrets = `Error from server (Forbidden): secrets is forbidden: User "n01@aksemu.onmicrosoft.com" cannot list resource "secrets" in API group "" in the namespace "kube-system": ` + kube.AccessNotAllowed

// TestKubectlAcrossVersions runs the real kubectl against clusters of Kubernetes 1.31, 1.32 and 1.33:
// the dispatcher on PATH picks the client of the server's minor version; 1.31 sends the access review
// as JSON, 1.32 and 1.33 as protobuf. A user with AKS RBAC Reader lists pods, is refused secrets and
// nodes with AKS's text, and `auth can-i` answers yes and no accordingly.
func TestKubectlAcrossVersions(t *testing.T) {
	h := start(t, emulator.Config{Clusters: 3})
	n01 := h.f.N01
	for i, clusterID := range h.f.ClusterIDs {
		version := []string{"1.31", "1.32", "1.33"}[i]
		t.Run(version, func(t *testing.T) {
			h.assign(n01.ID, "User", "Azure Kubernetes Service Cluster User Role", clusterID)
			h.assign(n01.ID, "User", "Azure Kubernetes Service RBAC Reader", clusterID)
			cfg := withToken(t, h.userKubeconfig(clusterID, n01), h.aksToken(n01))

			var v struct {
				ClientVersion struct{ Minor string } `json:"clientVersion"`
				ServerVersion struct{ Minor string } `json:"serverVersion"`
			}
			res := kubectl(t, cfg, "version", "-o", "json")
			if err := json.Unmarshal([]byte(res.stdout), &v); err != nil {
				t.Fatalf("kubectl version: %v\n%s%s", err, res.stdout, res.stderr)
			}
			// The dispatcher is itself a 1.32 client ("32+"), which serves 1.32 servers.
			if v.ServerVersion.Minor != version[2:] || strings.TrimSuffix(v.ClientVersion.Minor, "+") != version[2:] {
				t.Fatalf("kubectl %s talked to server %s, want both %s", v.ClientVersion.Minor, v.ServerVersion.Minor, version)
			}

			res = kubectl(t, cfg, "get", "pods", "-n", "kube-system")
			if res.exit != 0 || !strings.HasPrefix(res.stdout, "NAME ") || !strings.Contains(res.stdout, "coredns-") || !strings.Contains(res.stdout, "Running") {
				t.Fatalf("get pods: exit %d\n%s%s", res.exit, res.stdout, res.stderr)
			}
			res = kubectl(t, cfg, "get", "secrets", "-n", "kube-system")
			if res.exit != 1 || strings.TrimSpace(res.stderr) != forbiddenSecrets {
				t.Fatalf("get secrets: exit %d\nstderr %q\nwant   %q", res.exit, res.stderr, forbiddenSecrets)
			}
			res = kubectl(t, cfg, "get", "nodes")
			if want := `at the cluster scope: ` + kube.AccessNotAllowed; res.exit != 1 || !strings.Contains(res.stderr, `nodes is forbidden`) || !strings.Contains(res.stderr, want) {
				t.Fatalf("get nodes: exit %d\n%s", res.exit, res.stderr)
			}
			res = kubectl(t, cfg, "auth", "can-i", "get", "secrets", "-n", "kube-system")
			if res.exit != 1 || strings.TrimSpace(res.stdout) != "no - "+kube.AccessNotAllowed {
				t.Fatalf("can-i get secrets: exit %d %q %q", res.exit, res.stdout, res.stderr)
			}
			res = kubectl(t, cfg, "auth", "can-i", "list", "pods", "-n", "kube-system")
			if res.exit != 0 || strings.TrimSpace(res.stdout) != "yes" {
				t.Fatalf("can-i list pods: exit %d %q %q", res.exit, res.stdout, res.stderr)
			}
			res = kubectl(t, cfg, "auth", "whoami", "-o", "json")
			if res.exit != 0 || !strings.Contains(res.stdout, `"username": "`+n01.UPN+`"`) || !strings.Contains(res.stdout, n01.ID) {
				t.Fatalf("auth whoami: exit %d\n%s%s", res.exit, res.stdout, res.stderr)
			}
			encoding := "as protobuf"
			if version == "1.31" {
				encoding = "as JSON"
			}
			name := "aks-demo"
			if i > 0 {
				name += "-" + string(rune('1'+i))
			}
			if got := h.logged("kube "+name+": SelfSubjectAccessReview from "+n01.UPN, encoding, "kubectl/v"+version+"."); len(got) != 2 {
				t.Fatalf("want the two access reviews of kubectl %s %s, the log has %q", version, encoding, h.logged("SelfSubjectAccessReview"))
			}
		})
	}
}
