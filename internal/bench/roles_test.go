package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRolesConfigurationHasOneOfEachTypePerCluster(t *testing.T) {
	ids := testClusters
	cfg := rolesConfiguration(ids, "n01-id", "p01-id")

	// Every resource iterates over local.clusters, so a type's count is its blocks × the clusters.
	got := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^resource "([a-z_]+)" "[a-z]+" \{\n  for_each = local\.clusters\n`).FindAllStringSubmatch(cfg, -1) {
		got[m[1]] += len(ids)
	}
	if diff := cmp.Diff(roleResourceCounts(len(ids)), got); diff != "" {
		t.Errorf("resource counts (-want +got):\n%s\n%s", diff, cfg)
	}
	if n := strings.Count(cfg, "\nresource \""); n != 3 {
		t.Errorf("%d resource blocks, want 3", n)
	}
	// The per-resource figures charge every request to the resources: no data source may cost any.
	if strings.Contains(cfg, "data \"") {
		t.Errorf("the roles configuration has a data source:\n%s", cfg)
	}
	for _, want := range append(ids, `"n01-id"`, `"p01-id"`) {
		if !strings.Contains(cfg, want) {
			t.Errorf("%s missing from the configuration", want)
		}
	}
}

func TestPrintRolesPerResource(t *testing.T) {
	pr := phaseResult{Phase: phaseApply, Requests: counts{API: 20, GraphOps: 3, ARMReads: 12, ARMWrites: 6, ARMDeletes: 0,
		Routes: []routeCount{{Route: "PUT {scope...}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/{name}", Count: 2}}}}
	rr := &rolesResult{Clusters: 2, ManagedResources: 6, ResourceCounts: roleResourceCounts(2), Phases: []phaseResult{perManagedResource(pr, 6)}}
	if got := rr.Phases[0].PerResource; got != 20.0/6 {
		t.Errorf("PerResource = %v, want %v", got, 20.0/6)
	}
	var buf bytes.Buffer
	printRoles(&buf, rr)
	out := buf.String()
	for _, want := range []string{"6 managed resources", "2 aks_pim_role_policy", "3.33", "0.50", "2.00 / 1.00 / 0.00", "{scope}/…/roleEligibilityScheduleRequests/{name}"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q missing from:\n%s", want, out)
		}
	}
	buf.Reset()
	printRoles(&buf, nil)
	if buf.Len() != 0 {
		t.Errorf("no roles phase printed %q", buf.String())
	}
}
