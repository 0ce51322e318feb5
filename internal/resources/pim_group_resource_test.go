package resources_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// groupAccCheckInGraph reads the group of addr through Graph (not state) and checks it.
func groupAccCheckInGraph(c *clients.Client, addr string, check func(*pim.GroupRead) error) resource.TestCheckFunc {
	return acctest.InState(addr, func(id string, _ map[string]string) error {
		g, err := pim.ReadGroup(context.Background(), c, id, pim.GroupReadOptions{WithMembers: true})
		if err != nil {
			return fmt.Errorf("reading %s (%s) in Graph: %w", addr, id, err)
		}
		return check(g)
	})
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

// groupAccConfig is the users n01 and p01 (data sources) and aks_pim_group.test named name, with the
// description, owners and members given (HCL expressions; empty: not set).
func groupAccConfig(f acctest.Fixtures, name, description, owners, members string) string {
	var attrs []string
	if description != "" {
		attrs = append(attrs, fmt.Sprintf("description = %q", description))
	}
	if owners != "" {
		attrs = append(attrs, "owners = "+owners)
	}
	if members != "" {
		attrs = append(attrs, "members = "+members)
	}
	return groupAccProvider + hclBlock("data", "aks_user", "n01", fmt.Sprintf("user_principal_name = %q", f.N01.UPN)) +
		hclBlock("data", "aks_user", "p01", fmt.Sprintf("user_principal_name = %q", f.P01.UPN)) + groupHCL("test", name, attrs...)
}

// TestAccPIMGroup_lifecycle: create (owner defaults to the caller, direct members), read back through
// Graph, import by block and by command, update in place (description, owners, members), out-of-band
// deletion shows as a create, destroy leaves nothing.
func TestAccPIMGroup_lifecycle(t *testing.T) {
	f := acctest.Fixture(t)
	c := acctest.AdminClient(t)
	name := acctest.RandomName("grp")
	cfg := func(description, owners, members string) string {
		return groupAccConfig(f, name, description, owners, members)
	}
	const addr = "aks_pim_group.test"
	var groupID string
	admin := c
	callerID, err := admin.CallerObjectID(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: groupAccCheckDestroyed(c),
		Steps: []resource.TestStep{
			{
				Config: cfg("everyday read-only access", "", "[data.aks_user.n01.object_id]"),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.Attr(addr, "mail_nickname", knownvalue.StringExact(pim.DeriveMailNickname(name))),
					acctest.Attr(addr, "owners", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(callerID)})),
					acctest.Attr(addr, "members", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(f.N01.ObjectID)})),
					acctest.Attr(addr, "pim_onboarded", knownvalue.Bool(false)),
					acctest.Attr(addr, "assignable_to_role", knownvalue.Bool(false)),
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
			// A plannable import into the same configuration plans no change.
			acctest.ImportBlock(cfg("everyday read-only access", "", "[data.aks_user.n01.object_id]"), addr),
			acctest.ImportVerify(addr, ""),
			{
				// Update in place: description, a second owner, n01 replaced by p01.
				Config:           cfg("changed", fmt.Sprintf("[%q, data.aks_user.p01.object_id]", callerID), "[data.aks_user.p01.object_id]"),
				ConfigPlanChecks: acctest.PlansUpdate(addr),
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
				Config:           cfg("", fmt.Sprintf("[%q, data.aks_user.p01.object_id]", callerID), ""),
				ConfigPlanChecks: acctest.PlansUpdate(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.Attr(addr, "description", knownvalue.Null()),
					acctest.Attr(addr, "members", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(f.P01.ObjectID)})),
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
				Config:           cfg("", fmt.Sprintf("[%q, data.aks_user.p01.object_id]", callerID), ""),
				ConfigPlanChecks: acctest.PlansCreate(addr),
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

	acctest.ParallelTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			acctest.ApplyFails(groupAccProvider+groupHCL("test", acctest.RandomName("grprole"), "assignable_to_role = true"),
				`(?s)Unable to Create PIM Group.*RoleManagement\.ReadWrite\.Directory`),
			acctest.ApplyFails(groupAccProvider+groupHCL("test", name),
				`(?s)already exists.*terraform import <resource address> `+existing.ID),
			acctest.ApplyFails(groupAccProvider+groupHCL("test", name, fmt.Sprintf("mail_nickname = %q", "other-"+pim.DeriveMailNickname(name)),
				"prevent_duplicate_names = true"), `(?s)prevent_duplicate_names is set and groups named`),
			acctest.ApplyFails(groupAccProvider+groupHCL("test", "x", `mail_nickname = "not valid"`, `owners = ["n01"]`),
				`(?s)mail_nickname must be a valid mail nickname.*owners.*must be an object ID`),
		},
	})
}
