package acctest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/aks-pim/terraform-provider-aks/internal/access"
	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// The group-less scenario's resources: n01's everyday roles, the policies of the privileged roles and
// n01's eligibilities for them (examples/scenario-roles/plain-resources/main.tf).
var (
	roleScenarioBindings      = []string{"aks_role_binding.n01_rbac_reader", "aks_role_binding.n01_reader", "aks_role_binding.n01_cluster_user"}
	roleScenarioPolicies      = []string{"aks_pim_role_policy.admin", "aks_pim_role_policy.node_access"}
	roleScenarioEligibilities = []string{"aks_pim_role_eligibility.n01_admin", "aks_pim_role_eligibility.n01_node_access"}
)

// roleScenarioWorld is what the group-less checks capture from the state: the eligible targets and the
// role assignment IDs of the standing bindings.
type roleScenarioWorld struct {
	*scenarioWorld
	targets  map[string]armpim.Target // eligibility address -> scope, role, n01
	bindings []string
	// eligibleFamilies are the families the audit said n01 could activate (scenario_roles_audit_test.go).
	eligibleFamilies []access.Family
}

// TestAccScenarioWithoutGroups is SCENARIO.md's access granted through PIM for Azure resources instead of
// groups (issue 15 item 7), judged through ARM with each user's own token:
//
//  1. the configuration applies, the next plan is empty, the role policies require p01's approval and n01
//     is eligible for the roles at their scopes; every resource imports back to the same state;
//  2. n01 reads pods, not secrets, and cannot log in to nodes;
//  3. n01's activation of each role waits for approval, n01 cannot approve it, p01 does, and the role's
//     data actions are n01's;
//  4. when the activations end, those permissions are gone (pods stay);
//  5. destroy leaves no eligibility, no standing binding, and the policies at Azure's defaults.
//
// Between 2 and 3 the audit (aks_cluster_access) names n01's eligible roles, and the real kubectl and ssh
// refuse them; after 3 they allow them and the audit calls them standing (scenario_roles_audit_test.go).
func TestAccScenarioWithoutGroups(t *testing.T) {
	f := acctest.Fixture(t)
	acctest.GrantPIMAdministration(t)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", scenarioProviderNamespace)
	w := &roleScenarioWorld{scenarioWorld: newScenarioWorld(t, f), targets: map[string]armpim.Target{}}
	cfg := scenarioConfig(t, "scenario-roles") + roleAuditConfig
	vars := config.Variables{
		"cluster_id": config.StringVariable(f.ClusterID),
		"n01_upn":    config.StringVariable(f.N01.UPN),
		"p01_upn":    config.StringVariable(f.P01.UPN),
	}
	steps := []resource.TestStep{scenarioApplyStep(cfg, vars,
		w.capture,
		w.checkRoleObjects,  // 1
		w.checkRoleStanding, // 2
		w.setUpTerminals,
		w.checkRoleAudit, // the audit, and the data plane refusing what it calls eligible
		w.checkRoleActivation("aks_pim_role_eligibility.n01_admin", rbac.ActionAKSSecretsRead), // 3
		w.checkRoleActivation("aks_pim_role_eligibility.n01_node_access", rbac.ActionVMLogin),
		w.checkRoleAuditAfterActivation, // the data plane allowing it after the activations
		w.checkRoleActivationsEnd,       // 4
	)}
	for _, address := range append(append(append([]string{}, roleScenarioBindings...), roleScenarioPolicies...), roleScenarioEligibilities...) {
		steps = append(steps, scenarioImportStep(cfg, vars, address))
	}
	acctest.Test(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		CheckDestroy:           w.checkRoleNothingLeft, // 5
		Steps:                  steps,
	})
}

func (w *roleScenarioWorld) capture(s *terraform.State) error {
	for _, address := range roleScenarioEligibilities {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s not in state", address)
		}
		w.targets[address] = armpim.Target{Scope: rs.Primary.Attributes["scope"], RoleDefinitionID: rs.Primary.Attributes["role_definition_id"], PrincipalID: w.n01ID}
	}
	for _, address := range roleScenarioBindings {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s not in state", address)
		}
		w.bindings = append(w.bindings, rs.Primary.ID)
	}
	return nil
}

// checkRoleObjects reads the policies and eligibilities back from ARM.
func (w *roleScenarioWorld) checkRoleObjects(*terraform.State) error {
	ctx := w.t.Context()
	for _, address := range roleScenarioEligibilities {
		t := w.targets[address]
		if _, found, err := armpim.Find(ctx, w.admin, armpim.Eligible, t); err != nil || !found {
			return fmt.Errorf("%s: n01's eligibility for %s at %s: found=%v err=%v", address, t.RoleDefinitionID, t.Scope, found, err)
		}
		st, err := armpim.ReadPolicy(ctx, w.admin, armpim.PolicyKey{Scope: t.Scope, RoleDefinitionID: t.RoleDefinitionID})
		if err != nil {
			return err
		}
		p := st.Rules.Policy()
		if !p.Approval.Required || len(p.Approval.ApproverUsers) != 1 || !strings.EqualFold(p.Approval.ApproverUsers[0], w.p01ID) || !p.Activation.RequireJustification {
			return fmt.Errorf("the policy of %s at %s does not require p01's approval and a justification: %+v", t.RoleDefinitionID, t.Scope, p.Approval)
		}
	}
	return nil
}

