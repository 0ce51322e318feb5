package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
)

// TestModuleTerraformTest runs the aks-pim-access module's own `terraform test` files
// (examples/modules/aks-pim-access/tests): the plan-level tests with a mocked provider, and the apply
// test against an emulator started here, with the provider built from this tree under a dev override.
// It is an acceptance test (TF_ACC=1): it builds the provider and runs Terraform.
func TestModuleTerraformTest(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the module's terraform test files (builds the provider, starts the emulator)")
	}
	ctx := t.Context()
	e, err := startEnvironment(ctx, environmentOptions{ConfigDir: "modules/aks-pim-access", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	f := e.fixtures
	list := func(ids ...string) string {
		b, _ := json.Marshal(ids)
		return string(b)
	}
	e.ws.Env = append(e.ws.Env,
		"TF_VAR_cluster_id="+f.ClusterID,
		"TF_VAR_name_prefix="+acctest.RandomWithPrefix("tftest"),
		"TF_VAR_default_members="+list(f.N01.ID),
		"TF_VAR_approver_members="+list(f.P01.ID),
	)
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
	m := regexp.MustCompile(`Success! (\d+) passed, 0 failed`).FindStringSubmatch(res.Stdout)
	if m == nil {
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
	if n, _ := strconv.Atoi(m[1]); n != want || want == 0 {
		t.Fatalf("terraform test passed %d runs, want all %d of %d test files", n, want, len(files))
	}

	// terraform test destroys what the apply runs created: nothing of the module may be left.
	snap := e.srv.Snapshot()
	for _, g := range snap.Groups {
		if !g.Deleted && regexp.MustCompile(`^tftest-`).MatchString(g.DisplayName) {
			t.Errorf("group %s (%s) left behind", g.DisplayName, g.ID)
		}
	}
	if n := len(snap.RoleAssignments); n != baseline {
		t.Errorf("%d role assignments after terraform test, %d before", n, baseline)
	}
	if n := len(snap.PIM.EligibilitySchedules); n != 0 {
		t.Errorf("%d eligibility schedules left behind", n)
	}
}
