package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Issue 14's targets (benchmark, not timed tests). The issue states them for 5,600 resources (400
// clusters); every run is judged against them and says at what size it ran.
const (
	targetRefreshARMReadsPerBinding = 0.05 // ARM reads per role binding on refresh
	targetRefreshGraphOpsPerGroup   = 4    // Graph operations per group on refresh
	targetRefreshGraphOpsPerOther   = 1    // ... per eligibility and per policy
	targetRefreshWallOverFloor      = 1.25 // refresh wall ≤ 1.25 × terraform_data refresh + limit
	targetScaleRSSMiB               = 300  // provider peak RSS, MiB
)

// modePhases are the phases measured in mode, in the order they ran.
func (r *result) modePhases(mode string) []phaseResult {
	var out []phaseResult
	for _, p := range r.Phases {
		m := p.Mode
		if m == "" {
			m = modeShared
		}
		if m == mode {
			out = append(out, p)
		}
	}
	return out
}

// perType is a per-resource figure of a phase: f of the type's costs, divided by the type's count.
func (r *result) perType(p *phaseResult, typ string, f func(apiCost) int64) float64 {
	n := r.ResourceCounts[typ]
	if n == 0 {
		return 0
	}
	return float64(f(p.Requests.ByType[typ])) / float64(n)
}

func graphOpsOf(c apiCost) int64 { return c.GraphOps }
func armReadsOf(c apiCost) int64 { return c.ARMReads }

// scaleTargets evaluates issue 14's targets on what this run measured; a target whose phases were not
// measured is left out.
func scaleTargets(r *result) []target {
	var out []target
	refresh := r.phase(phaseRefresh, modeShared)
	if refresh.Wall == 0 {
		return nil
	}
	size := fmt.Sprintf(" (%d resources)", r.ManagedResources)
	thr := float64(refresh.Requests.throttledTotal())
	out = append(out,
		target{"refresh throttled requests" + size, thr, 0, "req", thr == 0},
		target{"refresh ARM reads per role binding", r.perType(refresh, typeBinding, armReadsOf), targetRefreshARMReadsPerBinding, "req",
			r.perType(refresh, typeBinding, armReadsOf) <= targetRefreshARMReadsPerBinding},
		target{"refresh Graph operations per group", r.perType(refresh, typeGroup, graphOpsOf), targetRefreshGraphOpsPerGroup, "ops",
			r.perType(refresh, typeGroup, graphOpsOf) <= targetRefreshGraphOpsPerGroup},
		target{"refresh Graph operations per eligibility", r.perType(refresh, typeEligibility, graphOpsOf), targetRefreshGraphOpsPerOther, "ops",
			r.perType(refresh, typeEligibility, graphOpsOf) <= targetRefreshGraphOpsPerOther},
		target{"refresh Graph operations per policy", r.perType(refresh, typePolicy, graphOpsOf), targetRefreshGraphOpsPerOther, "ops",
			r.perType(refresh, typePolicy, graphOpsOf) <= targetRefreshGraphOpsPerOther},
	)
	if floor := r.phase(phaseRefresh, modeTerraform); floor.Wall > 0 {
		bound := time.Duration(targetRefreshWallOverFloor*float64(floor.Wall)) + refresh.Limit
		v := ratio(float64(refresh.Wall), float64(bound))
		out = append(out, target{"refresh wall / (1.25 x terraform_data + limit)", v, 1, "x", v <= 1})
	}
	for _, p := range []phase{phaseApply, phaseDestroy} {
		if pr := r.phase(p, modeShared); pr.Wall > 0 {
			n := float64(pr.ProviderWaits.Abandoned)
			out = append(out, target{fmt.Sprintf("%s 429s not retried (waited %s)", p, dur(pr.ProviderWaits.Waited)), n, 0, "req", n == 0})
		}
	}
	var rss int64
	for _, p := range r.modePhases(modeShared) {
		rss = max(rss, p.Processes.ProviderHWMKB)
	}
	out = append(out, target{"provider peak RSS" + size, float64(rss) / kbPerMiB, targetScaleRSSMiB, "MiB", float64(rss)/kbPerMiB < targetScaleRSSMiB})
	return out
}

