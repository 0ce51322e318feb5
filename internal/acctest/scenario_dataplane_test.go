package acctest_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/dataplane"
	"github.com/aks-pim/terraform-provider-aks/internal/sshlogin"
)

// The scenario judged with the commands a user types (SCENARIO.md items 7 to 11): the real kubectl with
// each user's kubeconfig and the pinned kubelogin, and the real ssh to a node (emulator only).

// accessNotAllowed ends AKS's refusal of a request.
const accessNotAllowed = "User does not have access to the resource in Azure. Update role assignment to allow access."

// terminals are the users' terminals and `az ssh vm`.
type terminals struct {
	n01sh, p01sh *dataplane.User
	ssh          *sshlogin.Client // nil in live mode
	node         sshlogin.Target
}

// setUpTerminals is `az aks get-credentials` for both users: n01 may list the credentials (Cluster
// User Role through default), p01 may not and uses the same file, which holds no secret.
func (w *scenarioWorld) setUpTerminals(*terraform.State) error {
	cfg := acctest.Kubeconfig(w.t, w.n01, w.f.ClusterID)
	if _, err := w.p01.ManagedClusters.ListClusterUserCredentials(w.t.Context(), w.cluster.ResourceGroup, w.cluster.Name, nil); clients.ErrorCode(err) != "AuthorizationFailed" {
		return fmt.Errorf("p01 listing the cluster's credentials: %v, want AuthorizationFailed", err)
	}
	w.term.n01sh = acctest.Terminal(w.t, "n01", w.f.N01, cfg)
	w.term.p01sh = acctest.Terminal(w.t, "p01", w.f.P01, cfg)
	if !acctest.Live() {
		w.term.ssh, w.term.node = acctest.SSH(w.t, w.f.ClusterID)
	}
	return nil
}

// run runs kubectl or kubelogin at u's terminal.
func (w *scenarioWorld) run(u *dataplane.User, args ...string) (dataplane.Result, error) {
	res, err := u.Run(w.t.Context(), args...)
	if err != nil {
		return res, fmt.Errorf("%s: %s: %w", u.Name, res.Command(), err)
	}
	w.t.Logf("%s:\n%s", u.Name, res.Transcript())
	return res, nil
}

// expect runs a command and checks its exit code and what it printed: a table (listed), AKS's
// Forbidden text for resource (forbidden), or an exact line.
func (w *scenarioWorld) expect(u *dataplane.User, want string, args ...string) error {
	res, err := w.run(u, args...)
	if err != nil {
		return err
	}
	ok := false
	upn := w.f.N01.UPN
	if u == w.term.p01sh {
		upn = w.f.P01.UPN
	}
	switch {
	case want == "listed":
		ok = res.ExitCode == 0 && strings.HasPrefix(res.Stdout, "NAME ")
	case strings.HasPrefix(want, "forbidden "):
		resource := strings.TrimPrefix(want, "forbidden ")
		scope := `in the namespace "kube-system"`
		if resource == "nodes" {
			scope = "at the cluster scope"
		}
		ok = res.ExitCode == 1 && strings.TrimSpace(res.Stderr) == fmt.Sprintf(
			`Error from server (Forbidden): %s is forbidden: User %q cannot list resource %q in API group "" %s: %s`, resource, upn, resource, scope, accessNotAllowed)
	default:
		wantExit := 1
		if want == "yes" || want == "ok" {
			wantExit = 0
		}
		ok = res.ExitCode == wantExit && (want == "ok" || strings.TrimSpace(res.Output) == want)
	}
	if !ok {
		return fmt.Errorf("%s: %s: exit %d, printed %q; want %s", u.Name, res.Command(), res.ExitCode, res.Output, want)
	}
	return nil
}

// expectSSH logs n01 in to the node (emulator only): the node's name, or the AAD denial.
func (w *scenarioWorld) expectSSH(allowed bool) error {
	if w.term.ssh == nil {
		return nil
	}
	res, err := w.term.ssh.Login(w.t.Context(), w.term.node, w.f.N01.UPN, w.f.N01.Password, "hostname")
	if err != nil {
		return err
	}
	w.t.Logf("n01:\n$ %s\n%s%s", res.CommandLine(), res.Stdout, res.Stderr)
	switch {
	case allowed && res.ExitCode == 0 && strings.TrimSpace(res.Stdout) == w.term.node.Name:
	case !allowed && res.ExitCode == 255 && strings.Contains(res.Stderr, "Access denied: Azure role not assigned"):
	default:
		return fmt.Errorf("ssh to %s as n01: exit %d %q %q, want allowed=%v", w.term.node.Name, res.ExitCode, res.Stdout, res.Stderr, allowed)
	}
	return nil
}

