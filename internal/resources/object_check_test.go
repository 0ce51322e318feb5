package resources_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
)

// planTimeObjectError matches Terraform's rendering of an attribute-scoped error: the summary, then the
// resource and the configuration line of the attribute, then the detail naming the ID.
func planTimeObjectError(summary, addr, attr, detail string) *regexp.Regexp {
	typ, name, _ := strings.Cut(addr, ".")
	return regexp.MustCompile(fmt.Sprintf(`(?s)%s\s+with %s,\s+on \S+ line \d+, in resource %q %q:\s+\d+:\s+%s\s+=.*%s`,
		regexp.QuoteMeta(summary), regexp.QuoteMeta(addr), typ, name, regexp.QuoteMeta(attr), wrapped(detail)))
}

// wrapped matches text as Terraform prints it, wrapped at any space.
func wrapped(text string) string {
	return strings.ReplaceAll(regexp.QuoteMeta(text), " ", `\s+`)
}

// TestAccObjectCheck_planTime: a literal principal_id or group_id that names no directory object, or an
// object of the wrong kind, fails `terraform plan` on its attribute, naming the ID and the kind it must
// be, on every resource that takes one whose kinds the provider's identity may read (before, the plan passed and the apply retried PrincipalNotFound
// for its whole window). IDs that exist plan fine, and IDs known only after apply (a group created in
// the same run) are left to apply.
func TestAccObjectCheck_planTime(t *testing.T) {
	c, f := pimAccAdministered(t)
	group := acctest.NewGroup(t, c, "objchk")
	missing := uuid.NewString()
	atCluster := fmt.Sprintf("  cluster_id = %q\n  scope_kind = \"cluster\"", f.ClusterID)
	binding := func(principal string, extra ...string) string {
		return groupAccProvider + clusterReaderHCL(f.ClusterID, principal, extra...)
	}
	notFound := "Directory Object Not Found"
	plan := func(config string, err *regexp.Regexp) resource.TestStep {
		return resource.TestStep{Config: config, PlanOnly: true, ExpectError: err, ExpectNonEmptyPlan: err == nil}
	}
	acctest.ParallelTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			plan(binding(fmt.Sprintf("%q", missing)),
				planTimeObjectError(notFound, "aks_role_binding.b", "principal_id", missing+"; principal_id takes the object ID of a group")),
			plan(binding(fmt.Sprintf("%q", group), `principal_type = "User"`),
				planTimeObjectError("Wrong Kind of Directory Object", "aks_role_binding.b", "principal_id", group+" is a group; principal_id takes the object ID of a user")),
			plan(pimAccEligibilityConfig(missing, group, "-", "  duration = \"P30D\"\n"),
				planTimeObjectError(notFound, "aks_pim_eligibility.test", "group_id", missing+"; group_id takes the object ID of a group")),
			plan(pimAccEligibilityConfig(group, missing, "-", "  duration = \"P30D\"\n"),
				planTimeObjectError(notFound, "aks_pim_eligibility.test", "principal_id", missing+"; principal_id takes the object ID of a user or a group")),
			plan(pimAccPolicyConfig(missing, ""),
				planTimeObjectError(notFound, "aks_pim_approval_policy.test", "group_id", missing)),
			plan(pimAccPolicyConfig(group, fmt.Sprintf("  require_approval = true\n  approvers = {\n    users = [%q]\n  }\n", group)),
				regexp.MustCompile(`(?s)Wrong Kind of Directory Object.*`+wrapped(group+` is a group; approvers.users[Value("`+group+`")] takes the object ID of a user`))),
			// The PIM role schedules take a user, a group or a service principal: an identity without
			// Application.Read.All (the documented least privilege) cannot tell a missing ID from a service
			// principal it may not read, so the plan goes on and apply keeps its bounded retry (with the
			// permission, the ID is checked: TestLookUpObjects).
			plan(roleScheduleAccConfig("aks_pim_role_eligibility", missing, atCluster, "  duration = \"P30D\"\n"), nil),
			plan(roleScheduleAccConfig("aks_pim_role_assignment", group, atCluster, "  duration = \"PT8H\"\n"), nil),
			// Existing objects of the right kinds plan fine: a user as the approver, the group everywhere else.
			plan(pimAccPolicyConfig(group, fmt.Sprintf("  require_approval = true\n  approvers = {\n    users = [%q]\n  }\n", f.P01.ObjectID)), nil),
			plan(pimAccEligibilityConfig(group, f.N01.ObjectID, "-", "  duration = \"P30D\"\n"), nil),
			plan(binding(fmt.Sprintf("%q", group)), nil),
			// Known only after apply: nothing to check at plan time, the plan goes on.
			plan(binding("aks_pim_group.g.object_id")+groupHCL("g", acctest.RandomName("objchk-new")), nil),
		},
	})
}
