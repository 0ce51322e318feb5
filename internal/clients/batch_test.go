package clients

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
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

// batchServer answers $batch calls: /groups/throttled-N is 429 (Retry-After 3) on its first try,
// /groups/missing is 404, anything else echoes the group ID. It records every batch it receives.
type batchServer struct {
	mu        sync.Mutex
	batches   [][]batchRequestItem
	throttled map[string]int
	outer503  int // answer the next N whole-batch calls with 503
}

func (s *batchServer) handle(r *http.Request, body []byte) *http.Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.HasSuffix(r.URL.Path, "/v1.0/$batch") {
		return jsonResponse(404, map[string]any{"error": map[string]any{"code": "NotFound", "message": r.URL.Path}})
	}
	if s.outer503 > 0 {
		s.outer503--
		return jsonResponse(503, map[string]any{"error": map[string]any{"code": "ServiceUnavailable", "message": "busy"}}, "Retry-After", "2")
	}
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return jsonResponse(400, map[string]any{"error": map[string]any{"code": "BadRequest", "message": err.Error()}})
		}
		body, _ = io.ReadAll(zr)
	}
	var req struct {
		Requests []batchRequestItem `json:"requests"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return jsonResponse(400, map[string]any{"error": map[string]any{"code": "BadRequest", "message": err.Error()}})
	}
	s.batches = append(s.batches, req.Requests)
	var out []map[string]any
	for _, it := range req.Requests {
		id := strings.TrimPrefix(strings.SplitN(it.URL, "?", 2)[0], "/groups/")
		switch {
		case strings.HasPrefix(id, "throttled") && s.throttled[id] == 0:
			s.throttled[id]++
			out = append(out, map[string]any{"id": it.ID, "status": 429, "headers": map[string]string{"Retry-After": "3", "Content-Type": "application/json"},
				"body": map[string]any{"error": map[string]any{"code": "TooManyRequests", "message": "slow down"}}})
		case id == "missing":
			out = append(out, map[string]any{"id": it.ID, "status": 404, "headers": map[string]string{"Content-Type": "application/json"},
				"body": map[string]any{"error": map[string]any{"code": "Request_ResourceNotFound", "message": "Resource 'missing' does not exist"}}})
		case it.Method == http.MethodPost:
			out = append(out, map[string]any{"id": it.ID, "status": 204, "headers": map[string]string{}})
		default:
			out = append(out, map[string]any{"id": it.ID, "status": 200, "headers": map[string]string{"Content-Type": "application/json"},
				"body": map[string]any{"id": id, "displayName": "group " + id}})
		}
	}
	// Graph answers in any order.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return jsonResponse(200, map[string]any{"responses": out})
}

func TestBatch(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		srv := &batchServer{throttled: map[string]int{}, outer503: 1}
		c := fakeClient(t, srv.handle, false)
		var reqs []*abstractions.RequestInformation
		var wantIDs []string
		for i := range 23 {
			id := "g-" + string(rune('a'+i))
			switch i {
			case 3, 21:
				id = "throttled-" + id
			case 7:
				id = "missing"
			}
			ri, err := Graph(c).Groups().ByGroupId(id).ToGetRequestInformation(ctx, &groups.GroupItemRequestBuilderGetRequestConfiguration{
				QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: []string{"id", "displayName"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			reqs = append(reqs, ri)
			wantIDs = append(wantIDs, id)
		}
		ref := models.NewReferenceCreate()
		ref.SetOdataId(new("https://graph.microsoft.com/v1.0/directoryObjects/u-1"))
		post, err := Graph(c).Groups().ByGroupId("g-post").Members().Ref().ToPostRequestInformation(ctx, ref, nil)
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, post)

		start := time.Now()
		results, err := c.Batch(ctx, reqs)
		if err != nil {
			t.Fatal(err)
		}
		// The throttled items were resent once, after their 3 s Retry-After (plus the 2 s outer 503).
		if got := time.Since(start); got != 5*time.Second {
			t.Errorf("elapsed %v, want 5s", got)
		}
		if len(results) != len(reqs) {
			t.Fatalf("%d results for %d requests", len(results), len(reqs))
		}
		for i, id := range wantIDs {
			r := results[i]
			if id == "missing" {
				if !IsNotFound(r.Err) || ErrorCode(r.Err) != "Request_ResourceNotFound" || StatusCode(r.Err) != 404 {
					t.Errorf("item %d: %v", i, r.Err)
				}
				continue
			}
			g, err := DecodeBatch[models.Groupable](r, models.CreateGroupFromDiscriminatorValue)
			if err != nil {
				t.Fatalf("item %d: %v", i, err)
			}
			if *g.GetId() != id {
				t.Errorf("item %d is %s, want %s (results out of order)", i, *g.GetId(), id)
			}
		}
		if last := results[len(results)-1]; last.Status != 204 || last.Err != nil {
			t.Errorf("POST item: %+v", last)
		}

		// 24 items: 20 + 4, then the two throttled ones again.
		var sizes []int
		for _, b := range srv.batches {
			sizes = append(sizes, len(b))
		}
		if diff := cmp.Diff([]int{20, 4, 2}, sizes); diff != "" {
			t.Errorf("batch sizes (-want +got):\n%s", diff)
		}
		first := srv.batches[0][0]
		if first.URL != "/groups/g-a?$select=id,displayName" || first.Method != "GET" || first.Headers["Accept"] != "application/json" {
			t.Errorf("item as sent: %+v", first)
		}
		postItem := srv.batches[1][3]
		if postItem.Method != "POST" || postItem.URL != "/groups/g-post/members/$ref" || postItem.Headers["Content-Type"] != "application/json" ||
			!strings.Contains(string(postItem.Body), `"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/u-1"`) {
			t.Errorf("POST item as sent: %+v body %s", postItem, postItem.Body)
		}
	})
}

func TestBatchGivesUpOnThrottlingPastTheDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &batchServer{throttled: map[string]int{}}
		c := fakeClient(t, srv.handle, false)
		ctx, cancel := contextWithTimeout(t, 2*time.Second)
		defer cancel()
		ri, _ := Graph(c).Groups().ByGroupId("throttled-x").ToGetRequestInformation(ctx, nil)
		start := time.Now()
		results, err := c.Batch(ctx, []*abstractions.RequestInformation{ri})
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(start) != 0 || !IsThrottled(results[0].Err) || len(srv.batches) != 1 {
			t.Errorf("want the 429 back at once; got %v after %v and %d batches", results[0].Err, time.Since(start), len(srv.batches))
		}
	})
}
