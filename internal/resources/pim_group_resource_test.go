package resources_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// groupAccProvider is the provider block of these tests: credentials and endpoints come from the
// environment acctest exports; consistency waits are shortened (the default emulator replicates
// instantly, so the waits only add time) and PrincipalNotFound is given a short window.
const groupAccProvider = `
provider "aks" {
  consistency_interval              = "100ms"
  principal_not_found_retry_timeout = "4s"
}
`

// groupAccCheckInGraph reads the group of addr through Graph (not state) and checks it.
func groupAccCheckInGraph(c *clients.Client, addr string, check func(*pim.GroupRead) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		g, err := pim.ReadGroup(context.Background(), c, rs.Primary.ID, pim.GroupReadOptions{WithMembers: true})
		if err != nil {
			return fmt.Errorf("reading %s (%s) in Graph: %w", addr, rs.Primary.ID, err)
		}
		return check(g)
	}
}

func groupAccSameIDs(got, want []string) error {
	a := slices.Clone(got)
	b := slices.Clone(want)
	for i := range a {
		a[i] = strings.ToLower(a[i])
	}
	for i := range b {
		b[i] = strings.ToLower(b[i])
	}
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	return nil
}

// groupAccCheckDestroyed checks through the APIs that no group or role assignment of the configuration is
// left (CheckDestroy must not trust state).
func groupAccCheckDestroyed(c *clients.Client) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		for _, rs := range s.RootModule().Resources {
			switch rs.Type {
			case "aks_pim_group":
				_, err := pim.ReadGroup(ctx, c, rs.Primary.ID, pim.GroupReadOptions{Onboarding: pim.OnboardingKnown})
				if !errors.Is(err, pim.ErrGroupNotFound) {
					return fmt.Errorf("group %s still exists after destroy (read error: %v)", rs.Primary.ID, err)
				}
			case "aks_role_binding":
				_, err := rbac.GetAssignment(ctx, c, rs.Primary.ID)
				if !rbac.IsAssignmentGone(err) {
					return fmt.Errorf("role assignment %s still exists after destroy (read error: %v)", rs.Primary.ID, err)
				}
			}
		}
		return nil
	}
}

func groupAccConfig(name, description, owners, members string) string {
	attrs := fmt.Sprintf("  display_name = %q\n", name)
	if description != "" {
		attrs += fmt.Sprintf("  description  = %q\n", description)
	}
	if owners != "" {
		attrs += "  owners       = " + owners + "\n"
	}
	if members != "" {
		attrs += "  members      = " + members + "\n"
	}
	return groupAccProvider + fmt.Sprintf(`
data "aks_user" "n01" {
  user_principal_name = %q
}

data "aks_user" "p01" {
  user_principal_name = %q
}

resource "aks_pim_group" "test" {
%s}
`, "N01_UPN", "P01_UPN", attrs)
}

