package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
)

// TestAccLostCreateResponses: the emulator applies the group POST and the role assignment PUT but drops
// their connections before answering. The apply still converges to exactly one group and one assignment
// (the group found by its mail nickname and adopted, the PUT repeated under its deterministic name), and
// the plan after it is empty. Not parallel: the one-shot drop triggers would hit other tests' writes.
func TestAccLostCreateResponses(t *testing.T) {
	f := acctest.Fixture(t)
	srv := acctest.Emulator(t)
	name := acctest.RandomName("lost")
	cfg := groupAccProvider + groupHCL("g", name, `description = "created through a dropped connection"`) +
		clusterReaderHCL(f.ClusterID, "aks_pim_group.g.object_id")
	countGroups := func() int {
		n := 0
		for _, g := range srv.Snapshot().Groups {
			if g.DisplayName == name && !g.Deleted {
				n++
			}
		}
		return n
	}
	acctest.Test(t, resource.TestCase{
		CheckDestroy: groupAccCheckDestroyed(acctest.AdminClient(t)),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				srv.DropNextWrite("POST", "/v1.0/groups")
				srv.DropNextWrite("PUT", "{scope...}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}")
			},
			Config: cfg,
			Check: resource.ComposeTestCheckFunc(
				func(*terraform.State) error {
					if st := srv.Stats(); st.Dropped < 2 {
						return fmt.Errorf("only %d writes were dropped; the test did not exercise lost responses", st.Dropped)
					}
					if n := countGroups(); n != 1 {
						return fmt.Errorf("%d groups named %s, want exactly 1", n, name)
					}
					return nil
				},
				acctest.InState("aks_pim_group.g", func(principal string, _ map[string]string) error {
					n := 0
					for _, ra := range srv.Snapshot().RoleAssignments {
						if strings.EqualFold(ra.PrincipalID, principal) {
							n++
						}
					}
					if n != 1 {
						return fmt.Errorf("%d role assignments for the group, want exactly 1", n)
					}
					return nil
				}),
			),
		}},
	})
}
