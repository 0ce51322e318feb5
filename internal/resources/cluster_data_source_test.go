package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

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
			acctest.Attr(addr, "node_resource_group_name", knownvalue.StringExact(f.NodeResourceGroup)),
			acctest.Attr(addr, "node_resource_group_id", knownvalue.StringExact(rbac.ResourceGroupID(f.SubscriptionID, f.NodeResourceGroup))),
			acctest.Attr(addr, "node_pools", knownvalue.ListExact(pools)),
			acctest.Attr(addr, "aad_managed", knownvalue.Bool(true)),
			acctest.Attr(addr, "azure_rbac_enabled", knownvalue.Bool(true)),
			acctest.Attr(addr, "tenant_id", knownvalue.StringExact(f.TenantID)),
			acctest.Attr(addr, "location", knownvalue.NotNull()),
			acctest.Attr(addr, "local_accounts_disabled", knownvalue.NotNull()),
			acctest.Attr(addr, "scopes", knownvalue.ObjectExact(map[string]knownvalue.Check{
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
		acctest.Attr("data.aks_cluster.by_id", "id", knownvalue.StringExact(f.ClusterID)),
		acctest.Attr("data.aks_cluster.by_name", "id", knownvalue.StringExact(cluster.String())),
		acctest.Attr("data.aks_cluster.by_id", "name", knownvalue.StringExact(cluster.Name)),
		acctest.Attr("data.aks_cluster.by_id", "resource_group_name", knownvalue.StringExact(cluster.ResourceGroup)),
		acctest.Attr("aks_role_binding.ns", "scope_kind", knownvalue.StringExact("namespace")),
	)
	acctest.ParallelTest(t, resource.TestCase{
		// Error steps first: the post-test destroy uses the last configuration, which must be valid.
		Steps: []resource.TestStep{
			acctest.ApplyFails(groupAccProvider+hclBlock("data", "aks_cluster", "missing",
				fmt.Sprintf("id = %q", strings.Replace(f.ClusterID, "/managedClusters/", "/managedClusters/gone-", 1))),
				`(?s)Unable to Read AKS Cluster.*No AKS cluster was found when looking it up by ID`),
			acctest.ApplyFails(groupAccProvider+hclBlock("data", "aks_cluster", "missing", `name = "gone"`, fmt.Sprintf("resource_group_name = %q", cluster.ResourceGroup)),
				`(?s)No AKS cluster was found when looking it up by name "gone" in resource group`),
			acctest.ApplyFails(groupAccProvider+hclBlock("data", "aks_cluster", "bad", `name = "only-a-name"`), `resource_group_name`),
			{
				Config: groupAccProvider + hclBlock("data", "aks_cluster", "by_id", fmt.Sprintf("id = %q", f.ClusterID)) +
					hclBlock("data", "aks_cluster", "by_name", fmt.Sprintf("name = %q", cluster.Name), fmt.Sprintf("resource_group_name = %q", cluster.ResourceGroup)) +
					groupHCL("g", acctest.RandomName("ds")) +
					bindingHCL("ns", "aks_pim_group.g.object_id", `scope = format(data.aks_cluster.by_id.scopes.namespace_template, "payments")`,
						`role = "Azure Kubernetes Service RBAC Reader"`),
				ConfigStateChecks: checks,
			},
		},
	})
}
