package acctest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// TestMain starts the emulator for the acceptance tests of this package (TF_ACC=1), or uses the live
// tenant (AKS_ACC_LIVE=1). The scenario advances the emulator's clock, so it has an emulator of its own
// rather than sharing the one of internal/resources.
func TestMain(m *testing.M) { acctest.Main(m) }

// The scenario's configuration names the provider by its registry address (aks-pim/aks), as users
// write it; terraform-plugin-testing serves the in-process provider under this namespace.
const scenarioProviderNamespace = "aks-pim"

// scenarioConfig is examples/<example>/plain-resources/main.tf: a scenario (examples/scenario, or
// examples/scenario-roles without groups) with one block per object, as the guide shows it.
//
// Why not examples/scenario (the module) here: terraform-plugin-testing v1.16 initialises a step's
// working directory with a provider-only configuration, so it never installs a child module, and its
// state shim rejects for_each instances ("for_each is not supported"), which the module uses. The module
// is covered by its own `terraform test` files (make test-module) and by make demo, which applies
// examples/scenario itself.
func scenarioConfig(t *testing.T, example string) string {
	t.Helper()
	root, err := tfrun.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "examples", example, "plain-resources", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// scenarioWithoutPIM drops the aks_pim_approval_policy and aks_pim_eligibility blocks from the
// configuration (each a top-level block closed by a brace at column 0).
func scenarioWithoutPIM(t *testing.T, cfg string) string {
	t.Helper()
	var out []string
	skipping := false
	for _, line := range strings.Split(cfg, "\n") {
		if strings.HasPrefix(line, `resource "aks_pim_approval_policy"`) || strings.HasPrefix(line, `resource "aks_pim_eligibility"`) {
			skipping = true
		}
		if !skipping {
			out = append(out, line)
		}
		if skipping && line == "}" {
			skipping = false
		}
	}
	res := strings.Join(out, "\n")
	if strings.Contains(res, `resource "aks_pim_eligibility"`) || strings.Contains(res, `resource "aks_pim_approval_policy"`) {
		t.Fatal("could not remove the PIM blocks from the scenario configuration")
	}
	return res
}

// The scenario's groups and role bindings (by the keys the checks use).
var (
	scenarioGroups       = []string{"default", "admin", "approver", "node-access"}
	scenarioJITGroups    = []string{"admin", "node-access"}
	scenarioBindingRoles = map[string]struct{ group, role, scopeKind, address string }{
		"default-rbac-reader":  {"default", "Azure Kubernetes Service RBAC Reader", "cluster", "aks_role_binding.default_rbac_reader"},
		"default-rg-reader":    {"default", "Reader", "resource_group", "aks_role_binding.default_reader"},
		"default-cluster-user": {"default", "Azure Kubernetes Service Cluster User Role", "cluster", "aks_role_binding.default_cluster_user"},
		"admin-rbac-admin":     {"admin", "Azure Kubernetes Service RBAC Admin", "cluster", "aks_role_binding.admin_rbac_admin"},
		"node-access-login":    {"node-access", "Virtual Machine User Login", "node_resource_group", "aks_role_binding.node_access_login"},
	}
	scenarioResources = []string{
		"aks_pim_group.default", "aks_pim_group.admin", "aks_pim_group.approver", "aks_pim_group.node_access",
		"aks_role_binding.default_rbac_reader", "aks_role_binding.default_reader", "aks_role_binding.default_cluster_user",
		"aks_role_binding.admin_rbac_admin", "aks_role_binding.node_access_login",
		"aks_pim_approval_policy.admin", "aks_pim_approval_policy.node_access",
		"aks_pim_eligibility.admin", "aks_pim_eligibility.node_access",
	}
)

// TestAccScenario is the end-to-end test of SCENARIO.md through Terraform (its six assertions):
//
//  1. the scenario applies (groups, memberships, role bindings, eligibilities, approval policies), the
//     next plan is empty, the objects are in Graph and ARM as the how-to describes, and every resource
//     imports back to the same state;
//  2. as n01: pods readable at the cluster, secrets not;
//  3. as n01: a self-activation of admin waits for approval, n01 cannot approve it, p01 can, and then n01
//     reads secrets;
//  4. the same on node-access, with the VM login data action at the node resource group;
//  5. when the activations end, those permissions are gone;
//  6. destroy leaves nothing: the PIM objects are removed first and the policies checked back at Azure's
//     defaults through Graph; then no group, role assignment, eligibility or activation remains.
//
// Assertions 2 to 5 are judged twice: through ARM's permissions API, and with the commands a user types
// (SCENARIO.md items 7 to 11, scenario_dataplane_test.go): the real kubectl with each user's kubeconfig
// (listClusterUserCredential, the pinned kubelogin, a token cache per user), and against the emulator
// the real ssh to a node, including the tokens' lifetime on the emulator clock.
//
// Every check reads Graph and ARM with the admin's or the users' own tokens, never Terraform's state.
func TestAccScenario(t *testing.T) {
	f := acctest.Fixture(t)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", scenarioProviderNamespace)
	w := newScenarioWorld(t, f)
	vars := config.Variables{
		"cluster_id":  config.StringVariable(f.ClusterID),
		"n01_upn":     config.StringVariable(f.N01.UPN),
		"p01_upn":     config.StringVariable(f.P01.UPN),
		"name_prefix": config.StringVariable(acctest.RandomName("scn")),
	}
	cfg := scenarioConfig(t, "scenario")

	steps := []resource.TestStep{scenarioApplyStep(cfg, vars,
		w.captureIDs,
		w.checkObjectsInAzure,            // assertion 1
		w.setUpTerminals,                 // the users' kubeconfig, kubectl and ssh
		w.checkStandingAccess,            // assertion 2
		w.checkActivation("admin"),       // assertion 3
		w.checkActivation("node-access"), // assertion 4
		w.checkActivationsEnd,            // assertion 5
	)}
	// A refresh first: creating the eligibilities onboarded admin and node-access to PIM after their
	// aks_pim_group was read, so the groups' computed pim_onboarded is stale until the next refresh.
	steps = append(steps, resource.TestStep{RefreshState: true})
	for _, address := range scenarioResources {
		// `terraform import` reads back what the apply wrote, and an import block plans no change.
		steps = append(steps, scenarioImportStep(cfg, vars, address), scenarioImportBlockStep(cfg, vars, address))
	}
	steps = append(steps, resource.TestStep{
		Config:          scenarioWithoutPIM(t, cfg),
		ConfigVariables: vars,
		Check:           w.checkPIMReset,
	})

	acctest.Test(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		CheckDestroy:           w.checkNothingLeft,
		Steps:                  steps,
	})
}

