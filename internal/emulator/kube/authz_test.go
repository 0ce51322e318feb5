package kube_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/directory"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/kube"
)

const secretsPath = "/api/v1/namespaces/kube-system/secrets"

// TestGroupsComeFromTheToken is the how-to's token caveat at the API: the role assignments are read at
// request time, the groups at token issuance. A token issued before a PIM membership starts lacks the
// group and is refused; one issued during it keeps the access after the membership ends, until the
// token expires (401), and a fresh token is refused.
func TestGroupsComeFromTheToken(t *testing.T) {
	h := start(t, emulator.Config{})
	n01 := h.f.N01
	admin := h.srv.Directory().AddGroup(directory.Group{DisplayName: "admin", SecurityEnabled: true, CreatedAt: h.srv.Now().Add(-time.Hour)})
	h.assign(admin.ID, "Group", "Azure Kubernetes Service RBAC Admin", h.f.ClusterID)
	h.assign(n01.ID, "User", "Azure Kubernetes Service Cluster User Role", h.f.ClusterID)
	server := endpoint(t, h.userKubeconfig(h.f.ClusterID, n01))

	before := h.aksToken(n01)
	now := h.srv.Now()
	h.srv.Directory().SetTimedRelationship(admin.ID, n01.ID, "member", now, now.Add(30*time.Minute), "activation-1")
	if status, body := h.get(server, secretsPath, before); status != http.StatusForbidden || !strings.Contains(body, kube.AccessNotAllowed) {
		t.Fatalf("token from before the activation: HTTP %d %s, want 403 with AKS's reason", status, body)
	}
	during := h.aksToken(n01)
	if status, body := h.get(server, secretsPath, during); status != http.StatusOK || !strings.Contains(body, `"kind":"SecretList"`) {
		t.Fatalf("token issued during the activation: HTTP %d %s", status, body)
	}
	if got := h.logged("ALLOW list secrets in kube-system", n01.UPN, "secrets/read", "to "+admin.ID, "Azure Kubernetes Service RBAC Admin"); len(got) != 1 {
		t.Fatalf("the decision is not explained in the log: %q", h.logged("secrets"))
	}

	h.srv.AdvanceClock(40 * time.Minute) // the activation has ended, the token (1h) has not
	if status, _ := h.get(server, secretsPath, during); status != http.StatusOK {
		t.Fatalf("the token issued during the activation stops working before it expires: HTTP %d", status)
	}
	if status, _ := h.get(server, secretsPath, h.aksToken(n01)); status != http.StatusForbidden {
		t.Fatalf("a fresh token after the activation: HTTP %d, want 403", status)
	}
	h.srv.AdvanceClock(25 * time.Minute)
	if status, body := h.get(server, secretsPath, during); status != http.StatusUnauthorized || !strings.Contains(body, `"reason":"Unauthorized"`) {
		t.Fatalf("the expired token: HTTP %d %s, want 401 Unauthorized", status, body)
	}
}

// TestUnauthenticated: no token, a token of another audience (ARM), a bad signature.
func TestUnauthenticated(t *testing.T) {
	h := start(t, emulator.Config{})
	h.assign(h.f.N01.ID, "User", "Azure Kubernetes Service Cluster User Role", h.f.ClusterID)
	server := endpoint(t, h.userKubeconfig(h.f.ClusterID, h.f.N01))
	arm := h.token(h.f.N01.UPN, h.f.N01.Password, "https://management.core.windows.net//.default")
	for name, token := range map[string]string{"none": "", "ARM audience": arm, "bad signature": arm[:len(arm)-4] + "AAAA"} {
		status, body := h.get(server, "/api/v1/namespaces", token)
		if status != http.StatusUnauthorized || !strings.Contains(body, `"kind":"Status"`) || !strings.Contains(body, `"code":401`) {
			t.Errorf("%s: HTTP %d %s, want a 401 Status", name, status, body)
		}
	}
}

