package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

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
	return acctest.InState(addr, func(id string, attrs map[string]string) error {
		e, found, err := pim.ReadGroupSchedule(context.Background(), c, key.Kind, id)
		if err != nil || !found {
			return fmt.Errorf("schedule %s of %s not readable in Graph: found=%v err=%v", id, key, found, err)
		}
		start, err := time.Parse(time.RFC3339, attrs["start_date_time"])
		if err != nil {
			return err
		}
		if d := e.End.Sub(start.Add(want)); d > time.Minute || d < -time.Minute {
			return fmt.Errorf("schedule ends %v, want %v (start %v + %v)", e.End, start.Add(want), start, want)
		}
		return nil
	})
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
	admin := acctest.NewGroup(t, c, "admin")
	approver := acctest.NewGroup(t, c, "approver")
	defaultGroup := acctest.NewGroup(t, c, "default")
	key := pim.EligibilityKey{GroupID: admin, PrincipalID: defaultGroup, AccessID: pim.AccessMember}
	addr := "aks_pim_eligibility.test"
	policy := fmt.Sprintf("  require_approval = true\n  approvers = {\n    groups = [%q]\n  }\n", approver)
	idBefore, idKept := acctest.SameAcross(addr, "id")
	idBeforeUpdate, idUpdated := acctest.ChangedAcross(addr, "id")

	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: pimAccNotEligible(c, key),
		Steps: []resource.TestStep{
			{
				// SCENARIO.md step 3: default eligible as member of admin, whose policy requires approval.
				Config: pimAccEligibilityConfig(admin, defaultGroup, policy, `  duration = "P30D"`+"\n"),
				Check: resource.ComposeTestCheckFunc(
					pimAccEligibility(c, key, 30*24*time.Hour),
					pimAccEligibilityEnds(c, key, addr, 30*24*time.Hour),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.Attr(addr, "id", knownvalue.StringRegexp(regexp.MustCompile("^"+admin+"_member_[0-9a-f-]{36}$"))),
					acctest.Attr(addr, "status", knownvalue.StringExact("Provisioned")),
					acctest.Attr(addr, "permanent", knownvalue.Bool(false)),
					acctest.Attr(addr, "effective_end_date_time", knownvalue.NotNull()),
					idBefore,
					idBeforeUpdate,
				},
			},
			acctest.Unchanged(pimAccEligibilityConfig(admin, defaultGroup, policy, `  duration = "P30D"`+"\n")),
			// Import by schedule ID, then by group/principal/access. Graph reports the end as a date, so the
			// duration comes back in that form; the justification is read from the request that created the
			// schedule.
			acctest.ImportVerify(addr, "", "policy_eligible_assignment", "duration", "end_date_time"),
			acctest.ImportVerify(addr, admin+"/"+defaultGroup+"/member", "policy_eligible_assignment", "duration", "end_date_time"),
			{
				// A change that Azure does not see (the form of an equivalent schedule is not one) is applied
				// without a request: here only the wired policy changes shape-wise; the ID stays.
				Config: pimAccEligibilityConfig(admin, defaultGroup, policy+"  eligible_assignment = {\n    maximum_duration = \"P300D\"\n  }\n", `  duration = "P30D"`+"\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					idKept,
				},
			},
			{
				// Update in place through adminUpdate: a new schedule ID, the duration counted from the original start.
				Config:           pimAccEligibilityConfig(admin, defaultGroup, policy, `  duration = "P60D"`+"\n"),
				ConfigPlanChecks: acctest.PlansUpdate(addr, acctest.PlannedUnknown(addr, "id")),
				Check:            pimAccEligibilityEnds(c, key, addr, 60*24*time.Hour),
				ConfigStateChecks: []statecheck.StateCheck{
					idUpdated,
				},
			},
			{
				// Removed outside Terraform: the plan recreates it.
				PreConfig:        func() { pimAccRemoveOutOfBand(t, c, key) },
				Config:           pimAccEligibilityConfig(admin, defaultGroup, policy, `  duration = "P60D"`+"\n"),
				ConfigPlanChecks: acctest.PlansCreate(addr),
				Check:            pimAccEligibility(c, key, 60*24*time.Hour),
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
	admin := acctest.NewGroup(t, c, "admin")
	principal := acctest.NewGroup(t, c, "default")
	key := pim.EligibilityKey{GroupID: admin, PrincipalID: principal, AccessID: pim.AccessMember}
	cfg := func(policy, body string) string { return pimAccEligibilityConfig(admin, principal, policy, body) }
	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: pimAccNotEligible(c, key),
		Steps: []resource.TestStep{
			// The policy is in the configuration (defaults) and wired: a permanent eligibility fails at plan time.
			acctest.PlanFails(cfg("", "  permanent = true\n"), `Permanent Eligibility Not Allowed by Policy[\s\S]*Expiration_Admin_Eligibility`),
			// Longer than the wired policy's maximum: also at plan time.
			acctest.PlanFails(cfg("  eligible_assignment = {\n    maximum_duration = \"P90D\"\n  }\n", `  duration = "P120D"`+"\n"), `Eligibility Longer Than Policy Allows`),
			// Without the policy in the configuration, Graph rejects it and the error names the policy rule.
			acctest.ApplyFails(cfg("-", "  permanent = true\n"), `Expiration_Admin_Eligibility[\s\S]*RoleAssignmentRequestPolicyValidationFailed`),
			acctest.PlanFails(cfg("-", `  duration = "P6M"`+"\n"), `uses months, which PIM rejects`),
			acctest.PlanFails(cfg("-", "  duration = \"P30D\"\n  permanent = true\n"), `Set exactly one of duration`),
			acctest.PlanFails(cfg("-", "  end_date_time = \"2020-01-01T00:00:00Z\"\n"), `Eligibility Too Short`),
			acctest.PlanFails(cfg("-", "  duration = \"P30D\"\n  ticket_number = \"INC-1\"\n"), `Incomplete Ticket Information`),
		},
	})
}

