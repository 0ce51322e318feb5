package acctest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// scenarioWorld holds what the checks need: clients as the Terraform principal (admin) and as the two
// users, the fixtures, and the IDs the apply produced (read from Terraform's outputs, then verified
// against the APIs).
type scenarioWorld struct {
	t               *testing.T
	f               acctest.Fixtures
	admin, n01, p01 *clients.Client
	n01ID, p01ID    string
	cluster         rbac.ClusterID
	nodeRG          string // node resource group ID

	groups        map[string]string // name -> object ID
	bindings      map[string]string // module binding key -> role assignment ID
	eligibilities map[string]string // JIT group -> schedule ID
	term          terminals         // the users' kubectl and ssh (scenario_dataplane_test.go)
}

// Timings: the emulator reflects a change at once; a tenant needs minutes (limits-and-consistency §3).
func (w *scenarioWorld) propagation() time.Duration {
	if acctest.Live() {
		return 10 * time.Minute
	}
	return 30 * time.Second
}

func newScenarioWorld(t *testing.T, f acctest.Fixtures) *scenarioWorld {
	t.Helper()
	w := &scenarioWorld{t: t, f: f}
	ctx := t.Context()
	w.admin = acctest.AdminClient(t)
	w.n01 = acctest.UserClient(t, f.N01)
	w.p01 = acctest.UserClient(t, f.P01)
	var err error
	if w.n01ID, err = w.n01.CallerObjectID(ctx); err != nil {
		t.Fatalf("signing in as n01: %v", err)
	}
	if w.p01ID, err = w.p01.CallerObjectID(ctx); err != nil {
		t.Fatalf("signing in as p01: %v", err)
	}
	if f.N01.ObjectID != "" && !strings.EqualFold(f.N01.ObjectID, w.n01ID) {
		t.Fatalf("n01 signed in as %s, fixture says %s", w.n01ID, f.N01.ObjectID)
	}
	if w.cluster, err = rbac.ParseClusterID(f.ClusterID); err != nil {
		t.Fatal(err)
	}
	facts, err := rbac.GetCluster(ctx, w.admin, w.cluster)
	if err != nil {
		t.Fatalf("reading the cluster: %v", err)
	}
	w.nodeRG = facts.NodeResourceGroupID
	return w
}

func outputMap(s *terraform.State, name string) (map[string]string, error) {
	o, ok := s.RootModule().Outputs[name]
	if !ok {
		return nil, fmt.Errorf("output %s missing", name)
	}
	m, ok := o.Value.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("output %s is %T, want a map", name, o.Value)
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out, nil
}

// captureIDs reads the IDs the apply produced from the configuration's output and resources; every
// check then verifies them against the APIs.
func (w *scenarioWorld) captureIDs(s *terraform.State) error {
	var err error
	if w.groups, err = outputMap(s, "group_ids"); err != nil {
		return err
	}
	id := func(address string) string {
		if r, ok := s.RootModule().Resources[address]; ok && r.Primary != nil {
			return r.Primary.ID
		}
		return ""
	}
	w.bindings = map[string]string{}
	for key, b := range scenarioBindingRoles {
		w.bindings[key] = id(b.address)
	}
	w.eligibilities = map[string]string{"admin": id("aks_pim_eligibility.admin"), "node-access": id("aks_pim_eligibility.node_access")}
	for what, ids := range map[string]map[string]string{"group": w.groups, "role binding": w.bindings, "eligibility": w.eligibilities} {
		for k, v := range ids {
			if v == "" {
				return fmt.Errorf("no ID for %s %s in state", what, k)
			}
		}
	}
	if len(w.groups) != len(scenarioGroups) {
		return fmt.Errorf("output group_ids names %d groups, want %d", len(w.groups), len(scenarioGroups))
	}
	return nil
}

