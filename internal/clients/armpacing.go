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
type armPacer struct {
	mu    sync.Mutex
	kinds map[string]*armPace
}

type armPace struct {
	remaining int // as last reported; -1 before any answer
	next      time.Time
}

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
	if k.remaining < 0 || k.remaining >= armPaceLow {
		p.mu.Unlock()
		return nil
	}
	now := time.Now()
	slot := k.next
	if slot.Before(now) {
		slot = now
	}
	k.next = slot.Add(armRefill[kind])
	p.mu.Unlock()
	if d := time.Until(slot); d > 0 {
		return sleep(ctx, d)
	}
	return nil
}

// observe records the remaining tokens an answer reports.
func (p *armPacer) observe(method string, h http.Header) {
	kind := armKind(method)
	v := h.Get("x-ms-ratelimit-remaining-subscription-" + kind)
	if v == "" {
		v = h.Get("x-ms-ratelimit-remaining-tenant-" + kind)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pace(kind).remaining = n
}
