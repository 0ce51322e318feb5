package clients

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// armPacer spaces ARM requests out once a budget is nearly spent. ARM tells the remaining tokens of the
// caller's bucket on every answer (x-ms-ratelimit-remaining-subscription-reads|writes|deletes,
// limits-and-consistency.md §2.3), refilled at 25 reads and 10 writes or deletes per second (§2.1).
// With a handful left, requests of that kind leave one refill interval apart instead of all at once:
// the same throughput as the bucket allows, without the 429s (each a wasted request and a Retry-After
// of at least a second) that Terraform's ten workers would otherwise run into. An apply of thousands of
// role bindings is bounded by the write bucket either way.
//
// The documented refill is the most the caller gets: the bucket is shared with every other client of the
// same principal in the subscription, so the refill left to this process can be far slower. A 429 says
// so: every request of its kind then waits out its Retry-After (not only the one refused, or the others
// would empty the bucket again the moment it refills) and the spacing widens by a quarter, up to armPaceMaxInterval;
// answers that are not refused narrow it again by a thirty-second, and tokens to spare reset it.
type armPacer struct {
	mu    sync.Mutex
	kinds map[string]*armPace
}

type armPace struct {
	remaining int // as last reported; -1 before any answer
	next      time.Time
	// hold is when the last 429's Retry-After ends; interval the spacing learnt from 429s (0: the
	// documented refill).
	hold     time.Time
	interval time.Duration
}

// armPaceMaxInterval caps the learnt spacing: slower than this, the bucket is better served by
// Retry-After alone.
const armPaceMaxInterval = 2 * time.Second

// armPaceLow is the number of remaining tokens below which requests are spaced out: about Terraform's
// parallelism, so that the requests already in flight do not empty the bucket.
const armPaceLow = 12

// armRefill is each operation type's documented refill interval (§2.1).
var armRefill = map[string]time.Duration{"reads": time.Second / 25, "writes": time.Second / 10, "deletes": time.Second / 10}

func armKind(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead:
		return "reads"
	case http.MethodDelete:
		return "deletes"
	}
	return "writes"
}

func (p *armPacer) pace(kind string) *armPace {
	if p.kinds == nil {
		p.kinds = map[string]*armPace{}
	}
	k := p.kinds[kind]
	if k == nil {
		k = &armPace{remaining: -1}
		p.kinds[kind] = k
	}
	return k
}

// wait holds a request while its kind's budget is low, until its slot.
func (p *armPacer) wait(ctx context.Context, method string) error {
	kind := armKind(method)
	p.mu.Lock()
	k := p.pace(kind)
	now := time.Now()
	if (k.remaining < 0 || k.remaining >= armPaceLow) && !now.Before(k.hold) {
		p.mu.Unlock()
		return nil
	}
	slot := now
	for _, t := range []time.Time{k.next, k.hold} {
		if t.After(slot) {
			slot = t
		}
	}
	k.next = slot.Add(max(k.interval, armRefill[kind]))
	p.mu.Unlock()
	if d := time.Until(slot); d > 0 {
		return sleep(ctx, d)
	}
	return nil
}

// observe records the remaining tokens an answer reports and, from a 429, the hold and a wider spacing.
func (p *armPacer) observe(method string, status int, h http.Header) {
	kind := armKind(method)
	v := h.Get("x-ms-ratelimit-remaining-subscription-" + kind)
	if v == "" {
		v = h.Get("x-ms-ratelimit-remaining-tenant-" + kind)
	}
	n, err := strconv.Atoi(v)
	p.mu.Lock()
	defer p.mu.Unlock()
	k := p.pace(kind)
	if status == http.StatusTooManyRequests {
		now := time.Now()
		if d, ok := retryAfter(h, now); ok && now.Add(d).After(k.hold) {
			k.hold = now.Add(d)
		}
		k.interval = min(max(k.interval, armRefill[kind])*5/4, armPaceMaxInterval)
		if err == nil {
			k.remaining = n
		}
		return
	}
	if err != nil {
		return
	}
	k.remaining = n
	// Each answer that was not refused narrows the spacing again, so it settles near the refill this
	// process is actually left rather than at the slowest it ever needed.
	if k.interval = k.interval * 31 / 32; n >= armPaceLow || k.interval < armRefill[kind] {
		k.interval = 0
	}
}
