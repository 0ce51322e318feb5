package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// TestAccClusterAccessDataSource: a group with n01 as member and RBAC Reader at the cluster shows up in
// role_assignments (keyed by names, with the binding's ID), in groups (with n01) and in access (n01 reads
// the cluster, standing, through the group); a missing cluster is an error on cluster_id.
func TestAccClusterAccessDataSource(t *testing.T) {
	f := acctest.Fixture(t)
	name := acctest.RandomName("access")
	key := name + "/Azure Kubernetes Service RBAC Reader/cluster"
	cfg := groupAccProvider + groupHCL("g", name, fmt.Sprintf("members = [%q]", f.N01.ObjectID)) +
		clusterReaderHCL(f.ClusterID, "aks_pim_group.g.object_id") + fmt.Sprintf(`
data "aks_cluster_access" "this" {
  cluster_id = %[1]q
  depends_on = [aks_role_binding.b]
}

locals {
  n01_reads = [for a in data.aks_cluster_access.this.access : a if a.principal_id == %[2]q && a.family == "read" && a.where == "cluster" && a.standing && a.via == "member"]
}

output "n01_reads_through" {
  value = length(local.n01_reads) > 0 ? local.n01_reads[0].path[0] : ""
}
`, f.ClusterID, f.N01.ObjectID)
	missing := rbac.ResourceGroupID(f.SubscriptionID, "rg-nowhere") + "/providers/Microsoft.ContainerService/managedClusters/none"
	acctest.ParallelTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			acctest.ApplyFails(groupAccProvider+hclBlock("data", "aks_cluster_access", "missing", fmt.Sprintf("cluster_id = %q", missing)),
				`(?s)Unable to Read Cluster Access.*No AKS cluster was found`),
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.aks_cluster_access.this", tfjsonpath.New("role_assignments").AtMapKey(key).AtMapKey("principal_type"), knownvalue.StringExact("Group")),
					statecheck.CompareValuePairs("data.aks_cluster_access.this", tfjsonpath.New("role_assignments").AtMapKey(key).AtMapKey("id"),
						"aks_role_binding.b", tfjsonpath.New("id"), sameFold{}),
					acctest.Attr("data.aks_cluster_access.this", "groups."+name+".members",
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(f.N01.ObjectID)})),
					statecheck.ExpectKnownOutputValue("n01_reads_through", knownvalue.StringExact("member of "+name)),
				},
			},
		},
	})
}

// sameFold compares strings case-insensitively: ARM IDs keep the spelling they were written with
// (resourcegroups or resourceGroups), and either imports.
type sameFold struct{}

func (sameFold) CompareValues(values ...any) error {
	for _, v := range values[1:] {
		a, aok := values[0].(string)
		b, bok := v.(string)
		if !aok || !bok || !strings.EqualFold(a, b) {
			return fmt.Errorf("%v and %v differ", values[0], v)
		}
	}
	return nil
}
