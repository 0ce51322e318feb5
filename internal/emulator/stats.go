package emulator

import (
	"maps"
	"strconv"
	"sync"
	"time"
)

// statsCollector counts requests by method and route template.
type statsCollector struct {
	mu sync.Mutex
	s  Stats
}

func newStats(now time.Time) *statsCollector {
	return &statsCollector{s: Stats{Since: now, Routes: map[string]RouteStats{}}}
}

func (c *statsCollector) record(label string, status int, batchItem bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if batchItem {
		c.s.BatchItems++
	} else {
		c.s.Requests++
	}
	rs := c.s.Routes[label]
	if rs.Status == nil {
		rs.Status = map[string]int64{}
	}
	rs.Count++
	if batchItem {
		rs.BatchItems++
	}
	rs.Status[strconv.Itoa(status)]++
	c.s.Routes[label] = rs
}

func (c *statsCollector) fault(kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch kind {
	case "429":
		c.s.Injected429++
	case "5xx":
		c.s.Injected5xx++
	case "drop":
		c.s.Dropped++
	}
}

// throttled counts a 429 of the budgets and the Retry-After it asked for.
func (c *statsCollector) throttled(api string, wait time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s.Throttled == nil {
		c.s.Throttled = map[string]int64{}
	}
	c.s.Throttled[api]++
	c.s.RetryAfterSeconds += int64(wait / time.Second)
}

func (c *statsCollector) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.s
	out.Throttled = maps.Clone(c.s.Throttled)
	out.Routes = make(map[string]RouteStats, len(c.s.Routes))
	for k, v := range c.s.Routes {
		st := make(map[string]int64, len(v.Status))
		for sk, sv := range v.Status {
			st[sk] = sv
		}
		v.Status = st
		out.Routes[k] = v
	}
	return out
}

func (c *statsCollector) reset(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s = Stats{Since: now, Routes: map[string]RouteStats{}}
}