// TestDecisionCache: with AKS's cache lifetimes a decision outlives the role assignment that made it
// (up to 5 minutes in the API server's cache); without the cache (the default) it does not.
func TestDecisionCache(t *testing.T) {
	for _, cached := range []bool{false, true} {
		cfg := emulator.Config{}
		if cached {
			cfg.KubeDecisionCache = kube.AKSCacheTTLs()
		}
		h := start(t, cfg)
		n01 := h.f.N01
		h.assign(n01.ID, "User", "Azure Kubernetes Service Cluster User Role", h.f.ClusterID)
		writer := h.assign(n01.ID, "User", "Azure Kubernetes Service RBAC Writer", h.f.ClusterID)
		server := endpoint(t, h.userKubeconfig(h.f.ClusterID, n01))
		token := h.aksToken(n01)
		if status, _ := h.get(server, secretsPath, token); status != http.StatusOK {
			t.Fatalf("cache %v: with RBAC Writer: HTTP %d", cached, status)
		}
		deleteAssignment(t, h, writer)
		h.srv.AdvanceClock(4 * time.Minute)
		status, _ := h.get(server, secretsPath, token)
		if want := map[bool]int{false: http.StatusForbidden, true: http.StatusOK}[cached]; status != want {
			t.Fatalf("cache %v: 4 minutes after the role assignment was removed: HTTP %d, want %d", cached, status, want)
		}
		if cached && len(h.logged("ALLOW list secrets", n01.UPN, "cached decision (API server webhook cache")) != 1 {
			t.Fatalf("the cached decision is not explained: %q", h.logged("secrets"))
		}
		h.srv.AdvanceClock(2 * time.Minute)
		if status, _ := h.get(server, secretsPath, token); status != http.StatusForbidden {
			t.Fatalf("cache %v: 6 minutes after the removal: HTTP %d, want 403", cached, status)
		}
	}
}

func deleteAssignment(t *testing.T, h *harness, a arm.RoleAssignment) {
	t.Helper()
	adminToken := h.clientToken()
	req, _ := http.NewRequest(http.MethodDelete, h.srv.URL()+a.Scope+"/providers/Microsoft.Authorization/roleAssignments/"+a.Name+"?api-version=2022-04-01", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := h.srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("deleting role assignment %s: HTTP %d", a.Name, resp.StatusCode)
	}
}

// TestWithoutAzureRBAC: on a cluster seeded with enableAzureRBAC = false the AKS RBAC roles grant
// nothing (only Kubernetes RBAC applies, with no binding but the admin groups' cluster-admin); the
// refusal carries no Azure reason.
func TestWithoutAzureRBAC(t *testing.T) {
	h := start(t, emulator.Config{})
	admins := h.srv.Directory().AddGroup(directory.Group{DisplayName: "cluster-admins", SecurityEnabled: true, CreatedAt: h.srv.Now().Add(-time.Hour)})
	id := h.srv.ARM().AddCluster(arm.Cluster{Name: "aks-k8s-rbac", ResourceGroup: h.f.ResourceGroup, AADManaged: true, AzureRBAC: false,
		DisableLocalAccounts: true, AdminGroupObjectIDs: []string{admins.ID}, Pools: []arm.AgentPool{{Name: "system", Mode: "System", Count: 1, VMSize: "Standard_D2s_v5"}}})
	n01, p01 := h.f.N01, h.f.P01
	for _, u := range []emulator.User{n01, p01} {
		h.assign(u.ID, "User", "Azure Kubernetes Service Cluster User Role", id)
		h.assign(u.ID, "User", "Azure Kubernetes Service RBAC Cluster Admin", id)
	}
	h.srv.Directory().AddRelationship(admins.ID, p01.ID, "member", h.srv.Now().Add(-time.Hour))
	cfg := h.userKubeconfig(id, n01)
	res := kubectl(t, withToken(t, cfg, h.aksToken(n01)), "get", "pods", "-n", "kube-system")
	want := `Error from server (Forbidden): pods is forbidden: User "` + n01.UPN + `" cannot list resource "pods" in API group "" in the namespace "kube-system"`
	if res.exit != 1 || strings.TrimSpace(res.stderr) != want {
		t.Fatalf("RBAC Cluster Admin without Azure RBAC: exit %d %q, want %q", res.exit, res.stderr, want)
	}
	if res := kubectl(t, withToken(t, cfg, h.aksToken(p01)), "get", "nodes"); res.exit != 0 || !strings.Contains(res.stdout, "aks-system-") {
		t.Fatalf("member of an admin group: exit %d\n%s%s", res.exit, res.stdout, res.stderr)
	}
}