// checkObjectsInAzure is assertion 1 checked against the APIs: the groups and their direct members, the
// role assignments (principal, role, scope), the eligibilities and the approval policies.
func (w *scenarioWorld) checkObjectsInAzure(*terraform.State) error {
	ctx := w.t.Context()
	members := map[string]string{"default": w.n01ID, "approver": w.p01ID}
	for name, id := range w.groups {
		resp, err := clients.Graph(w.admin).Groups().ByGroupId(id).Members().Get(ctx, nil)
		if err != nil {
			return fmt.Errorf("group %s (%s) is not readable in Graph: %w", name, id, err)
		}
		var got []string
		for _, m := range resp.GetValue() {
			got = append(got, deref(m.GetId()))
		}
		want := members[name]
		switch {
		case want != "" && (len(got) != 1 || !strings.EqualFold(got[0], want)):
			return fmt.Errorf("group %s has members %v, want exactly %s", name, got, want)
		case want == "" && len(got) != 0:
			return fmt.Errorf("group %s has members %v before any activation, want none", name, got)
		}
	}
	for key, id := range w.bindings {
		want := scenarioBindingRoles[key]
		ra, err := w.admin.RoleAssignments.GetByID(ctx, id, nil)
		if err != nil {
			return fmt.Errorf("role assignment %s (%s) is not readable in ARM: %w", key, id, err)
		}
		p := ra.Properties
		if !strings.EqualFold(deref(p.PrincipalID), w.groups[want.group]) {
			return fmt.Errorf("role assignment %s is for %s, want group %s", key, deref(p.PrincipalID), want.group)
		}
		role, err := rbac.ResolveRoleByID(ctx, w.admin, deref(p.RoleDefinitionID))
		if err != nil {
			return err
		}
		if role.Name != want.role {
			return fmt.Errorf("role assignment %s grants %q, want %q", key, role.Name, want.role)
		}
		wantScope := map[string]string{
			"cluster":             w.cluster.String(),
			"resource_group":      w.cluster.ResourceGroupID(),
			"node_resource_group": w.nodeRG,
		}[want.scopeKind]
		if !rbac.SameScope(deref(p.Scope), wantScope) {
			return fmt.Errorf("role assignment %s is at %s, want %s", key, deref(p.Scope), wantScope)
		}
	}
	for _, g := range scenarioJITGroups {
		e, found, err := pim.FindEligibility(ctx, w.admin, pim.EligibilityKey{GroupID: w.groups[g], PrincipalID: w.groups["default"], AccessID: pim.AccessMember})
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("default is not eligible for %s in Graph", g)
		}
		if d := e.End.Sub(e.Start); d < 179*24*time.Hour || d > 181*24*time.Hour {
			return fmt.Errorf("eligibility for %s lasts %s, want about P180D", g, d)
		}
		ps, err := pim.ReadPolicy(ctx, w.admin, pim.PolicyKey{GroupID: w.groups[g], AccessID: pim.AccessMember})
		if err != nil {
			return err
		}
		p := ps.Rules.Policy()
		if !p.Approval.Required || len(p.Approval.ApproverGroups) != 1 || !strings.EqualFold(p.Approval.ApproverGroups[0], w.groups["approver"]) {
			return fmt.Errorf("%s's member policy: approval %+v, want required with approver group %s", g, p.Approval, w.groups["approver"])
		}
		if !p.Activation.RequireJustification || p.Activation.MaximumDuration.Std() != 8*time.Hour {
			return fmt.Errorf("%s's member policy: activation %+v, want justification required and at most PT8H", g, p.Activation)
		}
	}
	return nil
}

// checkStandingAccess is assertion 2: as n01, pods readable in the cluster, secrets not; no node login.
func (w *scenarioWorld) checkStandingAccess(*terraform.State) error {
	ns := w.cluster.NamespaceScope("kube-system")
	if err := w.awaitData(w.n01, ns, rbac.ActionAKSPodsRead, true); err != nil {
		return err
	}
	if err := w.awaitData(w.n01, ns, rbac.ActionAKSSecretsRead, false); err != nil {
		return err
	}
	if err := w.awaitData(w.n01, w.nodeRG, rbac.ActionVMLogin, false); err != nil {
		return err
	}
	return w.checkClientsStanding(nil)
}

