package reliability

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// scenarioCounts is what examples/scenario creates: four groups, the six standing role bindings (five
// plus Contributor on a node pool), an eligibility and a member policy requiring approval on admin and
// node-access.
var scenarioCounts = map[string]int{"groups": 4, "role assignments": 6, "eligibilities": 2, "approval policies": 2}

// requireScenarioWorld checks that w holds exactly one of each scenario object on top of base.
func requireScenarioWorld(t *testing.T, base, w world) {
	t.Helper()
	if d := w.duplicates(); len(d) > 0 {
		t.Fatalf("duplicated objects: %v", d)
	}
	got := map[string]int{
		"groups":            len(w.Groups) - len(base.Groups),
		"role assignments":  len(w.RoleAssignments) - len(base.RoleAssignments),
		"eligibilities":     len(w.Eligibilities) - len(base.Eligibilities),
		"approval policies": len(w.Approvals) - len(base.Approvals),
	}
	if diff := cmp.Diff(scenarioCounts, got); diff != "" {
		t.Fatalf("the scenario's objects in the emulator (-want +got):\n%s\ngroups %v\nrole assignments %v\neligibilities %v\napprovals %v",
			diff, w.Groups, w.RoleAssignments, w.Eligibilities, w.Approvals)
	}
}

// TestFaultInjectedConvergence applies and destroys the scenario while the emulator answers 10% of
// Graph and ARM requests 429 (with Retry-After) and 3% 503, with a replication delay: no error, an empty
// plan, and after destroy the world equals the world before apply.
func TestFaultInjectedConvergence(t *testing.T) {
	m := mode()
	e := newEnv(t, envOptions{configure: func(c *emulator.Config) {
		c.ReplicationDelay = m.replicationDelay
		c.Seed = seed(t)
	}})
	ws := e.workspace("scenario", nil)
	before := worldOf(e.srv.Snapshot())
	e.srv.ResetStats()
	e.srv.SetFaults(emulator.Faults{Rate429: 0.10, Rate5xx: 0.03, RetryAfter: m.retryAfter})

	start := time.Now()
	e.apply(ws)
	applied := time.Since(start)
	requireScenarioWorld(t, before, worldOf(e.srv.Snapshot()))
	e.requireEmptyPlan(ws, "after apply under faults")

	start = time.Now()
	e.destroy(ws)
	destroyed := time.Since(start)
	// Deleted directory objects stay visible for the replication delay; the comparison is about what is
	// left once replication caught up.
	time.Sleep(m.replicationDelay)
	after := worldOf(e.srv.Snapshot())
	if diff := cmp.Diff(before, after); diff != "" {
		t.Fatalf("the world after destroy differs from the world before apply (-before +after):\n%s", diff)
	}

	st := e.srv.Stats()
	if st.Injected429 == 0 || st.Injected5xx == 0 {
		t.Fatalf("no fault was injected (429: %d, 5xx: %d): the test proves nothing", st.Injected429, st.Injected5xx)
	}
	t.Logf("apply %s, destroy %s; %d requests (%d in $batch), %d injected 429, %d injected 503",
		applied.Round(time.Second), destroyed.Round(time.Second), st.Requests, st.BatchItems, st.Injected429, st.Injected5xx)
	figures.add("convergence: requests served", st.Requests)
	figures.add("convergence: injected 429 (Retry-After)", st.Injected429)
	figures.add("convergence: injected 503", st.Injected5xx)
	figures.note("convergence: replication delay %s, apply %s, destroy %s, empty plan, world restored",
		m.replicationDelay, applied.Round(time.Second), destroyed.Round(time.Second))
}

// seed is the emulator seed of a test: fixed, so a failure replays with the same fault draws, unless
// AKS_RELIABILITY_SEED asks for another.
func seed(t *testing.T) int64 {
	t.Helper()
	var s int64 = 8
	if v := envInt("AKS_RELIABILITY_SEED"); v != 0 {
		s = v
	}
	t.Logf("emulator seed %d (AKS_RELIABILITY_SEED)", s)
	return s
}

func envInt(name string) int64 {
	var v int64
	if s := lookupEnv(name); s != "" {
		_, _ = fmt.Sscan(s, &v)
	}
	return v
}
