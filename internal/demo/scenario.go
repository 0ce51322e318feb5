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
	"github.com/aks-pim/terraform-provider-aks/internal/dataplane"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
	"github.com/aks-pim/terraform-provider-aks/internal/sshlogin"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// demo acts out SCENARIO.md §4–§7 against the applied scenario, as n01 and p01 with their own tokens.
type demo struct {
	e        *environment
	r        *report
	m        accessMatrix
	verbose  io.Writer // terraform output when -v, else nil
	prefix   string
	n01, p01 *clients.Client
	// The users' terminals: the real kubectl and kubelogin, and `az ssh vm` to node with the real ssh.
	n01sh, p01sh *dataplane.User
	ssh          *sshlogin.Client
	node         sshlogin.Target
	cluster      rbac.ClusterID
	groups       map[string]string // default, admin, approver, node-access -> object ID
	targets      map[string]activationTarget
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
	if err := d.applyIn(ctx, d.e.ws, "apply"); err != nil {
		return err
	}
	r.done()
	if err := d.readOutputs(ctx); err != nil {
		return err
	}
	r.step("terraform plan again: nothing to change")
	res, err := d.e.ws.Run(ctx, "plan", "-detailed-exitcode", "-no-color", "-input=false")
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
	if err := d.setUpTerminals(ctx); err != nil {
		return err
	}
	if err := d.setUpSSH(); err != nil {
		return err
	}
	d.kubectlBefore(ctx)
	d.observePhase(ctx, phaseBefore)
	d.audit(ctx, phaseBefore)

	r.section("§5 Just-in-time control-plane access: n01 activates admin, p01 approves")
	d.activate(ctx, "admin")
	d.kubectlAfterApproval(ctx)
	d.observePhase(ctx, phaseAdmin)

	r.section("§6 Just-in-time node access: the same on node-access")
	d.nodeLogins(ctx, "with Entra ID (what `az ssh vm` does) before node-access is active", func() { d.activate(ctx, "node-access") })
	d.audit(ctx, phaseBoth)

	if err := d.ending(ctx, d.e.ws, storyEnding{
		expiry:      "§7 Token lifetime: the activations end",
		matrix:      "Who could do what (ARM's permissions API with each user's own token, the real kubectl and ssh; '!' = not as expected)",
		destroy:     "Terraform: destroy",
		expire:      d.tokenLifetime,
		nothingLeft: d.checkNothingLeft,
	}); err != nil {
		return err
	}
	return d.runRoles(ctx)
}

// nodeLogins is §6 of a story: n01's login to the node is refused before activate (the login step says
// when: before) and accepted after it.
func (d *demo) nodeLogins(ctx context.Context, before string, activate func()) {
	r := d.r
	r.step("n01 logs in to node %s %s", d.node.Name, before)
	d.sshStep(ctx, false)
	r.done()
	activate()
	r.step("n01 logs in to %s again", d.node.Name)
	d.sshStep(ctx, true)
	r.done()
	d.observePhase(ctx, phaseBoth)
}

// storyEnding is how a story ends: the section titles, how its activations expire (§7) and what checks
// that its destroy left nothing.
type storyEnding struct {
	expiry, matrix, destroy string
	expire                  func(context.Context)
	nothingLeft             func()
}

// ending runs a story's end: the activations expire, the matrix of who could do what is printed, and the
// configuration of ws is destroyed.
func (d *demo) ending(ctx context.Context, ws *tfrun.Workspace, e storyEnding) error {
	r := d.r
	r.section(e.expiry)
	e.expire(ctx)
	d.observePhase(ctx, phaseExpired)

	r.section(e.matrix)
	d.m.print(r.out)

	r.section(e.destroy)
	r.step("terraform destroy")
	if err := d.applyIn(ctx, ws, "destroy"); err != nil {
		return err
	}
	e.nothingLeft()
	r.done()
	return nil
}

// errStop ends the story after a failure already reported.
var errStop = errors.New("stopped after a failed step")

func (d *demo) terraform(ctx context.Context, args ...string) error {
	return d.terraformIn(ctx, d.e.ws, args...)
}

// terraformIn runs a terraform command in ws; a failure is reported and stops the story.
func (d *demo) terraformIn(ctx context.Context, ws *tfrun.Workspace, args ...string) error {
	res, err := ws.RunWithOutput(ctx, d.verbose, args...)
	if err != nil {
		return err
	}
	if err := res.Err(); err != nil {
		d.r.fail(err)
		return errStop
	}
	if m := summaryRE.FindString(res.Stdout); m != "" {
		d.r.info("%s", m) // Apply complete! Resources: ...
	}
	return nil
}

// applyIn is terraform apply or destroy (command) in ws, without questions.
func (d *demo) applyIn(ctx context.Context, ws *tfrun.Workspace, command string) error {
	return d.terraformIn(ctx, ws, command, "-auto-approve", "-no-color", "-input=false")
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

// asApprover runs decide with n01 a member of the approver group (added by the Terraform principal, as
// the how-to's test-only variant has it) and removes n01 again, whatever decide returned.
func (d *demo) asApprover(ctx context.Context, approverGroup string, decide func() error) error {
	admin, err := emuclient.Admin(ctx, d.e.srv, emuclient.Options{UserAgent: "aks-demo"})
	if err != nil {
		return err
	}
	n01 := d.e.fixtures.N01.ID
	if err := pim.ChangeMembers(ctx, admin, approverGroup, []string{n01}, nil); err != nil {
		return fmt.Errorf("making n01 an approver: %w", err)
	}
	defer func() {
		if err := pim.ChangeMembers(ctx, admin, approverGroup, nil, []string{n01}); err != nil {
			d.r.fail(fmt.Errorf("removing n01 from the approver group: %w", err))
		}
	}()
	return decide()
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
		var pe *pim.PolicyRejectedError
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

	// The how-to's test-only variant: the requester is also an approver (a member of the approver group),
	// so only the requester rule can refuse; n01 leaves the approver group again right after.
	r.step("n01, made an approver for a moment, tries to approve its own request")
	err = d.asApprover(ctx, target.ApproverGroupID, func() error {
		return pim.DecideApproval(ctx, d.n01, req.ApprovalID, pim.DecisionApprove, "approving myself")
	})
	var na *pim.NotApproverError
	if r.expect(errors.As(err, &na), "refused by PIM: a requester never approves their own request, even as an approver") {
		r.info("Graph: HTTP %d %s: %s", clients.StatusCode(err), clients.ErrorCode(err), clients.ErrorMessage(err))
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
