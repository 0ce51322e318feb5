package acctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/dataplane"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
	"github.com/aks-pim/terraform-provider-aks/internal/sshlogin"
)

// Kubeconfig is `az aks get-credentials` as c's principal (listClusterUserCredential), with the
// kubelogin credential rewritten for the resource owner password login: against the emulator's
// authority without instance discovery, or against Entra ID in live mode.
func Kubeconfig(t *testing.T, c *clients.Client, clusterID string) []byte {
	t.Helper()
	cluster, err := rbac.ParseClusterID(clusterID)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := dataplane.FetchKubeconfig(context.Background(), c, cluster)
	if err != nil {
		t.Fatalf("acctest: listClusterUserCredential: %v", err)
	}
	authority := ""
	if !Live() {
		authority = Emulator(t).URL() + "/"
	}
	cfg, err := dataplane.ROPCKubeconfig(raw, authority)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Terminal is u at a terminal of their own (private HOME and kubelogin cache) with kubeconfig, running
// the real kubectl and the pinned kubelogin (`make kubelogin`).
func Terminal(t *testing.T, name string, u User, kubeconfig []byte) *dataplane.User {
	t.Helper()
	o := dataplane.Options{UPN: u.UPN, Password: u.Password}
	if !Live() {
		o.CAFile = Emulator(t).CACertFile()
	}
	term, err := dataplane.NewUser(t.TempDir(), name, kubeconfig, o)
	if err != nil {
		t.Fatalf("acctest: %v", err)
	}
	return term
}

// SSH returns `az ssh vm` for the emulator's nodes (the real ssh with a certificate from the token
// endpoint; one key pair for every login) and the last node of the cluster. Emulator only.
func SSH(t *testing.T, clusterID string) (*sshlogin.Client, sshlogin.Target) {
	t.Helper()
	srv := Emulator(t)
	c, err := sshlogin.New(srv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	nodes := srv.Nodes(clusterID)
	if len(nodes) == 0 {
		t.Fatalf("acctest: cluster %s has no nodes", clusterID)
	}
	return c, sshlogin.TargetOf(nodes[len(nodes)-1])
}
