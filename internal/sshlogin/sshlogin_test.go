package sshlogin_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/directory"
	"github.com/aks-pim/terraform-provider-aks/internal/sshlogin"
)

// world is an emulator with a node-access group n01 can be put in, and a client logging in to its nodes
// with the real OpenSSH client.
type world struct {
	srv    *emulator.Server
	c      *sshlogin.Client
	n01    emulator.User
	node   sshlogin.Target
	nodeRG string
	group  string
}

func start(t *testing.T, groups string) *world {
	t.Helper()
	cfg := emulator.DefaultConfig()
	cfg.NodeSSHGroups = groups
	cfg.Logf = t.Logf
	srv, err := emulator.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c, err := sshlogin.New(srv)
	if err != nil {
		t.Fatal(err)
	}
	c.Key = testKey(t)
	f := srv.Fixtures()
	nodes := srv.Nodes(f.ClusterID)
	if len(nodes) != 5 {
		t.Fatalf("got %d nodes of the seeded cluster, want 5 (3 system + 2 user)", len(nodes))
	}
	w := &world{srv: srv, c: c, n01: f.N01, node: sshlogin.TargetOf(nodes[3]), nodeRG: "/subscriptions/" + f.SubscriptionID + "/resourceGroups/" + f.NodeResourceGroup}
	g := srv.Directory().AddGroup(directory.Group{DisplayName: "node-access", MailNickname: "node-access", SecurityEnabled: true, CreatedAt: srv.Now().Add(-time.Hour)})
	w.group = g.ID
	return w
}

// activate makes n01 a member of the group through a PIM activation (a time-bound membership).
func (w *world) activate() {
	w.srv.Directory().SetTimedRelationship(w.group, w.n01.ID, "member", w.srv.Now().Add(-time.Minute), w.srv.Now().Add(8*time.Hour), "act-1")
}

func (w *world) deactivate() {
	w.srv.Directory().RemoveTimedRelationship(w.group, w.n01.ID, "member", "act-1")
}

func (w *world) assign(t *testing.T, role, principal, scope string) {
	t.Helper()
	rd, ok := arm.RoleByName(role)
	if !ok {
		t.Fatalf("no role %q", role)
	}
	w.srv.ARM().AddRoleAssignment(arm.RoleAssignment{Scope: scope, RoleDefinitionID: rd.ID, PrincipalID: principal, PrincipalType: "Group"})
}

