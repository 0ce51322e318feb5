package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// rolePolicyAccMatches checks in ARM that the role's policy at scope is what change makes of Azure's
// defaults.
func rolePolicyAccMatches(c *clients.Client, key armpim.PolicyKey, change func(*pim.Policy)) resource.TestCheckFunc {
	want := pim.DefaultPolicy()
	change(&want)
	return rolePolicyAccIs(c, key, want)
}

// rolePolicyAccIs checks in ARM that the role's policy at scope is want.
func rolePolicyAccIs(c *clients.Client, key armpim.PolicyKey, want pim.Policy) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := armpim.ReadPolicy(context.Background(), c, key)
		if err != nil {
			return err
		}
		if d := got.Rules.Differing(want); len(d) > 0 {
			return fmt.Errorf("the policy of %s differs in %v: %+v", key, d, got.Rules.Policy())
		}
		return nil
	}
}

func rolePolicyAccConfig(scope, role, settings string) string {
	return pimAccProvider + fmt.Sprintf(`
resource "aks_pim_role_policy" "test" {
%s
  role = %q
%s}
`, scope, role, settings)
}

// TestAccPIMRolePolicy_basic: create, import, update, drift, replace and destroy of a role's policy at a
// namespace of its own (policies are per role and scope, so parallel tests do not share it).
func TestAccPIMRolePolicy_basic(t *testing.T) {
	c, f := pimAccAdministered(t)
	ns := acctest.RandomName("pol")
	scope := f.ClusterID + "/namespaces/" + ns
	const addr = "aks_pim_role_policy.test"
	at := fmt.Sprintf("  cluster_id = %q\n  scope_kind = \"namespace\"\n  namespace  = %q", f.ClusterID, ns)
	admin := armpim.PolicyKey{Scope: scope, RoleDefinitionID: rbac.RoleAKSRBACAdmin}
	writer := armpim.PolicyKey{Scope: scope, RoleDefinitionID: rbac.RoleAKSRBACWriter}
	approval := fmt.Sprintf(`
  require_approval = true
  approvers        = { users = [%q] }
  activation = {
    maximum_duration      = "%%s"
    require_justification = true
  }
  eligible_assignment = {
    expiration_required = true
    maximum_duration    = "P90D"
  }
`, f.P01.ObjectID)
	change := func(maximum string) func(*pim.Policy) {
		return func(p *pim.Policy) {
			p.Approval.Required, p.Approval.ApproverUsers = true, []string{f.P01.ObjectID}
			p.Activation.MaximumDuration, _ = pim.ParseDuration(maximum)
			p.Activation.RequireJustification, p.Activation.RequireMFA = true, false
			p.EligibleAssignment = pim.Expiry{ExpirationRequired: true, MaximumDuration: pim.DurationOf(90 * 24 * time.Hour)}
		}
	}
	cfg := func(role, maximum string) string {
		return rolePolicyAccConfig(at, role, fmt.Sprintf(approval, maximum))
	}
	// Destroy puts back the policies as they were, which are Azure's defaults for the scope; those may
	// differ from package pim's (the emulator's armpim.activation-mfa=on requires MFA by default).
	original := func(key armpim.PolicyKey) pim.Policy {
		st, err := armpim.ReadPolicy(t.Context(), c, key)
		if err != nil {
			t.Fatal(err)
		}
		return st.Rules.Policy()
	}
	adminBefore, writerBefore := original(admin), original(writer)

	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: resource.ComposeTestCheckFunc(
			rolePolicyAccIs(c, admin, adminBefore),
			rolePolicyAccIs(c, writer, writerBefore),
		),
		Steps: []resource.TestStep{
			{
				Config: cfg("Azure Kubernetes Service RBAC Admin", "PT2H"),
				Check:  rolePolicyAccMatches(c, admin, change("PT2H")),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.Attr(addr, "id", knownvalue.StringRegexp(regexp.MustCompile(
						`(?i)/roleDefinitions/`+rbac.RoleAKSRBACAdmin+`\|`+regexp.QuoteMeta(scope)+`$`))),
					acctest.Attr(addr, "scope", knownvalue.StringExact(scope)),
					acctest.Attr(addr, "approval_timeout_days", knownvalue.Int64Exact(1)),
					acctest.Attr(addr, "active_assignment.maximum_duration", knownvalue.StringExact("P180D")),
				},
			},
			acctest.Unchanged(cfg("Azure Kubernetes Service RBAC Admin", "PT2H")),
			// Import by {role_definition_id}|{scope}: the role's name and the cluster inputs are derived.
			acctest.ImportVerify(addr, ""),
			{
				Config:           cfg("Azure Kubernetes Service RBAC Admin", "PT4H"),
				ConfigPlanChecks: acctest.PlansUpdate(addr),
				Check:            rolePolicyAccMatches(c, admin, change("PT4H")),
			},
			{
				// Changed outside Terraform (approval switched off in the portal): the plan puts it back.
				PreConfig: func() {
					st, err := armpim.ReadPolicy(context.Background(), c, admin)
					if err != nil {
						t.Fatal(err)
					}
					p := st.Rules.Policy()
					p.Approval.Required, p.Approval.ApproverUsers = false, nil
					if _, _, err := armpim.ApplyPolicy(context.Background(), c, admin, p); err != nil {
						t.Fatal(err)
					}
				},
				Config:           cfg("Azure Kubernetes Service RBAC Admin", "PT4H"),
				ConfigPlanChecks: acctest.PlansUpdate(addr, acctest.Planned(addr, "require_approval", knownvalue.Bool(true))),
				Check:            rolePolicyAccMatches(c, admin, change("PT4H")),
			},
			{
				// Another role is another policy: replaced, the old one reset to the defaults.
				Config:           cfg("Azure Kubernetes Service RBAC Writer", "PT4H"),
				ConfigPlanChecks: acctest.PlansReplace(addr),
				Check: resource.ComposeTestCheckFunc(
					rolePolicyAccIs(c, admin, adminBefore),
					rolePolicyAccMatches(c, writer, change("PT4H")),
				),
			},
		},
	})
}

