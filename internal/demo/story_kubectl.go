package main

import (
	"context"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// kubectlBefore is §4 at the users' terminals: n01 lists pods and is refused secrets and nodes; p01,
// who only approves, is refused everything.
func (d *demo) kubectlBefore(ctx context.Context) {
	r := d.r
	r.step("n01 at the terminal, before any activation")
	d.expectListed(d.sh(ctx, d.n01sh, "kubectl", "get", "pods", "-n", "kube-system"), "n01", "the pods of kube-system")
	d.expectForbidden(d.sh(ctx, d.n01sh, "kubectl", "get", "secrets", "-n", "kube-system"), "n01", "secrets")
	res := d.sh(ctx, d.n01sh, "kubectl", "auth", "can-i", "get", "secrets")
	r.expect(res.ExitCode == 1 && strings.TrimSpace(res.Stdout) == "no - "+forbidden, "kubectl auth can-i get secrets: no (exit %d)", res.ExitCode)
	d.expectForbidden(d.sh(ctx, d.n01sh, "kubectl", "get", "nodes"), "n01", "nodes")
	r.done()

	r.step("p01 (approver only) at the terminal, with the same kubeconfig: every kubectl call is refused")
	d.expectForbidden(d.sh(ctx, d.p01sh, "kubectl", "get", "pods", "-n", "kube-system"), "p01", "pods")
	d.expectForbidden(d.sh(ctx, d.p01sh, "kubectl", "get", "secrets", "-n", "kube-system"), "p01", "secrets")
	d.expectForbidden(d.sh(ctx, d.p01sh, "kubectl", "get", "nodes"), "p01", "nodes")
	res = d.sh(ctx, d.p01sh, "kubectl", "auth", "can-i", "list", "pods", "-n", "kube-system")
	r.expect(res.ExitCode == 1 && strings.HasPrefix(res.Stdout, "no"), "kubectl auth can-i list pods: no (exit %d)", res.ExitCode)
	r.done()
}

// kubectlAfterApproval is the end of §5: the token kubelogin cached before the approval lacks the admin
// group, so the request is still refused; after `kubelogin remove-tokens` the next sign-in carries it.
func (d *demo) kubectlAfterApproval(ctx context.Context) {
	r := d.r
	r.step("n01 right after the approval: kubelogin's cached token was issued before it, without the admin group")
	d.expectForbidden(d.sh(ctx, d.n01sh, "kubectl", "get", "secrets", "-n", "kube-system"), "n01 (cached token)", "secrets")
	r.done()
	r.step("n01 discards the cached tokens (the how-to's step) and signs in again")
	res := d.sh(ctx, d.n01sh, "kubelogin", "remove-tokens")
	r.expect(res.ExitCode == 0, "kubelogin remove-tokens (exit %d)", res.ExitCode)
	d.expectListed(d.sh(ctx, d.n01sh, "kubectl", "get", "secrets", "-n", "kube-system"), "n01", "the secrets of kube-system")
	d.expectListed(d.sh(ctx, d.n01sh, "kubectl", "get", "nodes"), "n01", "the nodes")
	r.done()
}

// expectNoSecretsRead asks ARM's permissions API, with n01's own token, whether n01 still holds secrets
// read in kube-system once its activations have ended: it must not.
func (d *demo) expectNoSecretsRead(ctx context.Context) {
	held, err := rbac.HasDataAction(ctx, d.n01, d.cluster.NamespaceScope("kube-system"), rbac.ActionAKSSecretsRead)
	if err != nil {
		d.r.fail(err)
	}
	d.r.expect(!held, "ARM: n01 holds no secrets read any more")
}

// tokenLifetime is §7 with the emulator's clock: a token issued while admin was active keeps its group
// after the activation ends, until it expires (kubectl: Unauthorized); a fresh token is refused.
func (d *demo) tokenLifetime(ctx context.Context) {
	r, f := d.r, d.e.fixtures
	d.signInNearTheEnd(ctx)

	r.step("the clock moves 15 minutes: the activations have ended")
	d.e.srv.AdvanceClock(15 * time.Minute)
	for _, g := range []string{"admin", "node-access"} {
		active, err := pim.AssignmentInstances(ctx, d.n01, d.groups[g], f.N01.ID)
		if err != nil {
			r.fail(err)
			continue
		}
		r.expect(len(active) == 0, "n01 holds no active assignment to %s any more", g)
	}
	d.expectNoSecretsRead(ctx)
	d.expectListed(d.sh(ctx, d.n01sh, "kubectl", "get", "secrets", "-n", "kube-system"), "n01, with the token issued while admin was active,", "the secrets")
	r.info("the token carries the admin group until it expires: access tokens cannot be revoked (the how-to's 60 to 75 minutes)")
	r.done()

	r.step("the clock moves 50 minutes: that token has expired")
	d.e.srv.AdvanceClock(50 * time.Minute)
	res := d.sh(ctx, d.n01sh, "kubectl", "get", "secrets", "-n", "kube-system")
	r.expect(res.ExitCode == 1 && strings.TrimSpace(res.Stderr) == "error: You must be logged in to the server (Unauthorized)",
		"the API server refuses the expired token: 401 (exit %d)", res.ExitCode)
	r.info("(kubelogin's cache expires tokens by wall-clock time, so it still offered the old one)")
	res = d.sh(ctx, d.n01sh, "kubelogin", "remove-tokens")
	r.expect(res.ExitCode == 0, "kubelogin remove-tokens (exit %d)", res.ExitCode)
	d.expectForbidden(d.sh(ctx, d.n01sh, "kubectl", "get", "secrets", "-n", "kube-system"), "n01, with a fresh token,", "secrets")
	r.info("p01's cached token, from before the clock moved, has expired too: p01 discards it")
	res = d.sh(ctx, d.p01sh, "kubelogin", "remove-tokens")
	r.expect(res.ExitCode == 0, "p01: kubelogin remove-tokens (exit %d)", res.ExitCode)
	r.done()
}

// signInNearTheEnd moves the emulator's clock to 10 minutes before the activations end, and n01 signs in
// again: a token issued while they are active, valid for the next hour.
func (d *demo) signInNearTheEnd(ctx context.Context) {
	r := d.r
	r.step("the emulator's clock moves 1h50m: the activations (%s) have 10 minutes left; n01 signs in again", activationLength)
	d.e.srv.AdvanceClock(time.Hour + 50*time.Minute)
	res := d.sh(ctx, d.n01sh, "kubelogin", "remove-tokens")
	r.expect(res.ExitCode == 0, "kubelogin remove-tokens (exit %d)", res.ExitCode)
	d.expectListed(d.sh(ctx, d.n01sh, "kubectl", "get", "secrets", "-n", "kube-system"), "n01", "the secrets (a token valid for the next hour)")
	r.done()
}
