package clients

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

var queryNameDecoder = strings.NewReplacer("%24", "$", "%2E", ".", "%2e", ".", "%2D", "-", "%2d", "-", "%7E", "~", "%7e", "~")

// MaxBatchItems is Graph's limit of requests per $batch call.
const MaxBatchItems = 20

// BatchResult is the answer to one request of a Batch call.
type BatchResult struct {
	Status  int
	Headers map[string]string
	// Body is the item's JSON body (nil for 204 and for non-JSON bodies, which Graph base64-encodes and
	// this helper decodes into RawBody).
	Body    json.RawMessage
	RawBody []byte
	// Err is a *BatchItemError when Status >= 400; IsNotFound, ErrorCode, ... understand it.
	Err error
}

// BatchItemError is the error of one failed batch item.
type BatchItemError struct {
	Status  int
	Code    string
	Message string
}

func (e *BatchItemError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("status %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("status %d, code %s: %s", e.Status, e.Code, e.Message)
}

// DecodeBatch parses a successful item's body into a Graph model, e.g.
// DecodeBatch[models.Groupable](r, models.CreateGroupFromDiscriminatorValue).
func DecodeBatch[T serialization.Parsable](r BatchResult, factory serialization.ParsableFactory) (T, error) {
	var zero T
	if r.Err != nil {
		return zero, r.Err
	}
	if len(r.Body) == 0 {
		return zero, fmt.Errorf("batch item (status %d) has no JSON body", r.Status)
	}
	return Decode[T](r.Body, factory)
}

type batchRequestItem struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

type batchResponseItem struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// Batch sends requests built by the Graph request builders (ToGetRequestInformation, ...) through
// POST /$batch, at most 20 per call, and returns one result per request in the same order. Items
// answered 429 (or 503/504 for reads) are sent again in a new batch after their Retry-After, because
// Graph never retries inside a batch; the wait is bounded by ctx like any other retry. The error is
// non-nil only when a whole batch call failed.
func (c *Client) Batch(ctx context.Context, reqs []*abstractions.RequestInformation) ([]BatchResult, error) {
	items, err := c.batchItems(reqs)
	if err != nil {
		return nil, err
	}
	results, pending := make([]BatchResult, len(reqs)), allItems(len(reqs))
	start := time.Now()
	for round := 1; len(pending) > 0; round++ {
		var next batchRound
		for lo := 0; lo < len(pending); lo += MaxBatchItems {
			chunk := pending[lo:min(lo+MaxBatchItems, len(pending))]
			answers, err := c.sendBatch(ctx, items, chunk)
			if err != nil {
				return nil, err
			}
			for _, i := range chunk {
				a, ok := answers[items[i].ID]
				if !ok {
					return nil, fmt.Errorf("the $batch response has no answer for item %s", items[i].ID)
				}
				results[i] = toBatchResult(a)
				next.note(ctx, c, i, items[i].Method, a, round)
			}
		}
		if done, err := next.wait(ctx, c, start); done || err != nil {
			return results, err
		}
		pending = next.again
	}
	return results, nil
}

// batchItems turns requests into $batch items with IDs "1", "2", ...
func (c *Client) batchItems(reqs []*abstractions.RequestInformation) ([]batchRequestItem, error) {
	items := make([]batchRequestItem, len(reqs))
	for i, ri := range reqs {
		item, err := c.toBatchItem(ri, strconv.Itoa(i+1))
		if err != nil {
			return nil, fmt.Errorf("preparing batch item %d: %w", i+1, err)
		}
		items[i] = item
	}
	return items, nil
}

// allItems is 0, 1, ..., n-1: every item still to be answered.
func allItems(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// batchRound collects the items of one round of a batch call that are to be sent again.
type batchRound struct {
	again     []int
	delay     time.Duration
	throttled int
}

// note takes item i's answer into account: the pacing header, and whether (and when) to send it again.
func (r *batchRound) note(ctx context.Context, c *Client, i int, method string, a batchResponseItem, round int) {
	c.pacer.observe(headerOf(a.Headers, "x-ms-throttle-limit-percentage"))
	if d, retry := c.batchItemRetry(ctx, method, a, round); retry {
		r.again = append(r.again, i)
		r.delay = max(r.delay, d)
		if a.Status == http.StatusTooManyRequests {
			r.throttled++
		}
	}
}

// wait sleeps until the next round may be sent. done: no round follows, because nothing is to be sent
// again or the wait would pass the deadline (the throttled items keep their 429 result then).
func (r *batchRound) wait(ctx context.Context, c *Client, start time.Time) (done bool, err error) {
	if len(r.again) == 0 {
		return true, nil
	}
	logThrottled(ctx, "graph", r.throttled, r.delay)
	if err := c.retry.wait(ctx, start, r.delay); err != nil {
		if errors.Is(err, errRetryAbandoned) {
			return true, nil
		}
		return true, err
	}
	return false, nil
}

// batchItemRetry applies the retry decision to one item, reading Retry-After from the item's headers.
func (c *Client) batchItemRetry(ctx context.Context, method string, a batchResponseItem, round int) (time.Duration, bool) {
	h := http.Header{}
	for k, v := range a.Headers {
		h.Set(k, v)
	}
	resp := &http.Response{StatusCode: a.Status, Header: h}
	retry, d := c.retry.retryDecision(attempt{method: method, ctx: ctx, resp: resp, n: round})
	return d, retry
}

func (c *Client) toBatchItem(ri *abstractions.RequestInformation, id string) (batchRequestItem, error) {
	base := c.GraphAdapter.GetBaseUrl()
	if ri.PathParameters == nil {
		ri.PathParameters = map[string]string{}
	}
	if _, ok := ri.PathParameters["baseurl"]; !ok {
		ri.PathParameters["baseurl"] = base
	}
	u, err := ri.GetUri()
	if err != nil {
		return batchRequestItem{}, err
	}
	// As the ParametersNameDecodingHandler does on the wire: $select, not %24select.
	u.RawQuery = queryNameDecoder.Replace(u.RawQuery)
	full := khttp.ReplacePathTokens(u.String(), msgraphcore.ReplacementPairs)
	rel := strings.TrimPrefix(full, strings.TrimRight(base, "/"))
	if rel == full {
		return batchRequestItem{}, fmt.Errorf("request URL %s is not under the Graph base URL %s", full, base)
	}
	item := batchRequestItem{ID: id, Method: ri.Method.String(), URL: rel, Headers: map[string]string{}}
	for _, k := range ri.Headers.ListKeys() {
		item.Headers[http.CanonicalHeaderKey(k)] = strings.Join(ri.Headers.Get(k), ",")
	}
	if len(ri.Content) > 0 {
		ct := item.Headers["Content-Type"]
		if ct == "" {
			ct = "application/json"
			item.Headers["Content-Type"] = ct
		}
		if mt, _, _ := mime.ParseMediaType(ct); strings.Contains(mt, "json") && json.Valid(ri.Content) {
			item.Body = json.RawMessage(ri.Content)
		} else {
			b, _ := json.Marshal(base64.StdEncoding.EncodeToString(ri.Content))
			item.Body = b
		}
	}
	if len(item.Headers) == 0 {
		item.Headers = nil
	}
	return item, nil
}

func (c *Client) sendBatch(ctx context.Context, items []batchRequestItem, chunk []int) (map[string]batchResponseItem, error) {
	body := struct {
		Requests []batchRequestItem `json:"requests"`
	}{}
	safe := true
	for _, i := range chunk {
		body.Requests = append(body.Requests, items[i])
		if items[i].Method == http.MethodPost {
			safe = false
		}
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	ri := abstractions.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abstractions.POST, "{+baseurl}/$batch",
		map[string]string{"baseurl": c.GraphAdapter.GetBaseUrl()})
	ri.Content = payload
	ri.Headers.TryAdd("Content-Type", "application/json")
	ri.Headers.TryAdd("Accept", "application/json")
	if safe {
		// A batch without POST items (reads, PATCH, PUT, DELETE: each idempotent, as the retry policy treats
		// them outside a batch) may be sent again after a 5xx; the POST that carries it changes nothing itself.
		ctx = WithIdempotentPOST(ctx)
	}
	raw, err := c.GraphAdapter.SendPrimitive(ctx, ri, "[]byte", abstractions.ErrorMappings{
		"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue,
	})
	if err != nil {
		return nil, err
	}
	data, _ := raw.([]byte)
	var resp struct {
		Responses []batchResponseItem `json:"responses"`
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		return nil, fmt.Errorf("decoding the $batch response: %w", err)
	}
	out := make(map[string]batchResponseItem, len(resp.Responses))
	for _, r := range resp.Responses {
		out[r.ID] = r
	}
	return out, nil
}

func toBatchResult(a batchResponseItem) BatchResult {
	r := BatchResult{Status: a.Status, Headers: a.Headers}
	body := a.Body
	if len(body) > 0 && string(body) != "null" {
		if body[0] == '"' {
			// Non-JSON bodies come back base64-encoded in a JSON string.
			var s string
			if json.Unmarshal(body, &s) == nil {
				if dec, err := base64.StdEncoding.DecodeString(s); err == nil {
					r.RawBody = dec
					body = nil
				}
			}
		}
		if body != nil {
			r.Body = body
			r.RawBody = body
		}
	}
	if a.Status >= 400 {
		e := &BatchItemError{Status: a.Status, Message: http.StatusText(a.Status)}
		var doc struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if len(r.Body) > 0 && json.Unmarshal(r.Body, &doc) == nil {
			e.Code = doc.Error.Code
			if doc.Error.Message != "" {
				e.Message = doc.Error.Message
			}
		}
		r.Err = e
	}
	return r
}