func TestAccPIMRolePolicy_errors(t *testing.T) {
	pimAccPreCheck(t)
	f := acctest.Fixture(t)
	cluster := fmt.Sprintf("  cluster_id = %q\n  scope_kind = \"cluster\"", f.ClusterID)
	const role = "Azure Kubernetes Service RBAC Admin"
	acctest.ParallelTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			acctest.PlanFails(rolePolicyAccConfig(cluster, role, "  require_approval = true\n"), `Approval Required Without Approvers`),
			acctest.PlanFails(rolePolicyAccConfig(cluster, role, "  activation = { maximum_duration = \"PT25H\" }\n"), `Activation Maximum Duration Out of Range`),
			// scope with cluster_id only when they name one scope (as generated configuration writes them).
			acctest.PlanFails(rolePolicyAccConfig(fmt.Sprintf("  scope = %q\n%s", f.ClusterID+"/namespaces/other", cluster), role, ""),
				`(?s)Conflicting Scope.*namespaces/other`),
			// An eligibility longer than the wired policy allows fails at plan time.
			acctest.PlanFails(rolePolicyAccConfig(cluster, role, "  eligible_assignment = { maximum_duration = \"P30D\" }\n")+fmt.Sprintf(`
resource "aks_pim_role_eligibility" "test" {
%s
  role          = %q
  principal_id  = %q
  duration      = "P60D"
  justification = "on call"

  policy_eligible_assignment = aks_pim_role_policy.test.eligible_assignment
}
`, cluster, role, f.N01.ObjectID), `(?s)Eligibility Longer Than Policy Allows.*P60D.*P30D.*aks_pim_role_policy`),
			// So does an active assignment without the justification the wired policy requires, or permanent.
			acctest.PlanFails(rolePolicyAccConfig(cluster, role, "")+fmt.Sprintf(`
resource "aks_pim_role_assignment" "test" {
%s
  role         = %q
  principal_id = %q
  permanent    = true

  policy_active_assignment = aks_pim_role_policy.test.active_assignment
}
`, cluster, role, f.N01.ObjectID),
				`(?s)(Permanent Active Assignment Not Allowed by Policy.*Justification Required by Policy|Justification Required by Policy.*Permanent Active Assignment Not Allowed)`),
			acctest.ImportFails(rolePolicyAccConfig(cluster, role, ""), "aks_pim_role_policy.test", f.ClusterID, `Use \{role_definition_id\}\|\{scope\}`),
		},
	})
}
