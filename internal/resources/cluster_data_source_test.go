package resources_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// TestAccClusterDataSource: the facts and ready-made scopes of the emulator's cluster, looked up by ID and
// by name; the scopes feed role bindings directly; a missing cluster is an error naming what was
// looked up.
func TestAccClusterDataSource(t *testing.T) {
	f := acctest.Fixture(t)
	cluster, err := rbac.ParseClusterID(f.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	var pools []knownvalue.Check
	poolScopes := map[string]knownvalue.Check{}
	for _, p := range f.NodePools {
		pools = append(pools, knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"name": knownvalue.StringExact(p),
			"id":   knownvalue.StringExact(cluster.AgentPoolID(p)),
		}))
		poolScopes[p] = knownvalue.StringExact(cluster.AgentPoolID(p))
	}
	facts := func(addr string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("node_resource_group_name"), knownvalue.StringExact(f.NodeResourceGroup)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("node_resource_group_id"), knownvalue.StringExact(rbac.ResourceGroupID(f.SubscriptionID, f.NodeResourceGroup))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("node_pools"), knownvalue.ListExact(pools)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("aad_managed"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("azure_rbac_enabled"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("tenant_id"), knownvalue.StringExact(f.TenantID)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("location"), knownvalue.NotNull()),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("local_accounts_disabled"), knownvalue.NotNull()),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("scopes"), knownvalue.ObjectExact(map[string]knownvalue.Check{
				"cluster":             knownvalue.StringExact(cluster.String()),
				"resource_group":      knownvalue.StringExact(cluster.ResourceGroupID()),
				"node_resource_group": knownvalue.StringExact(rbac.ResourceGroupID(f.SubscriptionID, f.NodeResourceGroup)),
				"node_pools":          knownvalue.MapExact(poolScopes),
				"namespace_template":  knownvalue.StringExact(cluster.String() + "/namespaces/%s"),
			})),
		}
	}
	checks := append(facts("data.aks_cluster.by_id"), facts("data.aks_cluster.by_name")...)
	checks = append(checks,
		// The inputs stay as written.
		statecheck.ExpectKnownValue("data.aks_cluster.by_id", tfjsonpath.New("id"), knownvalue.StringExact(f.ClusterID)),
		statecheck.ExpectKnownValue("data.aks_cluster.by_name", tfjsonpath.New("id"), knownvalue.StringExact(cluster.String())),
		statecheck.ExpectKnownValue("data.aks_cluster.by_id", tfjsonpath.New("name"), knownvalue.StringExact(cluster.Name)),
		statecheck.ExpectKnownValue("data.aks_cluster.by_id", tfjsonpath.New("resource_group_name"), knownvalue.StringExact(cluster.ResourceGroup)),
		statecheck.ExpectKnownValue("aks_role_binding.ns", tfjsonpath.New("scope_kind"), knownvalue.StringExact("namespace")),
	)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// Error steps first: the post-test destroy uses the last configuration, which must be valid.
		Steps: []resource.TestStep{
			{
				Config: groupAccProvider + fmt.Sprintf(`
data "aks_cluster" "missing" {
  id = %q
}`, strings.Replace(f.ClusterID, "/managedClusters/", "/managedClusters/gone-", 1)),
				ExpectError: regexp.MustCompile(`(?s)Unable to Read AKS Cluster.*No AKS cluster was found when looking it up by ID`),
			},
			{
				Config: groupAccProvider + fmt.Sprintf(`
data "aks_cluster" "missing" {
  name                = "gone"
  resource_group_name = %q
}`, cluster.ResourceGroup),
				ExpectError: regexp.MustCompile(`(?s)No AKS cluster was found when looking it up by name "gone" in resource group`),
			},
			{
				Config: groupAccProvider + `
data "aks_cluster" "bad" {
  name = "only-a-name"
}`,
				ExpectError: regexp.MustCompile(`resource_group_name`),
			},
			{
				Config: groupAccProvider + fmt.Sprintf(`
data "aks_cluster" "by_id" {
  id = %q
}

data "aks_cluster" "by_name" {
  name                = %q
  resource_group_name = %q
}

resource "aks_pim_group" "g" {
  display_name = %q
}

resource "aks_role_binding" "ns" {
  scope        = format(data.aks_cluster.by_id.scopes.namespace_template, "payments")
  role         = "Azure Kubernetes Service RBAC Reader"
  principal_id = aks_pim_group.g.object_id
}
`, f.ClusterID, cluster.Name, cluster.ResourceGroup, acctest.RandomName("ds")),
				ConfigStateChecks: checks,
			},
		},
	})
}
