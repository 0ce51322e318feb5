package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// TestAdoptHandMadeSetup builds the how-to's setup without Terraform (handMadeSetup: what the Azure CLI
// and the portal send), then adopts it two ways, with the CLI TF_ACC_TERRAFORM_PATH names (Terraform or
// OpenTofu):
//
//  1. examples/adopt: aks_cluster_access and import blocks with for_each. The plan imports the 13 objects
//     and changes nothing; after the apply the next plan is empty; the audit output names n01's eligible
//     admin access and its approver.
//  2. aks_cluster_access's import_blocks written to a file, then `plan -generate-config-out`: the
//     generated configuration applies and the next plan is empty.
func TestAdoptHandMadeSetup(t *testing.T) {
	requireAcceptance(t, "the adoption test (builds the provider, starts the emulator)")
	ctx := t.Context()
	e, err := startEnvironment(ctx, environmentOptions{ConfigDir: "adopt", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	admin, err := emuclient.Admin(ctx, e.srv, emuclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	prefix := acctest.RandomWithPrefix("hand")
	if _, err := handMadeSetup(ctx, admin, e.fixtures, prefix); err != nil {
		t.Fatal(err)
	}
	e.ws.Env = append(e.ws.Env, "TF_VAR_cluster_id="+e.fixtures.ClusterID)
	run := func(ws *tfrun.Workspace, args ...string) tfrun.Result {
		t.Helper()
		res, err := ws.Run(ctx, args...)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	must := func(ws *tfrun.Workspace, args ...string) tfrun.Result {
		t.Helper()
		res := run(ws, args...)
		if err := res.Err(); err != nil {
			t.Fatal(err)
		}
		return res
	}

	// 1. for_each imports: the plan only imports.
	must(e.ws, "plan", "-no-color", "-input=false", "-out=adopt.tfplan")
	show := must(e.ws, "show", "-json", "adopt.tfplan")
	imports, changes := planImports(t, show.Stdout)
	if imports != 13 || len(changes) > 0 {
		t.Fatalf("%s: the adoption plan imports %d objects (want 13: 4 groups, 5 role assignments, 2 policies, 2 eligibilities) and changes %v", e.ws.CLI, imports, changes)
	}
	must(e.ws, "apply", "-no-color", "-input=false", "adopt.tfplan")
	if res := run(e.ws, "plan", "-no-color", "-input=false", "-detailed-exitcode"); res.ExitCode != 0 {
		t.Fatalf("%s: the plan after adopting is not empty (exit %d):\n%s%s", e.ws.CLI, res.ExitCode, res.Stdout, res.Stderr)
	}
	out := must(e.ws, "output", "-json", "access")
	var lines []string
	if err := json.Unmarshal([]byte(out.Stdout), &lines); err != nil {
		t.Fatal(err)
	}
	want := "n01: admin at cluster, eligible via member of " + prefix + "-default > eligible member of " + prefix + "-admin (PIM) > " +
		"Azure Kubernetes Service RBAC Admin at cluster (approved by p01 (member of " + prefix + "-approver))"
	if !strings.Contains(strings.Join(lines, "\n"), want) {
		t.Errorf("the audit of the adopted setup lacks %q:\n%s", want, strings.Join(lines, "\n"))
	}

	// 2. Generated configuration, in a second working directory that only reads the setup at first.
	dir := filepath.Join(e.tmp, "examples", "adopt-generated")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	reader := `terraform {
  required_providers {
    aks = { source = "aks-pim/aks" }
  }
}
provider "aks" {}
variable "cluster_id" { type = string }
data "aks_cluster_access" "this" { cluster_id = var.cluster_id }
output "import_blocks" { value = data.aks_cluster_access.this.import_blocks }
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(reader), 0o644); err != nil {
		t.Fatal(err)
	}
	gen := e.ws.In(dir)
	must(gen, "apply", "-auto-approve", "-no-color", "-input=false")
	blocks := must(gen, "output", "-raw", "import_blocks").Stdout
	if n := strings.Count(blocks, "import {"); n != 13 {
		t.Fatalf("import_blocks holds %d import blocks, want 13:\n%s", n, blocks)
	}
	if err := os.WriteFile(filepath.Join(dir, "imports.tf"), []byte(blocks), 0o644); err != nil {
		t.Fatal(err)
	}
	must(gen, "plan", "-no-color", "-input=false", "-generate-config-out=generated.tf", "-out=gen.tfplan")
	show = must(gen, "show", "-json", "gen.tfplan")
	if imports, changes := planImports(t, show.Stdout); imports != 13 || len(changes) > 0 {
		t.Fatalf("%s: the plan with generated configuration imports %d objects and changes %v", gen.CLI, imports, changes)
	}
	must(gen, "apply", "-no-color", "-input=false", "gen.tfplan")
	if res := run(gen, "plan", "-no-color", "-input=false", "-detailed-exitcode"); res.ExitCode != 0 {
		generated, _ := os.ReadFile(filepath.Join(dir, "generated.tf"))
		t.Fatalf("%s: the plan after applying generated configuration is not empty (exit %d):\n%s%s\ngenerated.tf:\n%s", gen.CLI, res.ExitCode, res.Stdout, res.Stderr, generated)
	}
}

// planImports counts the resources a saved plan imports and lists those it would create, change or
// destroy (an import is a no-op action with an importing block; the root module's outputs are ignored).
func planImports(t *testing.T, planJSON string) (int, []string) {
	t.Helper()
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Mode    string `json:"mode"`
			Change  struct {
				Actions   []string                   `json:"actions"`
				Importing json.RawMessage            `json:"importing"`
				Before    map[string]json.RawMessage `json:"before"`
				After     map[string]json.RawMessage `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(planJSON), &plan); err != nil {
		t.Fatalf("decoding the plan: %v", err)
	}
	imports := 0
	var changes []string
	for _, rc := range plan.ResourceChanges {
		if rc.Mode != "managed" {
			continue
		}
		if len(rc.Change.Importing) > 0 && string(rc.Change.Importing) != "null" {
			imports++
		}
		if len(rc.Change.Actions) != 1 || rc.Change.Actions[0] != "no-op" {
			var differ []string
			for k, after := range rc.Change.After {
				if string(rc.Change.Before[k]) != string(after) {
					differ = append(differ, fmt.Sprintf("%s: %s -> %s", k, rc.Change.Before[k], after))
				}
			}
			changes = append(changes, rc.Address+" "+strings.Join(rc.Change.Actions, ",")+" "+strings.Join(differ, "; "))
		}
	}
	return imports, changes
}
