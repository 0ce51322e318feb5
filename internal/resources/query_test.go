package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// TestAccQuery: `terraform query` (Terraform >= 1.14; skipped below, and under OpenTofu, which has no
// query) lists the groups by prefix, a principal's role bindings at the cluster and a group's
// eligibilities, each with the identity an import block takes. The objects are made through the API
// first, so the query's configuration can name them. TestListOverTheProtocol covers the same with the
// Terraform of CI.
func TestAccQuery(t *testing.T) {
	f := acctest.Fixture(t)
	ctx := t.Context()
	admin := acctest.AdminClient(t)
	prefix := acctest.RandomName("query")
	var ids []string
	for _, n := range []string{"a", "b"} {
		g, _, err := pim.CreateGroup(ctx, admin, pim.GroupSpec{DisplayName: prefix + "-" + n}, pim.GroupCreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, g.ID)
		t.Cleanup(func() { _ = pim.DeleteGroup(context.Background(), admin, g.ID) })
	}
	a, err := rbac.CreateAssignment(ctx, admin, rbac.AssignmentSpec{Scope: f.ClusterID,
		RoleDefinitionID: rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSRBACReader), PrincipalID: ids[0], PrincipalType: rbac.PrincipalGroup})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rbac.DeleteAssignment(context.Background(), admin, a.ID) })
	day, _ := pim.ParseDuration("P1D")
	if _, err := pim.CreateEligibility(ctx, admin, pim.EligibilitySpec{
		Key:      pim.EligibilityKey{GroupID: ids[0], PrincipalID: ids[1], AccessID: pim.AccessMember},
		Schedule: pim.Schedule{Duration: day}, Justification: "query test",
	}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{Config: groupAccProvider + fmt.Sprintf("data \"aks_cluster\" \"c\" {\n  id = %q\n}\n", f.ClusterID)},
			{
				Query: true,
				// The provider block of the first step's configuration stays in place for the query.
				Config: fmt.Sprintf(`
list "aks_pim_group" "named" {
  provider = aks
  config {
    display_name_prefix = %[1]q
  }
}

list "aks_role_binding" "of_a" {
  provider = aks
  config {
    cluster_id   = %[2]q
    principal_id = %[3]q
  }
}

list "aks_pim_eligibility" "for_a" {
  provider = aks
  config {
    group_id = %[3]q
  }
}
`, prefix, f.ClusterID, ids[0]),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("aks_pim_group.named", 2),
					querycheck.ExpectIdentity("aks_pim_group.named", map[string]knownvalue.Check{"object_id": knownvalue.StringExact(ids[1])}),
					querycheck.ExpectLength("aks_role_binding.of_a", 1),
					querycheck.ExpectIdentity("aks_role_binding.of_a", map[string]knownvalue.Check{
						// ARM IDs name the same assignment in any case of their keywords.
						"id": knownvalue.StringRegexp(regexp.MustCompile("(?i)^" + regexp.QuoteMeta(a.ID) + "$")),
					}),
					querycheck.ExpectLength("aks_pim_eligibility.for_a", 1),
					querycheck.ExpectIdentity("aks_pim_eligibility.for_a", map[string]knownvalue.Check{
						"group_id": knownvalue.StringExact(ids[0]), "principal_id": knownvalue.StringExact(ids[1]), "access_id": knownvalue.StringExact("member"),
					}),
				},
			},
		},
	})
}
