package clients

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// step is one scripted answer; the last one repeats.
type step struct {
	status     int
	retryAfter string
}

func scripted(steps ...step) (func(*http.Request, []byte) *http.Response, *atomic.Int32) {
	var n atomic.Int32
	return func(r *http.Request, _ []byte) *http.Response {
		i := int(n.Add(1)) - 1
		if i >= len(steps) {
			i = len(steps) - 1
		}
		s := steps[i]
		if s.status == 0 {
			return nil // the fake transport turns this into a connection error
		}
		if s.status >= 400 {
			var h []string
			if s.retryAfter != "" {
				h = []string{"Retry-After", s.retryAfter}
			}
			return jsonResponse(s.status, map[string]any{"error": map[string]any{"code": http.StatusText(s.status), "message": "scripted failure"}}, h...)
		}
		return answerAll(r, nil)
	}, &n
}

type call func(ctx context.Context, c *Client) error

var (
	graphGET call = func(ctx context.Context, c *Client) error {
		_, err := Graph(c).Groups().ByGroupId("g-1").Get(ctx, nil)
		return err
	}
	graphPOST call = func(ctx context.Context, c *Client) error {
		_, err := Graph(c).Groups().Post(ctx, models.NewGroup(), nil)
		return err
	}
	armGET call = func(ctx context.Context, c *Client) error {
		_, err := c.RoleDefinitions.Get(ctx, "/subscriptions/sub-1", "acdd72a7-3385-48ef-bd42-f606fba81ae7", nil)
		return err
	}
	armPOST call = func(ctx context.Context, c *Client) error {
		_, err := c.ManagedClusters.ListClusterUserCredentials(ctx, "rg-aks", "aks1", nil)
		return err
	}
)

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	type tc struct {
		call        call
		steps       []step
		deadline    time.Duration // 0: no deadline
		cancelAt    time.Duration // 0: never
		idempotent  bool
		wantTries   int32
		wantStatus  int // 0: success
		wantConnErr bool
		wantCtxErr  error
		minElapsed  time.Duration
		maxElapsed  time.Duration
	}
	cases := map[string]tc{}
	for api, get := range map[string]call{"graph": graphGET, "arm": armGET} {
		cases[api+"/429 Retry-After 90 waited out inside the deadline"] = tc{call: get,
			steps: []step{{429, "90"}, {200, ""}}, deadline: 2 * time.Minute, wantTries: 2, minElapsed: 90 * time.Second, maxElapsed: 90 * time.Second}
		cases[api+"/429 Retry-After 90 given up at once when the deadline is shorter"] = tc{call: get,
			steps: []step{{429, "90"}, {200, ""}}, deadline: time.Minute, wantTries: 1, wantStatus: 429, maxElapsed: 0}
		cases[api+"/503 retried with backoff"] = tc{call: get,
			steps: []step{{503, ""}, {503, ""}, {200, ""}}, deadline: time.Minute, wantTries: 3, minElapsed: 1500 * time.Millisecond, maxElapsed: 3 * time.Second}
		cases[api+"/400 not retried"] = tc{call: get,
			steps: []step{{400, ""}, {200, ""}}, deadline: time.Minute, wantTries: 1, wantStatus: 400}
		cases[api+"/cancelled context stops the wait at once"] = tc{call: get,
			steps: []step{{503, "30"}}, deadline: time.Hour, cancelAt: 5 * time.Second, wantTries: 1, wantCtxErr: context.Canceled, minElapsed: 5 * time.Second, maxElapsed: 5 * time.Second}
		cases[api+"/connection errors retried a few times, then returned"] = tc{call: get,
			steps: []step{{0, ""}}, deadline: time.Hour, wantTries: 5, wantConnErr: true, minElapsed: 7500 * time.Millisecond, maxElapsed: 15 * time.Second}
		cases[api+"/a connection error then success"] = tc{call: get,
			steps: []step{{0, ""}, {200, ""}}, deadline: time.Minute, wantTries: 2, minElapsed: 500 * time.Millisecond, maxElapsed: time.Second}
		cases[api+"/no deadline: the budget bounds the retries"] = tc{call: get,
			steps: []step{{503, "240"}}, wantTries: 3, wantStatus: 503, minElapsed: 480 * time.Second, maxElapsed: 480 * time.Second}
	}
	for api, post := range map[string]call{"graph": graphPOST, "arm": armPOST} {
		cases[api+"/POST not retried on 503"] = tc{call: post,
			steps: []step{{503, ""}, {200, ""}}, deadline: time.Minute, wantTries: 1, wantStatus: 503}
		cases[api+"/POST not retried after a connection error"] = tc{call: post,
			steps: []step{{0, ""}, {200, ""}}, deadline: time.Minute, wantTries: 1, wantConnErr: true}
		cases[api+"/POST retried on 429"] = tc{call: post,
			steps: []step{{429, "1"}, {200, ""}}, deadline: time.Minute, wantTries: 2, minElapsed: time.Second, maxElapsed: time.Second}
		cases[api+"/idempotent POST retried on 503"] = tc{call: post, idempotent: true,
			steps: []step{{503, "2"}, {200, ""}}, deadline: time.Minute, wantTries: 2, minElapsed: 2 * time.Second, maxElapsed: 2 * time.Second}
	}

	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				handler, tries := scripted(tc.steps...)
				c, err := New(t.Context(), Config{TenantID: "tenant-1", SubscriptionID: "sub-1", Credential: newFakeCredential(),
					Transport: &fakeTransport{handler: handler}, Retry: RetryOptions{Budget: 10 * time.Minute}})
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background() // the bubble's own context, not t.Context, must own the deadline
				var cancel context.CancelFunc
				if tc.deadline > 0 {
					ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				} else {
					ctx, cancel = context.WithCancel(ctx)
				}
				defer cancel()
				if tc.cancelAt > 0 {
					time.AfterFunc(tc.cancelAt, cancel)
				}
				if tc.idempotent {
					ctx = WithIdempotentPOST(ctx)
				}
				start := time.Now()
				err = tc.call(ctx, c)
				elapsed := time.Since(start)

				switch {
				case tc.wantCtxErr != nil:
					if !errors.Is(err, tc.wantCtxErr) {
						t.Errorf("error = %v, want %v", err, tc.wantCtxErr)
					}
				case tc.wantConnErr:
					if err == nil || !strings.Contains(err.Error(), "connection refused") {
						t.Errorf("error = %v, want the connection error", err)
					}
				case tc.wantStatus != 0:
					if got := StatusCode(err); got != tc.wantStatus {
						t.Errorf("status = %d (error %v), want %d", got, err, tc.wantStatus)
					}
				default:
					if err != nil {
						t.Errorf("unexpected error: %v", err)
					}
				}
				if got := tries.Load(); got != tc.wantTries {
					t.Errorf("tries = %d, want %d", got, tc.wantTries)
				}
				if elapsed < tc.minElapsed || elapsed > tc.maxElapsed {
					t.Errorf("elapsed %v, want between %v and %v", elapsed, tc.minElapsed, tc.maxElapsed)
				}
			})
		})
	}
}

func TestRetryAfterParsing(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		header http.Header
		want   time.Duration
		ok     bool
	}{
		"seconds":         {http.Header{"Retry-After": {"90"}}, 90 * time.Second, true},
		"fraction":        {http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond, true},
		"http date":       {http.Header{"Retry-After": {now.Add(2 * time.Minute).Format(http.TimeFormat)}}, 2 * time.Minute, true},
		"past date":       {http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0, true},
		"arm ms wins":     {http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"9"}}, 250 * time.Millisecond, true},
		"x-ms ms":         {http.Header{"X-Ms-Retry-After-Ms": {"40"}}, 40 * time.Millisecond, true},
		"missing":         {http.Header{}, 0, false},
		"garbage ignored": {http.Header{"Retry-After": {"soon"}}, 0, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := retryAfter(tc.header, now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("retryAfter = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	t.Parallel()
	o := RetryOptions{BaseDelay: time.Second, MaxDelay: 8 * time.Second, Budget: time.Minute}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 9: 8 * time.Second} {
		for range 50 {
			d := o.backoff(n)
			if d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, d, want/2, want)
			}
		}
	}
}
