package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// The scenario without groups (examples/scenario-roles, the aks-pim-role-access module): the same access
// through PIM for Azure resources, acted out after the group variant with the same checks. What differs
// is shown: an activated role is a role assignment AKS checks at every request, so the token kubelogin
// cached before the approval works at once, and a token issued during the activation loses the access
// when the activation ends.

// roleTarget is one entry of the role module's activation_targets output.
type roleTarget struct {
	Scope            string `json:"scope"`
	Role             string `json:"role"`
	RoleDefinitionID string `json:"role_definition_id"`
	MaximumDuration  string `json:"maximum_duration"`
}

// roleStory is the group-less run: its workspace, targets and the role assignments n01 held before.
type roleStory struct {
	ws       *tfrun.Workspace
	targets  map[string]roleTarget
	baseline int
}

// runRoles is the group-less scenario, from apply to destroy, with an access matrix of its own.
func (d *demo) runRoles(ctx context.Context) error {
	r, f := d.r, d.e.fixtures
	ws, err := d.e.workspace("scenario-roles")
	if err != nil {
		return err
	}
	ws.Env = append(ws.Env, "TF_VAR_cluster_id="+f.ClusterID, "TF_VAR_n01_upn="+f.N01.UPN, "TF_VAR_p01_upn="+f.P01.UPN)
	s := &roleStory{ws: ws, baseline: d.roleAssignmentsOf(f.N01.ID)}
	start := time.Now()

	r.section("Terraform: the scenario without groups, PIM for Azure resources (examples/scenario-roles)")
	r.step("terraform apply: n01's everyday roles, role policies and eligibilities for the roles themselves; no group")
	if err := d.terraformIn(ctx, ws, "get", "-no-color"); err != nil {
		return err
	}
	if err := d.applyIn(ctx, ws, "apply"); err != nil {
		return err
	}
	if err := s.readOutputs(ctx, r); err != nil {
		return err
	}
	r.done()
	r.step("terraform plan again: nothing to change")
	res, err := ws.Run(ctx, "plan", "-detailed-exitcode", "-no-color", "-input=false")
	if err != nil {
		return err
	}
	r.expect(res.ExitCode == 0, "the second plan is empty (exit code %d)", res.ExitCode)
	r.done()

	d.m = accessMatrix{}
	r.section("Without groups, §4: what n01 sees before activation")
	r.step("n01 and p01 start the day without cached tokens")
	for _, u := range []string{"n01", "p01"} {
		res := d.sh(ctx, d.terminal(u), "kubelogin", "remove-tokens")
		r.expect(res.ExitCode == 0, "%s: kubelogin remove-tokens (exit %d)", u, res.ExitCode)
	}
	r.done()
	d.kubectlBefore(ctx)
	d.observePhase(ctx, phaseBefore)
	d.audit(ctx, phaseBefore)

	r.section("Without groups, §5: n01 activates the AKS RBAC Admin role (and Contributor on node pool 'user'), p01 approves")
	d.activateRole(ctx, s, "admin", true)
	d.activateRole(ctx, s, "admin-node-pool", false)
	r.step("n01 right after the approval, with the token kubelogin cached before it (no kubelogin remove-tokens)")
	d.expectListed(d.sh(ctx, d.n01sh, "kubectl", "get", "secrets", "-n", "kube-system"), "n01 (cached token)", "the secrets of kube-system")
	d.expectListed(d.sh(ctx, d.n01sh, "kubectl", "get", "nodes"), "n01 (cached token)", "the nodes")
	r.info("an activated role is a role assignment, which AKS checks at each request: no new token needed (a group activation needs one)")
	r.done()
	d.observePhase(ctx, phaseAdmin)

	r.section("Without groups, §6: node access through the Virtual Machine User Login role")
	d.nodeLogins(ctx, "before the role is active", func() { d.activateRole(ctx, s, "node-access", false) })
	d.audit(ctx, phaseBoth)

	if err := d.ending(ctx, ws, storyEnding{
		expiry:      "Without groups, §7: the activations end, and the token's access with them",
		matrix:      "Without groups: who could do what (ARM, kubectl and ssh; '!' = not as expected)",
		destroy:     "Terraform: destroy the scenario without groups",
		expire:      d.roleTokenLifetime,
		nothingLeft: func() { d.checkNoRoleLeft(s) },
	}); err != nil {
		return err
	}
	r.info("the scenario without groups took %s of this run", time.Since(start).Round(100*time.Millisecond))
	return nil
}

