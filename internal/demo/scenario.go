package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// demo acts out SCENARIO.md §4–§7 against the applied scenario, as n01 and p01 with their own tokens.
type demo struct {
	e        *environment
	r        *report
	m        accessMatrix
	verbose  io.Writer // terraform output when -v, else nil
	prefix   string
	n01, p01 *clients.Client
	cluster  rbac.ClusterID
	groups   map[string]string // default, admin, approver, node-access -> object ID
	targets  map[string]activationTarget
}

// activationTarget is one entry of the module's activation_targets output.
type activationTarget struct {
	GroupID         string `json:"group_id"`
	AccessID        string `json:"access_id"`
	MaximumDuration string `json:"maximum_duration"`
	ApproverGroupID string `json:"approver_group_id"`
}

// activationLength is what n01 asks for: two hours, under the policy's eight.
const activationLength = "PT2H"

// accessWait bounds how long a change of access may take to show in ARM's permissions API once the
// membership has changed (immediate in the emulator; minutes in Azure).
const accessWait = 30 * time.Second

// probe is one thing a user may or may not do, checked through ARM's permissions API at a scope.
type probe struct {
	what   string
	scope  func(d *demo) string
	action string
	data   bool
}

var probes = []probe{
	{what: "fetch a kubeconfig", scope: func(d *demo) string { return d.cluster.String() }, action: rbac.ActionAKSUserCredentials},
	{what: "list pods in kube-system", scope: func(d *demo) string { return d.cluster.NamespaceScope("kube-system") }, action: rbac.ActionAKSPodsRead, data: true},
	{what: "read secrets in kube-system", scope: func(d *demo) string { return d.cluster.NamespaceScope("kube-system") }, action: rbac.ActionAKSSecretsRead, data: true},
	{what: "scale node pool 'user'", scope: func(d *demo) string { return d.cluster.AgentPoolID("user") }, action: rbac.ActionAKSAgentPoolWrite},
	{what: "SSH to nodes (Entra login)", scope: func(d *demo) string {
		return rbac.ResourceGroupID(d.cluster.SubscriptionID, d.e.fixtures.NodeResourceGroup)
	}, action: rbac.ActionVMLogin, data: true},
}

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
	case rbac.ActionAKSSecretsRead, rbac.ActionAKSAgentPoolWrite:
		return phase == phaseAdmin || phase == phaseBoth
	case rbac.ActionVMLogin:
		return phase == phaseBoth
	}
	return false
}

func (d *demo) run(ctx context.Context) error {
	r := d.r
	f := d.e.fixtures
	var err error
	if d.cluster, err = rbac.ParseClusterID(f.ClusterID); err != nil {
		return err
	}

	r.section("Terraform: the scenario with the aks-pim-access module (examples/scenario)")
	r.step("terraform get (the module; the provider comes from the dev override, nothing is downloaded)")
	if err := d.terraform(ctx, "get", "-no-color"); err != nil {
		return err
	}
	r.done()
	r.step("terraform apply: four groups, role bindings, eligibilities and approval policies for %s", d.cluster.Name)
	res, err := d.e.ws.RunWithOutput(ctx, d.verbose, "apply", "-auto-approve", "-no-color", "-input=false")
	if err != nil {
		return err
	}
	if err := res.Err(); err != nil {
		r.fail(err)
		return errStop
	}
	r.info("%s", summaryLine(res.Stdout, "Apply complete!"))
	r.done()
	if err := d.readOutputs(ctx); err != nil {
		return err
	}
	r.step("terraform plan again: nothing to change")
	res, err = d.e.ws.Run(ctx, "plan", "-detailed-exitcode", "-no-color", "-input=false")
	if err != nil {
		return err
	}
	r.expect(res.ExitCode == 0, "the second plan is empty (exit code %d)", res.ExitCode)
	if res.ExitCode == 1 {
		r.info("%s", strings.TrimSpace(res.Stderr))
	}
	r.done()

	r.section("§4 What n01 sees before activation")
	r.step("n01 and p01 sign in (password grant through the public client %s)", f.PublicClientID)
	if d.n01, err = d.e.userClient(ctx, f.N01.UPN, f.N01.Password); err != nil {
		return err
	}
	if d.p01, err = d.e.userClient(ctx, f.P01.UPN, f.P01.Password); err != nil {
		return err
	}
	for _, u := range []struct {
		name, want string
		c          *clients.Client
	}{{"n01", f.N01.ID, d.n01}, {"p01", f.P01.ID, d.p01}} {
		oid, err := u.c.CallerObjectID(ctx)
		if err != nil {
			return fmt.Errorf("%s signing in: %w", u.name, err)
		}
		r.expect(oid == u.want, "%s's token names object %s", u.name, oid)
	}
	r.done()
	d.observePhase(ctx, phaseBefore)

	r.section("§5 Just-in-time control-plane access: n01 activates admin, p01 approves")
	d.activate(ctx, "admin")
	d.observePhase(ctx, phaseAdmin)

	r.section("§6 Just-in-time node access: the same on node-access")
	d.activate(ctx, "node-access")
	d.observePhase(ctx, phaseBoth)

	r.section("§7 The activations end")
	r.step("the emulator's clock moves past the end of both activations (%s + 5m)", activationLength)
	d.e.srv.AdvanceClock(2*time.Hour + 5*time.Minute)
	for _, g := range []string{"admin", "node-access"} {
		active, err := pim.AssignmentInstances(ctx, d.n01, d.groups[g], f.N01.ID)
		if err != nil {
			r.fail(err)
			continue
		}
		r.expect(len(active) == 0, "n01 holds no active assignment to %s any more", g)
	}
	r.info("in Azure, tokens already issued (kubectl, kubelogin) keep working until they expire: 60 to 75 minutes")
	r.done()
	d.observePhase(ctx, phaseExpired)

	r.section("Who could do what (ARM effective permissions with each user's own token; '!' = not as expected)")
	d.m.print(r.out)

	r.section("Terraform: destroy")
	r.step("terraform destroy")
	res, err = d.e.ws.RunWithOutput(ctx, d.verbose, "destroy", "-auto-approve", "-no-color", "-input=false")
	if err != nil {
		return err
	}
	if err := res.Err(); err != nil {
		r.fail(err)
		return errStop
	}
	r.info("%s", summaryLine(res.Stdout, "Destroy complete!"))
	d.checkNothingLeft()
	r.done()
	return nil
}

