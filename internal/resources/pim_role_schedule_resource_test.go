package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// roleScheduleAccFound checks in ARM that the schedule of addr exists for target and lasts about want
// (zero: permanent) from its own start.
func roleScheduleAccFound(c *clients.Client, k armpim.Kind, target armpim.Target, addr string, want time.Duration) resource.TestCheckFunc {
	return acctest.InState(addr, func(id string, _ map[string]string) error {
		found, ok, err := armpim.Find(context.Background(), c, k, target)
		if err != nil || !ok {
			return fmt.Errorf("no %s in ARM for %s: %v", k, target, err)
		}
		if !strings.EqualFold(found.ID, id) {
			return fmt.Errorf("ARM has schedule %s, state %s", found.ID, id)
		}
		if got := found.End.Sub(found.Start); (want == 0) != found.Permanent() || (want != 0 && (got-want > time.Minute || want-got > time.Minute)) {
			return fmt.Errorf("schedule %s lasts %v (permanent %v), want %v", found.ID, got, found.Permanent(), want)
		}
		return nil
	})
}

// roleScheduleAccEnds checks that the schedule in ARM ends at end (to the minute): a schedule given by
// its end date lasts from whenever the apply ran, so its length is no constant.
func roleScheduleAccEnds(c *clients.Client, k armpim.Kind, target armpim.Target, end time.Time) resource.TestCheckFunc {
	return func(*terraform.State) error {
		found, ok, err := armpim.Find(context.Background(), c, k, target)
		if err != nil || !ok {
			return fmt.Errorf("no %s in ARM for %s: %v", k, target, err)
		}
		if d := found.End.Sub(end); found.Permanent() || d > time.Minute || d < -time.Minute {
			return fmt.Errorf("schedule %s ends %v (permanent %v), want %v", found.ID, found.End, found.Permanent(), end)
		}
		return nil
	}
}

func roleScheduleAccGone(c *clients.Client, k armpim.Kind, target armpim.Target) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if s, ok, err := armpim.Find(context.Background(), c, k, target); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%s %s still exists", k, s.ID)
		}
		return nil
	}
}

func roleScheduleAccConfig(typ, principal, scope, schedule string) string {
	return pimAccProvider + fmt.Sprintf(`
resource %q "test" {
%s
  role          = "Azure Kubernetes Service RBAC Admin"
  principal_id  = %q
  justification = "on-call engineers"
%s}
`, typ, scope, principal, schedule)
}