func (w *roleScenarioWorld) checkRoleStanding(*terraform.State) error {
	if err := w.awaitData(w.n01, w.cluster.NamespaceScope("kube-system"), rbac.ActionAKSPodsRead, true); err != nil {
		return err
	}
	if err := w.awaitData(w.n01, w.cluster.NamespaceScope("kube-system"), rbac.ActionAKSSecretsRead, false); err != nil {
		return err
	}
	return w.awaitData(w.n01, w.nodeRG, rbac.ActionVMLogin, false)
}

// checkRoleActivation: n01 activates the role of the eligibility at address, which waits for p01's
// approval; n01 cannot approve it; after p01's approval n01 holds action at the scope.
func (w *roleScenarioWorld) checkRoleActivation(address, action string) func(*terraform.State) error {
	return func(*terraform.State) error {
		ctx := w.t.Context()
		t := w.targets[address]
		req, err := armpim.SelfActivate(ctx, w.n01, armpim.ActivationSpec{Scope: t.Scope, RoleDefinitionID: t.RoleDefinitionID,
			Duration: pim.DurationOf(time.Hour), Justification: "acceptance test of the scenario without groups"})
		if err != nil {
			return fmt.Errorf("n01 activating %s: %w", address, err)
		}
		if !req.IsPendingApproval() {
			return fmt.Errorf("n01's activation of %s is %s, want PendingApproval", address, req.Status)
		}
		var na *pim.NotApproverError
		if err := armpim.Decide(ctx, w.n01, req.ApprovalID, pim.DecisionApprove, "self"); !errors.As(err, &na) {
			return fmt.Errorf("n01 approving its own activation of %s: %v, want a refusal", address, err)
		}
		if err := armpim.Decide(ctx, w.p01, req.ApprovalID, pim.DecisionApprove, "approved"); err != nil {
			return fmt.Errorf("p01 approving %s: %w", address, err)
		}
		if _, err := armpim.WaitActivation(ctx, w.n01, req.RequestID, armpim.Activation.IsProvisioned); err != nil {
			return err
		}
		return w.awaitData(w.n01, t.Scope, action, true)
	}
}

// checkRoleActivationsEnd ends the activations (the emulator's clock past them, or n01 deactivating
// against a tenant) and checks the permissions went with them.
func (w *roleScenarioWorld) checkRoleActivationsEnd(*terraform.State) error {
	if !acctest.Live() {
		acctest.Emulator(w.t).AdvanceClock(time.Hour + 5*time.Minute)
	} else {
		for _, address := range roleScenarioEligibilities {
			t := w.targets[address]
			deadline := time.Now().Add(10 * time.Minute)
			for {
				err := armpim.SelfDeactivate(w.t.Context(), w.n01, t.Scope, t.RoleDefinitionID)
				if err == nil || errors.Is(err, armpim.ErrNotActive) {
					break
				}
				if !errors.Is(err, armpim.ErrTooNew) || time.Now().After(deadline) {
					return fmt.Errorf("n01 deactivating %s: %w", address, err)
				}
				time.Sleep(15 * time.Second)
			}
		}
	}
	if err := w.awaitData(w.n01, w.cluster.NamespaceScope("kube-system"), rbac.ActionAKSSecretsRead, false); err != nil {
		return err
	}
	if err := w.awaitData(w.n01, w.nodeRG, rbac.ActionVMLogin, false); err != nil {
		return err
	}
	return w.awaitData(w.n01, w.cluster.NamespaceScope("kube-system"), rbac.ActionAKSPodsRead, true)
}

// checkRoleNothingLeft: no eligibility, no standing binding, every policy back at Azure's defaults.
func (w *roleScenarioWorld) checkRoleNothingLeft(*terraform.State) error {
	ctx := w.t.Context()
	for _, address := range roleScenarioEligibilities {
		t := w.targets[address]
		if _, found, err := armpim.Find(ctx, w.admin, armpim.Eligible, t); err != nil || found {
			return fmt.Errorf("%s after destroy: found=%v err=%v", address, found, err)
		}
		st, err := armpim.ReadPolicy(ctx, w.admin, armpim.PolicyKey{Scope: t.Scope, RoleDefinitionID: t.RoleDefinitionID})
		if err != nil {
			return err
		}
		// Azure's default for the role is what the same role's policy says at a scope the scenario never
		// touches (the cluster's resource group): package pim's defaults are not Azure's under every
		// variant (armpim.activation-mfa=on adds MFA to activation).
		ref, err := armpim.ReadPolicy(ctx, w.admin, armpim.PolicyKey{Scope: w.untouchedScope(), RoleDefinitionID: t.RoleDefinitionID})
		if err != nil {
			return err
		}
		if d := st.Rules.Differing(ref.Rules.Policy()); len(d) > 0 {
			return fmt.Errorf("the policy of %s at %s is not reset: rules %v differ from the defaults", t.RoleDefinitionID, t.Scope, d)
		}
	}
	for _, id := range w.bindings {
		if _, err := rbac.GetAssignment(ctx, w.admin, id); !rbac.IsAssignmentGone(err) {
			return fmt.Errorf("role assignment %s after destroy: %v", id, err)
		}
	}
	return nil
}

// untouchedScope is the resource group of the cluster, where the scenario sets no policy.
func (w *roleScenarioWorld) untouchedScope() string {
	id := w.targets[roleScenarioEligibilities[0]].Scope
	if i := strings.Index(strings.ToLower(id), "/providers/microsoft.containerservice/"); i > 0 {
		return id[:i]
	}
	return id
}
