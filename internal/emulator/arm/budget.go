package arm

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/throttle"
)

// Throttling is ARM's request budget: a token bucket per subscription (or tenant, for tenant-level
// calls) × principal × operation type, and a global bucket per subscription across principals
// (../shared/reference/limits-and-consistency.md §2.1, "Current model: regional token bucket"). The
// buckets always feed the x-ms-ratelimit-remaining-* headers (§2.3); only with Enforce does an empty
// bucket answer 429 with Retry-After.
type Throttling struct {
	Enforce bool `json:"enforce"`
	// Reads, Writes and Deletes per principal (§2.1 table: 250 + 25/s, 200 + 10/s, 200 + 10/s).
	Reads   throttle.Rate `json:"reads"`
	Writes  throttle.Rate `json:"writes"`
	Deletes throttle.Rate `json:"deletes"`
	// GlobalFactor: the subscription's global bucket is this many times a principal's (§2.1: 15×).
	GlobalFactor float64 `json:"globalFactor"`
}

// DefaultThrottling is Azure's public-cloud budget (§2.1), not enforced.
func DefaultThrottling() Throttling {
	return Throttling{
		Reads:        throttle.Rate{Size: 250, PerSecond: 25},
		Writes:       throttle.Rate{Size: 200, PerSecond: 10},
		Deletes:      throttle.Rate{Size: 200, PerSecond: 10},
		GlobalFactor: 15,
	}
}

func (t Throttling) withDefaults() Throttling {
	d := DefaultThrottling()
	if t.Reads.Size <= 0 {
		t.Reads = d.Reads
	}
	if t.Writes.Size <= 0 {
		t.Writes = d.Writes
	}
	if t.Deletes.Size <= 0 {
		t.Deletes = d.Deletes
	}
	if t.GlobalFactor <= 0 {
		t.GlobalFactor = d.GlobalFactor
	}
	return t
}

// budget holds the buckets and the current settings.
type budget struct {
	mu         sync.Mutex
	t          Throttling
	onThrottle func(wait time.Duration)
	lim        *throttle.Limiter
}

func newBudget() *budget { return &budget{t: DefaultThrottling(), lim: throttle.New()} }

// SetThrottling replaces the budget settings; onThrottle (may be nil) is told of every 429 it answers.
// The buckets keep their levels.
func (s *Store) SetThrottling(t Throttling, onThrottle func(wait time.Duration)) {
	s.budget.mu.Lock()
	defer s.budget.mu.Unlock()
	s.budget.t = t.withDefaults()
	s.budget.onThrottle = onThrottle
}

// RefillBudget fills every bucket, as a quiet minute would.
func (s *Store) RefillBudget() {
	s.budget.mu.Lock()
	defer s.budget.mu.Unlock()
	s.budget.lim = throttle.New()
}

// operationKind is ARM's operation type of a method (§2.3 header names).
func operationKind(method string) string {
	switch method {
	case http.MethodPut, http.MethodPatch, http.MethodPost:
		return "writes"
	case http.MethodDelete:
		return "deletes"
	}
	return "reads"
}

// charge takes one token for the request from the principal's and the global bucket of its subscription
// (or tenant), sets the remaining-budget headers, and answers 429 when the budget is enforced and empty.
// It reports whether the request may be served.
func (s *Store) charge(w http.ResponseWriter, r *http.Request, principal string) bool {
	s.budget.mu.Lock()
	t, notify, lim := s.budget.t, s.budget.onThrottle, s.budget.lim
	s.budget.mu.Unlock()
	kind := operationKind(r.Method)
	rate := map[string]throttle.Rate{"reads": t.Reads, "writes": t.Writes, "deletes": t.Deletes}[kind]
	global := throttle.Rate{Size: rate.Size * t.GlobalFactor, PerSecond: rate.PerSecond * t.GlobalFactor}
	scope, level := "tenant", "tenant"
	if sub, ok := subscriptionOf(r.URL.Path); ok {
		scope, level = "subscriptions/"+sub, "subscription"
	}
	res := lim.Take(s.opt.Now(), t.Enforce,
		throttle.Ask{Key: scope + "|" + strings.ToLower(principal) + "|" + kind, Rate: rate, Cost: 1},
		throttle.Ask{Key: scope + "|*|" + kind, Rate: global, Cost: 1})
	h := w.Header()
	h.Set("x-ms-ratelimit-remaining-"+level+"-"+kind, strconv.Itoa(int(res.Left[0])))
	if level == "subscription" {
		h.Set("x-ms-ratelimit-remaining-subscription-global-"+kind, strconv.Itoa(int(res.Left[1])))
	}
	if res.OK {
		return true
	}
	secs := throttle.RetryAfterSeconds(res.Wait)
	h.Set("Retry-After", strconv.Itoa(secs))
	op := map[string]string{"reads": "Read", "writes": "Write", "deletes": "Delete"}[kind]
	// The body ARM sends when a bucket is empty (azure-api-contract.md §8.4).
	writeError(w, errorf(http.StatusTooManyRequests, "TooManyRequests",
		"The request is being throttled as the limit has been reached for operation type - '%s'. For more information, see - https://aka.ms/msdn-throttling", op))
	if notify != nil {
		notify(time.Duration(secs) * time.Second)
	}
	return false
}

// subscriptionOf returns the subscription ID of a subscription-level path.
func subscriptionOf(path string) (string, bool) {
	const prefix = "/subscriptions/"
	if len(path) <= len(prefix) || !strings.EqualFold(path[:len(prefix)], prefix) {
		return "", false
	}
	rest := path[len(prefix):]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return strings.ToLower(rest), rest != ""
}