// checkClientsStanding is items 7 and 10: n01 lists pods, is refused secrets (kubectl get and can-i)
// and nodes with AKS's text and SSH; p01 is refused everything.
func (w *scenarioWorld) checkClientsStanding(*terraform.State) error {
	n01, p01 := w.term.n01sh, w.term.p01sh
	for _, c := range []struct {
		u    *dataplane.User
		want string
		args []string
	}{
		{n01, "listed", []string{"kubectl", "get", "pods", "-n", "kube-system"}},
		{n01, "forbidden secrets", []string{"kubectl", "get", "secrets", "-n", "kube-system"}},
		{n01, "no - " + accessNotAllowed, []string{"kubectl", "auth", "can-i", "get", "secrets"}},
		{n01, "forbidden nodes", []string{"kubectl", "get", "nodes"}},
		{p01, "forbidden pods", []string{"kubectl", "get", "pods", "-n", "kube-system"}},
		{p01, "forbidden secrets", []string{"kubectl", "get", "secrets", "-n", "kube-system"}},
		{p01, "forbidden nodes", []string{"kubectl", "get", "nodes"}},
		{p01, "no - " + accessNotAllowed, []string{"kubectl", "auth", "can-i", "list", "pods", "-n", "kube-system"}},
	} {
		if err := w.expect(c.u, c.want, c.args...); err != nil {
			return err
		}
	}
	return w.expectSSH(false)
}

// checkClientsActivated is item 8: right after admin is approved the token kubelogin cached before is
// still refused; after `kubelogin remove-tokens` secrets and nodes are listed. After node-access, SSH
// is allowed.
func (w *scenarioWorld) checkClientsActivated(group string) error {
	n01 := w.term.n01sh
	if group == "node-access" {
		return w.expectSSH(true)
	}
	for _, c := range []struct{ want, args string }{
		{"forbidden secrets", "kubectl get secrets -n kube-system"},
		{"ok", "kubelogin remove-tokens"},
		{"listed", "kubectl get secrets -n kube-system"},
		{"listed", "kubectl get nodes"},
	} {
		if err := w.expect(n01, c.want, strings.Fields(c.args)...); err != nil {
			return err
		}
	}
	return nil
}

// checkTokenOutlivesActivation is item 9, before the activations (PT1H) end: n01 signs in again 50
// minutes into them, so its token (1 hour) outlives them.
func (w *scenarioWorld) checkTokenOutlivesActivation(srv interface{ AdvanceClock(time.Duration) }) error {
	srv.AdvanceClock(50 * time.Minute)
	if err := w.expect(w.term.n01sh, "ok", "kubelogin", "remove-tokens"); err != nil {
		return err
	}
	return w.expect(w.term.n01sh, "listed", "kubectl", "get", "secrets", "-n", "kube-system")
}

// checkClientsAfterEnd is item 9 after the activations ended: the token issued while admin was active
// still reads secrets (emulator: until it expires, then 401), SSH is refused, and a fresh token is
// refused.
func (w *scenarioWorld) checkClientsAfterEnd(srv interface{ AdvanceClock(time.Duration) }) error {
	n01 := w.term.n01sh
	if srv != nil {
		if err := w.expect(n01, "listed", "kubectl", "get", "secrets", "-n", "kube-system"); err != nil {
			return fmt.Errorf("the token issued while admin was active: %w", err)
		}
		srv.AdvanceClock(50 * time.Minute)
		if err := w.expect(n01, "error: You must be logged in to the server (Unauthorized)", "kubectl", "get", "secrets", "-n", "kube-system"); err != nil {
			return fmt.Errorf("the expired token: %w", err)
		}
	}
	if err := w.expectSSH(false); err != nil {
		return err
	}
	if err := w.expect(n01, "ok", "kubelogin", "remove-tokens"); err != nil {
		return err
	}
	return w.expect(n01, "forbidden secrets", "kubectl", "get", "secrets", "-n", "kube-system")
}
