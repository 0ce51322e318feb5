package clients

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// graphPacer slows the provider's Graph requests down before the application's budget runs out. Graph
// sends x-ms-throttle-limit-percentage once more than 80 % of the identity-and-access budget is used
// (1.0: throttling starts; limits-and-consistency.md §1.2), and §5.1 recommends backing off above 0.8:
// a request that waits here a moment costs nothing, one that is throttled costs its Retry-After and the
// request again.
type graphPacer struct {
	mu    sync.Mutex
	until time.Time
}

// graphPaceMax is the pause at (or beyond) an exhausted budget; it shrinks linearly to nothing at 80 %.
const graphPaceMax = 2 * time.Second

// observe reads one answer's x-ms-throttle-limit-percentage (empty: below 80 %, nothing to do).
func (p *graphPacer) observe(v string) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0.8 {
		return
	}
	pause := time.Duration(min((f-0.8)/0.2, 1) * float64(graphPaceMax))
	until := time.Now().Add(pause)
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.until) {
		p.until = until
	}
}

// wait holds a request until the pause the last answers asked for is over.
func (p *graphPacer) wait(ctx context.Context) error {
	p.mu.Lock()
	d := time.Until(p.until)
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	tflog.Debug(ctx, "Graph budget above 80 %: pausing before the next request", map[string]any{"pause_seconds": d.Seconds()})
	return sleep(ctx, d)
}

// logThrottled records a wait the service asked for after throttling n requests (429): worth a warning,
// since a budget shared with other automation is being exhausted, and it is where the wall time went.
func logThrottled(ctx context.Context, api string, n int, delay time.Duration) {
	if n == 0 {
		return
	}
	tflog.Warn(ctx, "Throttled by Azure: waiting as Retry-After asks", map[string]any{
		"api": api, "throttled_requests": n, "retry_after_seconds": delay.Seconds(),
	})
}