// TestAccPIMGroup_lifecycle: create (owner defaults to the caller, direct members), read back through
// Graph, import by block and by command, update in place (description, owners, members), out-of-band
// deletion shows as a create, destroy leaves nothing.
func TestAccPIMGroup_lifecycle(t *testing.T) {
	f := acctest.Fixture(t)
	c := acctest.AdminClient(t)
	name := acctest.RandomName("grp")
	cfg := func(description, owners, members string) string {
		s := groupAccConfig(name, description, owners, members)
		return strings.NewReplacer("N01_UPN", f.N01.UPN, "P01_UPN", f.P01.UPN).Replace(s)
	}
	const addr = "aks_pim_group.test"
	var groupID string
	admin := c
	callerID, err := admin.CallerObjectID(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             groupAccCheckDestroyed(c),
		Steps: []resource.TestStep{
			{
				Config: cfg("everyday read-only access", "", "[data.aks_user.n01.object_id]"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("mail_nickname"), knownvalue.StringExact(pim.DeriveMailNickname(name))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("owners"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(callerID)})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("members"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(f.N01.ObjectID)})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("pim_onboarded"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("assignable_to_role"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPair(addr, "id", addr, "object_id"),
					resource.TestCheckResourceAttrWith(addr, "id", func(v string) error { groupID = v; return nil }),
					groupAccCheckInGraph(c, addr, func(g *pim.GroupRead) error {
						if g.DisplayName != name || g.Description != "everyday read-only access" || !g.SecurityEnabled || g.MailEnabled {
							return fmt.Errorf("group in Graph: %+v", g.Group)
						}
						if err := groupAccSameIDs(g.Owners, []string{callerID}); err != nil {
							return fmt.Errorf("owners: %w", err)
						}
						return groupAccSameIDs(g.Members, []string{f.N01.ObjectID})
					}),
				),
			},
			{
				// A plannable import into the same configuration plans no change.
				Config:          cfg("everyday read-only access", "", "[data.aks_user.n01.object_id]"),
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			{
				Config:                  cfg("everyday read-only access", "", "[data.aks_user.n01.object_id]"),
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Update in place: description, a second owner, n01 replaced by p01.
				Config: cfg("changed", fmt.Sprintf("[%q, data.aks_user.p01.object_id]", callerID), "[data.aks_user.p01.object_id]"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: groupAccCheckInGraph(c, addr, func(g *pim.GroupRead) error {
					if g.Description != "changed" {
						return fmt.Errorf("description %q", g.Description)
					}
					if err := groupAccSameIDs(g.Owners, []string{callerID, f.P01.ObjectID}); err != nil {
						return fmt.Errorf("owners: %w", err)
					}
					return groupAccSameIDs(g.Members, []string{f.P01.ObjectID})
				}),
			},
			{
				// Membership no longer managed: nothing changes, members are still reported.
				Config: cfg("", fmt.Sprintf("[%q, data.aks_user.p01.object_id]", callerID), ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("members"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(f.P01.ObjectID)})),
				},
				Check: groupAccCheckInGraph(c, addr, func(g *pim.GroupRead) error {
					if g.Description != "" {
						return fmt.Errorf("description %q, want none", g.Description)
					}
					return groupAccSameIDs(g.Members, []string{f.P01.ObjectID})
				}),
			},
			{
				// Deleted outside Terraform: the plan creates it again.
				PreConfig: func() {
					if err := pim.DeleteGroup(context.Background(), c, groupID); err != nil {
						t.Fatalf("deleting the group out of band: %v", err)
					}
				},
				Config: cfg("", fmt.Sprintf("[%q, data.aks_user.p01.object_id]", callerID), ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

// TestAccPIMGroup_errors: a role-assignable group without RoleManagement.ReadWrite.Directory is a
// permission error naming what to grant; prevent_duplicate_names refuses an existing name; a group with
// the derived mail nickname that belongs to someone else is not adopted and the error says how to import.
func TestAccPIMGroup_errors(t *testing.T) {
	f := acctest.Fixture(t)
	c := acctest.AdminClient(t)
	name := acctest.RandomName("grperr")
	existing, _, err := pim.CreateGroup(context.Background(), c, pim.GroupSpec{DisplayName: name, Description: "someone else's",
		Owners: []string{f.P01.ObjectID}}, pim.GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pim.DeleteGroup(context.Background(), c, existing.ID) })

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: groupAccProvider + fmt.Sprintf(`
resource "aks_pim_group" "test" {
  display_name       = %q
  assignable_to_role = true
}`, acctest.RandomName("grprole")),
				ExpectError: regexp.MustCompile(`(?s)Unable to Create PIM Group.*RoleManagement\.ReadWrite\.Directory`),
			},
			{
				Config: groupAccProvider + fmt.Sprintf(`
resource "aks_pim_group" "test" {
  display_name = %q
}`, name),
				ExpectError: regexp.MustCompile(`(?s)already exists.*terraform import <resource address> ` + existing.ID),
			},
			{
				Config: groupAccProvider + fmt.Sprintf(`
resource "aks_pim_group" "test" {
  display_name            = %q
  mail_nickname           = %q
  prevent_duplicate_names = true
}`, name, "other-"+pim.DeriveMailNickname(name)),
				ExpectError: regexp.MustCompile(`(?s)prevent_duplicate_names is set and groups named`),
			},
			{
				Config: groupAccProvider + `
resource "aks_pim_group" "test" {
  display_name  = "x"
  mail_nickname = "not valid"
  owners        = ["n01"]
}`,
				ExpectError: regexp.MustCompile(`(?s)mail_nickname must be a valid mail nickname.*owners.*must be an object ID`),
			},
		},
	})
}
