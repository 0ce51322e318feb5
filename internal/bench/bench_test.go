package main

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

func TestConfigurationHasExactlyTheScenarioPerCluster(t *testing.T) {
	ids := []string{"/subscriptions/s/resourceGroups/rg-1/providers/Microsoft.ContainerService/managedClusters/aks-1",
		"/subscriptions/s/resourceGroups/rg-2/providers/Microsoft.ContainerService/managedClusters/aks-2"}
	cfg := configuration(ids, "n01@x", "p01@x")

	// Count the for_each keys of each local map that a resource iterates over.
	keys := func(local string) int {
		block := regexp.MustCompile(`(?s)` + local + ` = merge\(\[for c in keys\(local\.clusters\) : \{(.*?)\}\]\.\.\.\)`).FindStringSubmatch(cfg)
		if block == nil {
			t.Fatalf("local %s not found in:\n%s", local, cfg)
		}
		return len(regexp.MustCompile(`(?m)^\s*"\$\{c\}-[^"]+"\s*=`).FindAllString(block[1], -1))
	}
	got := map[string]int{
		typeGroup:       keys("groups") * len(ids),
		typeBinding:     keys("bindings") * len(ids),
		typeEligibility: keys("jit") * len(ids),
		typePolicy:      keys("jit") * len(ids),
	}
	if diff := cmp.Diff(resourceCounts(len(ids)), got); diff != "" {
		t.Errorf("resource counts (-want +got):\n%s", diff)
	}
	for _, id := range ids {
		if !strings.Contains(cfg, `"`+id+`"`) {
			t.Errorf("cluster %s missing from the configuration", id)
		}
	}
	if n := strings.Count(cfg, "\nresource \""); n != 4 {
		t.Errorf("%d resource blocks, want one per type (4)", n)
	}
	if !strings.Contains(cfg, `aks_pim_group.g["`+probeGroupKey+`"]`) {
		t.Errorf("the probe group %s is not an output", probeGroupKey)
	}
}

func TestPhaseMinimumAndLimit(t *testing.T) {
	// 40 clusters: 160 groups, 240 bindings, 80 eligibilities, 80 policies.
	tests := []struct {
		p                  phase
		resources, overall int
	}{
		{phaseApply, 160*2 + 240*1 + 80*2 + 80*3, 160*2 + 240*1 + 80*2 + 80*3 + 42 + 6},
		{phaseRefresh, 560, 560 + 42},
		{phaseDrift, 560, 560 + 42},
		{phaseDestroy, 160*2 + 240*2 + 80*2 + 80*4, 160*2 + 240*2 + 80*2 + 80*4 + 42},
	}
	for _, tt := range tests {
		res, total := phaseMinimum(40, tt.p)
		if res != tt.resources || total != tt.overall {
			t.Errorf("%s: minimum %d/%d, want %d/%d", tt.p, res, total, tt.resources, tt.overall)
		}
	}
	if got := limit(602, 25*time.Millisecond, 10); got != 1505*time.Millisecond {
		t.Errorf("limit(602, 25ms, 10) = %s, want 1.505s", got)
	}
}

func TestCountsFromStatsSplitsAPIsAndBatchItems(t *testing.T) {
	st := emulator.Stats{Routes: map[string]emulator.RouteStats{
		"POST /v1.0/$batch":           {Count: 10, Status: map[string]int64{"200": 10}},
		"GET /v1.0/groups/{group-id}": {Count: 12, BatchItems: 10, Status: map[string]int64{"200": 11, "404": 1}},
		"GET {scope...}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}": {Count: 5, Status: map[string]int64{"200": 5}},
		"POST /{tenant}/oauth2/v2.0/token":                    {Count: 2, Status: map[string]int64{"200": 2}},
		"GET /{tenant}/v2.0/.well-known/openid-configuration": {Count: 1, Status: map[string]int64{"200": 1}},
		"GET /metadata/endpoints":                             {Count: 1, Status: map[string]int64{"200": 1}},
	}}
	c := countsFrom(st)
	got := []int64{c.API, c.Graph, c.ARM, c.BatchItems, c.Login, c.Metadata, c.Errors}
	want := []int64{17, 12, 5, 10, 3, 1, 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("api, graph, arm, batch items, login, metadata, errors (-want +got):\n%s", diff)
	}
	if c.Routes[0].Route != "GET /v1.0/groups/{group-id}" {
		t.Errorf("routes not busiest first: %v", c.Routes)
	}
}

func TestEvaluateChargesDataSourcesTheirMinimum(t *testing.T) {
	b := &bencher{o: options{Clusters: 40, Latency: 25 * time.Millisecond, Parallelism: 10}, res: &result{ManagedResources: 560}}
	pr := b.evaluate(phaseRefresh, 3*time.Second, counts{API: 602 + 56}, procPeak{})
	if pr.ResourceRequests != 616 || pr.PerResource != 1.1 || pr.MinPerResource != 1 {
		t.Errorf("resource requests %d, per resource %.3f, minimum %.3f; want 616, 1.1, 1", pr.ResourceRequests, pr.PerResource, pr.MinPerResource)
	}
	if pr.Limit != 1505*time.Millisecond || pr.WallRatio < 1.99 || pr.WallRatio > 2 {
		t.Errorf("limit %s, wall ratio %.3f; want 1.505s, 3s/1.505s", pr.Limit, pr.WallRatio)
	}
	r := &result{BinaryBytes: 56e6, Phases: []phaseResult{pr}}
	for _, tg := range evaluateTargets(r) {
		switch tg.Name {
		case "refresh requests per resource":
			if !tg.Met {
				t.Errorf("1.1 requests per resource should meet the 1.1 target")
			}
		case "refresh wall time / limit", "stripped binary":
			if tg.Met {
				t.Errorf("%s: %.2f should miss %.2f", tg.Name, tg.Measured, tg.Limit)
			}
		}
	}
}

func TestProcParsers(t *testing.T) {
	status := []byte("Name:\tterraform-provi\nVmPeak:\t 1000 kB\nVmHWM:\t   84512 kB\nVmRSS:\t 80000 kB\n")
	if hwm, ok := parseVmHWM(status); !ok || hwm != 84512 {
		t.Errorf("parseVmHWM = %d, %v; want 84512", hwm, ok)
	}
	if _, ok := parseVmHWM([]byte("Name: x\n")); ok {
		t.Error("parseVmHWM found a value in a status without VmHWM")
	}
	// comm with a space and a parenthesis; utime 250 and stime 50 ticks.
	stat := []byte("4242 (odd (name)) S 4200 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 1000 0 0")
	if cpu := parseStatCPU(stat); cpu != 3*time.Second {
		t.Errorf("parseStatCPU = %s, want 3s", cpu)
	}
}

// The monitor finds a child process through /proc/<pid>/task/*/children and reads its peak RSS.
func TestChildrenAndReadProc(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if !slices.Contains(children(os.Getpid()), cmd.Process.Pid) {
		t.Fatalf("children(%d) = %v, want it to include %d", os.Getpid(), children(os.Getpid()), cmd.Process.Pid)
	}
	if s, ok := readProc(cmd.Process.Pid); !ok || s.hwmKB <= 0 {
		t.Errorf("readProc(sleep) = %+v, %v", s, ok)
	}
	if isProvider(cmd.Process.Pid) {
		t.Error("sleep taken for the provider")
	}
}
