package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

const concurrencyHeader = `terraform {
  required_providers {
    aks = { source = "aks-pim/aks" }
  }
}

provider "aks" {}

`

// concurrencyBase creates the shared group and two principals that become eligible for it.
const concurrencyBase = concurrencyHeader + `variable "name_prefix" { type = string }

resource "aks_pim_group" "shared" {
  display_name = "${var.name_prefix}-shared"
  description  = "The group two configurations govern at once."
}

resource "aks_pim_group" "team" {
  for_each     = toset(["a", "b"])
  display_name = "${var.name_prefix}-team-${each.key}"
}

output "shared" { value = aks_pim_group.shared.object_id }
output "team" { value = { for k, g in aks_pim_group.team : k => g.object_id } }
`

// concurrencyTeam is one team's configuration of the shared group: its eligibility, one of the group's
// two policies, and a role binding of the group.
const concurrencyTeam = concurrencyHeader + `variable "shared" { type = string }
variable "principal" { type = string }
variable "access" { type = string }
variable "scope" { type = string }
variable "role" { type = string }

resource "aks_pim_approval_policy" "this" {
  group_id         = var.shared
  access_id        = var.access
  require_approval = false
  activation = {
    maximum_duration      = "PT2H"
    require_justification = true
  }
}

resource "aks_pim_eligibility" "this" {
  group_id      = var.shared
  principal_id  = var.principal
  access_id     = "member"
  duration      = "P30D"
  justification = "team eligibility"
}

resource "aks_role_binding" "this" {
  scope        = var.scope
  role         = var.role
  principal_id = var.shared
}
`

// TestConcurrentAppliesOnOneGroup applies two configurations that govern the same group (two
// eligibilities, the member and the owner policy, two role bindings) from two working directories at the
// same moment, then checks that neither corrupted the other, that a second apply of each is a no-op (no
// change planned, no write sent), and that destroying one leaves the other intact.
func TestConcurrentAppliesOnOneGroup(t *testing.T) {
	m := mode()
	e := newEnv(t, envOptions{configure: func(c *emulator.Config) { c.ReplicationDelay = m.replicationDelay }})
	before := worldOf(e.srv.Snapshot())
	base := e.workspace("base", map[string]string{"main.tf": concurrencyBase})
	e.apply(base)
	var out struct {
		Shared struct{ Value string }            `json:"shared"`
		Team   struct{ Value map[string]string } `json:"team"`
	}
	if err := json.Unmarshal([]byte(e.must(base, "output", "-json").Stdout), &out); err != nil {
		t.Fatal(err)
	}
	rg := "/subscriptions/" + e.fx.SubscriptionID + "/resourceGroups/" + e.fx.ResourceGroup
	teams := map[string][]string{
		"a": {"TF_VAR_shared=" + out.Shared.Value, "TF_VAR_principal=" + out.Team.Value["a"], "TF_VAR_access=member",
			"TF_VAR_scope=" + e.fx.ClusterID, "TF_VAR_role=Azure Kubernetes Service RBAC Reader"},
		"b": {"TF_VAR_shared=" + out.Shared.Value, "TF_VAR_principal=" + out.Team.Value["b"], "TF_VAR_access=owner",
			"TF_VAR_scope=" + rg, "TF_VAR_role=Reader"},
	}
	ws := map[string]*tfrun.Workspace{}
	for name, vars := range teams {
		ws[name] = e.workspace("team-"+name, map[string]string{"main.tf": concurrencyTeam}, vars...)
	}
	afterBase := worldOf(e.srv.Snapshot())

	// Both applies at once, several times over: the first creates, the next ones must be no-ops even
	// while the other directory is running.
	for round := 1; round <= 2; round++ {
		e.srv.ResetStats()
		var wg sync.WaitGroup
		results := map[string]tfrun.Result{}
		errs := map[string]error{}
		var mu sync.Mutex
		for name := range ws {
			wg.Add(1)
			go func(name string) {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
				defer cancel()
				res, err := ws[name].Run(ctx, "apply", "-auto-approve", "-input=false", "-no-color")
				mu.Lock()
				results[name], errs[name] = res, err
				mu.Unlock()
			}(name)
		}
		wg.Wait()
		for name, res := range results {
			if errs[name] != nil {
				t.Fatalf("round %d: running the apply of team %s: %v", round, name, errs[name])
			}
			if res.ExitCode != 0 {
				t.Fatalf("round %d: the apply of team %s failed while team %s applied too:\n%s", round, name, otherTeam(name), tail(res.Stderr+res.Stdout, 6000))
			}
			if round > 1 && !strings.Contains(res.Stdout, "No changes.") {
				t.Errorf("round %d: the apply of team %s was not a no-op:\n%s", round, name, tail(res.Stdout, 4000))
			}
		}
		if round > 1 {
			if n := writes(e.srv.Stats()); n != 0 {
				t.Errorf("round %d: the second applies sent %d writes:\n%s", round, n, writeRoutes(e.srv.Stats()))
			}
		}
	}
	for name := range ws {
		e.requireEmptyPlan(ws[name], "team "+name+" after both applied")
	}
	both := worldOf(e.srv.Snapshot())
	if d := both.duplicates(); len(d) > 0 {
		t.Fatalf("duplicates: %v", d)
	}
	// Each team's objects are there: two eligibilities, two more role assignments, and both policies
	// of the shared group (member by team a, owner by team b) as the teams configured them.
	got := fmt.Sprintf("eligibilities %d, role assignments %d",
		len(both.Eligibilities)-len(afterBase.Eligibilities), len(both.RoleAssignments)-len(afterBase.RoleAssignments))
	if want := "eligibilities 2, role assignments 2"; got != want {
		t.Fatalf("after both applies: %s, want %s\neligibilities %v\nrole assignments %v", got, want, both.Eligibilities, both.RoleAssignments)
	}
	requireTeamPolicies(t, e, out.Shared.Value)

	// Destroying team a leaves team b exactly as it was.
	e.destroy(ws["a"])
	e.requireEmptyPlan(ws["b"], "team b after team a was destroyed")
	e.destroy(ws["b"])
	e.destroy(base)
	if diff := cmp.Diff(before, worldOf(e.srv.Snapshot())); diff != "" {
		t.Fatalf("after destroying everything the world differs from the start (-before +after):\n%s", diff)
	}
	figures.note("concurrency: two working directories applied the same group at once, twice; second applies sent 0 writes")
}

func otherTeam(name string) string {
	if name == "a" {
		return "b"
	}
	return "a"
}

// requireTeamPolicies checks that both policies of the shared group hold what their team configured:
// a two-hour activation, no approval.
func requireTeamPolicies(t *testing.T, e *env, group string) {
	t.Helper()
	for _, p := range e.srv.Snapshot().PIM.Policies {
		if !strings.EqualFold(p.GroupID, group) {
			continue
		}
		rule := string(p.Rules["Expiration_EndUser_Assignment"])
		if !strings.Contains(rule, `"maximumDuration":"PT2H"`) {
			t.Errorf("the %s policy of the shared group lost its team's activation maximum: %s", p.AccessID, rule)
		}
	}
}