// checkActivation is assertions 3 (admin) and 4 (node-access): n01's self-activation waits for
// approval, n01 cannot approve it, p01 can, and then n01 holds the group's data action.
func (w *scenarioWorld) checkActivation(group string) func(*terraform.State) error {
	return func(*terraform.State) error {
		ctx := w.t.Context()
		scope, action := w.cluster.NamespaceScope("kube-system"), rbac.ActionAKSSecretsRead
		if group == "node-access" {
			scope, action = w.nodeRG, rbac.ActionVMLogin
		}
		dur, _ := pim.ParseDuration("PT1H")
		req, err := pim.SelfActivate(ctx, w.n01, pim.ActivationSpec{GroupID: w.groups[group], Duration: dur, Justification: "acceptance test of the scenario"})
		if err != nil {
			return fmt.Errorf("n01 activating %s: %w", group, err)
		}
		if !req.IsPendingApproval() {
			return fmt.Errorf("n01's activation of %s is %s, want PendingApproval", group, req.Status)
		}
		if err := w.awaitData(w.n01, scope, action, false); err != nil {
			return fmt.Errorf("while the activation is pending: %w", err)
		}
		// The how-to's test-only variant: n01 is also an approver for a moment (a member of the approver
		// group), so only the requester rule can refuse its decision.
		if err := pim.ChangeMembers(ctx, w.admin, w.groups["approver"], []string{w.n01ID}, nil); err != nil {
			return fmt.Errorf("making n01 an approver: %w", err)
		}
		selfErr := pim.DecideApproval(ctx, w.n01, req.ApprovalID, pim.DecisionApprove, "self")
		if err := pim.ChangeMembers(ctx, w.admin, w.groups["approver"], nil, []string{w.n01ID}); err != nil {
			return fmt.Errorf("removing n01 from the approver group: %w", err)
		}
		var na *pim.NotApproverError
		if !errors.As(selfErr, &na) {
			return fmt.Errorf("n01, an approver too, approving its own activation of %s: got %v, want the requester's refusal", group, selfErr)
		}
		if err := w.approveAs(w.p01, req.ApprovalID); err != nil {
			return fmt.Errorf("p01 approving n01's activation of %s: %w", group, err)
		}
		wctx, cancel := context.WithTimeout(ctx, w.propagation())
		defer cancel()
		if _, err := pim.WaitActivation(wctx, w.n01, req.RequestID, pim.ActivationRequest.IsProvisioned); err != nil {
			return err
		}
		if err := w.awaitData(w.n01, scope, action, true); err != nil {
			return err
		}
		return w.checkClientsActivated(group)
	}
}

