package directory

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/capture"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// maxBatch is Graph's limit of requests per JSON batch.
const maxBatch = 20

// SetBatchDispatcher sets the handler $batch items are sent to: the server's whole Graph pipeline
// (statistics, faults, directory and PIM routes), so that every Graph endpoint works inside a batch.
// Without it, items go to the directory's own routes.
func (s *Store) SetBatchDispatcher(h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batchTo = h
}

type batchItem struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      json.RawMessage   `json:"body,omitempty"`
	DependsOn []string          `json:"dependsOn,omitempty"`
}

type batchResult struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

func batchError(w http.ResponseWriter, r *http.Request, msg string) {
	odata.WriteErr(w, r, odata.NewError(http.StatusBadRequest, "BadRequest", msg))
}

func (s *Store) batch(w http.ResponseWriter, r *http.Request, _ router.Params) {
	if reqctx.IsBatchItem(r.Context()) {
		batchError(w, r, "Nested batch requests are not supported.")
		return
	}
	var body struct {
		Requests []batchItem `json:"requests"`
	}
	if !odata.DecodeBody(w, r, &body) {
		return
	}
	if len(body.Requests) == 0 {
		batchError(w, r, "Invalid batch payload format.")
		return
	}
	if len(body.Requests) > maxBatch {
		batchError(w, r, "The number of requests in the batch exceeds the limit of 20.")
		return
	}
	ids := map[string]bool{}
	for _, it := range body.Requests {
		switch {
		case it.ID == "" || it.Method == "" || it.URL == "":
			batchError(w, r, "Invalid batch payload format.")
			return
		case ids[strings.ToLower(it.ID)]:
			batchError(w, r, "Request Id "+it.ID+" must be unique in the batch.")
			return
		case len(it.Body) > 0 && string(it.Body) != "null" && headerValue(it.Headers, "Content-Type") == "":
			batchError(w, r, "Write request id : "+it.ID+" does not contain Content-Type header or body.")
			return
		}
		ids[strings.ToLower(it.ID)] = true
	}
	for _, it := range body.Requests {
		for _, d := range it.DependsOn {
			if !ids[strings.ToLower(d)] {
				batchError(w, r, "Request dependsOn "+d+" is not a valid request id in the batch.")
				return
			}
		}
	}
	s.mu.Lock()
	target := s.batchTo
	s.mu.Unlock()

	status := map[string]int{}
	results := make([]batchResult, 0, len(body.Requests))
	for _, it := range body.Requests {
		failedDep := ""
		for _, d := range it.DependsOn {
			if st, ok := status[strings.ToLower(d)]; !ok || st >= 400 {
				failedDep = d
			}
		}
		var res batchResult
		if failedDep != "" {
			b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": "FailedDependency", "message": "The dependent request " + failedDep + " failed.", "innerError": map[string]any{}}})
			res = batchResult{ID: it.ID, Status: http.StatusFailedDependency, Headers: map[string]string{"Content-Type": "application/json"}, Body: b}
		} else {
			res = s.runBatchItem(r, target, it)
		}
		status[strings.ToLower(it.ID)] = res.Status
		results = append(results, res)
	}
	if s.opt.ShuffleBatchResponses {
		s.mu.Lock()
		s.opt.Rand.Shuffle(len(results), func(i, j int) { results[i], results[j] = results[j], results[i] })
		s.mu.Unlock()
	}
	odata.WriteJSON(w, http.StatusOK, map[string]any{"responses": results})
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// runBatchItem sends one item through target as an ordinary request of the same caller.
func (s *Store) runBatchItem(outer *http.Request, target http.Handler, it batchItem) batchResult {
	u := it.URL
	if strings.HasPrefix(strings.ToLower(u), "https://") || strings.HasPrefix(strings.ToLower(u), "http://") {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": "BadRequest", "message": "Invalid request URL: relative URLs are required in a batch.", "innerError": map[string]any{}}})
		return batchResult{ID: it.ID, Status: http.StatusBadRequest, Headers: map[string]string{"Content-Type": "application/json"}, Body: b}
	}
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	var payload []byte
	if len(it.Body) > 0 && string(it.Body) != "null" {
		payload = it.Body
		var s string
		if json.Unmarshal(it.Body, &s) == nil {
			// Non-JSON bodies travel base64-encoded.
			if dec, err := base64.StdEncoding.DecodeString(s); err == nil {
				payload = dec
			}
		}
	}
	ctx := reqctx.WithBatchItem(outer.Context())
	version := "/v1.0"
	if strings.HasPrefix(strings.ToLower(outer.URL.Path), "/beta/") {
		version = "/beta"
	}
	req, err := http.NewRequestWithContext(ctx, strings.ToUpper(it.Method), "https://"+outer.Host+version+u, bytes.NewReader(payload))
	if err != nil {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": "BadRequest", "message": "Invalid request URL.", "innerError": map[string]any{}}})
		return batchResult{ID: it.ID, Status: http.StatusBadRequest, Headers: map[string]string{"Content-Type": "application/json"}, Body: b}
	}
	req.Host = outer.Host
	req.RemoteAddr = outer.RemoteAddr
	req.TLS = outer.TLS
	for k, v := range it.Headers {
		req.Header.Set(k, v)
	}
	if auth := outer.Header.Get("Authorization"); auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := capture.New(nil)
	target.ServeHTTP(rec, req)
	res := batchResult{ID: it.ID, Status: rec.Status(), Headers: map[string]string{}}
	for k, v := range rec.Header() {
		// The SDK looks the item's content type up under exactly "Content-Type".
		name := http.CanonicalHeaderKey(k)
		if strings.EqualFold(k, "odata-version") {
			name = "OData-Version"
		}
		res.Headers[name] = strings.Join(v, ",")
	}
	if body := rec.Body(); len(body) > 0 {
		mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
		if mt == "application/json" {
			res.Body = json.RawMessage(body)
		} else {
			b, _ := json.Marshal(base64.StdEncoding.EncodeToString(body))
			res.Body = b
		}
	}
	return res
}
