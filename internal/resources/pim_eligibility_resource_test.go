package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// pimAccEligibility checks in Graph that key is eligible (or, by key.Kind, actively assigned), permanently
// when want is zero.
func pimAccEligibility(c *clients.Client, key pim.EligibilityKey, want time.Duration) resource.TestCheckFunc {
	return func(*terraform.State) error {
		e, found, err := pim.FindEligibility(context.Background(), c, key)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%s is not eligible in Graph", key)
		}
		if want == 0 {
			if !e.Permanent() {
				return fmt.Errorf("eligibility %s ends %v, want permanent", e.ScheduleID, e.End)
			}
			return nil
		}
		if e.Permanent() {
			return fmt.Errorf("eligibility %s is permanent, want %v", e.ScheduleID, want)
		}
		return nil
	}
}

// pimAccEligibilityEnds checks that the live schedule ends at start+want, within a minute.
func pimAccEligibilityEnds(c *clients.Client, key pim.EligibilityKey, addr string, want time.Duration) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		e, found, err := pim.ReadGroupSchedule(context.Background(), c, key.Kind, rs.Primary.ID)
		if err != nil || !found {
			return fmt.Errorf("schedule %s of %s not readable in Graph: found=%v err=%v", rs.Primary.ID, key, found, err)
		}
		start, err := time.Parse(time.RFC3339, rs.Primary.Attributes["start_date_time"])
		if err != nil {
			return err
		}
		if d := e.End.Sub(start.Add(want)); d > time.Minute || d < -time.Minute {
			return fmt.Errorf("schedule ends %v, want %v (start %v + %v)", e.End, start.Add(want), start, want)
		}
		return nil
	}
}

// pimAccRemoveOutOfBand removes key's eligibility (or active assignment) as someone outside Terraform would.
func pimAccRemoveOutOfBand(t *testing.T, c *clients.Client, key pim.EligibilityKey) {
	t.Helper()
	e, found, err := pim.FindEligibility(context.Background(), c, key)
	if err != nil || !found {
		t.Fatalf("finding the %s of %s to remove: %v %v", key.Kind, key, found, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := pim.DeleteEligibility(ctx, c, e.ScheduleID, key); err != nil {
		t.Fatalf("removing the %s out of band: %v", key.Kind, err)
	}
}

func pimAccNotEligible(c *clients.Client, key pim.EligibilityKey) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if e, found, err := pim.FindEligibility(context.Background(), c, key); err != nil {
			return err
		} else if found {
			return fmt.Errorf("%s is still eligible (schedule %s)", key, e.ScheduleID)
		}
		return nil
	}
}

func pimAccEligibilityConfig(group, principal, policyBody, eligibilityBody string) string {
	return pimAccGroupScheduleConfig("aks_pim_eligibility", "eligible_assignment", group, principal, policyBody,
		"  justification = \"on-call engineers\"\n"+eligibilityBody)
}

// pimAccGroupScheduleConfig is a group schedule resource (typ) "test" with body, and unless policyBody is
// "-" the group's aks_pim_approval_policy "admin" with policyBody, whose block is wired into the resource's
// policy_<block>.
func pimAccGroupScheduleConfig(typ, block, group, principal, policyBody, body string) string {
	cfg := pimAccProvider
	wire := ""
	if policyBody != "-" {
		cfg += fmt.Sprintf(`
resource "aks_pim_approval_policy" "admin" {
  group_id = %q
%s
}
`, group, policyBody)
		wire = fmt.Sprintf("  policy_%s = aks_pim_approval_policy.admin.%s\n", block, block)
	}
	return cfg + fmt.Sprintf(`
resource %q "test" {
  group_id      = %q
  principal_id  = %q
%s%s}
`, typ, group, principal, wire, body)
}

func TestAccPIMEligibility_basic(t *testing.T) {
	c := pimAccClient(t)
	admin := pimAccGroup(t, c, "admin")
	approver := pimAccGroup(t, c, "approver")
	defaultGroup := pimAccGroup(t, c, "default")
	key := pim.EligibilityKey{GroupID: admin, PrincipalID: defaultGroup, AccessID: pim.AccessMember}
	addr := "aks_pim_eligibility.test"
	policy := fmt.Sprintf("  require_approval = true\n  approvers = {\n    groups = [%q]\n  }\n", approver)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	changedID := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             pimAccNotEligible(c, key),
		Steps: []resource.TestStep{
			{
				// SCENARIO.md step 3: default eligible as member of admin, whose policy requires approval.
				Config: pimAccEligibilityConfig(admin, defaultGroup, policy, `  duration = "P30D"`+"\n"),
				Check: resource.ComposeTestCheckFunc(
					pimAccEligibility(c, key, 30*24*time.Hour),
					pimAccEligibilityEnds(c, key, addr, 30*24*time.Hour),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile("^"+admin+"_member_[0-9a-f-]{36}$"))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Provisioned")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permanent"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("effective_end_date_time"), knownvalue.NotNull()),
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					changedID.AddStateValue(addr, tfjsonpath.New("id")),
				},
			},
			{
				Config:   pimAccEligibilityConfig(admin, defaultGroup, policy, `  duration = "P30D"`+"\n"),
				PlanOnly: true,
			},
			{
				// Import by schedule ID. Graph reports the end as a date, so the duration comes back in that
				// form; the justification is read from the request that created the schedule.
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "policy_eligible_assignment", "duration", "end_date_time"},
			},
			{
				// Import by group/principal/access.
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           admin + "/" + defaultGroup + "/member",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "policy_eligible_assignment", "duration", "end_date_time"},
			},
			{
				// A change that Azure does not see (the form of an equivalent schedule is not one) is applied
				// without a request: here only the wired policy changes shape-wise; the ID stays.
				Config: pimAccEligibilityConfig(admin, defaultGroup, policy+"  eligible_assignment = {\n    maximum_duration = \"P300D\"\n  }\n", `  duration = "P30D"`+"\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
				},
			},
			{
				// Update in place through adminUpdate: a new schedule ID, the duration counted from the original start.
				Config: pimAccEligibilityConfig(admin, defaultGroup, policy, `  duration = "P60D"`+"\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("id")),
					},
				},
				Check: pimAccEligibilityEnds(c, key, addr, 60*24*time.Hour),
				ConfigStateChecks: []statecheck.StateCheck{
					changedID.AddStateValue(addr, tfjsonpath.New("id")),
				},
			},
			{
				// Removed outside Terraform: the plan recreates it.
				PreConfig: func() { pimAccRemoveOutOfBand(t, c, key) },
				Config:    pimAccEligibilityConfig(admin, defaultGroup, policy, `  duration = "P60D"`+"\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
				Check: pimAccEligibility(c, key, 60*24*time.Hour),
			},
			{
				// Switch to an end date, then to permanent once the policy allows it (the wiring orders the policy first).
				Config: pimAccEligibilityConfig(admin, defaultGroup, policy, fmt.Sprintf("  end_date_time = %q\n", acctest.Now().Add(90*24*time.Hour).UTC().Format(time.RFC3339))),
				Check:  pimAccEligibility(c, key, 90*24*time.Hour),
			},
			{
				Config: pimAccEligibilityConfig(admin, defaultGroup, policy+"  eligible_assignment = {\n    expiration_required = false\n  }\n", "  permanent = true\n"),
				Check:  pimAccEligibility(c, key, 0),
			},
		},
	})
}

