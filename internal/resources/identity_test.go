package resources_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
)

// TestAccResourceIdentity: with a CLI that knows resource identity (Terraform >= 1.12, OpenTofu >= 1.12;
// skipped below), every resource stores its identity, equal to its state's attributes, and an import
// block with `identity = {...}` instead of `id` imports it back with no change. make test runs it under
// OpenTofu 1.12.6; the protocol-level test (TestIdentityOverTheProtocol) covers every CLI version.
func TestAccResourceIdentity(t *testing.T) {
	acctest.GrantPIMAdministration(t)
	f := acctest.Fixture(t)
	name := acctest.RandomName("ident")
	end := time.Now().UTC().Add(30 * 24 * time.Hour).Truncate(time.Hour).Format(time.RFC3339)
	cfg := groupAccProvider + groupHCL("target", name+"-target") + groupHCL("eligible", name+"-eligible") +
		clusterReaderHCL(f.ClusterID, "aks_pim_group.target.object_id") + fmt.Sprintf(`
resource "aks_pim_approval_policy" "p" {
  group_id         = aks_pim_group.target.object_id
  require_approval = true
  approvers        = { groups = [aks_pim_group.eligible.object_id] }
}

resource "aks_pim_eligibility" "e" {
  group_id      = aks_pim_group.target.object_id
  principal_id  = aks_pim_group.eligible.object_id
  end_date_time = %[3]q
  justification = "identity test"
  depends_on    = [aks_pim_approval_policy.p]
}

resource "aks_pim_role_policy" "rp" {
  cluster_id       = %[2]q
  scope_kind       = "namespace"
  namespace        = "%[1]s"
  role             = "Azure Kubernetes Service RBAC Reader"
  require_approval = true
  approvers        = { groups = [aks_pim_group.eligible.object_id] }
}
`, name, f.ClusterID, end)
	same := func(addr string, attrs ...string) []statecheck.StateCheck {
		var checks []statecheck.StateCheck
		for _, a := range attrs {
			checks = append(checks, statecheck.ExpectIdentityValueMatchesState(addr, acctest.Path(a)))
		}
		return checks
	}
	var checks []statecheck.StateCheck
	checks = append(checks, same("aks_pim_group.target", "object_id")...)
	checks = append(checks, same("aks_role_binding.b", "id")...)
	checks = append(checks, same("aks_pim_approval_policy.p", "group_id", "access_id")...)
	checks = append(checks, same("aks_pim_eligibility.e", "group_id", "principal_id", "access_id")...)
	checks = append(checks, same("aks_pim_role_policy.rp", "id")...)
	checks = append(checks, statecheck.ExpectIdentity("aks_pim_eligibility.e", map[string]knownvalue.Check{
		"group_id": knownvalue.NotNull(), "principal_id": knownvalue.NotNull(), "access_id": knownvalue.StringExact("member"),
	}))
	steps := []resource.TestStep{{Config: cfg, ConfigStateChecks: checks}}
	for _, addr := range []string{"aks_pim_group.target", "aks_role_binding.b", "aks_pim_approval_policy.p", "aks_pim_eligibility.e", "aks_pim_role_policy.rp"} {
		steps = append(steps, resource.TestStep{
			Config: cfg, ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity,
		})
	}
	acctest.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps:                  steps,
	})
}
