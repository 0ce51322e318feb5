package acctest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
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

// scenarioModuleSource is how examples/scenario refers to the module.
const scenarioModuleSource = `"../modules/aks-pim-access"`

// scenarioConfig is examples/scenario exactly as `make demo` applies it, with the module's relative
// source replaced by its absolute path (terraform-plugin-testing runs the configuration from a temporary
// directory; Terraform copies an absolute-path module like a remote one, offline).
func scenarioConfig(t *testing.T) string {
	t.Helper()
	root, err := tfrun.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, name := range []string{"main.tf", "variables.tf", "outputs.tf"} {
		data, err := os.ReadFile(filepath.Join(root, "examples", "scenario", name))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteString("\n")
	}
	cfg := b.String()
	if !strings.Contains(cfg, scenarioModuleSource) {
		t.Fatalf("examples/scenario no longer uses the module through %s", scenarioModuleSource)
	}
	abs := filepath.Join(root, "examples", "modules", "aks-pim-access")
	return strings.Replace(cfg, scenarioModuleSource, fmt.Sprintf("%q", abs), 1)
}

// plainResourcesConfig is examples/scenario/plain-resources/main.tf, the guide's plain-resource version.
func plainResourcesConfig(t *testing.T) string {
	t.Helper()
	root, err := tfrun.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "examples", "scenario", "plain-resources", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The module's resources, by address, and how the test finds each import ID.
var (
	scenarioGroups       = []string{"default", "admin", "approver", "node-access"}
	scenarioJITGroups    = []string{"admin", "node-access"}
	scenarioBindingRoles = map[string]struct{ group, role, scopeKind string }{
		"default-rbac-reader":         {"default", "Azure Kubernetes Service RBAC Reader", "cluster"},
		"default-rg-reader":           {"default", "Reader", "resource_group"},
		"default-cluster-user":        {"default", "Azure Kubernetes Service Cluster User Role", "cluster"},
		"admin-rbac-admin":            {"admin", "Azure Kubernetes Service RBAC Admin", "cluster"},
		"admin-node-pool-contributor": {"admin", "Contributor", "node_pool"},
		"node-access-login":           {"node-access", "Virtual Machine User Login", "node_resource_group"},
	}
)

// TestAccScenario is the end-to-end test of SCENARIO.md through Terraform: examples/scenario (the
// module) is applied; the plan after it is empty; the objects exist in Graph and ARM as the how-to
// describes; n01 and p01 act the scenario out with their own tokens (the six assertions); every
// resource imports back (an import block against the configuration plans no change); and destroy leaves
// nothing behind, checked through the APIs.
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
	cfg := scenarioConfig(t)

	steps := []resource.TestStep{{
		Config:          cfg,
		ConfigVariables: vars,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: resource.ComposeTestCheckFunc(
			w.captureOutputs,
			w.checkObjectsInAzure,            // assertion 1 (through the APIs, not state)
			w.checkStandingAccess,            // assertion 2
			w.checkActivation("admin"),       // assertion 3
			w.checkActivation("node-access"), // assertion 4
			w.checkActivationsEnd,            // assertion 5
		),
	}}
	// Every resource of the module imports back: an import block for it plans a no-op against the
	// same configuration in a fresh working directory.
	importStep := func(address string, id func() string) resource.TestStep {
		return resource.TestStep{
			Config:            cfg,
			ConfigVariables:   vars,
			ResourceName:      address,
			ImportState:       true,
			ImportStateKind:   resource.ImportBlockWithID,
			ImportStateIdFunc: func(*terraform.State) (string, error) { return id(), nil },
		}
	}
	for _, g := range scenarioGroups {
		steps = append(steps, importStep(fmt.Sprintf(`module.aks_pim_access.aks_pim_group.this[%q]`, g), func() string { return w.groups[g] }))
	}
	for key := range scenarioBindingRoles {
		steps = append(steps, importStep(fmt.Sprintf(`module.aks_pim_access.aks_role_binding.this[%q]`, key), func() string { return w.bindings[key] }))
	}
	for _, g := range scenarioJITGroups {
		steps = append(steps,
			importStep(fmt.Sprintf(`module.aks_pim_access.aks_pim_approval_policy.this[%q]`, g), func() string { return w.groups[g] + "/member" }),
			importStep(fmt.Sprintf(`module.aks_pim_access.aks_pim_eligibility.this[%q]`, g), func() string { return w.eligibilities[g] }),
		)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		CheckDestroy:             w.checkNothingLeft,
		Steps:                    steps,
	})
}

// TestAccScenarioPlainResources applies the guide's plain-resource version of the scenario, imports every
// resource with `terraform import` and compares the imported state attribute by attribute, then removes
// the PIM objects first and checks through Graph that the policies are back at Azure's defaults and the
// eligibilities gone, before the final destroy removes groups and role assignments.
func TestAccScenarioPlainResources(t *testing.T) {
	f := acctest.Fixture(t)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", scenarioProviderNamespace)
	w := newScenarioWorld(t, f)
	vars := config.Variables{
		"cluster_id":  config.StringVariable(f.ClusterID),
		"n01_upn":     config.StringVariable(f.N01.UPN),
		"p01_upn":     config.StringVariable(f.P01.UPN),
		"name_prefix": config.StringVariable(acctest.RandomName("plain")),
	}
	cfg := plainResourcesConfig(t)
	// The same configuration without the PIM objects (policies and eligibilities).
	withoutPIM := scenarioWithoutPIM(t, cfg)

	steps := []resource.TestStep{{
		Config:          cfg,
		ConfigVariables: vars,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: resource.ComposeTestCheckFunc(w.capturePlainOutputs, w.checkObjectsInAzure),
	}}
	for _, address := range []string{
		"aks_pim_group.default", "aks_pim_group.admin", "aks_pim_group.approver", "aks_pim_group.node_access",
		"aks_role_binding.default_rbac_reader", "aks_role_binding.default_reader", "aks_role_binding.default_cluster_user",
		"aks_role_binding.admin_rbac_admin", "aks_role_binding.node_access_login",
		"aks_pim_approval_policy.admin", "aks_pim_approval_policy.node_access",
		"aks_pim_eligibility.admin", "aks_pim_eligibility.node_access",
	} {
		steps = append(steps, resource.TestStep{
			Config:            cfg,
			ConfigVariables:   vars,
			ResourceName:      address,
			ImportState:       true,
			ImportStateVerify: true,
			// Not readable from Azure, by design of the resources: timeouts are configuration only; an
			// eligibility's schedule is read back as start and end, so which of duration / end_date_time
			// the configuration used, and the request's justification, live only in configuration.
			ImportStateVerifyIgnore: []string{"timeouts", "duration", "justification", "policy_eligible_assignment"},
		})
	}
	steps = append(steps, resource.TestStep{
		Config:          withoutPIM,
		ConfigVariables: vars,
		Check:           w.checkPIMReset,
	})

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		CheckDestroy:             w.checkNothingLeft,
		Steps:                    steps,
	})
}

// scenarioWithoutPIM drops the aks_pim_approval_policy and aks_pim_eligibility blocks from the plain
// configuration (each is a top-level block ending with a closing brace at column 0).
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
	if strings.Contains(res, "aks_pim_eligibility") || strings.Contains(res, `"aks_pim_approval_policy"`) {
		t.Fatal("could not remove the PIM blocks from the plain configuration")
	}
	return res
}
