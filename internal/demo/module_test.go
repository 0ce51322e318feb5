package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// TestModuleTerraformTest runs each module's own `terraform test` files (examples/modules/*/tests): the
// plan-level tests with a mocked provider, and the apply tests against an emulator started here, with
// the provider built from this tree under a dev override. It is an acceptance test (TF_ACC=1): it builds
// the provider and runs Terraform.
func TestModuleTerraformTest(t *testing.T) {
	requireAcceptance(t, "the modules' terraform test files (builds the provider, starts the emulator)")
	list := func(ids ...string) string {
		b, _ := json.Marshal(ids)
		return string(b)
	}
	modules := []struct {
		dir  string
		vars func(e *environment) []string
	}{
		{"aks-pim-access", func(e *environment) []string {
			return []string{"TF_VAR_name_prefix=" + acctest.RandomWithPrefix("tftest"),
				"TF_VAR_default_members=" + list(e.fixtures.N01.ID), "TF_VAR_approver_members=" + list(e.fixtures.P01.ID)}
		}},
		{"aks-pim-role-access", func(e *environment) []string {
			return []string{"TF_VAR_users=" + list(e.fixtures.N01.ID), "TF_VAR_approvers=" + list(e.fixtures.P01.ID)}
		}},
	}
	// One provider build for both modules.
	start := time.Now()
	bin, err := tfrun.BuildProvider(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built the provider in %s", time.Since(start).Round(100*time.Millisecond))
	for _, m := range modules {
		t.Run(m.dir, func(t *testing.T) {
			ctx := t.Context()
			e, err := startEnvironment(ctx, environmentOptions{ConfigDir: "modules/" + m.dir, ProviderDir: filepath.Dir(bin), Logf: t.Logf})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(e.Close)
			e.ws.Env = append(e.ws.Env, "TF_VAR_cluster_id="+e.fixtures.ClusterID)
			e.ws.Env = append(e.ws.Env, m.vars(e)...)
			baseline := len(e.srv.Snapshot().RoleAssignments)
			start := time.Now()
			res, err := e.ws.Run(ctx, "test", "-no-color")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("terraform test (%s):\n%s", time.Since(start).Round(time.Second), res.Stdout)
			if res.ExitCode != 0 {
				t.Fatalf("terraform test failed (exit %d):\n%s", res.ExitCode, res.Stderr)
			}
			// A run that is skipped or a file that is not picked up would still exit 0: count the passes.
			got := regexp.MustCompile(`Success! (\d+) passed, 0 failed`).FindStringSubmatch(res.Stdout)
			if got == nil {
				t.Fatalf("terraform test did not report success:\n%s", res.Stdout)
			}
			want := 0
			files, _ := filepath.Glob(filepath.Join(e.ws.Dir, "tests", "*.tftest.hcl"))
			for _, file := range files {
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				want += len(regexp.MustCompile(`(?m)^run "`).FindAll(data, -1))
			}
			if n, _ := strconv.Atoi(got[1]); n != want || want == 0 {
				t.Fatalf("terraform test passed %d runs, want all %d of %d test files", n, want, len(files))
			}
			checkModuleLeftNothing(t, e, baseline)
		})
	}
}

// checkModuleLeftNothing: terraform test destroys what the apply runs created, so nothing of the module
// may be left: no group, no extra role assignment, no eligibility, no changed role policy.
func checkModuleLeftNothing(t *testing.T, e *environment, baseline int) {
	t.Helper()
	snap := e.srv.Snapshot()
	for _, g := range snap.Groups {
		if !g.Deleted && strings.HasPrefix(g.DisplayName, "tftest-") {
			t.Errorf("group %s (%s) left behind", g.DisplayName, g.ID)
		}
	}
	if n := len(snap.RoleAssignments); n != baseline {
		t.Errorf("%d role assignments after terraform test, %d before", n, baseline)
	}
	if n := len(snap.PIM.EligibilitySchedules) + len(snap.ARMPIM.EligibilitySchedules) + len(snap.ARMPIM.AssignmentSchedules); n != 0 {
		t.Errorf("%d eligibility or assignment schedules left behind", n)
	}
	for _, p := range snap.ARMPIM.ChangedPolicies {
		t.Errorf("the policy of role %s at %s was not reset", p.RoleDefinitionID, p.Scope)
	}
}