// scenarioApplyStep applies cfg with vars, runs checks (which read Azure, not state) and expects the
// plan after the apply and a refresh to be empty.
func scenarioApplyStep(cfg string, vars config.Variables, checks ...resource.TestCheckFunc) resource.TestStep {
	return resource.TestStep{
		Config:          cfg,
		ConfigVariables: vars,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: resource.ComposeTestCheckFunc(checks...),
	}
}

// scenarioImportStep runs `terraform import` of address and compares what it reads back with what the
// apply wrote, attribute by attribute, except the configuration-only attributes, which no read of Azure
// can return: of an eligibility, how the schedule was written (Azure reports its start and end, not
// whether the configuration said duration or end_date_time) and the policy wired in for plan-time
// checks; of a binding, eligibility or policy with an explicit scope, the cluster inputs an import
// derives from the scope for configurations that use cluster_id (the plan keeps them).
func scenarioImportStep(cfg string, vars config.Variables, address string) resource.TestStep {
	step := acctest.ImportVerify(address, "", "duration", "end_date_time", "policy_eligible_assignment",
		"cluster_id", "scope_kind", "node_pool", "namespace")
	step.Config, step.ConfigVariables = cfg, vars
	return step
}

// scenarioImportBlockStep imports address with an import block into the configuration and expects a
// no-op plan. An eligibility is the exception: the form its schedule was written in (a duration rather
// than the end date Azure reports) cannot be read back, so importing it plans an in-place update of that
// form, which sends no request, never a replacement or a second eligibility.
func scenarioImportBlockStep(cfg string, vars config.Variables, address string) resource.TestStep {
	step := acctest.ImportBlock(cfg, address)
	step.ConfigVariables = vars
	if strings.HasPrefix(address, "aks_pim_eligibility.") {
		step.ExpectNonEmptyPlan = true
		step.ImportPlanChecks = resource.ImportPlanChecks{PreApply: acctest.PlansUpdate(address).PreApply}
	}
	return step
}
