package clients

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestARMPacer: while ARM reports a nearly spent read bucket, ten concurrent reads leave one refill
// interval (40 ms) apart instead of together; with tokens to spare they are not held.
func TestARMPacer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		remaining int
		want      time.Duration
	}{{remaining: 3, want: 9 * time.Second / 25}, {remaining: 200, want: 0}} {
		// A subtest per case: synctest.Test stops the test at the first failing bubble.
		t.Run(fmt.Sprintf("%d left", tc.remaining), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				handler := func(r *http.Request, _ []byte) *http.Response {
					return jsonResponse(200, map[string]any{"id": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r", "name": "r"},
						"x-ms-ratelimit-remaining-subscription-reads", strconv.Itoa(tc.remaining))
				}
				c := fakeClient(t, handler, false)
				ctx := t.Context()
				if _, err := c.RoleDefinitions.Get(ctx, "/subscriptions/s", "r", nil); err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				var wg sync.WaitGroup
				for range 10 {
					wg.Go(func() {
						if _, err := c.RoleDefinitions.Get(ctx, "/subscriptions/s", "r", nil); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
				if got := time.Since(start); got != tc.want {
					t.Errorf("%d tokens left: ten reads took %s, want %s", tc.remaining, got, tc.want)
				}
			})
		})
	}
}

// TestARMPacerSharedBucket: when other clients share the read bucket, so that it refills slower than the
// documented 25 reads a second, ten workers reading 60 times in all still finish at the bucket's pace
// with few 429s: after a 429 every read waits out its Retry-After and the spacing widens. Without that,
// each worker retried after its own Retry-After into a bucket the others had just emptied again (61 to
// 70 429s for 60 reads at 5 a second).
func TestARMPacerSharedBucket(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ size, perSecond float64 }{{10, 5}, {20, 2}, {30, 15}} {
		t.Run(fmt.Sprintf("%v+%v per second", tc.size, tc.perSecond), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				served, throttled, elapsed := sharedBucketReads(t, tc.size, tc.perSecond, 60)
				t.Logf("bucket %v + %v/s: %d served, %d answered 429, %s", tc.size, tc.perSecond, served, throttled, elapsed)
				// The bucket allows its tokens at once and perSecond a second after.
				if floor := time.Duration((60 - tc.size) / tc.perSecond * float64(time.Second)); elapsed < floor || elapsed > floor*3/2 {
					t.Errorf("bucket %v + %v/s: 60 reads took %s, want between %s (the bucket's pace) and half more", tc.size, tc.perSecond, elapsed, floor)
				}
				if served != 60 || throttled > 20 {
					t.Errorf("bucket %v + %v/s: %d reads served and %d answered 429, want 60 and at most 20 (one per three reads)", tc.size, tc.perSecond, served, throttled)
				}
			})
		})
	}
}

// sharedBucketReads has ten workers send n role definition reads in all to an ARM whose read bucket
// holds size tokens and refills perSecond, answering 429 with whole-second Retry-After as ARM does.
func sharedBucketReads(t *testing.T, size, perSecond float64, n int) (served, throttled int, elapsed time.Duration) {
	var mu sync.Mutex
	level, last := size, time.Now()
	handler := func(r *http.Request, _ []byte) *http.Response {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		level = min(size, level+now.Sub(last).Seconds()*perSecond)
		last = now
		if level < 1 {
			throttled++
			return jsonResponse(http.StatusTooManyRequests, map[string]any{"error": map[string]any{"code": "TooManyRequests"}},
				"Retry-After", strconv.Itoa(int((1-level)/perSecond)+1), "x-ms-ratelimit-remaining-subscription-reads", "0")
		}
		level--
		served++
		return jsonResponse(200, map[string]any{"id": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r", "name": "r"},
			"x-ms-ratelimit-remaining-subscription-reads", strconv.Itoa(int(level)))
	}
	c := fakeClient(t, handler, false)
	start := time.Now()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range n / 10 {
				if _, err := c.RoleDefinitions.Get(t.Context(), "/subscriptions/s", "r", nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	return served, throttled, time.Since(start)
}