func TestAccPIMEligibility_policyErrors(t *testing.T) {
	c := pimAccClient(t)
	admin := pimAccGroup(t, c, "admin")
	principal := pimAccGroup(t, c, "default")
	key := pim.EligibilityKey{GroupID: admin, PrincipalID: principal, AccessID: pim.AccessMember}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             pimAccNotEligible(c, key),
		Steps: []resource.TestStep{
			{
				// The policy is in the configuration (defaults) and wired: a permanent eligibility fails at plan time.
				Config:      pimAccEligibilityConfig(admin, principal, "", "  permanent = true\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Permanent Eligibility Not Allowed by Policy[\s\S]*Expiration_Admin_Eligibility`),
			},
			{
				// Longer than the wired policy's maximum: also at plan time.
				Config:      pimAccEligibilityConfig(admin, principal, "  eligible_assignment = {\n    maximum_duration = \"P90D\"\n  }\n", `  duration = "P120D"`+"\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Eligibility Longer Than Policy Allows`),
			},
			{
				// Without the policy in the configuration, Graph rejects it and the error names the policy rule.
				Config:      pimAccEligibilityConfig(admin, principal, "-", "  permanent = true\n"),
				ExpectError: regexp.MustCompile(`Expiration_Admin_Eligibility[\s\S]*RoleAssignmentRequestPolicyValidationFailed`),
			},
			{
				Config:      pimAccEligibilityConfig(admin, principal, "-", `  duration = "P6M"`+"\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`uses months, which PIM rejects`),
			},
			{
				Config:      pimAccEligibilityConfig(admin, principal, "-", "  duration = \"P30D\"\n  permanent = true\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Set exactly one of duration`),
			},
			{
				Config:      pimAccEligibilityConfig(admin, principal, "-", "  end_date_time = \"2020-01-01T00:00:00Z\"\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Eligibility Too Short`),
			},
			{
				Config:      pimAccEligibilityConfig(admin, principal, "-", "  duration = \"P30D\"\n  ticket_number = \"INC-1\"\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Incomplete Ticket Information`),
			},
		},
	})
}

func TestAccPIMEligibility_importErrors(t *testing.T) {
	pimAccPreCheck(t)
	group, principal := uuid.NewString(), uuid.NewString()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:        pimAccEligibilityConfig(group, principal, "-", "  duration = \"P30D\"\n"),
				ResourceName:  "aks_pim_eligibility.test",
				ImportState:   true,
				ImportStateId: "not-an-id",
				ExpectError:   regexp.MustCompile(`Unable to Import PIM Eligibility[\s\S]*is neither an eligibility schedule ID`),
			},
			{
				Config:        pimAccEligibilityConfig(group, principal, "-", "  duration = \"P30D\"\n"),
				ResourceName:  "aks_pim_eligibility.test",
				ImportState:   true,
				ImportStateId: group + "/" + principal + "/member",
				ExpectError:   regexp.MustCompile(`Unable to Import PIM Eligibility[\s\S]*has no live eligibility`),
			},
		},
	})
}

// A start in the past (which PIM moves to the request time) still anchors the duration: no inconsistent
// result after apply, no diff on the next plan.
func TestAccPIMEligibility_pastStart(t *testing.T) {
	c := pimAccClient(t)
	admin := pimAccGroup(t, c, "admin")
	principal := pimAccGroup(t, c, "default")
	key := pim.EligibilityKey{GroupID: admin, PrincipalID: principal, AccessID: pim.AccessMember}
	start := acctest.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	cfg := pimAccEligibilityConfig(admin, principal, "", fmt.Sprintf("  start_date_time = %q\n  duration        = \"P30D\"\n", start))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             pimAccNotEligible(c, key),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  pimAccEligibilityEnds(c, key, "aks_pim_eligibility.test", 30*24*time.Hour),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("aks_pim_eligibility.test", tfjsonpath.New("start_date_time"), knownvalue.StringExact(start)),
				},
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}
