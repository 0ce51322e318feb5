package clients

import (
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
	}
}
