package resources_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
)

// TestAccUserDataSource: the scenario's users looked up by user principal name and by object ID give
// the same user; a missing user is an error naming the attribute and value.
func TestAccUserDataSource(t *testing.T) {
	f := acctest.Fixture(t)
	same := func(addr string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("object_id"), knownvalue.StringExact(f.N01.ObjectID)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("display_name"), knownvalue.StringRegexp(regexp.MustCompile(`.+`))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("mail"), knownvalue.NotNull()),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// Error steps first: the post-test destroy uses the last configuration, which must be valid.
		Steps: []resource.TestStep{
			{
				Config: groupAccProvider + `
data "aks_user" "missing" {
  user_principal_name = "nobody@example.invalid"
}`,
				ExpectError: regexp.MustCompile(`(?s)Unable to Read User.*No user with user_principal_name "nobody@example.invalid"`),
			},
			{
				Config: groupAccProvider + fmt.Sprintf(`
data "aks_user" "missing" {
  object_id = %q
}`, uuid.NewString()),
				ExpectError: regexp.MustCompile(`No user with object_id`),
			},
			{
				Config: groupAccProvider + `
data "aks_user" "both" {
  object_id           = "00000000-0000-0000-0000-000000000000"
  user_principal_name = "x@y"
}`,
				ExpectError: regexp.MustCompile(`Invalid Attribute Combination`),
			},
			{
				Config: groupAccProvider + fmt.Sprintf(`
data "aks_user" "by_upn" {
  user_principal_name = %q
}

data "aks_user" "by_id" {
  object_id = %q
}
`, strings.ToUpper(f.N01.UPN), f.N01.ObjectID),
				ConfigStateChecks: append(append(same("data.aks_user.by_upn"), same("data.aks_user.by_id")...),
					statecheck.ExpectKnownValue("data.aks_user.by_upn", tfjsonpath.New("user_principal_name"), knownvalue.StringExact(strings.ToUpper(f.N01.UPN))),
					statecheck.ExpectKnownValue("data.aks_user.by_id", tfjsonpath.New("user_principal_name"), knownvalue.StringExact(f.N01.UPN)),
				),
			},
		},
	})
}