// TestLocalAccounts: listClusterAdminCredential is refused when local accounts are disabled (the seeded
// clusters), and otherwise answers a client certificate that is cluster-admin.
func TestLocalAccounts(t *testing.T) {
	h := start(t, emulator.Config{})
	withLocal := h.srv.ARM().AddCluster(arm.Cluster{Name: "aks-local", ResourceGroup: h.f.ResourceGroup, AADManaged: true, AzureRBAC: true,
		Pools: []arm.AgentPool{{Name: "system", Mode: "System", Count: 2, VMSize: "Standard_D2s_v5"}}})
	n01 := h.f.N01
	for _, id := range []string{h.f.ClusterID, withLocal} {
		h.assign(n01.ID, "User", "Azure Kubernetes Service Cluster Admin Role", id)
	}
	armToken := h.token(n01.UPN, n01.Password, "https://management.core.windows.net//.default")
	status, body := h.credential(h.f.ClusterID, armToken, true)
	if status != http.StatusBadRequest || !strings.Contains(body, `"code":"BadRequest"`) ||
		!strings.Contains(body, "Getting static credential is not allowed because this cluster is set to disable local accounts.") {
		t.Fatalf("admin credential with local accounts disabled: HTTP %d %s", status, body)
	}
	status, cfg := h.credential(withLocal, armToken, true)
	if status != http.StatusOK || !strings.Contains(cfg, "client-certificate-data:") || !strings.Contains(cfg, "clusterAdmin_") {
		t.Fatalf("admin credential: HTTP %d %s", status, cfg)
	}
	res := kubectl(t, cfg, "get", "secrets", "-n", "kube-system")
	if res.exit != 0 || !strings.Contains(res.stdout, "bootstrap-token-") {
		t.Fatalf("kubectl as the local admin: exit %d\n%s%s", res.exit, res.stdout, res.stderr)
	}
	if res := kubectl(t, cfg, "auth", "whoami"); !strings.Contains(res.stdout, "masterclient") || !strings.Contains(res.stdout, "system:masters") {
		t.Fatalf("whoami as the local admin: %s%s", res.stdout, res.stderr)
	}
}

// TestGroupsOverage: a user in more groups than a token carries gets the overage claims, and the API
// server reads the groups from the directory (as guard reads Graph), so a group's role still applies.
func TestGroupsOverage(t *testing.T) {
	h := start(t, emulator.Config{})
	n01 := h.f.N01
	past := h.srv.Now().Add(-time.Hour)
	var last directory.Group
	for i := 0; i < 201; i++ {
		last = h.srv.Directory().AddGroup(directory.Group{DisplayName: "team", SecurityEnabled: true, CreatedAt: past})
		h.srv.Directory().AddRelationship(last.ID, n01.ID, "member", past)
	}
	h.assign(last.ID, "Group", "Azure Kubernetes Service RBAC Writer", h.f.ClusterID)
	h.assign(n01.ID, "User", "Azure Kubernetes Service Cluster User Role", h.f.ClusterID)
	server := endpoint(t, h.userKubeconfig(h.f.ClusterID, n01))
	token := h.aksToken(n01)
	if status, body := h.get(server, secretsPath, token); status != http.StatusOK {
		t.Fatalf("overage token: HTTP %d %s", status, body)
	}
	if len(h.logged("ALLOW list secrets", n01.UPN, "groups overage: groups read from the directory")) != 1 {
		t.Fatalf("the overage is not explained in the log: %q", h.logged("secrets"))
	}
}
