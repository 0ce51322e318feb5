package acctest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The steps and checks every resource's acceptance tests are made of (create, plan again, import,
// update, drift, errors), written once so that a test reads as its scenario.

// ParallelTest runs tc alongside the other parallel acceptance tests, against the provider under test:
// PreCheck and the provider factories are filled in where tc leaves them unset.
func ParallelTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	resource.ParallelTest(t, withProvider(t, tc))
}

// Test is ParallelTest for a test that must run alone: one that arms the emulator's one-shot faults or
// counts its requests, which other tests would trigger or add to.
func Test(t *testing.T, tc resource.TestCase) {
	t.Helper()
	resource.Test(t, withProvider(t, tc))
}

func withProvider(t *testing.T, tc resource.TestCase) resource.TestCase {
	if tc.PreCheck == nil {
		tc.PreCheck = func() { PreCheck(t) }
	}
	if tc.ProtoV6ProviderFactories == nil {
		tc.ProtoV6ProviderFactories = ProtoV6ProviderFactories
	}
	return tc
}

// PlanFails is a plan-only step whose plan must fail with an error pattern (a regular expression)
// matches: bad input is refused before anything changes.
func PlanFails(config, pattern string) resource.TestStep {
	return resource.TestStep{Config: config, PlanOnly: true, ExpectError: regexp.MustCompile(pattern)}
}

// ApplyFails is a step whose apply must fail with an error pattern matches.
func ApplyFails(config, pattern string) resource.TestStep {
	return resource.TestStep{Config: config, ExpectError: regexp.MustCompile(pattern)}
}

// Unchanged is a plan-only step that must plan nothing: what the previous apply left in state is what
// config asks for (no perpetual diff).
func Unchanged(config string) resource.TestStep {
	return resource.TestStep{Config: config, PlanOnly: true}
}

// ImportVerify runs `terraform import` of addr by id (the ID in state when id is empty) and compares the
// imported attributes with state, except timeouts (configuration only, in every resource) and ignore.
func ImportVerify(addr, id string, ignore ...string) resource.TestStep {
	return resource.TestStep{
		ResourceName: addr, ImportState: true, ImportStateId: id,
		ImportStateVerify: true, ImportStateVerifyIgnore: append([]string{"timeouts"}, ignore...),
	}
}

// ImportBlock imports addr with an import block (by the ID in state) into config and expects a plan
// without changes.
func ImportBlock(config, addr string) resource.TestStep {
	return resource.TestStep{Config: config, ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID}
}

// ImportFails is a `terraform import` of addr by id that must fail with an error pattern matches.
func ImportFails(config, addr, id, pattern string) resource.TestStep {
	return resource.TestStep{Config: config, ResourceName: addr, ImportState: true, ImportStateId: id, ExpectError: regexp.MustCompile(pattern)}
}

// PlansUpdate checks, before apply, that addr is updated in place, and the further checks.
func PlansUpdate(addr string, more ...plancheck.PlanCheck) resource.ConfigPlanChecks {
	return plans(addr, plancheck.ResourceActionUpdate, more)
}

// PlansCreate checks, before apply, that addr is created (again: it was deleted outside Terraform).
func PlansCreate(addr string) resource.ConfigPlanChecks {
	return plans(addr, plancheck.ResourceActionCreate, nil)
}

// PlansReplace checks, before apply, that addr is destroyed and then created.
func PlansReplace(addr string) resource.ConfigPlanChecks {
	return plans(addr, plancheck.ResourceActionDestroyBeforeCreate, nil)
}

// PlansNothing checks, before apply, that the plan is empty.
func PlansNothing() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

func plans(addr string, action plancheck.ResourceActionType, more []plancheck.PlanCheck) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: append([]plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)}, more...)}
}

// Attr checks addr's value at path in state after apply. path names an attribute and, dot-separated,
// the attributes or map keys below it ("activation.maximum_duration"); a key holding a dot needs
// tfjsonpath.
func Attr(addr, path string, value knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, Path(path), value)
}

// Planned checks addr's planned value at path (as in Attr) before apply.
func Planned(addr, path string, value knownvalue.Check) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(addr, Path(path), value)
}

// PlannedUnknown checks that addr's value at path (as in Attr) is known only after apply.
func PlannedUnknown(addr, path string) plancheck.PlanCheck {
	return plancheck.ExpectUnknownValue(addr, Path(path))
}

// SameAcross follows addr's value at path (as in Attr) from the step whose state checks hold record to
// a later step whose state checks hold check: there it must be the value recorded.
func SameAcross(addr, path string) (record, check statecheck.StateCheck) {
	return across(addr, path, compare.ValuesSame())
}

// ChangedAcross is SameAcross for a value that must have changed between the two steps.
func ChangedAcross(addr, path string) (record, check statecheck.StateCheck) {
	return across(addr, path, compare.ValuesDiffer())
}

func across(addr, path string, c compare.ValueComparer) (record, check statecheck.StateCheck) {
	cv := statecheck.CompareValue(c)
	return cv.AddStateValue(addr, Path(path)), cv.AddStateValue(addr, Path(path))
}

// Path is the tfjsonpath of a dot-separated path (as in Attr).
func Path(path string) tfjsonpath.Path {
	steps := strings.Split(path, ".")
	p := tfjsonpath.New(steps[0])
	for _, s := range steps[1:] {
		p = p.AtMapKey(s)
	}
	return p
}

// InState passes addr's ID and attributes in state to check, which reads the object back through the
// APIs: the checks of these tests do not trust state for what it claims about Azure.
func InState(addr string, check func(id string, attrs map[string]string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok || rs.Primary == nil {
			return fmt.Errorf("%s not in state", addr)
		}
		return check(rs.Primary.ID, rs.Primary.Attributes)
	}
}