func TestAccPIMRoleEligibility_basic(t *testing.T) {
	c, f := pimAccAdministered(t)
	principal := acctest.NewGroup(t, c, "ops")
	const addr = "aks_pim_role_eligibility.test"
	atCluster := fmt.Sprintf("  cluster_id = %q\n  scope_kind = \"cluster\"", f.ClusterID)
	target := armpim.Target{Scope: f.ClusterID, RoleDefinitionID: rbac.RoleAKSRBACAdmin, PrincipalID: principal}
	idBefore, idKept := acctest.SameAcross(addr, "id")
	cfg := func(schedule string) string {
		return roleScheduleAccConfig("aks_pim_role_eligibility", principal, atCluster, schedule)
	}

	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: roleScheduleAccGone(c, armpim.Eligible, target),
		Steps: []resource.TestStep{
			{
				Config: cfg(`  duration = "P30D"` + "\n"),
				Check:  roleScheduleAccFound(c, armpim.Eligible, target, addr, 30*24*time.Hour),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.Attr(addr, "id", knownvalue.StringRegexp(regexp.MustCompile(`(?i)/managedClusters/aks-demo/providers/Microsoft.Authorization/roleEligibilitySchedules/[0-9a-f-]{36}$`))),
					acctest.Attr(addr, "scope", knownvalue.StringExact(f.ClusterID)),
					acctest.Attr(addr, "role_definition_id", knownvalue.StringRegexp(regexp.MustCompile("/"+rbac.RoleAKSRBACAdmin+"$"))),
					acctest.Attr(addr, "principal_type", knownvalue.StringExact("Group")),
					acctest.Attr(addr, "status", knownvalue.StringExact("Provisioned")),
					idBefore,
				},
			},
			acctest.Unchanged(cfg(`  duration = "P30D"` + "\n")),
			// Import by schedule ID: the derived scope inputs and the request's justification and duration
			// read back as configured.
			acctest.ImportVerify(addr, ""),
			{
				// An equivalent schedule written differently needs no request: the ID stays.
				Config:            cfg(`  duration = "PT720H"` + "\n"),
				ConfigStateChecks: []statecheck.StateCheck{idKept},
				ConfigPlanChecks:  acctest.PlansUpdate(addr, acctest.Planned(addr, "id", knownvalue.NotNull())),
			},
			{
				// Longer: AdminUpdate in place, counted from the original start.
				Config:           cfg(`  duration = "P60D"` + "\n"),
				ConfigPlanChecks: acctest.PlansUpdate(addr, acctest.PlannedUnknown(addr, "id")),
				Check:            roleScheduleAccFound(c, armpim.Eligible, target, addr, 60*24*time.Hour),
			},
			{
				// Removed outside Terraform: the plan recreates it.
				PreConfig: func() {
					s, ok, err := armpim.Find(context.Background(), c, armpim.Eligible, target)
					if err != nil || !ok {
						t.Fatalf("finding the eligibility to remove: %v %v", ok, err)
					}
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
					defer cancel()
					if err := armpim.Remove(ctx, c, s.ID, target, "out of band", "", ""); err != nil {
						t.Fatalf("removing the eligibility out of band: %v", err)
					}
				},
				Config:           cfg(`  duration = "P60D"` + "\n"),
				ConfigPlanChecks: acctest.PlansCreate(addr),
				Check:            roleScheduleAccFound(c, armpim.Eligible, target, addr, 60*24*time.Hour),
			},
			{
				// Another scope replaces it.
				Config: roleScheduleAccConfig("aks_pim_role_eligibility", principal,
					fmt.Sprintf("  cluster_id = %q\n  scope_kind = \"namespace\"\n  namespace  = \"payments\"", f.ClusterID), `  duration = "P60D"`+"\n"),
				ConfigPlanChecks: acctest.PlansReplace(addr),
				Check: resource.ComposeTestCheckFunc(
					roleScheduleAccGone(c, armpim.Eligible, target),
					roleScheduleAccFound(c, armpim.Eligible, armpim.Target{Scope: f.ClusterID + "/namespaces/payments", RoleDefinitionID: rbac.RoleAKSRBACAdmin, PrincipalID: principal}, addr, 60*24*time.Hour),
				),
			},
		},
	})
}

