package clients

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// fakeClient is a client whose every request handler answers, with shared reads on or off.
func fakeClient(t *testing.T, handler func(*http.Request, []byte) *http.Response, shared bool) *Client {
	t.Helper()
	c, err := New(t.Context(), Config{Credential: newFakeCredential(), SubscriptionID: "s", SharedReads: shared, Transport: &fakeTransport{handler: handler}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// groupReads builds GET requests of the given group IDs.
func groupReads(t *testing.T, c *Client, ids ...string) []*abstractions.RequestInformation {
	t.Helper()
	var reqs []*abstractions.RequestInformation
	for _, id := range ids {
		ri, err := Graph(c).Groups().ByGroupId(id).ToGetRequestInformation(t.Context(), &groups.GroupItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: []string{"id"}}})
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, ri)
	}
	return reqs
}

// readersResult is what one concurrent reader got.
type readersResult struct {
	ids     []string
	err     error
	elapsed time.Duration
}

// concurrentReads runs one BatchRead per caller at the same moment; caller i reads "c{i}-g{0..per-1}".
func concurrentReads(t *testing.T, c *Client, callers, per int, name func(caller, item int) string) []readersResult {
	t.Helper()
	out := make([]readersResult, callers)
	var wg sync.WaitGroup
	for i := range callers {
		var ids []string
		for k := range per {
			ids = append(ids, name(i, k))
		}
		reqs := groupReads(t, c, ids...)
		wg.Go(func() {
			start := time.Now()
			res, err := c.BatchRead(t.Context(), reqs)
			out[i].err, out[i].elapsed = err, time.Since(start)
			for _, r := range res {
				if g, err := DecodeBatch[models.Groupable](r, models.CreateGroupFromDiscriminatorValue); err == nil {
					out[i].ids = append(out[i].ids, *g.GetId())
				} else {
					out[i].ids = append(out[i].ids, "error: "+err.Error())
				}
			}
		})
	}
	wg.Wait()
	return out
}

// readTogether runs concurrentReads through a client with SharedReads on or off against a new batch
// server.
func readTogether(t *testing.T, shared bool, callers, per int, name func(caller, item int) string) (*batchServer, []readersResult) {
	t.Helper()
	srv := &batchServer{throttled: map[string]int{}}
	return srv, concurrentReads(t, fakeClient(t, srv.handle, shared), callers, per, name)
}

func plainName(caller, item int) string { return fmt.Sprintf("c%d-g%d", caller, item) }

func TestBatchReadPacksConcurrentReaders(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv, got := readTogether(t, true, 8, 3, plainName)
		for i, r := range got {
			want := []string{plainName(i, 0), plainName(i, 1), plainName(i, 2)}
			if r.err != nil || !cmp.Equal(r.ids, want) {
				t.Errorf("caller %d: %v %v, want %v", i, r.ids, r.err, want)
			}
			if r.elapsed != sharedBatchWindow && r.elapsed != 0 {
				t.Errorf("caller %d waited %s; a shared batch leaves when full or after %s", i, r.elapsed, sharedBatchWindow)
			}
		}
		var sizes []int
		for _, b := range srv.batches {
			sizes = append(sizes, len(b))
		}
		if diff := cmp.Diff([]int{20, 4}, sizes); diff != "" {
			t.Errorf("24 items of 8 readers went out as (-want +got):\n%s", diff)
		}
	})
}

func TestBatchReadWithoutSharing(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv, got := readTogether(t, false, 4, 3, plainName)
		for i, r := range got {
			if r.err != nil || len(r.ids) != 3 || r.elapsed != 0 {
				t.Errorf("caller %d: %v %v after %s", i, r.ids, r.err, r.elapsed)
			}
		}
		if len(srv.batches) != 4 {
			t.Errorf("%d batches for 4 readers with sharing off, want one each", len(srv.batches))
		}
	})
}

// TestBatchReadRetriesOnlyTheThrottledItem: a 429 item is resent after its Retry-After; the readers
// whose items were answered do not wait for it.
func TestBatchReadRetriesOnlyTheThrottledItem(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		name := func(caller, item int) string {
			if caller == 1 && item == 1 {
				return "throttled-1"
			}
			return plainName(caller, item)
		}
		srv, got := readTogether(t, true, 3, 2, name)
		for i, r := range got {
			if r.err != nil || len(r.ids) != 2 || strings.HasPrefix(r.ids[0], "error") || strings.HasPrefix(r.ids[1], "error") {
				t.Errorf("caller %d: %v %v", i, r.ids, r.err)
			}
			want := sharedBatchWindow
			if i == 1 {
				want += 3*time.Second + sharedBatchWindow // Retry-After 3, then a new window
			}
			if r.elapsed != want {
				t.Errorf("caller %d took %s, want %s", i, r.elapsed, want)
			}
		}
		if len(srv.batches) != 2 || len(srv.batches[1]) != 1 {
			t.Errorf("batches %v: want one shared batch, then the throttled item alone", srv.batches)
		}
	})
}

// TestBatchReadFallsBackPerResource: when a shared $batch fails as a whole, each reader sends its own
// requests alone, and an error comes back only to the reader whose own request causes it.
func TestBatchReadFallsBackPerResource(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &batchServer{throttled: map[string]int{}}
		handler := func(r *http.Request, body []byte) *http.Response {
			var req struct {
				Requests []batchRequestItem `json:"requests"`
			}
			_ = json.Unmarshal(body, &req)
			bad := strings.Contains(string(body), "/groups/bad")
			if len(req.Requests) > 2 || bad {
				// A shared batch (more than one reader's two items), or one holding the bad request, is refused.
				return jsonResponse(400, map[string]any{"error": map[string]any{"code": "BadRequest", "message": fmt.Sprintf("refused a batch of %d", len(req.Requests))}})
			}
			return srv.handle(r, body)
		}
		c := fakeClient(t, handler, true)
		name := func(caller, item int) string {
			if caller == 2 {
				return fmt.Sprintf("bad-%d", item)
			}
			return plainName(caller, item)
		}
		got := concurrentReads(t, c, 3, 2, name)
		for i, r := range got {
			switch {
			case i == 2 && (r.err == nil || StatusCode(r.err) != 400):
				t.Errorf("the reader of the bad request got %v, %v; want its own 400", r.ids, r.err)
			case i != 2 && (r.err != nil || !cmp.Equal(r.ids, []string{plainName(i, 0), plainName(i, 1)})):
				t.Errorf("reader %d got %v, %v; want its groups after the fallback", i, r.ids, r.err)
			}
		}
	})
}

// TestGraphPacer: an answer saying the budget is 90 % used holds the next Graph request a second.
func TestGraphPacer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		handler := func(r *http.Request, _ []byte) *http.Response {
			calls++
			return jsonResponse(200, map[string]any{"id": "g"}, "x-ms-throttle-limit-percentage", "0.9")
		}
		c := fakeClient(t, handler, false)
		ctx := context.Background()
		if _, err := Graph(c).Groups().ByGroupId("g").Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := Graph(c).Groups().ByGroupId("g").Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got < graphPaceMax/2-time.Millisecond || got > graphPaceMax/2 {
			t.Errorf("the request after a 0.9 answer waited %s, want %s", got, graphPaceMax/2)
		}
	})
}
