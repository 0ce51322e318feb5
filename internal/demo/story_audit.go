package main

import (
	"bytes"
	"context"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/access"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
)

// auditJudged maps the audit's families to the probes the judges (ARM, kubectl, ssh) answered in a
// phase; admin has no probe of its own.
var auditJudged = []struct {
	family access.Family
	where  string
	probe  string
}{
	{access.FamilyRead, "namespace/kube-system", "list pods in kube-system"},
	{access.FamilySecrets, "namespace/kube-system", "read secrets in kube-system"},
	{access.FamilyNodeLogin, access.WhereNodes, "SSH to nodes (Entra login)"},
}

// audit prints who can do what on the cluster as aks_cluster_access reads it (access.Discover and
// access.Audit, as the admin), and checks that its standing access agrees with what the judges observed
// for n01 and p01 in phase.
func (d *demo) audit(ctx context.Context, phase string) {
	r := d.r
	r.step("who can do what (%s), as aks_cluster_access reads it from Azure RBAC and PIM", phase)
	admin, err := emuclient.Admin(ctx, d.e.srv, emuclient.Options{})
	if err != nil {
		r.fail(err)
		return
	}
	s, err := access.Discover(ctx, admin, d.cluster)
	if err != nil {
		r.fail(err)
		return
	}
	acc := access.Audit(s)
	var b bytes.Buffer
	access.Format(&b, acc)
	for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		r.info("%s", line)
	}
	agree := true
	for _, u := range []struct{ name, id string }{{"n01", d.e.fixtures.N01.ID}, {"p01", d.e.fixtures.P01.ID}} {
		for _, j := range auditJudged {
			judged, ok := d.m.observed(phase, u.name, j.probe)
			if !ok {
				continue
			}
			if audited := access.Standing(acc, u.id, j.family, j.where); audited != judged {
				agree = false
				r.expect(false, "the audit says %s has %s at %s: %s; the judges said %s", u.name, j.family, j.where, yesNo(audited), yesNo(judged))
			}
		}
	}
	if agree {
		r.expect(true, "the audit's standing access agrees with ARM, kubectl and ssh for n01 and p01")
	}
	r.done()
}
