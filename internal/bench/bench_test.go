package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// testClusters are the clusters the configuration tests generate for.
var testClusters = []string{"/subscriptions/s/resourceGroups/rg-1/providers/Microsoft.ContainerService/managedClusters/aks-1",
	"/subscriptions/s/resourceGroups/rg-2/providers/Microsoft.ContainerService/managedClusters/aks-2"}

// localKeys counts the keys of a local map (or the elements of a toset) of the cluster module.
func localKeys(t *testing.T, module, local string) int {
	t.Helper()
	if m := regexp.MustCompile(local + ` = toset\(\[(.*?)\]\)`).FindStringSubmatch(module); m != nil {
		return strings.Count(m[1], `"`) / 2
	}
	block := regexp.MustCompile(`(?s)\n  ` + local + ` = \{\n(.*?)\n  \}\n`).FindStringSubmatch(module)
	if block == nil {
		t.Fatalf("local %s not found in:\n%s", local, module)
	}
	return len(regexp.MustCompile(`(?m)^    "?[\w-]+"?\s+=`).FindAllString(block[1], -1))
}

func TestConfigurationHasExactlyTheScenarioPerCluster(t *testing.T) {
	ids := testClusters
	cfg := configuration(ids, "n01@x", "p01@x")
	root, module := cfg["main.tf"], cfg["cluster/main.tf"]

	// One module instance per cluster; the module's for_each maps give the resources of each.
	if !strings.Contains(root, "module \"cluster\" {\n  source   = \"./cluster\"\n  for_each = local.clusters") {
		t.Fatalf("the root module does not instantiate ./cluster per cluster:\n%s", root)
	}
	got := map[string]int{
		typeGroup:       localKeys(t, module, "groups") * len(ids),
		typeBinding:     localKeys(t, module, "bindings") * len(ids),
		typeEligibility: localKeys(t, module, "jit") * len(ids),
		typePolicy:      localKeys(t, module, "jit") * len(ids),
	}
	if diff := cmp.Diff(resourceCounts(len(ids)), got); diff != "" {
		t.Errorf("resource counts (-want +got):\n%s", diff)
	}
	for _, id := range ids {
		if !strings.Contains(root, `"`+id+`"`) {
			t.Errorf("cluster %s missing from the configuration", id)
		}
	}
	if n := strings.Count(module, "\nresource \""); n != 4 || strings.Contains(root, "\nresource \"") {
		t.Errorf("%d resource blocks in the module (and root: %v), want one per type (4) in the module only", n, strings.Contains(root, "\nresource"))
	}
	if !strings.Contains(root, `module.cluster["`+probeCluster+`"].group_ids["`+probeGroup+`"]`) ||
		!regexp.MustCompile(`(?m)^    `+probeGroup+`\s+=`).MatchString(module) {
		t.Errorf("the probe group %s of %s is not an output", probeGroup, probeCluster)
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

// TestCountsWhatAzureCounts: Graph operations are $batch items and direct requests but not the $batch
// POSTs, nor the budget's 429s; ARM requests split by operation type without their 429s; each route
// belongs to the resource type whose reads use it.
func TestCountsWhatAzureCounts(t *testing.T) {
	const pag = "/v1.0/identityGovernance/privilegedAccess/group/"
	st := emulator.Stats{Throttled: map[string]int64{"graph": 3, "arm": 2}, RetryAfterSeconds: 5, Routes: map[string]emulator.RouteStats{
		"POST /v1.0/$batch":                                  {Count: 2, Status: map[string]int64{"200": 2}},
		"GET /v1.0/groups/{id}":                              {Count: 20, BatchItems: 20, Status: map[string]int64{"200": 20}},
		"GET " + pag + "assignmentScheduleInstances":         {Count: 2, BatchItems: 2, Status: map[string]int64{"200": 2}},
		"GET " + pag + "eligibilitySchedules/{id}":           {Count: 4, Status: map[string]int64{"200": 4}},
		"GET /v1.0/policies/roleManagementPolicyAssignments": {Count: 4, Status: map[string]int64{"200": 4}},
		"GET (graph throttled)":                              {Count: 3, BatchItems: 3, Status: map[string]int64{"429": 3}},
		"GET {scope...}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}":                                                      {Count: 7, Status: map[string]int64{"200": 5, "429": 2}},
		"PUT {scope...}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}":                                                      {Count: 3, Status: map[string]int64{"201": 3}},
		"DELETE {scope...}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}":                                                   {Count: 1, Status: map[string]int64{"200": 1}},
		"GET /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}": {Count: 2, Status: map[string]int64{"200": 2}},
	}}
	c := countsFrom(st)
	got := []int64{c.GraphOps, c.ARMReads, c.ARMWrites, c.ARMDeletes, c.throttledTotal(), c.RetryAfterAsked}
	if diff := cmp.Diff([]int64{30, 7, 3, 1, 5, 5}, got); diff != "" {
		t.Errorf("graph ops, ARM reads/writes/deletes, 429s, Retry-After (-want +got):\n%s", diff)
	}
	byType := map[string]apiCost{
		typeGroup: {GraphOps: 22}, typeEligibility: {GraphOps: 4}, typePolicy: {GraphOps: 4},
		typeBinding: {ARMReads: 5, ARM: 9}, "data": {ARMReads: 2, ARM: 2},
	}
	if diff := cmp.Diff(byType, c.ByType); diff != "" {
		t.Errorf("by type (-want +got):\n%s", diff)
	}
}

// TestReadProviderWaits: the provider's WARN lines about throttling, as Terraform writes them to
// TF_LOG_PATH, are summed; a missing log is no waits.
func TestReadProviderWaits(t *testing.T) {
	log := filepath.Join(t.TempDir(), "tf.log")
	lines := `2026-11-27T10:00:00.000Z [WARN]  provider.terraform-provider-aks: Throttled by Azure: waiting as Retry-After asks: api=arm retry_after_seconds=1 throttled_requests=1 tf_provider_addr=registry.terraform.io/aks-pim/aks
2026-11-27T10:00:01.000Z [WARN]  provider.terraform-provider-aks: Throttled by Azure: waiting as Retry-After asks: api=graph retry_after_seconds=2.5 throttled_requests=3
2026-11-27T10:00:02.000Z [WARN]  provider.terraform-provider-aks: Not retrying: the server asked to wait past the operation's deadline: api=arm
2026-11-27T10:00:03.000Z [INFO]  provider.terraform-provider-aks: created group: id=x
`
	if err := os.WriteFile(log, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := readProviderWaits(log)
	if err != nil {
		t.Fatal(err)
	}
	if w.Waits != 2 || w.Waited != 3500*time.Millisecond || w.Abandoned != 1 || w.OtherWarns != 0 {
		t.Errorf("%+v, want 2 waits of 3.5s in total and 1 abandoned", w)
	}
	if w, err := readProviderWaits(filepath.Join(t.TempDir(), "none")); err != nil || w != (providerWaits{}) {
		t.Errorf("missing log: %+v, %v", w, err)
	}
}

// TestFloorConfigurationMirrorsTheGraph: the terraform_data mirror has the provider configuration's
// module, for_each maps and one resource block per managed type plus the two data sources.
func TestFloorConfigurationMirrorsTheGraph(t *testing.T) {
	ids := testClusters[:1]
	withProvider, floor := configuration(ids, "n01@x", "p01@x"), floorConfiguration(ids)
	for _, local := range []string{"groups", "bindings", "jit"} {
		if a, b := localKeys(t, withProvider["cluster/main.tf"], local), localKeys(t, floor["cluster/main.tf"], local); a != b {
			t.Errorf("local %s: %d keys in the configuration, %d in its mirror", local, a, b)
		}
	}
	if !strings.Contains(floor["main.tf"], `source   = "./cluster"`) {
		t.Error("the mirror does not use a module per cluster")
	}
	n := strings.Count(floor["main.tf"], "\nresource \"terraform_data\"") + strings.Count(floor["cluster/main.tf"], "\nresource \"terraform_data\"")
	if n != 6 {
		t.Errorf("%d terraform_data blocks, want 6 (users, cluster and the four managed types)", n)
	}
	for name, text := range floor {
		if strings.Contains(text, "aks_") {
			t.Errorf("the mirror's %s refers to the provider", name)
		}
	}
}
