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

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
)

// TestAccUserDataSource: the scenario's users looked up by user principal name and by object ID give
// the same user; a missing user is an error naming the attribute and value.
func TestAccUserDataSource(t *testing.T) {
	f := acctest.Fixture(t)
	same := func(addr string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			acctest.Attr(addr, "object_id", knownvalue.StringExact(f.N01.ObjectID)),
			acctest.Attr(addr, "display_name", knownvalue.StringRegexp(regexp.MustCompile(`.+`))),
			acctest.Attr(addr, "mail", knownvalue.NotNull()),
		}
	}
	user := func(name string, attrs ...string) string {
		return groupAccProvider + hclBlock("data", "aks_user", name, attrs...)
	}
	acctest.ParallelTest(t, resource.TestCase{
		// Error steps first: the post-test destroy uses the last configuration, which must be valid.
		Steps: []resource.TestStep{
			acctest.ApplyFails(user("missing", `user_principal_name = "nobody@example.invalid"`),
				`(?s)Unable to Read User.*No user with user_principal_name "nobody@example.invalid"`),
			acctest.ApplyFails(user("missing", fmt.Sprintf("object_id = %q", uuid.NewString())), `No user with object_id`),
			acctest.ApplyFails(user("both", `object_id = "00000000-0000-0000-0000-000000000000"`, `user_principal_name = "x@y"`), `Invalid Attribute Combination`),
			{
				Config: user("by_upn", fmt.Sprintf("user_principal_name = %q", strings.ToUpper(f.N01.UPN))) +
					hclBlock("data", "aks_user", "by_id", fmt.Sprintf("object_id = %q", f.N01.ObjectID)),
				ConfigStateChecks: append(append(same("data.aks_user.by_upn"), same("data.aks_user.by_id")...),
					acctest.Attr("data.aks_user.by_upn", "user_principal_name", knownvalue.StringExact(strings.ToUpper(f.N01.UPN))),
					acctest.Attr("data.aks_user.by_id", "user_principal_name", knownvalue.StringExact(f.N01.UPN)),
				),
			},
		},
	})
}
