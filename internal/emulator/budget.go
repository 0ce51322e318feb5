package emulator

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/throttle"
)

// Throttling are Azure's request budgets. The zero value enforces nothing: the buckets still count and
// fill the headers, but no request is refused (functional tests); AzureThrottling turns both on.
type Throttling struct {
	ARM   arm.Throttling  `json:"arm"`
	Graph GraphThrottling `json:"graph"`
}

// AzureThrottling is Azure's documented budgets, enforced: what `make bench` runs against.
func AzureThrottling() Throttling {
	t := Throttling{ARM: arm.DefaultThrottling(), Graph: DefaultGraphThrottling()}
	t.ARM.Enforce, t.Graph.Enforce = true, true
	return t
}

// GraphThrottling is Microsoft Graph's "identity and access" budget per application × tenant
// (../shared/reference/limits-and-consistency.md §1.2): resource units (RU) for every request and a
// write quota, both token buckets. Each $batch item is charged on its own (§1.5); the $batch POST
// itself is not. PIM for groups and role management policies are not in the identity-and-access list
// (§1.3), so they are not charged.
type GraphThrottling struct {
	Enforce bool `json:"enforce"`
	// ReadRU overrides the RU bucket; zero means by the tenant's size (§1.2 table, application + tenant
	// pair: S (< 50 users) 3,500 RU / 10 s, M (50-500) 5,000 RU / 10 s, L (> 500) 8,000 RU / 10 s).
	ReadRU throttle.Rate `json:"readRU"`
	// Writes is the write quota (§1.2 table: 3,000 requests / 2 min 30 s for the application + tenant pair).
	Writes throttle.Rate `json:"writes"`
}

// DefaultGraphThrottling is the documented budget, not enforced.
func DefaultGraphThrottling() GraphThrottling {
	return GraphThrottling{Writes: throttle.Rate{Size: 3000, PerSecond: 3000.0 / 150}}
}

// graphReadRU is the RU bucket of a tenant with this many users (§1.2 table).
func graphReadRU(users int) throttle.Rate {
	size := 3500.0
	switch {
	case users > 500:
		size = 8000
	case users >= 50:
		size = 5000
	}
	return throttle.Rate{Size: size, PerSecond: size / 10}
}

// budgets are the server's throttling settings and Graph's buckets (ARM keeps its own in arm.Store).
type budgets struct {
	mu    sync.Mutex
	graph GraphThrottling
	lim   *throttle.Limiter
}

// SetThrottling replaces the budget settings while the emulator runs; bucket levels are kept.
func (s *Server) SetThrottling(t Throttling) {
	if t.Graph.Writes.Size <= 0 {
		t.Graph.Writes = DefaultGraphThrottling().Writes
	}
	s.budgets.mu.Lock()
	s.budgets.graph = t.Graph
	s.budgets.mu.Unlock()
	s.arm.SetThrottling(t.ARM, func(wait time.Duration) { s.stats.throttled("arm", wait) })
}

// RefillBudgets fills every ARM and Graph bucket, as a quiet few minutes would: a benchmark measures
// each command from the same full budget.
func (s *Server) RefillBudgets() {
	s.budgets.mu.Lock()
	s.budgets.lim = throttle.New()
	s.budgets.mu.Unlock()
	s.arm.RefillBudget()
}

// identityAndAccess are the first path segments (lower case) of the resources §1.2 lists under
// "Identity and access service limits".
var identityAndAccess = map[string]bool{
	"applications": true, "devices": true, "directoryobjects": true, "directoryroles": true,
	"directoryroletemplates": true, "domains": true, "groups": true, "groupsettings": true,
	"oauth2permissiongrants": true, "organization": true, "serviceprincipals": true, "users": true, "me": true,
}