func TestAccPIMEligibility_importErrors(t *testing.T) {
	pimAccGroupScheduleImportErrors(t, "aks_pim_eligibility", "Eligibility", "eligibility", func(group, principal string) string {
		return pimAccEligibilityConfig(group, principal, "-", "  duration = \"P30D\"\n")
	})
}

// pimAccGroupScheduleImportErrors checks the import errors of the group schedule resource typ (title and
// noun name what it holds): an ID that is none of its IDs, and the group, principal and access of no
// live schedule, each refused in the house style ("Unable to Import ...").
func pimAccGroupScheduleImportErrors(t *testing.T, typ, title, noun string, config func(group, principal string) string) {
	t.Helper()
	pimAccPreCheck(t)
	group, principal := uuid.NewString(), uuid.NewString()
	cfg := config(group, principal)
	acctest.ParallelTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			acctest.ImportFails(cfg, typ+".test", "not-an-id", `Unable to Import PIM `+title+`[\s\S]*is neither an `+noun+` schedule ID`),
			acctest.ImportFails(cfg, typ+".test", group+"/"+principal+"/member", `Unable to Import PIM `+title+`[\s\S]*has no live `+noun),
		},
	})
}

// A start in the past (which PIM moves to the request time) still anchors the duration: no inconsistent
// result after apply, no diff on the next plan.
func TestAccPIMEligibility_pastStart(t *testing.T) {
	c := pimAccClient(t)
	admin := acctest.NewGroup(t, c, "admin")
	principal := acctest.NewGroup(t, c, "default")
	key := pim.EligibilityKey{GroupID: admin, PrincipalID: principal, AccessID: pim.AccessMember}
	start := acctest.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	cfg := pimAccEligibilityConfig(admin, principal, "", fmt.Sprintf("  start_date_time = %q\n  duration        = \"P30D\"\n", start))
	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: pimAccNotEligible(c, key),
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				Check:             pimAccEligibilityEnds(c, key, "aks_pim_eligibility.test", 30*24*time.Hour),
				ConfigStateChecks: []statecheck.StateCheck{acctest.Attr("aks_pim_eligibility.test", "start_date_time", knownvalue.StringExact(start))},
			},
			acctest.Unchanged(cfg),
		},
	})
}
