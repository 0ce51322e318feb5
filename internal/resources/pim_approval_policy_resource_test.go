package resources_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// pimAccPreCheck skips the test unless acceptance tests were asked for (TF_ACC), as resource.Test would:
// the checks below talk to the emulator before resource.Test runs.
func pimAccPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	acctest.PreCheck(t)
}

// pimAccClient is a client of the same tenant the provider under test uses (the ARM_* environment the
// harness exported), for checks that must not trust Terraform's state.
func pimAccClient(t *testing.T) *clients.Client {
	t.Helper()
	pimAccPreCheck(t)
	ep := clients.Endpoints{
		AuthorityHost:           os.Getenv("ARM_AUTHORITY_HOST"),
		GraphEndpoint:           os.Getenv("ARM_GRAPH_ENDPOINT"),
		GraphAudience:           os.Getenv("ARM_GRAPH_AUDIENCE"),
		ResourceManagerEndpoint: os.Getenv("ARM_RESOURCE_MANAGER_ENDPOINT"),
		ResourceManagerAudience: os.Getenv("ARM_RESOURCE_MANAGER_AUDIENCE"),
	}
	if ep.AuthorityHost == "" {
		ep, _ = clients.EnvironmentEndpoints(clients.EnvironmentPublic)
	}
	cred, _, err := clients.NewCredential(t.Context(), clients.AuthConfig{
		Method: clients.AuthClientSecret, TenantID: os.Getenv("ARM_TENANT_ID"), ClientID: os.Getenv("ARM_CLIENT_ID"),
		ClientSecret: os.Getenv("ARM_CLIENT_SECRET"), Endpoints: ep,
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := clients.New(t.Context(), clients.Config{
		TenantID: os.Getenv("ARM_TENANT_ID"), SubscriptionID: os.Getenv("ARM_SUBSCRIPTION_ID"), Credential: cred, Endpoints: ep,
		Consistency: clients.ConsistencyOptions{Successes: 2, Interval: 200 * time.Millisecond, Timeout: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pimAccGroup creates a security group for a test through Graph (so these tests do not depend on
// aks_pim_group), live or emulated, and deletes it when the test ends.
func pimAccGroup(t *testing.T, c *clients.Client, prefix string) string {
	t.Helper()
	id := emuclient.NewGroup(t, c, acctest.RandomName(prefix))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = clients.Graph(c).Groups().ByGroupId(id).Delete(ctx, nil)
	})
	// The group must be visible before Terraform refers to it.
	if err := c.WaitConsistent(t.Context(), func(ctx context.Context) (bool, error) {
		_, err := clients.Graph(c).Groups().ByGroupId(id).Get(ctx, nil)
		if clients.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// pimAccProvider speeds up the consistency waits of the provider under test; everything else comes from
// the environment, as in a pipeline.
const pimAccProvider = `
provider "aks" {
  consistency_interval = "200ms"
}
`

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
	admin := pimAccGroup(t, c, "admin")
	approver := pimAccGroup(t, c, "approver")
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

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             pimAccPolicyMatches(c, key, func(*pim.Policy) {}),
		Steps: []resource.TestStep{
			{
				Config: pimAccPolicyConfig(admin, scenario),
				Check:  pimAccPolicyMatches(c, key, scenarioPolicy),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(admin+"/member")),
					// The configured spelling is kept although Graph says PT4H.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("activation").AtMapKey("maximum_duration"), knownvalue.StringExact("PT240M")),
					// Unset attributes hold Azure's defaults.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("active_assignment").AtMapKey("maximum_duration"), knownvalue.StringExact("P180D")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("approval_timeout_days"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("notifications").AtMapKey("eligible_assignment").AtMapKey("admin").AtMapKey("level"), knownvalue.StringExact("All")),
				},
			},
			{
				// A second plan of the same configuration is empty.
				Config:   pimAccPolicyConfig(admin, scenario),
				PlanOnly: true,
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           admin + "/member",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "activation.maximum_duration"},
			},
			{
				// Update in place: only the rules that change are written.
				Config: pimAccPolicyConfig(admin, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: pimAccPolicyMatches(c, key, updatedPolicy),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("notifications").AtMapKey("activation").AtMapKey("approver").AtMapKey("additional_recipients"),
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
				Config: pimAccPolicyConfig(admin, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("activation").AtMapKey("maximum_duration"), knownvalue.StringExact("PT4H")),
					},
				},
				Check: pimAccPolicyMatches(c, key, updatedPolicy),
			},
		},
	})
}

func TestAccPIMApprovalPolicy_owner(t *testing.T) {
	c := pimAccClient(t)
	group := pimAccGroup(t, c, "owners")
	approver := pimAccGroup(t, c, "approver")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             pimAccPolicyMatches(c, pim.PolicyKey{GroupID: group, AccessID: pim.AccessOwner}, func(*pim.Policy) {}),
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
	group := pimAccGroup(t, c, "val")
	approverGroup := pimAccGroup(t, c, "valappr")
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
		steps = append(steps, resource.TestStep{
			Config:      pimAccPolicyConfig(group, tt.body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(regexp.QuoteMeta(tt.err)),
		})
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
	steps = append(steps, resource.TestStep{
		Config:        pimAccPolicyConfig(group, ""),
		ResourceName:  "aks_pim_approval_policy.test",
		ImportState:   true,
		ImportStateId: "not-a-policy-id",
		ExpectError:   regexp.MustCompile(`Unable to Import PIM Approval Policy[\s\S]*Use \{group_id\}/\{access_id\}`),
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}
