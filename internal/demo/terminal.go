package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/dataplane"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// setUpTerminals is `az aks get-credentials` for both users: n01 fetches the kubeconfig AKS answers
// (listClusterUserCredential), which is then written for kubelogin without a browser (ropc, offline
// against the emulator); p01 holds no role that lists credentials and uses the same file, which holds no
// secret. Each user gets a terminal with a private HOME, hence a private kubelogin token cache.
func (d *demo) setUpTerminals(ctx context.Context) error {
	r, f := d.r, d.e.fixtures
	r.step("n01 and p01 fetch the cluster's credentials (listClusterUserCredential, what `az aks get-credentials` calls)")
	raw, err := dataplane.FetchKubeconfig(ctx, d.n01, d.cluster)
	if err != nil {
		return fmt.Errorf("n01 fetching the kubeconfig: %w", err)
	}
	r.info("n01: the kubeconfig AKS answers: server %s, user exec: kubelogin %s", kubeconfigValue(raw, "server:"), execArgs(raw))
	_, err = dataplane.FetchKubeconfig(ctx, d.p01, d.cluster)
	r.expect(clients.ErrorCode(err) == "AuthorizationFailed", "p01 may not fetch it: %s", clients.ErrorCode(err))
	cfg, err := dataplane.ROPCKubeconfig(raw, d.e.srv.URL()+"/")
	if err != nil {
		return err
	}
	r.info("written for kubelogin offline: kubelogin %s", execArgs(cfg))
	for _, u := range []struct {
		name string
		cred emulator.User
		dst  **dataplane.User
	}{{"n01", f.N01, &d.n01sh}, {"p01", f.P01, &d.p01sh}} {
		if *u.dst, err = dataplane.NewUser(filepath.Join(d.e.tmp, "home-"+u.name), u.name, cfg,
			dataplane.Options{UPN: u.cred.UPN, Password: u.cred.Password, CAFile: d.e.srv.CACertFile()}); err != nil {
			return err
		}
	}
	r.info("each user has a HOME of their own (kubectl's and kubelogin's caches), KUBECONFIG, SSL_CERT_FILE=the emulator's CA")
	r.done()
	return nil
}

// kubeconfigValue returns the first value of key in a kubeconfig ("server:").
func kubeconfigValue(cfg []byte, key string) string {
	for _, line := range strings.Split(string(cfg), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

// execArgs returns the exec credential's arguments on one line.
func execArgs(cfg []byte) string {
	var args []string
	in := false
	for _, line := range strings.Split(string(cfg), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "args:":
			in = true
		case in && strings.HasPrefix(t, "- "):
			args = append(args, strings.TrimPrefix(t, "- "))
		case in:
			in = false
		}
	}
	return strings.Join(args, " ")
}

// sh runs a command at a user's terminal and prints it and its output as the terminal shows them.
func (d *demo) sh(ctx context.Context, u *dataplane.User, args ...string) dataplane.Result {
	res, err := u.Run(ctx, args...)
	if err != nil {
		d.r.fail(fmt.Errorf("%s: running %s: %w", u.Name, res.Command(), err))
		return res
	}
	for _, line := range strings.Split(res.Transcript(), "\n") {
		d.r.info("%s", line)
	}
	return res
}

// forbidden is the end of AKS's refusal of a request: kubectl prints it after the Forbidden message.
const forbidden = "User does not have access to the resource in Azure. Update role assignment to allow access."

// expectListed checks that a get printed a table.
func (d *demo) expectListed(res dataplane.Result, who, what string) {
	d.r.expect(res.ExitCode == 0 && strings.HasPrefix(res.Stdout, "NAME "), "%s lists %s (exit %d)", who, what, res.ExitCode)
}

// expectForbidden checks that kubectl was refused with AKS's text for the resource.
func (d *demo) expectForbidden(res dataplane.Result, who, resource string) {
	ok := res.ExitCode == 1 && strings.HasPrefix(res.Stderr, "Error from server (Forbidden): "+resource+" is forbidden: User \"") &&
		strings.HasSuffix(strings.TrimSpace(res.Stderr), ": "+forbidden)
	d.r.expect(ok, "%s is refused %s with AKS's text (exit %d)", who, resource, res.ExitCode)
}
