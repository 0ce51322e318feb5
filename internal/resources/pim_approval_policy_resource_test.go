package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// pimAccPolicyMatches checks in Graph that the group's policy is what change makes of the defaults.
func pimAccPolicyMatches(c *clients.Client, key pim.PolicyKey, change func(*pim.Policy)) resource.TestCheckFunc {
	return func(*terraform.State) error {
		want := pim.DefaultPolicy()
		change(&want)
		ps, err := pim.ReadPolicy(context.Background(), c, key)
		if err != nil {
			return err
		}
		if d := ps.Rules.Differing(want); len(d) != 0 {
			return fmt.Errorf("the %s policy of group %s differs from the expected one in %v", key.AccessID, key.GroupID, d)
		}
		return nil
	}
}

func pimAccPolicyConfig(group, body string) string {
	return pimAccProvider + fmt.Sprintf(`
resource "aks_pim_approval_policy" "test" {
  group_id = %q
%s
}
`, group, body)
}

func TestAccPIMApprovalPolicy_basic(t *testing.T) {
	c := pimAccClient(t)
	admin := acctest.NewGroup(t, c, "admin")
	approver := acctest.NewGroup(t, c, "approver")
	key := pim.PolicyKey{GroupID: admin, AccessID: pim.AccessMember}
	addr := "aks_pim_approval_policy.test"
	four, _ := pim.ParseDuration("PT4H")
	d90, _ := pim.ParseDuration("P90D")

	scenario := fmt.Sprintf(`
  require_approval = true
  approvers = {
    groups = [%q]
  }
  activation = {
    maximum_duration = "PT240M"
  }
  eligible_assignment = {
    expiration_required = false
  }
`, approver)
	scenarioPolicy := func(p *pim.Policy) {
		p.Approval.Required = true
		p.Approval.ApproverGroups = []string{approver}
		p.Activation.MaximumDuration = four
		p.EligibleAssignment.ExpirationRequired = false
	}
	updated := fmt.Sprintf(`
  require_approval = true
  approvers = {
    groups = [%q]
    users  = [%q]
  }
  approval_timeout_days = 2
  activation = {
    maximum_duration    = "PT4H"
    require_mfa         = true
    require_ticket_info = true
  }
  active_assignment = {
    maximum_duration = "P90D"
    require_mfa      = true
  }
  notifications = {
    activation = {
      approver = {
        level                 = "Critical"
        additional_recipients = ["SecOps@contoso.com"]
      }
    }
  }
`, approver, acctest.Fixture(t).P01.ObjectID)
	updatedPolicy := func(p *pim.Policy) {
		scenarioPolicy(p)
		p.EligibleAssignment.ExpirationRequired = true
		p.Approval.ApproverUsers = []string{acctest.Fixture(t).P01.ObjectID}
		p.Approval.TimeoutDays = 2
		p.Activation.RequireMFA = true
		p.Activation.RequireTicketInfo = true
		p.ActiveAssignment.MaximumDuration = d90
		p.ActiveAssignment.RequireMFA = true
		p.Notifications.Activation.Approver = pim.Notification{Level: pim.NotificationCritical, DefaultRecipients: true,
			AdditionalRecipients: []string{"secops@contoso.com"}}
	}

	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: pimAccPolicyMatches(c, key, func(*pim.Policy) {}),
		Steps: []resource.TestStep{
			{
				Config: pimAccPolicyConfig(admin, scenario),
				Check:  pimAccPolicyMatches(c, key, scenarioPolicy),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.Attr(addr, "id", knownvalue.StringExact(admin+"/member")),
					// The configured spelling is kept although Graph says PT4H.
					acctest.Attr(addr, "activation.maximum_duration", knownvalue.StringExact("PT240M")),
					// Unset attributes hold Azure's defaults.
					acctest.Attr(addr, "active_assignment.maximum_duration", knownvalue.StringExact("P180D")),
					acctest.Attr(addr, "approval_timeout_days", knownvalue.Int64Exact(1)),
					acctest.Attr(addr, "notifications.eligible_assignment.admin.level", knownvalue.StringExact("All")),
				},
			},
			acctest.Unchanged(pimAccPolicyConfig(admin, scenario)),
			acctest.ImportVerify(addr, admin+"/member", "activation.maximum_duration"),
			{
				// Update in place: only the rules that change are written.
				Config:           pimAccPolicyConfig(admin, updated),
				ConfigPlanChecks: acctest.PlansUpdate(addr),
				Check:            pimAccPolicyMatches(c, key, updatedPolicy),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.Attr(addr, "notifications.activation.approver.additional_recipients",
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("SecOps@contoso.com")})),
				},
			},
			{
				// A rule changed outside Terraform shows in the plan and is put back by apply.
				PreConfig: func() {
					p := pim.DefaultPolicy()
					updatedPolicy(&p)
					p.Activation.MaximumDuration, _ = pim.ParseDuration("PT2H")
					if _, _, err := pim.ApplyPolicy(context.Background(), c, key, p); err != nil {
						t.Fatalf("changing the policy out of band: %v", err)
					}
				},
				Config:           pimAccPolicyConfig(admin, updated),
				ConfigPlanChecks: acctest.PlansUpdate(addr, acctest.Planned(addr, "activation.maximum_duration", knownvalue.StringExact("PT4H"))),
				Check:            pimAccPolicyMatches(c, key, updatedPolicy),
			},
		},
	})
}

