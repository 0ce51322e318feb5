package armpim

import (
	"errors"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

const roleAKSAdmin = "3498e952-d568-435e-9b2c-8d77e338d7f7"

// variants are the emulator's open choices the package must work under: the defaults, the documented
// examples' spelling (bare schedule names, fresh schedule GUIDs), and every other option at once.
var variants = map[string]func(*emulator.Config){
	"defaults":      nil,
	"docs-examples": func(c *emulator.Config) { c.Variants = "docs-examples" },
	"alternate":     func(c *emulator.Config) { c.Variants = "alternate,resource-pages" },
}

// testWorld starts an emulator whose admin holds User Access Administrator (PIM requests need more than
// Role Based Access Control Administrator) and a short minimum schedule age, and returns its principals.
func testWorld(t *testing.T, mutate func(*emulator.Config)) (emuclient.Principals, emulator.Fixtures, *emulator.Server) {
	t.Helper()
	cfg := emulator.DefaultConfig()
	cfg.Seed = 7
	cfg.AdminARMRole = "User Access Administrator"
	cfg.ARMPIM.MinimumActiveAge = 2 * time.Second
	if mutate != nil {
		mutate(&cfg)
	}
	srv, p := emuclient.StartAll(t, cfg, emuclient.Quick())
	return p, srv.Fixtures(), srv
}

// inEachVariant runs test in parallel under each of variants, on a testWorld of its own.
func inEachVariant(t *testing.T, test func(t *testing.T, p emuclient.Principals, f emulator.Fixtures)) {
	for name, mutate := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, f, _ := testWorld(t, mutate)
			test(t, p, f)
		})
	}
}

func days(n int) pim.Duration { return pim.DurationOf(time.Duration(n) * 24 * time.Hour) }

func TestScheduleLifecycle(t *testing.T) {
	inEachVariant(t, func(t *testing.T, p emuclient.Principals, f emulator.Fixtures) {
		c, ctx := p.Admin, t.Context()
		target := Target{Scope: f.ClusterID, RoleDefinitionID: "/providers/Microsoft.Authorization/roleDefinitions/" + roleAKSAdmin, PrincipalID: f.N01.ID}
		spec := Spec{Kind: Eligible, Target: target, Schedule: pim.Schedule{Duration: days(30)}, Justification: "on-call"}

		created, err := Create(ctx, c, spec)
		if err != nil {
			t.Fatal(err)
		}
		id, err := ParseScheduleID(created.ID)
		if err != nil || id.Kind != Eligible || !rbac.SameScope(id.Scope, f.ClusterID) {
			t.Fatalf("schedule ID %q: %+v %v", created.ID, id, err)
		}
		if got := created.End.Sub(created.Start); got != 30*24*time.Hour || created.PrincipalType != "User" {
			t.Fatalf("schedule: %v long, principal type %q", got, created.PrincipalType)
		}
		if found, ok, err := Find(ctx, c, Eligible, target); err != nil || !ok || found.ID != created.ID {
			t.Fatalf("Find = %v %v %v", found.ID, ok, err)
		}
		if d, ok, err := ReadRequestDetails(ctx, c, Eligible, created.RequestID); err != nil || !ok || d.Justification != "on-call" {
			t.Fatalf("request details %+v %v %v", d, ok, err)
		}

		// A retried create (its answer lost) adopts the matching schedule; a different one is refused.
		if again, err := Create(ctx, c, spec); err != nil || again.ID != created.ID {
			t.Fatalf("retried create: %v %v", again.ID, err)
		}
		other := spec
		other.Schedule = pim.Schedule{Duration: days(90)}
		var exists *ExistsError
		if _, err := Create(ctx, c, other); !errors.As(err, &exists) || exists.Existing.ID != created.ID {
			t.Fatalf("create over another schedule: %v", err)
		}

		// AdminUpdate keeps counting the duration from the original start.
		upd := spec
		upd.Schedule = pim.Schedule{Start: created.Start, Duration: days(60)}
		updated, err := Update(ctx, c, upd)
		if err != nil {
			t.Fatal(err)
		}
		if got := updated.End.Sub(created.Start); got < 60*24*time.Hour-time.Minute || got > 60*24*time.Hour+time.Minute {
			t.Fatalf("updated schedule ends %v after the original start", got)
		}
		if _, ok, _ := Read(ctx, c, updated.ID); !ok {
			t.Fatal("the updated schedule does not read back")
		}

		// Removal waits out the minimum age, then the schedule is gone.
		if err := Remove(ctx, c, updated.ID, target, "done", "", ""); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := Read(ctx, c, updated.ID); ok || err != nil {
			t.Fatalf("after removal: found %v, %v", ok, err)
		}
		if err := Remove(ctx, c, updated.ID, target, "done", "", ""); err != nil {
			t.Fatalf("removing a removed schedule: %v", err)
		}
	})
}

func TestSchedulePolicyViolation(t *testing.T) {
	t.Parallel()
	p, f, _ := testWorld(t, nil)
	spec := Spec{Kind: Active, Target: Target{Scope: f.ClusterID, RoleDefinitionID: roleAKSAdmin, PrincipalID: f.N01.ID},
		Schedule: pim.Schedule{Permanent: true}, Justification: "break-glass"}
	_, err := Create(t.Context(), p.Admin, spec)
	var pe *pim.PolicyRejectedError
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[0] != (pim.FailedCheck{Name: pim.FailedExpiration, Rule: pim.RuleExpirationAdminAssignment}) {
		t.Fatalf("permanent active assignment under the default policy: %v", err)
	}
}

func TestSchedulePrincipalNotFound(t *testing.T) {
	t.Parallel()
	_, f, srv := testWorld(t, nil)
	// A principal PIM does not know is retried for the PrincipalNotFoundTimeout, then reported as such.
	c, err := emuclient.Admin(t.Context(), srv, emuclient.Options{PrincipalNotFoundTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{Kind: Eligible, Target: Target{Scope: f.ClusterID, RoleDefinitionID: roleAKSAdmin, PrincipalID: "00000000-0000-4000-8000-000000000001"},
		Schedule: pim.Schedule{Duration: days(30)}, Justification: "x"}
	var pnf *rbac.PrincipalNotFoundError
	if _, err := Create(t.Context(), c, spec); !errors.As(err, &pnf) {
		t.Fatalf("unknown principal: %v", err)
	}
}
