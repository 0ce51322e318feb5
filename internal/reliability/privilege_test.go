package reliability

import (
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// TestLeastPrivilege runs the scenario with the provider's identity missing one documented permission at
// a time (each Graph application permission, then the ARM role) and checks that the run stops with an
// error that names what is missing and what to grant, instead of a bare 403. With everything granted the
// scenario applies (the other tests), so each failure here is caused by the one permission removed.
func TestLeastPrivilege(t *testing.T) {
	requireAcc(t)
	type removal struct {
		name     string
		graph    []string // the admin's Graph permissions
		armRole  string
		mustName []string // the error must name one of these
	}
	var cases []removal
	for _, p := range emulator.AdminGraphPermissionsDefault {
		cases = append(cases, removal{
			name:  "without " + p,
			graph: slices.DeleteFunc(slices.Clone(emulator.AdminGraphPermissionsDefault), func(x string) bool { return x == p }),
			// The resource diagnostics name the permission itself (or, for group writes, also the narrower
			// Group.Create).
			mustName: []string{p},
		})
	}
	cases = append(cases,
		// No role at all: the first refusal is the cluster read, and the error names a role that grants it.
		removal{
			name: "without the ARM role", graph: emulator.AdminGraphPermissionsDefault, armRole: "-",
			mustName: []string{"Role Based Access Control Administrator", "User Access Administrator", `"Reader"`},
		},
		// Read but no write: the role assignment writes are refused, and the error names the roles that may
		// write them.
		removal{
			name: "with Reader instead of the ARM role", graph: emulator.AdminGraphPermissionsDefault, armRole: "Reader",
			mustName: []string{"Role Based Access Control Administrator", "User Access Administrator"},
		})
	var named atomic.Int64
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{configure: func(cfg *emulator.Config) {
				cfg.AdminGraphPermissions = c.graph
				if c.armRole != "" {
					cfg.AdminARMRole = c.armRole
				}
			}})
			ws := e.workspace("scenario", nil)
			res := e.tf(ws, "apply", "-auto-approve", "-input=false", "-no-color")
			out := res.Stdout + res.Stderr
			if res.ExitCode == 0 {
				// Only permissions the scenario needs can make it fail. A permission it does not need must
				// at least be named in a warning when a feature degrades without it.
				if containsAny(out, c.mustName) {
					t.Logf("the scenario applies %s, and a warning names it", c.name)
					named.Add(1)
					return
				}
				t.Fatalf("the scenario applied %s and nothing named the permission: either the scenario does not need it "+
					"(then the documented least-privilege set is too large) or a feature silently degraded:\n%s", c.name, tail(out, 3000))
			}
			errs := errorBlocks(out)
			if len(errs) == 0 {
				t.Fatalf("apply failed without an error diagnostic:\n%s", tail(out, 4000))
			}
			for _, eb := range errs {
				if !containsAny(eb, c.mustName) || !strings.Contains(eb, "Grant") {
					t.Errorf("an error does not name %v and what to grant:\n%s", c.mustName, eb)
				}
			}
			if !t.Failed() {
				named.Add(1)
				t.Logf("%d error(s), each naming %v; first:\n%s", len(errs), c.mustName, errs[0])
			}
		})
	}
	t.Cleanup(func() {
		figures.add("least privilege: removals tried", int64(len(cases)))
		figures.add("least privilege: removals named with what to grant", named.Load())
	})
}

// TestLeastPrivilegeGroupsWithoutPIM (issue 17, defect 1): an identity with the group permissions but
// none of the PIM read permissions manages groups: apply and every later refresh succeed, pim_onboarded
// stays false, and warnings name the permissions that would tell more. Before the fix every refresh
// (and the create's read-back) failed on the refused PIM reads.
func TestLeastPrivilegeGroupsWithoutPIM(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	e := newEnv(t, envOptions{configure: func(cfg *emulator.Config) {
		cfg.AdminGraphPermissions = []string{"Group.ReadWrite.All", "User.Read.All"}
	}})
	ws := e.workspace("groups", map[string]string{"main.tf": `terraform {
  required_providers {
    aks = { source = "aks-pim/aks" }
  }
}

provider "aks" {}

resource "aks_pim_group" "team" {
  display_name = "` + e.prefix + `-team"
  members      = ["` + e.fx.N01.ID + `"]
}

output "pim_onboarded" {
  value = aks_pim_group.team.pim_onboarded
}
`})
	apply := e.apply(ws)
	for _, p := range []string{"PrivilegedAssignmentSchedule.Read.AzureADGroup", "RoleManagementPolicy.Read.AzureADGroup"} {
		if !strings.Contains(apply.Stdout+apply.Stderr, p) {
			t.Errorf("the apply's warnings do not name %s:\n%s", p, tail(apply.Stdout+apply.Stderr, 3000))
		}
	}
	plan := e.tf(ws, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if plan.ExitCode != 0 {
		t.Fatalf("the refresh without PIM permissions exited %d, want 0 (no error, no change):\n%s", plan.ExitCode, tail(plan.Stdout+plan.Stderr, 4000))
	}
	if !strings.Contains(plan.Stdout+plan.Stderr, "PIM Onboarding Unknown") {
		t.Errorf("the refresh did not warn that onboarding is unknown:\n%s", tail(plan.Stdout+plan.Stderr, 3000))
	}
	if out := e.must(ws, "output", "-raw", "pim_onboarded"); strings.TrimSpace(out.Stdout) != "false" {
		t.Errorf("pim_onboarded = %q, want false", out.Stdout)
	}
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

var errorHeader = regexp.MustCompile(`(?m)^(│ )?Error: `)

// errorBlocks splits terraform's human output into its error diagnostics (summary, source and detail),
// with the box-drawing prefix removed.
func errorBlocks(out string) []string {
	clean := strings.ReplaceAll(out, "│ ", "")
	locs := errorHeader.FindAllStringIndex(clean, -1)
	var blocks []string
	for i, l := range locs {
		end := len(clean)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		if j := strings.Index(clean[l[0]:end], "╵"); j >= 0 {
			end = l[0] + j
		}
		blocks = append(blocks, strings.TrimSpace(clean[l[0]:end]))
	}
	return blocks
}
