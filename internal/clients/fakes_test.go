package clients

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// fakeTransport answers every request with handler and records what was sent (body included).
type fakeTransport struct {
	mu      sync.Mutex
	handler func(r *http.Request, body []byte) *http.Response
	seen    []seenRequest
}

type seenRequest struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

func (f *fakeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		_ = r.Body.Close()
	}
	f.mu.Lock()
	f.seen = append(f.seen, seenRequest{Method: r.Method, URL: r.URL.String(), Header: r.Header.Clone(), Body: body})
	h := f.handler
	f.mu.Unlock()
	resp := h(r, body)
	if resp == nil {
		return nil, fmt.Errorf("fake transport: connection refused")
	}
	resp.Request = r
	return resp, nil
}

func (f *fakeTransport) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.seen...)
}

func jsonResponse(status int, body any, headers ...string) *http.Response {
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	case nil:
	default:
		b, _ = json.Marshal(v)
	}
	h := http.Header{}
	if len(b) > 0 {
		h.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h, Body: io.NopCloser(bytes.NewReader(b)), ContentLength: int64(len(b))}
}

// fakeCredential mints unsigned JWTs carrying an oid and counts token requests per scope.
type fakeCredential struct {
	mu     sync.Mutex
	calls  map[string]int
	oid    string
	expiry time.Duration
}

func newFakeCredential() *fakeCredential {
	return &fakeCredential{calls: map[string]int{}, oid: "11111111-2222-3333-4444-555555555555", expiry: time.Hour}
}

func (c *fakeCredential) GetToken(_ context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	scope := strings.Join(opts.Scopes, " ")
	c.calls[scope]++
	return azcore.AccessToken{Token: fakeJWT(c.oid, scope, c.calls[scope]), ExpiresOn: time.Now().Add(c.expiry)}, nil
}

func (c *fakeCredential) count(scope string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[scope]
}

func fakeJWT(oid, scope string, n int) string {
	enc := base64.RawURLEncoding.EncodeToString
	header := enc([]byte(`{"alg":"none","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"oid": oid, "aud": strings.TrimSuffix(scope, "/.default"), "n": n})
	return header + "." + enc(claims) + ".c2ln"
}
