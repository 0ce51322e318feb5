package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// actionAKSNodesRead is what `kubectl get nodes` needs (AKS RBAC Reader lacks it).
const actionAKSNodesRead = "Microsoft.ContainerService/managedClusters/nodes/read"

// probe is one thing a user may or may not do: checked through ARM's permissions API at a scope, and
// where a real client does it, by that client too (the judges of the access matrix).
type probe struct {
	what    string
	scope   func(d *demo) string
	action  string
	data    bool
	kubectl []string // the kubectl command that does it: allowed when it succeeds, refused when Forbidden
	ssh     bool     // an SSH login to a node does it
}

var probes = []probe{
	{what: "fetch a kubeconfig", scope: func(d *demo) string { return d.cluster.String() }, action: rbac.ActionAKSUserCredentials},
	{what: "list pods in kube-system", scope: func(d *demo) string { return d.cluster.NamespaceScope("kube-system") }, action: rbac.ActionAKSPodsRead, data: true,
		kubectl: []string{"get", "pods", "-n", "kube-system"}},
	{what: "read secrets in kube-system", scope: func(d *demo) string { return d.cluster.NamespaceScope("kube-system") }, action: rbac.ActionAKSSecretsRead, data: true,
		kubectl: []string{"get", "secrets", "-n", "kube-system"}},
	{what: "list nodes", scope: func(d *demo) string { return d.cluster.String() }, action: actionAKSNodesRead, data: true,
		kubectl: []string{"get", "nodes"}},
	{what: "scale node pool 'user'", scope: func(d *demo) string { return d.cluster.AgentPoolID("user") }, action: rbac.ActionAKSAgentPoolWrite},
	{what: "SSH to nodes (Entra login)", scope: func(d *demo) string {
		return rbac.ResourceGroupID(d.cluster.SubscriptionID, d.e.fixtures.NodeResourceGroup)
	}, action: rbac.ActionVMLogin, data: true, ssh: true},
}

// The judges: ARM's permissions API, and the real clients.
const (
	judgeARM     = "ARM"
	judgeKubectl = "kubectl"
	judgeSSH     = "ssh"
)

// Phases of the story and what each user may do in each (probe index -> allowed).
const (
	phaseBefore  = "before"
	phaseAdmin   = "admin active"
	phaseBoth    = "+node-access"
	phaseExpired = "after expiry"
)

func expectedAccess(phase, user string, p probe) bool {
	if user != "n01" {
		return false // p01 only approves: no standing role, nothing to activate
	}
	switch p.action {
	case rbac.ActionAKSUserCredentials, rbac.ActionAKSPodsRead:
		return true // standing access through default
	case rbac.ActionAKSSecretsRead, actionAKSNodesRead, rbac.ActionAKSAgentPoolWrite:
		return phase == phaseAdmin || phase == phaseBoth
	case rbac.ActionVMLogin:
		return phase == phaseBoth
	}
	return false
}

// observePhase reads every probe for both users with every judge and records it in the matrix. ARM is
// re-read (bounded) while it differs from the expectation, since access propagates; the real clients are
// then asked once, and a judge that disagrees with ARM is a failure of its own.
func (d *demo) observePhase(ctx context.Context, phase string) {
	r := d.r
	r.step("what n01 and p01 can do now (%s), as ARM, kubectl and ssh judge it", phase)
	mismatches := 0
	for _, user := range []string{"n01", "p01"} {
		c := d.n01
		if user == "p01" {
			c = d.p01
		}
		want := make([]bool, len(probes))
		for i, p := range probes {
			want[i] = expectedAccess(phase, user, p)
		}
		got, err := d.readAccess(ctx, c, want)
		if err != nil {
			r.fail(err)
			continue
		}
		var yes []string
		for i, p := range probes {
			d.m.set(phase, user, p.what, judgeARM, got[i], want[i])
			if got[i] != want[i] {
				mismatches++
				r.expect(false, "%s can %s (ARM): %s, expected %s", user, p.what, yesNo(got[i]), yesNo(want[i]))
			}
			for _, judge := range p.judges() {
				ok, err := d.judge(ctx, user, p, judge)
				if err != nil {
					r.fail(fmt.Errorf("%s, %s by %s: %w", user, p.what, judge, err))
					mismatches++
					continue
				}
				d.m.set(phase, user, p.what, judge, ok, want[i])
				if ok != got[i] {
					mismatches++
					r.expect(false, "%s can %s: ARM says %s, %s says %s", user, p.what, yesNo(got[i]), judge, yesNo(ok))
				}
			}
			if got[i] {
				yes = append(yes, p.what)
			}
		}
		if len(yes) == 0 {
			yes = []string{"nothing"}
		}
		r.info("%s can: %s", user, strings.Join(yes, ", "))
	}
	if mismatches == 0 {
		if user, p, ok := d.changed(phase); ok {
			r.expect(true, "as expected, and the judges agree: %s can now %s: %s", user, p.what, yesNo(expectedAccess(phase, user, p)))
		} else {
			r.expect(true, "as expected, and the judges agree")
		}
	}
	r.done()
}