func (s *roleStory) readOutputs(ctx context.Context, r *report) error {
	res, err := s.ws.Run(ctx, "output", "-json")
	if err != nil {
		return err
	}
	if err := res.Err(); err != nil {
		r.fail(err)
		return errStop
	}
	var out struct {
		Targets struct {
			Value map[string]roleTarget `json:"value"`
		} `json:"activation_targets"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &out); err != nil {
		return fmt.Errorf("reading terraform output: %w", err)
	}
	s.targets = out.Targets.Value
	for _, name := range []string{"admin", "admin-node-pool", "node-access"} {
		t := s.targets[name]
		r.expect(t.RoleDefinitionID != "" && t.Scope != "", "activation target %-15s %s at %s, at most %s", name, t.Role, t.Scope, t.MaximumDuration)
	}
	return nil
}

// activateRole is §5/§6 for one eligible role: pending approval, the requester refused as approver, p01
// sees and approves it, and the request is provisioned. withRefusals adds the request without a
// justification and n01's attempt to approve its own request.
func (d *demo) activateRole(ctx context.Context, s *roleStory, name string, withRefusals bool) {
	r := d.r
	t := s.targets[name]
	dur, _ := pim.ParseDuration(activationLength)
	spec := armpim.ActivationSpec{Scope: t.Scope, RoleDefinitionID: t.RoleDefinitionID, Duration: dur}
	if withRefusals {
		r.step("n01 asks to activate %s without a justification", t.Role)
		_, err := armpim.SelfActivate(ctx, d.n01, spec)
		var pe *pim.PolicyRejectedError
		if r.expect(errors.As(err, &pe), "PIM refuses it: the role's policy requires a justification") {
			r.info("ARM: %s: %s", clients.ErrorCode(err), clients.ErrorMessage(err))
		}
		r.done()
	}
	spec.Justification = fmt.Sprintf("INC-1234: %s on %s", t.Role, d.cluster.Name)
	r.step("n01 requests %s at %s for %s (%q)", t.Role, scopeLabel(t.Scope), activationLength, spec.Justification)
	req, err := armpim.SelfActivate(ctx, d.n01, spec)
	if err != nil {
		r.fail(err)
		return
	}
	r.expect(req.IsPendingApproval(), "the request waits for approval (status %s)", req.Status)
	r.done()

	if withRefusals {
		r.step("n01 tries to approve its own request")
		err := armpim.Decide(ctx, d.n01, req.ApprovalID, pim.DecisionApprove, "approving myself")
		var na *pim.NotApproverError
		if r.expect(errors.As(err, &na), "refused by PIM: n01 is no approver, and a requester never approves their own request") {
			r.info("ARM: HTTP %d %s", clients.StatusCode(err), clients.ErrorCode(err))
		}
		r.done()
	}

	r.step("p01 lists the approvals assigned to them and approves")
	pending, err := armpim.PendingApprovals(ctx, d.p01, t.Scope)
	if err != nil {
		r.fail(err)
		return
	}
	seen := false
	for _, p := range pending {
		seen = seen || strings.EqualFold(p.ApprovalID, req.ApprovalID)
	}
	if !r.expect(seen, "p01 sees n01's request among %d pending approval(s) at the scope", len(pending)) {
		return
	}
	if err := armpim.Decide(ctx, d.p01, req.ApprovalID, pim.DecisionApprove, "Approved for INC-1234"); !r.expect(err == nil, "the decision is recorded") {
		r.fail(err)
		return
	}
	got, err := armpim.WaitActivation(ctx, d.n01, req.RequestID, armpim.Activation.IsProvisioned)
	if !r.expect(err == nil, "the request is now %s: n01 holds %s until %s (emulator clock)", got.Status, t.Role, got.End.Format("15:04 MST")) {
		r.fail(err)
	}
	r.done()
}

// roleTokenLifetime is §7 without groups: a token issued while the roles were active loses the access
// the moment they end, since the token carries no role; AKS and node login check the assignments.
func (d *demo) roleTokenLifetime(ctx context.Context) {
	r := d.r
	d.signInNearTheEnd(ctx)

	r.step("the clock moves 15 minutes: the activations have ended; n01 keeps the same token")
	d.e.srv.AdvanceClock(15 * time.Minute)
	active := 0
	for _, sc := range d.e.srv.Snapshot().ARMPIM.AssignmentSchedules {
		if strings.EqualFold(sc.PrincipalID, d.e.fixtures.N01.ID) && sc.Active {
			active++
		}
	}
	r.expect(active == 0, "PIM: n01 holds no active role any more (%d found)", active)
	d.expectNoSecretsRead(ctx)
	d.expectForbidden(d.sh(ctx, d.n01sh, "kubectl", "get", "secrets", "-n", "kube-system"), "n01, with the token issued while the role was active,", "secrets")
	r.info("refused at once: the token carries no role, AKS checks the role assignment, which ended with the activation")
	res := d.sh(ctx, d.p01sh, "kubelogin", "remove-tokens")
	r.expect(res.ExitCode == 0, "p01 discards its expired token: kubelogin remove-tokens (exit %d)", res.ExitCode)
	r.done()
}

// checkNoRoleLeft verifies in the emulator's world that destroy removed n01's role assignments of the
// run, every eligibility, and reset every role policy.
func (d *demo) checkNoRoleLeft(s *roleStory) {
	snap := d.e.srv.Snapshot()
	n := d.roleAssignmentsOf(d.e.fixtures.N01.ID)
	d.r.expect(n == s.baseline, "n01 holds the role assignments it held before the run (%d, %d before)", n, s.baseline)
	d.r.expect(len(snap.ARMPIM.EligibilitySchedules) == 0, "no eligible role is left (%d found)", len(snap.ARMPIM.EligibilitySchedules))
	d.r.expect(len(snap.ARMPIM.ChangedPolicies) == 0, "every role policy is back at the defaults (%d changed)", len(snap.ARMPIM.ChangedPolicies))
}

func (d *demo) roleAssignmentsOf(principal string) int {
	n := 0
	for _, ra := range d.e.srv.Snapshot().RoleAssignments {
		if strings.EqualFold(ra.PrincipalID, principal) {
			n++
		}
	}
	return n
}

// scopeLabel names a scope by its last segments ("managedClusters/aks-demo").
func scopeLabel(scope string) string {
	if sc, err := rbac.NormalizeScope(scope); err == nil {
		scope = sc.Wire
	}
	parts := strings.Split(strings.Trim(scope, "/"), "/")
	if len(parts) >= 2 {
		return parts[len(parts)-2] + "/" + parts[len(parts)-1]
	}
	return scope
}