// approveAs finds the approval among the approver's pending ones (it must be listed there) and approves.
func (w *scenarioWorld) approveAs(c *clients.Client, approvalID string) error {
	ctx := w.t.Context()
	deadline := time.Now().Add(w.propagation())
	for {
		pending, err := pim.MyPendingApprovals(ctx, c)
		if err != nil {
			return err
		}
		for _, p := range pending {
			if strings.EqualFold(p.Approval.ID, approvalID) {
				if !strings.EqualFold(p.Request.PrincipalID, w.n01ID) {
					return fmt.Errorf("the approval names requester %s, want n01 %s", p.Request.PrincipalID, w.n01ID)
				}
				return pim.DecideApproval(ctx, c, approvalID, pim.DecisionApprove, "approved by the acceptance test")
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("approval %s never appeared among the approver's %d pending approvals", approvalID, len(pending))
		}
		time.Sleep(time.Second)
	}
}

// checkActivationsEnd is assertion 5: once the activations end, the data actions are gone. Against the
// emulator the clock passes their end; against a tenant n01 deactivates once PIM allows it (5 minutes).
func (w *scenarioWorld) checkActivationsEnd(*terraform.State) error {
	ctx := w.t.Context()
	var clock interface{ AdvanceClock(time.Duration) }
	if !acctest.Live() {
		srv := acctest.Emulator(w.t)
		clock = srv
		if err := w.checkTokenOutlivesActivation(srv); err != nil {
			return err
		}
		srv.AdvanceClock(15 * time.Minute) // 1h05 after the approvals: the activations (PT1H) have ended
	} else {
		for _, g := range scenarioJITGroups {
			deadline := time.Now().Add(10 * time.Minute)
			for {
				_, err := pim.SelfDeactivate(ctx, w.n01, w.groups[g], pim.AccessMember)
				var tooNew *pim.ActivationTooNewError
				if err == nil || errors.Is(err, pim.ErrNotActive) {
					break
				}
				if !errors.As(err, &tooNew) || time.Now().After(deadline) {
					return fmt.Errorf("n01 deactivating %s: %w", g, err)
				}
				time.Sleep(15 * time.Second)
			}
		}
	}
	for _, g := range scenarioJITGroups {
		active, err := pim.AssignmentInstances(ctx, w.admin, w.groups[g], w.n01ID)
		if err != nil {
			return err
		}
		if len(active) != 0 {
			return fmt.Errorf("after the end n01 still holds %d active assignment(s) to %s", len(active), g)
		}
	}
	if err := w.awaitData(w.n01, w.cluster.NamespaceScope("kube-system"), rbac.ActionAKSSecretsRead, false); err != nil {
		return err
	}
	if err := w.awaitData(w.n01, w.nodeRG, rbac.ActionVMLogin, false); err != nil {
		return err
	}
	if err := w.awaitData(w.n01, w.cluster.NamespaceScope("kube-system"), rbac.ActionAKSPodsRead, true); err != nil {
		return err
	}
	return w.checkClientsAfterEnd(clock)
}

// awaitData waits (bounded by the propagation time) until ARM's permissions API, asked with c's own
// token, reports want for the data action at scope.
func (w *scenarioWorld) awaitData(c *clients.Client, scope, action string, want bool) error {
	ctx := w.t.Context()
	deadline := time.Now().Add(w.propagation())
	for {
		got, err := rbac.HasDataAction(ctx, c, scope, action)
		if err != nil {
			return err
		}
		if got == want {
			return nil
		}
		if time.Now().After(deadline) {
			who, _ := c.CallerObjectID(ctx)
			return fmt.Errorf("%s at %s: %s holds %s = %v, want %v", scope, action, who, action, got, want)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// checkPIMReset runs after the PIM objects were removed from the configuration: the eligibilities are
// gone and both member policies are back at Azure's defaults (through Graph).
func (w *scenarioWorld) checkPIMReset(*terraform.State) error {
	ctx := w.t.Context()
	for _, g := range scenarioJITGroups {
		if _, found, err := pim.FindEligibility(ctx, w.admin, pim.EligibilityKey{GroupID: w.groups[g], PrincipalID: w.groups["default"], AccessID: pim.AccessMember}); err != nil || found {
			return fmt.Errorf("eligibility of default for %s after its removal: found=%v err=%v", g, found, err)
		}
		ps, err := pim.ReadPolicy(ctx, w.admin, pim.PolicyKey{GroupID: w.groups[g], AccessID: pim.AccessMember})
		if err != nil {
			return err
		}
		if d := ps.Rules.Differing(pim.DefaultPolicy()); len(d) != 0 {
			return fmt.Errorf("%s's member policy still differs from Azure's defaults in %v after its removal", g, d)
		}
	}
	return nil
}

// checkNothingLeft is assertion 6, through the APIs: no group, no role assignment, no eligibility or
// activation; against the emulator also no policy left with a changed rule.
func (w *scenarioWorld) checkNothingLeft(*terraform.State) error {
	ctx := w.t.Context()
	for name, id := range w.groups {
		_, err := clients.Graph(w.admin).Groups().ByGroupId(id).Get(ctx, nil)
		if err == nil {
			return fmt.Errorf("group %s (%s) still exists", name, id)
		}
		if !clients.IsNotFound(err) {
			return err
		}
	}
	for key, id := range w.bindings {
		if _, err := w.admin.RoleAssignments.GetByID(ctx, id, nil); err == nil {
			return fmt.Errorf("role assignment %s (%s) still exists", key, id)
		} else if !clients.IsNotFound(err) {
			return err
		}
	}
	for _, g := range scenarioJITGroups {
		filter := fmt.Sprintf("groupId eq '%s'", w.groups[g])
		el, err := clients.Graph(w.admin).IdentityGovernance().PrivilegedAccess().Group().EligibilitySchedules().Get(ctx,
			&identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetRequestConfiguration{
				QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetQueryParameters{Filter: &filter},
			})
		if err != nil && !clients.IsNotFound(err) {
			return err
		}
		if err == nil && len(el.GetValue()) != 0 {
			return fmt.Errorf("%d eligibility schedule(s) for %s remain", len(el.GetValue()), g)
		}
		active, err := pim.AssignmentInstances(ctx, w.admin, w.groups[g], w.n01ID)
		if err != nil && !clients.IsNotFound(err) {
			return err
		}
		if len(active) != 0 {
			return fmt.Errorf("%d active assignment(s) to %s remain", len(active), g)
		}
	}
	if acctest.Live() {
		return nil // a deleted group's policy cannot be read; checkPIMReset checked the reset through Graph before
	}
	snap := acctest.Emulator(w.t).Snapshot()
	ours := map[string]bool{}
	for _, id := range w.groups {
		ours[strings.ToLower(id)] = true
	}
	for _, ps := range snap.PIM.Policies {
		if !ours[strings.ToLower(ps.GroupID)] {
			continue
		}
		var rules []models.UnifiedRoleManagementPolicyRuleable
		for id, raw := range ps.Rules {
			node, err := jsonserialization.NewJsonParseNode(raw)
			if err != nil {
				return fmt.Errorf("policy rule %s of group %s: %w", id, ps.GroupID, err)
			}
			v, err := node.GetObjectValue(models.CreateUnifiedRoleManagementPolicyRuleFromDiscriminatorValue)
			if err != nil {
				return fmt.Errorf("policy rule %s of group %s: %w", id, ps.GroupID, err)
			}
			if r, ok := v.(models.UnifiedRoleManagementPolicyRuleable); ok {
				rules = append(rules, r)
			}
		}
		got, err := pim.RulesFromGraph(rules)
		if err != nil {
			return fmt.Errorf("policy of group %s: %w", ps.GroupID, err)
		}
		if d := got.Differing(pim.DefaultPolicy()); len(d) != 0 {
			return fmt.Errorf("the %s policy of group %s was left with changed rules %v", ps.AccessID, ps.GroupID, d)
		}
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