// judges are the real clients that judge a probe besides ARM.
func (p probe) judges() []string {
	var out []string
	if len(p.kubectl) > 0 {
		out = append(out, judgeKubectl)
	}
	if p.ssh {
		out = append(out, judgeSSH)
	}
	return out
}

// judge does what the probe names with a real client, as user: true when it succeeds, false when it is
// refused the way the service refuses (Forbidden, Permission denied), an error for anything else.
func (d *demo) judge(ctx context.Context, user string, p probe, judge string) (bool, error) {
	if judge == judgeSSH {
		res, err := d.sshLogin(ctx, user)
		if err != nil {
			return false, err
		}
		return verdict(res.ExitCode, res.ExitCode == 255 && strings.Contains(res.Stderr, "Permission denied"), res.CommandLine(), res.Stderr)
	}
	res, err := d.terminal(user).Run(ctx, append([]string{"kubectl"}, p.kubectl...)...)
	if err != nil {
		return false, err
	}
	return verdict(res.ExitCode, res.ExitCode == 1 && strings.HasPrefix(res.Stderr, "Error from server (Forbidden)"), res.Command(), res.Output)
}

// verdict reads a client's run of command: true when it exited 0, false when it was refused the way the
// service refuses, an error naming the command and what it wrote (output) for anything else.
func verdict(exit int, refused bool, command, output string) (bool, error) {
	switch {
	case exit == 0:
		return true, nil
	case refused:
		return false, nil
	}
	return false, fmt.Errorf("%s: exit %d: %s", command, exit, strings.TrimSpace(output))
}

// changed names one probe whose expectation differs from the phase before (for the account).
func (d *demo) changed(phase string) (string, probe, bool) {
	prev := map[string]string{phaseAdmin: phaseBefore, phaseBoth: phaseAdmin, phaseExpired: phaseBoth}[phase]
	if prev == "" {
		return "", probe{}, false
	}
	for _, p := range probes {
		if expectedAccess(phase, "n01", p) != expectedAccess(prev, "n01", p) {
			return "n01", p, true
		}
	}
	return "", probe{}, false
}

// readAccess evaluates every probe for the client's user, re-reading (within accessWait) while some probe
// differs from want: the permissions API reflects a membership change after propagation.
func (d *demo) readAccess(ctx context.Context, c *clients.Client, want []bool) ([]bool, error) {
	deadline := time.Now().Add(accessWait)
	for {
		perms := map[string]rbac.EffectivePermissions{}
		got := make([]bool, len(probes))
		match := true
		for i, p := range probes {
			scope := p.scope(d)
			ep, ok := perms[scope]
			if !ok {
				var err error
				if ep, err = rbac.ListPermissions(ctx, c, scope); err != nil {
					return nil, err
				}
				perms[scope] = ep
			}
			if p.data {
				got[i] = ep.HasDataAction(p.action)
			} else {
				got[i] = ep.HasAction(p.action)
			}
			match = match && got[i] == want[i]
		}
		if match || time.Now().After(deadline) {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