func TestAccPIMApprovalPolicy_owner(t *testing.T) {
	c := pimAccClient(t)
	group := acctest.NewGroup(t, c, "owners")
	approver := acctest.NewGroup(t, c, "approver")
	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: pimAccPolicyMatches(c, pim.PolicyKey{GroupID: group, AccessID: pim.AccessOwner}, func(*pim.Policy) {}),
		Steps: []resource.TestStep{{
			Config: pimAccPolicyConfig(group, fmt.Sprintf(`
  access_id        = "owner"
  require_approval = true
  approvers = {
    groups = [%q]
  }
`, approver)),
			Check: resource.ComposeTestCheckFunc(
				pimAccPolicyMatches(c, pim.PolicyKey{GroupID: group, AccessID: pim.AccessOwner}, func(p *pim.Policy) {
					p.Approval.Required = true
					p.Approval.ApproverGroups = []string{approver}
				}),
				// The member policy of the same group is left alone.
				pimAccPolicyMatches(c, pim.PolicyKey{GroupID: group, AccessID: pim.AccessMember}, func(*pim.Policy) {}),
			),
		}},
	})
}

func TestAccPIMApprovalPolicy_validation(t *testing.T) {
	c := pimAccClient(t)
	// Real groups: IDs that name nothing would fail the plan on their own (TestAccObjectCheck_planTime).
	group := acctest.NewGroup(t, c, "val")
	approverGroup := acctest.NewGroup(t, c, "valappr")
	tests := []struct {
		name string
		body string
		err  string
	}{
		{"approval without approvers", "  require_approval = true\n", "Approval Required Without Approvers"},
		{"approval with empty approvers", "  require_approval = true\n  approvers = {\n    groups = []\n  }\n", "Approval Required Without Approvers"},
		{"months", "  activation = {\n    maximum_duration = \"P6M\"\n  }\n", "uses months"},
		{"years", "  eligible_assignment = {\n    maximum_duration = \"P1Y\"\n  }\n", "uses years"},
		{"mfa with conditional access", "  activation = {\n    require_mfa = true\n    require_conditional_access_context = \"c1\"\n  }\n", "Conditional Access Context Conflicts With MFA"},
		{"activation over a day", "  activation = {\n    maximum_duration = \"P2D\"\n  }\n", "Out of Range"},
		{"bad approver", "  require_approval = true\n  approvers = {\n    users = [\"p01@contoso.com\"]\n  }\n", "object ID"},
		{"bad level", "  notifications = {\n    activation = {\n      admin = {\n        level = \"Loud\"\n      }\n    }\n  }\n", "Loud"},
	}
	var steps []resource.TestStep
	for _, tt := range tests {
		steps = append(steps, acctest.PlanFails(pimAccPolicyConfig(group, tt.body), regexp.QuoteMeta(tt.err)))
	}
	// Warnings do not fail the plan: self-approval and a short activation plan fine (and are tested as
	// warnings in pim_findings_test.go).
	steps = append(steps, resource.TestStep{
		Config: pimAccPolicyConfig(group, fmt.Sprintf("  require_approval = true\n  approvers = {\n    groups = [%q, %q]\n  }\n  activation = {\n    maximum_duration = \"PT45M\"\n  }\n",
			group, approverGroup)),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	})
	// A malformed import ID is reported in the house style: "Unable to Import ...", what to use instead.
	steps = append(steps, acctest.ImportFails(pimAccPolicyConfig(group, ""), "aks_pim_approval_policy.test", "not-a-policy-id",
		`Unable to Import PIM Approval Policy[\s\S]*Use \{group_id\}/\{access_id\}`))
	acctest.ParallelTest(t, resource.TestCase{Steps: steps})
}
