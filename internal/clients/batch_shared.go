package clients

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
)

// sharedBatchWindow is how long the first read of a shared $batch waits for others to join it. Terraform
// reads ten resources at a time, so a few milliseconds collect the items of several of them; a full
// batch (20 items) leaves at once.
const sharedBatchWindow = 10 * time.Millisecond

// BatchRead is Batch for GET requests, packed with the concurrent reads of other resources into shared
// $batch requests of up to 20 items when SharedReads is on (Graph charges each item anyway; what is
// saved is round trips and HTTP requests). Each item keeps its own answer, its own retry after a 429
// and its own error. When a shared $batch fails as a whole (no answer, a 4xx or a 5xx for the batch
// itself), this caller's items are sent again on their own with Batch, so that the error a resource
// reports is its own request's.
func (c *Client) BatchRead(ctx context.Context, reqs []*abstractions.RequestInformation) ([]BatchResult, error) {
	if !c.SharedReads {
		return c.Batch(ctx, reqs)
	}
	items, err := c.batchItems(reqs)
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		if item.Method != http.MethodGet {
			return c.Batch(ctx, reqs)
		}
	}
	results, pending := make([]BatchResult, len(reqs)), allItems(len(reqs))
	start := time.Now()
	for round := 1; len(pending) > 0; round++ {
		subs := c.collector.submit(ctx, items, pending)
		var next batchRound
		var alone []int
		for k, s := range subs {
			select {
			case <-s.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			i := pending[k]
			if s.err != nil {
				alone = append(alone, i)
				continue
			}
			results[i] = toBatchResult(s.ans)
			next.note(ctx, c, i, http.MethodGet, s.ans, round)
		}
		if len(alone) > 0 {
			own := make([]*abstractions.RequestInformation, len(alone))
			for k, i := range alone {
				own[k] = reqs[i]
			}
			answers, err := c.Batch(ctx, own)
			if err != nil {
				return nil, err
			}
			for k, i := range alone {
				results[i] = answers[k]
			}
		}
		if done, err := next.wait(ctx, c, start); done || err != nil {
			return results, err
		}
		pending = next.again
	}
	return results, nil
}

// headerOf finds a header of a $batch item answer, whatever its spelling.
func headerOf(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// batchCollector gathers the items of concurrent BatchRead calls into $batch requests.
type batchCollector struct {
	c       *Client
	mu      sync.Mutex
	pending []*sharedItem
	timer   *time.Timer
}

// sharedItem is one caller's item waiting for its answer.
type sharedItem struct {
	ctx  context.Context
	item batchRequestItem
	done chan struct{}
	ans  batchResponseItem
	err  error
}

// submit queues items[i] for each i in which and returns their places in the queue, in that order.
func (b *batchCollector) submit(ctx context.Context, items []batchRequestItem, which []int) []*sharedItem {
	subs := make([]*sharedItem, len(which))
	for k, i := range which {
		subs[k] = &sharedItem{ctx: ctx, item: items[i], done: make(chan struct{})}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending = append(b.pending, subs...)
	for len(b.pending) >= MaxBatchItems {
		full := append([]*sharedItem(nil), b.pending[:MaxBatchItems]...)
		b.pending = append([]*sharedItem(nil), b.pending[MaxBatchItems:]...)
		go b.send(full)
	}
	switch {
	case len(b.pending) == 0 && b.timer != nil:
		b.timer.Stop()
		b.timer = nil
	case len(b.pending) > 0 && b.timer == nil:
		b.timer = time.AfterFunc(sharedBatchWindow, b.flush)
	}
	return subs
}

// flush sends what the window collected.
func (b *batchCollector) flush() {
	b.mu.Lock()
	chunk := b.pending
	b.pending, b.timer = nil, nil
	b.mu.Unlock()
	if len(chunk) > 0 {
		b.send(chunk)
	}
}

// send posts one shared $batch and hands each item its answer, or the batch's error. The request is not
// cancelled with the first caller's operation: the other items still need their answers.
func (b *batchCollector) send(chunk []*sharedItem) {
	items := make([]batchRequestItem, len(chunk))
	idx := make([]int, len(chunk))
	for i, s := range chunk {
		items[i] = s.item
		items[i].ID = strconv.Itoa(i + 1)
		idx[i] = i
	}
	answers, err := b.c.sendBatch(context.WithoutCancel(chunk[0].ctx), items, idx)
	for i, s := range chunk {
		switch a, ok := answers[items[i].ID]; {
		case err != nil:
			s.err = err
		case !ok:
			s.err = fmt.Errorf("the $batch response has no answer for item %s", items[i].ID)
		default:
			s.ans = a
		}
		close(s.done)
	}
}
