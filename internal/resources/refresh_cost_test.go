package resources_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// TestAccRefreshCost measures what a plan of an unchanged configuration costs: one request per managed
// resource on refresh (the group's read is one $batch; a binding's read is one GET, its role name comes
// from the per-instance cache), and nothing at plan time for unchanged bindings. Not parallel: it
// counts the emulator's requests, which other tests would add to.
func TestAccRefreshCost(t *testing.T) {
	f := acctest.Fixture(t)
	srv := acctest.Emulator(t)
	// Only the derived-scope bindings and the group: six managed resources.
	cfg := bindingAccConfig(acctest.RandomName("cost"), bindingAccBindings(t, f, "readers")[:5])
	var stats emulator.Stats
	acctest.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// PlanOnly: one plan without refresh (plan-time work only), then one with refresh.
				PreConfig: srv.ResetStats,
				Config:    cfg,
				PlanOnly:  true,
			},
			{
				PreConfig: func() { stats = srv.Stats() },
				Config:    cfg,
				PlanOnly:  true,
			},
		},
	})
	var api, items int64 // HTTP requests; requests carried inside $batch
	var routes []string
	for route, rs := range stats.Routes {
		if strings.Contains(route, "/oauth2/") || strings.Contains(route, "openid-configuration") || strings.Contains(route, "/_emulator/") {
			continue
		}
		api += rs.Count - rs.BatchItems
		items += rs.BatchItems
		routes = append(routes, fmt.Sprintf("%s=%d", route, rs.Count))
	}
	sort.Strings(routes)
	t.Logf("Graph and ARM HTTP requests for two plans (one refreshing) of 1 group + 5 bindings: %d (plus %d inside $batch): %s",
		api, items, strings.Join(routes, ", "))
	if api > 6 {
		t.Errorf("refreshing 6 resources took %d Graph/ARM requests, want at most 6 (one each): %s", api, strings.Join(routes, ", "))
	}
}