func (w *world) login(t *testing.T, command string) sshlogin.Result {
	t.Helper()
	res, err := w.c.Login(context.Background(), w.node, w.n01.UPN, w.n01.Password, command)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (w *world) credential(t *testing.T) sshlogin.Credential {
	t.Helper()
	cred, err := w.c.Certificate(context.Background(), t.TempDir(), w.n01.UPN, w.n01.Password)
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

func (w *world) run(t *testing.T, cred sshlogin.Credential, command string) sshlogin.Result {
	t.Helper()
	res, err := w.c.Run(context.Background(), w.node, cred, command)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func wantDenied(t *testing.T, res sshlogin.Result, banner bool) {
	t.Helper()
	if res.ExitCode != 255 || !strings.Contains(res.Stderr, "Permission denied (publickey)") || res.Stdout != "" {
		t.Fatalf("%v: exit %d, stdout %q, stderr %q: want 255 and Permission denied (publickey)", res.Args, res.ExitCode, res.Stdout, res.Stderr)
	}
	if got := strings.Contains(res.Stderr, "Access denied: Azure role not assigned"); got != banner {
		t.Fatalf("stderr %q: denial banner shown %v, want %v", res.Stderr, got, banner)
	}
}

func wantOK(t *testing.T, res sshlogin.Result, stdout string) {
	t.Helper()
	if res.ExitCode != 0 || res.Stdout != stdout {
		t.Fatalf("%v: exit %d, stdout %q, stderr %q: want 0 and %q", res.Args, res.ExitCode, res.Stdout, res.Stderr, stdout)
	}
}

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
)

// testKey is one key pair for every login of the tests: generating one per login would cost more than
// the logins.
func testKey(t *testing.T) *rsa.PrivateKey {
	keyOnce.Do(func() { key, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	if keyErr != nil {
		t.Fatal(keyErr)
	}
	return key
}

// eachVariant runs test in parallel against an emulator of each Config.NodeSSHGroups variant.
func eachVariant(t *testing.T, test func(t *testing.T, variant string, w *world)) {
	t.Parallel()
	for _, v := range []string{emulator.NodeSSHGroupsLive, emulator.NodeSSHGroupsIssued} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			test(t, v, start(t, v))
		})
	}
}

// TestNodeLoginFollowsVMLoginRoles: denied (with the AAD banner) without a role; Virtual Machine User
// Login at the node resource group through a PIM group membership lets n01 in as a regular user; Virtual
// Machine Administrator Login makes n01 an admin who may sudo.
func TestNodeLoginFollowsVMLoginRoles(t *testing.T) {
	eachVariant(t, func(t *testing.T, _ string, w *world) {
		wantDenied(t, w.login(t, "hostname"), true)

		w.assign(t, "Virtual Machine User Login", w.group, w.nodeRG)
		wantDenied(t, w.login(t, "hostname"), true) // assigned to the group, n01 not yet in it
		w.activate()
		res := w.login(t, "hostname")
		wantOK(t, res, w.node.Name+"\n")
		if cl := res.CommandLine(); !strings.HasPrefix(cl, "ssh -F /dev/null -i ") || !strings.Contains(cl, "-o CertificateFile=") || !strings.HasSuffix(cl, w.n01.UPN+"@127.0.0.1 hostname") {
			t.Errorf("command line %q", cl)
		}
		if cl := (sshlogin.Result{Args: []string{"ssh", "it's", "a b"}}).CommandLine(); cl != `ssh 'it'\''s' 'a b'` {
			t.Errorf("quoting: %s", cl)
		}
		id := w.login(t, "id")
		if !strings.Contains(id.Stdout, "("+w.n01.UPN+")") || strings.Contains(id.Stdout, "aad_admins") {
			t.Fatalf("id = %q: want n01's UPN and no aad_admins", id.Stdout)
		}
		if res := w.login(t, "sudo whoami"); res.ExitCode != 1 || !strings.Contains(res.Stderr, "not in the sudoers file") {
			t.Fatalf("sudo as a regular user: exit %d, stderr %q", res.ExitCode, res.Stderr)
		}

		w.assign(t, "Virtual Machine Administrator Login", w.group, "/subscriptions/"+w.srv.Fixtures().SubscriptionID)
		if id := w.login(t, "id"); !strings.Contains(id.Stdout, "aad_admins") {
			t.Fatalf("id = %q: want aad_admins for loginAsAdmin", id.Stdout)
		}
		wantOK(t, w.login(t, "sudo whoami"), "root\n")
	})
}

// TestNodeLoginGroupsLiveOrAsIssued: the knob decides whether a membership that changed after the
// certificate was issued counts.
func TestNodeLoginGroupsLiveOrAsIssued(t *testing.T) {
	eachVariant(t, func(t *testing.T, v string, w *world) {
		w.assign(t, "Virtual Machine User Login", w.group, w.nodeRG)
		before := w.credential(t) // issued before the activation
		w.activate()
		during := w.credential(t)
		w.deactivate()
		if v == emulator.NodeSSHGroupsLive {
			wantDenied(t, w.run(t, during, "hostname"), true)
			w.activate()
			wantOK(t, w.run(t, before, "hostname"), w.node.Name+"\n")
			return
		}
		wantOK(t, w.run(t, during, "hostname"), w.node.Name+"\n")
		w.activate()
		wantDenied(t, w.run(t, before, "hostname"), true)
	})
}

// TestNodeLoginRefusesForeignAndExpiredCertificates: a certificate the emulator did not sign, one for
// another principal and one past its validity on the emulator clock are refused before any RBAC check
// (no banner), whatever roles the user holds.
func TestNodeLoginRefusesForeignAndExpiredCertificates(t *testing.T) {
	eachVariant(t, func(t *testing.T, _ string, w *world) {
		w.assign(t, "Virtual Machine Administrator Login", w.group, w.nodeRG)
		w.activate()
		good := w.credential(t)
		wantOK(t, w.run(t, good, "whoami"), w.n01.UPN+"\n")

		wantDenied(t, w.run(t, forge(t, good), "whoami"), false)
		p01 := w.srv.Fixtures().P01
		other, err := w.c.Certificate(context.Background(), t.TempDir(), p01.UPN, p01.Password)
		if err != nil {
			t.Fatal(err)
		}
		other.Principal = good.Principal // p01's certificate presented to log in as n01
		wantDenied(t, w.run(t, other, "whoami"), false)

		w.srv.AdvanceClock(time.Hour + time.Minute)
		wantDenied(t, w.run(t, good, "whoami"), false)
		wantOK(t, w.login(t, "whoami"), w.n01.UPN+"\n") // a fresh certificate works
	})
}

// forge copies cred into a new directory with its certificate re-signed by a CA of its own.
func forge(t *testing.T, cred sshlogin.Credential) sshlogin.Credential {
	t.Helper()
	b, err := os.ReadFile(cred.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	pk, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		t.Fatal(err)
	}
	cert := *pk.(*ssh.Certificate) //nolint:forcetypeassert // written by WriteCertificate
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	ca, _ := ssh.NewSignerFromSigner(priv)
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := cred
	for _, f := range []string{cred.KeyFile, cred.PublicKey} {
		data, _ := os.ReadFile(f)
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out.KeyFile, out.PublicKey = filepath.Join(dir, "id_rsa"), filepath.Join(dir, "id_rsa.pub")
	if err := out.WriteCertificate(&cert); err != nil {
		t.Fatal(err)
	}
	return out
}
