package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/dataplane"
	"github.com/aks-pim/terraform-provider-aks/internal/sshlogin"
)

// setUpSSH prepares `az ssh vm` for the users: one key pair each run (as `az ssh vm
// --private-key-file`), certified by the token endpoint at every login, and the first node of the pool
// 'user' as the target.
func (d *demo) setUpSSH() error {
	c, err := sshlogin.New(d.e.srv)
	if err != nil {
		return err
	}
	if c.Key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return err
	}
	nodes := d.e.srv.Nodes(d.e.fixtures.ClusterID)
	if len(nodes) == 0 {
		return fmt.Errorf("the cluster has no node to log in to")
	}
	d.ssh, d.node = c, sshlogin.TargetOf(nodes[len(nodes)-1])
	return nil
}

// sshLogin is `az ssh vm` to the target node as user, running `hostname`.
func (d *demo) sshLogin(ctx context.Context, user string) (sshlogin.Result, error) {
	u := d.e.fixtures.N01
	if user == "p01" {
		u = d.e.fixtures.P01
	}
	return d.ssh.Login(ctx, d.node, u.UPN, u.Password, "hostname")
}

// sshStep logs n01, who asks for node access, in to the node, prints the command and what it printed,
// and checks the outcome: the node's name, or AADSSHLoginForLinux's refusal.
func (d *demo) sshStep(ctx context.Context, allowed bool) {
	const user = "n01"
	r := d.r
	res, err := d.sshLogin(ctx, user)
	if err != nil {
		r.fail(err)
		return
	}
	r.info("$ %s", res.CommandLine())
	for _, line := range strings.Split(strings.TrimRight(res.Stdout+res.Stderr, "\n"), "\n") {
		r.info("%s", line)
	}
	if allowed {
		r.expect(res.ExitCode == 0 && strings.TrimSpace(res.Stdout) == d.node.Name, "%s is logged in to %s (exit %d)", user, d.node.Name, res.ExitCode)
		return
	}
	r.expect(res.ExitCode == 255 && strings.Contains(res.Stderr, "Access denied: Azure role not assigned") &&
		strings.Contains(res.Stderr, "Permission denied (publickey)"), "%s is refused: Azure role not assigned (exit %d)", user, res.ExitCode)
}

// terminal returns the user's terminal.
func (d *demo) terminal(user string) *dataplane.User {
	if user == "p01" {
		return d.p01sh
	}
	return d.n01sh
}