// errStop ends the story after a failure already reported.
var errStop = errors.New("stopped after a failed step")

func (d *demo) terraform(ctx context.Context, args ...string) error {
	res, err := d.e.ws.RunWithOutput(ctx, d.verbose, args...)
	if err != nil {
		return err
	}
	if err := res.Err(); err != nil {
		d.r.fail(err)
		return errStop
	}
	return nil
}

func (d *demo) readOutputs(ctx context.Context) error {
	res, err := d.e.ws.Run(ctx, "output", "-json")
	if err != nil {
		return err
	}
	if err := res.Err(); err != nil {
		d.r.fail(err)
		return errStop
	}
	var out struct {
		GroupIDs struct {
			Value map[string]string `json:"value"`
		} `json:"group_ids"`
		Targets struct {
			Value map[string]activationTarget `json:"value"`
		} `json:"activation_targets"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &out); err != nil {
		return fmt.Errorf("reading terraform output: %w", err)
	}
	d.groups, d.targets = out.GroupIDs.Value, out.Targets.Value
	for _, name := range []string{"default", "admin", "approver", "node-access"} {
		d.r.info("group %-12s %s", name, d.groups[name])
	}
	for _, name := range []string{"admin", "node-access"} {
		t := d.targets[name]
		d.r.expect(t.GroupID != "" && t.GroupID == d.groups[name] && t.AccessID == "member",
			"activation target %s: group %s, access %s, at most %s", name, t.GroupID, t.AccessID, t.MaximumDuration)
	}
	return nil
}

// activate is §5/§6 for one group: pending approval, the requester refused as approver, the approver
// sees and approves it, the activation is provisioned and n01 an active member until its end.
func (d *demo) activate(ctx context.Context, group string) {
	r, f := d.r, d.e.fixtures
	target := d.targets[group]
	dur, _ := pim.ParseDuration(activationLength)

	if group == "admin" {
		r.step("n01 asks to activate admin without a justification")
		_, err := pim.SelfActivate(ctx, d.n01, pim.ActivationSpec{GroupID: target.GroupID, Duration: dur})
		var pe *pim.ActivationPolicyError
		if r.expect(errors.As(err, &pe), "PIM refuses it: the policy requires a justification") {
			r.info("Graph: %s", clients.ErrorMessage(err))
		}
		r.done()
	}

	justification := fmt.Sprintf("INC-1234: %s access to %s", group, d.cluster.Name)
	r.step("n01 requests activation of %s for %s (%q)", group, activationLength, justification)
	req, err := pim.SelfActivate(ctx, d.n01, pim.ActivationSpec{GroupID: target.GroupID, Duration: dur, Justification: justification})
	if err != nil {
		r.fail(err)
		return
	}
	r.info("request %s, status %s", req.RequestID, req.Status)
	r.expect(req.IsPendingApproval(), "the request waits for approval (status %s)", req.Status)
	r.done()

	r.step("n01 tries to approve its own request")
	err = pim.DecideApproval(ctx, d.n01, req.ApprovalID, pim.DecisionApprove, "approving myself")
	var na *pim.NotApproverError
	if r.expect(errors.As(err, &na), "refused by PIM: a requester never approves their own request") {
		r.info("Graph: HTTP %d %s", clients.StatusCode(err), clients.ErrorCode(err))
	}
	r.done()

	r.step("p01 lists the approvals assigned to them")
	pending, err := pim.MyPendingApprovals(ctx, d.p01)
	if err != nil {
		r.fail(err)
		return
	}
	var mine *pim.PendingApproval
	for i := range pending {
		if strings.EqualFold(pending[i].Approval.ID, req.ApprovalID) {
			mine = &pending[i]
		}
	}
	if !r.expect(mine != nil, "p01 sees n01's request among %d pending approval(s)", len(pending)) {
		return
	}
	r.info("requested by %s for group %s: %q", who(mine.Request.PrincipalID, f.N01.ID, "n01"), group, mine.Request.Justification)
	r.done()

	r.step("p01 approves")
	err = pim.DecideApproval(ctx, d.p01, req.ApprovalID, pim.DecisionApprove, "Approved for INC-1234")
	if !r.expect(err == nil, "the decision is recorded") {
		r.fail(err)
		return
	}
	got, err := pim.WaitActivation(ctx, d.n01, req.RequestID, pim.ActivationRequest.IsProvisioned)
	if !r.expect(err == nil, "the request is now %s", got.Status) {
		r.fail(err)
		return
	}
	active, err := pim.AssignmentInstances(ctx, d.n01, target.GroupID, f.N01.ID)
	if err != nil {
		r.fail(err)
		return
	}
	ok := len(active) == 1 && active[0].AssignmentType == "activated"
	until := "?"
	if len(active) > 0 {
		until = active[0].End.Format("15:04 MST") + " (emulator clock)"
	}
	r.expect(ok, "n01 is a time-bound member of %s until %s", group, until)
	r.done()
}

// observePhase reads every probe for both users and records it in the matrix. While a probe differs
// from what the phase expects it is re-read (bounded), since access propagates.
func (d *demo) observePhase(ctx context.Context, phase string) {
	r := d.r
	r.step("what n01 and p01 can do now (%s)", phase)
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
			d.m.set(phase, user, p.what, got[i], want[i])
			if got[i] != want[i] {
				mismatches++
				r.expect(false, "%s can %s: %s, expected %s", user, p.what, yesNo(got[i]), yesNo(want[i]))
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
			r.expect(true, "as expected: %s can now %s: %s", user, p.what, yesNo(expectedAccess(phase, user, p)))
		} else {
			r.expect(true, "as expected")
		}
	}
	r.done()
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

// checkNothingLeft verifies through the emulator's world (not Terraform's state) that destroy removed
// every group, role assignment and eligibility of the run, and reset the policies.
func (d *demo) checkNothingLeft() {
	snap := d.e.srv.Snapshot()
	ids := map[string]bool{}
	for _, id := range d.groups {
		ids[strings.ToLower(id)] = true
	}
	groups := 0
	for _, g := range snap.Groups {
		if !g.Deleted && (ids[strings.ToLower(g.ID)] || strings.HasPrefix(g.DisplayName, d.prefix+"-")) {
			groups++
		}
	}
	d.r.expect(groups == 0, "no group of the scenario is left (%d found)", groups)
	assignments := 0
	for _, ra := range snap.RoleAssignments {
		if ids[strings.ToLower(ra.PrincipalID)] {
			assignments++
		}
	}
	d.r.expect(assignments == 0, "no role assignment to those groups is left (%d found)", assignments)
	live := 0
	for _, s := range snap.PIM.EligibilitySchedules {
		if ids[strings.ToLower(s.GroupID)] {
			live++
		}
	}
	d.r.expect(live == 0, "no eligibility for those groups is left (%d found)", live)
}

func who(id, n01ID, name string) string {
	if strings.EqualFold(id, n01ID) {
		return name
	}
	return id
}

var summaryRE = regexp.MustCompile(`(?m)^(Apply|Destroy) complete!.*$`)

func summaryLine(stdout, fallback string) string {
	if m := summaryRE.FindString(stdout); m != "" {
		return m
	}
	return fallback
}