// printComparison prints, for each phase, the provider with shared reads, without them, and
// Terraform alone on the same graph, measured in the same run (issue 14).
func printComparison(w io.Writer, r *result) {
	if len(r.modePhases(modePerResource)) == 0 && len(r.modePhases(modeTerraform)) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Beside each phase: shared reads off (one read per resource) and Terraform alone on the same graph (terraform_data):")
	type col struct {
		p    phase
		mode string
		pr   *phaseResult
	}
	var cols []col
	for _, p := range []phase{phaseApply, phaseRefresh, phaseDrift, phaseDestroy} {
		for _, m := range []string{modeShared, modePerResource, modeTerraform} {
			if pr := r.phase(p, m); pr.Wall > 0 {
				cols = append(cols, col{p, m, pr})
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name string, f func(c col) string) {
		cells := []string{name}
		for _, c := range cols {
			cells = append(cells, f(c))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	provider := func(f func(c col) string) func(c col) string {
		return func(c col) string {
			if c.mode == modeTerraform {
				return "-"
			}
			return f(c)
		}
	}
	row("", func(c col) string { return string(c.p) })
	row("", func(c col) string { return c.mode })
	row("wall time", func(c col) string { return dur(c.pr.Wall) })
	row("wall ÷ shared", func(c col) string {
		return fmt.Sprintf("%.2fx", ratio(float64(c.pr.Wall), float64(r.phase(c.p, modeShared).Wall)))
	})
	row("HTTP requests (Graph + ARM)", provider(func(c col) string { return fmt.Sprint(c.pr.Requests.API) }))
	row("Graph operations", provider(func(c col) string { return fmt.Sprint(c.pr.Requests.GraphOps) }))
	row("ARM reads", provider(func(c col) string { return fmt.Sprint(c.pr.Requests.ARMReads) }))
	row("ARM writes / deletes", provider(func(c col) string {
		return fmt.Sprintf("%d / %d", c.pr.Requests.ARMWrites, c.pr.Requests.ARMDeletes)
	}))
	row("429s (Graph, ARM)", provider(func(c col) string {
		return fmt.Sprintf("%d (%d, %d)", c.pr.Requests.throttledTotal(), c.pr.Requests.Throttled["graph"], c.pr.Requests.Throttled["arm"])
	}))
	row("Retry-After waited", provider(func(c col) string { return dur(c.pr.ProviderWaits.Waited) }))
	row("Graph ops per group", provider(func(c col) string { return fmt.Sprintf("%.2f", r.perType(c.pr, typeGroup, graphOpsOf)) }))
	row("Graph ops per eligibility", provider(func(c col) string {
		return fmt.Sprintf("%.2f", r.perType(c.pr, typeEligibility, graphOpsOf))
	}))
	row("Graph ops per policy", provider(func(c col) string { return fmt.Sprintf("%.2f", r.perType(c.pr, typePolicy, graphOpsOf)) }))
	row("ARM reads per binding", provider(func(c col) string { return fmt.Sprintf("%.3f", r.perType(c.pr, typeBinding, armReadsOf)) }))
	row("provider peak RSS (MiB)", provider(func(c col) string {
		return fmt.Sprintf("%.0f", float64(c.pr.Processes.ProviderHWMKB)/kbPerMiB)
	}))
	row("provider CPU", provider(func(c col) string { return dur(c.pr.Processes.ProviderCPU) }))
	row("terraform CPU", func(c col) string { return dur(c.pr.Processes.TerraformCPU) })
	row("load average at the end", func(c col) string { return fmt.Sprintf("%.1f", c.pr.Load1) })
	_ = tw.Flush()
}