func TestAccPIMRoleAssignment_basic(t *testing.T) {
	c, f := pimAccAdministered(t)
	principal := acctest.NewGroup(t, c, "breakglass")
	const addr = "aks_pim_role_assignment.test"
	scope := f.ClusterID + "/namespaces/payments"
	end := acctest.Now().Add(14 * 24 * time.Hour).UTC().Truncate(time.Second) // end_date_time of step 5
	target := armpim.Target{Scope: scope, RoleDefinitionID: rbac.RoleAKSRBACAdmin, PrincipalID: principal}
	cfg := func(schedule string) string {
		return roleScheduleAccConfig("aks_pim_role_assignment", principal, fmt.Sprintf("  scope = %q", scope), schedule)
	}
	// While the assignment holds, ARM has a role assignment for it.
	roleAssigned := func(want bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			pager := c.RoleAssignments.NewListForScopePager(scope, nil)
			n := 0
			for pager.More() {
				page, err := pager.NextPage(context.Background())
				if err != nil {
					return err
				}
				for _, a := range page.Value {
					if a.Properties != nil && a.Properties.PrincipalID != nil && *a.Properties.PrincipalID == principal {
						n++
					}
				}
			}
			if (n > 0) != want {
				return fmt.Errorf("%d role assignments for %s at %s, want some: %v", n, principal, scope, want)
			}
			return nil
		}
	}

	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: resource.ComposeTestCheckFunc(
			roleScheduleAccGone(c, armpim.Active, target),
			roleAssigned(false),
		),
		Steps: []resource.TestStep{
			// The default policy refuses a permanent active assignment: the error names the attribute.
			acctest.ApplyFails(cfg("  permanent = true\n"), `(?s)Unable to Create PIM Role Assignment.*ExpirationRule.*policy`),
			{
				Config: cfg(`  duration = "P7D"` + "\n"),
				Check: resource.ComposeTestCheckFunc(
					roleScheduleAccFound(c, armpim.Active, target, addr, 7*24*time.Hour),
					roleAssigned(true),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.Attr(addr, "id", knownvalue.StringRegexp(regexp.MustCompile(`/namespaces/payments/providers/Microsoft.Authorization/roleAssignmentSchedules/[0-9a-f-]{36}$`))),
					acctest.Attr(addr, "cluster_id", knownvalue.StringExact(f.ClusterID)),
					acctest.Attr(addr, "scope_kind", knownvalue.StringExact("namespace")),
				},
			},
			acctest.Unchanged(cfg(`  duration = "P7D"` + "\n")),
			acctest.ImportVerify(addr, ""),
			{
				Config: cfg(fmt.Sprintf("  end_date_time = %q\n", end.Format(time.RFC3339))),
				Check: resource.ComposeTestCheckFunc(
					roleScheduleAccEnds(c, armpim.Active, target, end),
					roleAssigned(true),
				),
			},
			{
				// The role assignment deleted outside Terraform ends the schedule: recreated.
				PreConfig: func() {
					pager := c.RoleAssignments.NewListForScopePager(scope, nil)
					page, err := pager.NextPage(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					for _, a := range page.Value {
						if *a.Properties.PrincipalID == principal {
							if _, err := c.RoleAssignments.DeleteByID(context.Background(), *a.ID, nil); err != nil {
								t.Fatal(err)
							}
						}
					}
				},
				Config:           cfg(`  duration = "P7D"` + "\n"),
				ConfigPlanChecks: acctest.PlansCreate(addr),
				Check:            roleAssigned(true),
			},
		},
	})
}

func TestAccPIMRoleSchedule_errors(t *testing.T) {
	pimAccPreCheck(t)
	f := acctest.Fixture(t)
	cluster := fmt.Sprintf("  cluster_id = %q\n  scope_kind = \"cluster\"", f.ClusterID)
	principal := "00000000-0000-4000-8000-000000000001"
	acctest.ParallelTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			acctest.PlanFails(roleScheduleAccConfig("aks_pim_role_eligibility", principal, cluster, "  duration = \"P30D\"\n  permanent = true\n"), `Set exactly one of duration`),
			acctest.PlanFails(roleScheduleAccConfig("aks_pim_role_eligibility", principal, cluster, `  duration = "P6M"`+"\n"), `uses months, which PIM rejects`),
			acctest.PlanFails(roleScheduleAccConfig("aks_pim_role_assignment", principal, fmt.Sprintf("  cluster_id = %q\n  scope_kind = \"node_pool\"", f.ClusterID), `  duration = "P1D"`+"\n"),
				`scope_kind = "node_pool" needs node_pool`),
			acctest.ImportFails(roleScheduleAccConfig("aks_pim_role_assignment", principal, cluster, `  duration = "P1D"`+"\n"), "aks_pim_role_assignment.test",
				f.ClusterID+"/providers/Microsoft.Authorization/roleEligibilitySchedules/"+principal, `names a eligibility schedule`),
		},
	})
}
