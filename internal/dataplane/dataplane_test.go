package dataplane_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/aks-pim/terraform-provider-aks/internal/dataplane"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

const aksKubeconfig = `apiVersion: v1
clusters:
- cluster:
    server: https://aks-demo-dns-1.hcp.eastus.azmk8s.io:443
  name: aks-demo
users:
- name: clusterUser_rg_aks-demo
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --login
      - devicecode
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --environment
      - AzurePublicCloud
      command: kubelogin
      env: null
`

// TestROPCKubeconfig: the login becomes ropc, the offline arguments are added once (also when the input
// already had them), and the rest of the kubeconfig is kept.
func TestROPCKubeconfig(t *testing.T) {
	once, err := dataplane.ROPCKubeconfig([]byte(aksKubeconfig), "https://127.0.0.1:1234/")
	if err != nil {
		t.Fatal(err)
	}
	twice, err := dataplane.ROPCKubeconfig(once, "https://127.0.0.1:1234/")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"get-token", "--login", "ropc", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630", "--environment", "AzurePublicCloud",
		"--authority-host", "https://127.0.0.1:1234/", "--disable-instance-discovery"}
	for _, got := range [][]byte{once, twice} {
		var cfg struct {
			Clusters []struct {
				Cluster struct{ Server string }
			}
			Users []struct {
				User struct {
					Exec struct {
						Command string
						Args    []string
					}
				}
			}
		}
		if err := yaml.Unmarshal(got, &cfg); err != nil || len(cfg.Users) != 1 || !slices.Equal(cfg.Users[0].User.Exec.Args, want) ||
			cfg.Users[0].User.Exec.Command != "kubelogin" || cfg.Clusters[0].Cluster.Server != "https://aks-demo-dns-1.hcp.eastus.azmk8s.io:443" {
			t.Fatalf("rewritten kubeconfig (%v):\n%s", err, got)
		}
	}
	if _, err := dataplane.ROPCKubeconfig([]byte("apiVersion: v1\nusers:\n- name: admin\n  user:\n    token: x\n"), ""); err == nil {
		t.Fatal("a kubeconfig without exec credential was accepted")
	}
}

// TestUserRunsKubectlWithKubelogin: n01 fetches the kubeconfig through ARM, kubectl signs in through
// the pinned kubelogin (ropc, offline), the token is cached between runs and `kubelogin remove-tokens`
// makes the next run sign in again.
func TestUserRunsKubectlWithKubelogin(t *testing.T) {
	srv, err := emulator.Start(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	f := srv.Fixtures()
	for _, role := range []string{"Azure Kubernetes Service Cluster User Role", "Azure Kubernetes Service RBAC Reader"} {
		rd, _ := arm.RoleByName(role)
		srv.ARM().AddRoleAssignment(arm.RoleAssignment{Scope: f.ClusterID, RoleDefinitionID: rd.ID, PrincipalID: f.N01.ID, PrincipalType: "User"})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	n01, err := emuclient.User(ctx, srv, f.N01.UPN, f.N01.Password, emuclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cluster, err := rbac.ParseClusterID(f.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := dataplane.FetchKubeconfig(ctx, n01, cluster)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err = dataplane.ROPCKubeconfig(cfg, srv.URL()+"/"); err != nil {
		t.Fatal(err)
	}
	u, err := dataplane.NewUser(t.TempDir(), "n01", cfg, dataplane.Options{UPN: f.N01.UPN, Password: f.N01.Password, CAFile: srv.CACertFile()})
	if err != nil {
		t.Fatal(err)
	}
	signIns := func() int64 { return srv.Stats().Routes["POST /{tenant}/oauth2/v2.0/token"].Count }
	before := signIns()
	for i := 0; i < 2; i++ {
		res, err := u.Run(ctx, "kubectl", "get", "pods", "-n", "kube-system")
		if err != nil || res.ExitCode != 0 || !strings.Contains(res.Stdout, "coredns-") {
			t.Fatalf("%s: %v exit %d\n%s", res.Command(), err, res.ExitCode, res.Output)
		}
	}
	if n := signIns() - before; n != 1 {
		t.Fatalf("two kubectl runs signed in %d times, want once (kubelogin's cache)", n)
	}
	if res, err := u.Run(ctx, "kubelogin", "remove-tokens"); err != nil || res.ExitCode != 0 {
		t.Fatalf("%s: %v exit %d\n%s", res.Command(), err, res.ExitCode, res.Output)
	}
	res, err := u.Run(ctx, "kubectl", "get", "secrets", "-n", "kube-system")
	if err != nil || res.ExitCode != 1 || !strings.Contains(res.Stderr, "secrets is forbidden") {
		t.Fatalf("%s: %v exit %d\n%s", res.Command(), err, res.ExitCode, res.Output)
	}
	if n := signIns() - before; n != 2 {
		t.Fatalf("after remove-tokens: %d sign-ins in all, want 2", n)
	}
	if !strings.HasPrefix(res.Transcript(), "$ kubectl get secrets -n kube-system\nError from server (Forbidden): secrets is forbidden") {
		t.Fatalf("transcript %q", res.Transcript())
	}
}