// graphCost is the price of a Graph request in §1.2's terms: its resource units, whether it also costs a
// write, and whether the identity-and-access budget applies at all.
func graphCost(method, path string, q url.Values) (ru float64, write, charged bool) {
	p := strings.ToLower(path)
	p = strings.TrimPrefix(strings.TrimPrefix(p, "/v1.0"), "/beta")
	segs := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(segs) == 0 || segs[0] == "$batch":
		return 0, false, false
	case segs[0] == "policies":
		// policyBase types are listed; the PIM role management policies are not (§1.3).
		if len(segs) > 1 && strings.HasPrefix(segs[1], "rolemanagementpolic") {
			return 0, false, false
		}
	case !identityAndAccess[segs[0]]:
		return 0, false, false
	}
	has := func(name string) bool { return q.Has("$"+name) || q.Has(name) }
	if method == http.MethodPost && len(segs) == 2 && segs[0] == "directoryobjects" && segs[1] == "getbyids" {
		if has("select") {
			return 2, false, true
		}
		return 5, false, true
	}
	if method != http.MethodGet && method != http.MethodHead {
		return 1, true, true // "POST/PATCH/PUT/DELETE = 1 RU + 1 write"
	}
	ru = 1
	switch {
	case len(segs) >= 3 && segs[0] == "groups" && segs[2] == "members":
		ru = 3
	case len(segs) >= 3 && segs[0] == "groups" && segs[2] == "transitivemembers":
		ru = 5
	case len(segs) == 1 && segs[0] == "users":
		ru = 2
	}
	// Modifiers: $select -1, $expand +1, $top < 20 -1; minimum 1.
	if has("select") {
		ru--
	}
	if has("expand") {
		ru++
	}
	top := q.Get("$top")
	if top == "" {
		top = q.Get("top")
	}
	if n, err := strconv.Atoi(top); err == nil && n < 20 {
		ru--
	}
	return max(ru, 1), false, true
}

// chargeGraph charges a Graph request (or $batch item) to its application × tenant budget, sets the
// resource-unit headers, and answers 429 when an enforced bucket cannot pay. It reports whether the
// request may be served.
func (s *Server) chargeGraph(w http.ResponseWriter, r *http.Request) bool {
	ru, write, charged := graphCost(r.Method, r.URL.Path, r.URL.Query())
	c, ok := reqctx.CallerFrom(r.Context())
	if !charged || !ok {
		return true
	}
	s.budgets.mu.Lock()
	g, lim := s.budgets.graph, s.budgets.lim
	s.budgets.mu.Unlock()
	readRate := g.ReadRU
	if readRate.Size <= 0 {
		readRate = graphReadRU(s.dir.UserCount())
	}
	key := strings.ToLower(c.AppID + "|" + c.TenantID)
	asks := []throttle.Ask{{Key: key + "|ru", Rate: readRate, Cost: ru}}
	if write {
		asks = append(asks, throttle.Ask{Key: key + "|writes", Rate: g.Writes, Cost: 1})
	}
	res := lim.Take(s.clock.Now(), g.Enforce, asks...)
	h := w.Header()
	h.Set("x-ms-resource-unit", strconv.Itoa(int(ru)))
	used := 1 - res.Left[0]/readRate.Size
	if write {
		used = max(used, 1-res.Left[1]/g.Writes.Size)
	}
	if used > 0.8 {
		h.Set("x-ms-throttle-limit-percentage", strconv.FormatFloat(used, 'f', 2, 64))
	}
	if res.OK {
		return true
	}
	info, kind := "ResourceUnitLimitExceeded", "Read"
	if write && res.Left[1] < 1 {
		info, kind = "WriteLimitExceeded", "Write"
	}
	secs := throttle.RetryAfterSeconds(res.Wait)
	h.Set("Retry-After", strconv.Itoa(secs))
	h.Set("x-ms-throttle-scope", "Tenant_Application/"+kind+"/"+c.AppID+"/"+c.TenantID)
	h.Set("x-ms-throttle-information", info)
	s.stats.throttled("graph", time.Duration(secs)*time.Second)
	reqctx.SetRoute(r.Context(), r.Method+" (graph throttled)")
	odata.WriteError(w, r, http.StatusTooManyRequests, odata.CodeTooManyRequests, "Too many requests.")
	return false
}
