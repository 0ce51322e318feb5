// Package throttle is the token bucket behind the emulator's Azure budgets: ARM's request buckets per
// subscription and principal, and Graph's resource-unit and write budgets per application and tenant
// (../shared/reference/limits-and-consistency.md §1.2 and §2.1 give the numbers; the callers cite them).
package throttle

import (
	"math"
	"sync"
	"time"
)

// Rate is a bucket's size and how fast it refills.
type Rate struct {
	Size      float64 `json:"size"`
	PerSecond float64 `json:"perSecond"`
}

// Ask is one bucket a request is charged to: its key (e.g. "sub|principal|reads"), rate and cost.
type Ask struct {
	Key  string
	Rate Rate
	Cost float64
}

// Limiter holds buckets by key. Buckets start full and refill continuously up to their size.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	level float64
	last  time.Time
}

// New returns an empty limiter.
func New() *Limiter { return &Limiter{buckets: map[string]*bucket{}} }

// Result is what Take decided.
type Result struct {
	// OK: the request may be served (it was charged).
	OK bool
	// Left is each ask's bucket level after the decision, in the order asked.
	Left []float64
	// Wait is how long until every refused bucket holds its cost again (0 when OK).
	Wait time.Duration
}

// Take charges every ask at now when all of them can pay. When one cannot and enforce is set, nothing is
// charged (a refused request is not processed) and Wait says how long until all could pay; without
// enforce, the buckets are charged down to zero and the request is served (the headers still tell).
func (l *Limiter) Take(now time.Time, enforce bool, asks ...Ask) Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	bs := make([]*bucket, len(asks))
	var wait time.Duration
	for i, a := range asks {
		b := l.buckets[a.Key]
		if b == nil {
			b = &bucket{level: a.Rate.Size, last: now}
			l.buckets[a.Key] = b
		}
		if now.After(b.last) {
			b.level = math.Min(a.Rate.Size, b.level+now.Sub(b.last).Seconds()*a.Rate.PerSecond)
			b.last = now
		}
		bs[i] = b
		if short := a.Cost - b.level; short > 0 && a.Rate.PerSecond > 0 {
			wait = max(wait, time.Duration(short/a.Rate.PerSecond*float64(time.Second)))
		}
	}
	res := Result{OK: wait == 0 || !enforce, Left: make([]float64, len(asks))}
	for i, a := range asks {
		if res.OK {
			bs[i].level = math.Max(0, bs[i].level-a.Cost)
		}
		res.Left[i] = bs[i].level
	}
	if !res.OK {
		res.Wait = wait
	}
	return res
}

// RetryAfterSeconds rounds a wait up to the whole seconds of a Retry-After header, at least 1.
func RetryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
