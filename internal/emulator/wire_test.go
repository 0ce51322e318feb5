package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// wire is a client that owes nothing to the SDKs: plain net/http, JSON written by hand as the
// documentation's examples show it, tokens from raw form posts. Contract tests use it where the SDK would
// hide or normalise what the emulator sends.
type wire struct {
	t     testing.TB
	srv   *emulator.Server
	token string
}

// answer is a decoded response.
type answer struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any // nil when the body is not a JSON object
}

// appWire signs in as the admin service principal for scope (".default" of Graph or ARM).
func appWire(t testing.TB, srv *emulator.Server, scope string) *wire {
	t.Helper()
	f := srv.Fixtures()
	return &wire{t: t, srv: srv, token: formToken(t, srv, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {f.AdminClientID}, "client_secret": {f.AdminClientSecret}, "scope": {scope},
	})}
}

// userWire signs a seeded user in through the public client (ROPC) with Graph's delegated scopes.
func userWire(t testing.TB, srv *emulator.Server, u emulator.User) *wire {
	t.Helper()
	f := srv.Fixtures()
	return &wire{t: t, srv: srv, token: formToken(t, srv, url.Values{
		"grant_type": {"password"}, "client_id": {f.PublicClientID}, "username": {u.UPN}, "password": {u.Password},
		"scope": {"https://graph.microsoft.com/.default"},
	})}
}

func formToken(t testing.TB, srv *emulator.Server, form url.Values) string {
	t.Helper()
	status, body := tokenRequest(t, srv, form)
	tok, ok := body["access_token"].(string)
	if status != http.StatusOK || !ok {
		t.Fatalf("token request (%s): %d %v", form.Get("grant_type"), status, body)
	}
	return tok
}

// do sends method path (relative to the emulator's URL, or absolute) with body: a string is sent as is,
// anything else as its JSON.
func (c *wire) do(method, path string, body any) answer {
	c.t.Helper()
	var rd io.Reader = http.NoBody
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	u := path
	if !strings.HasPrefix(u, "https://") {
		u = c.srv.URL() + path
	}
	req, err := http.NewRequestWithContext(ctxT(c.t), method, u, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.srv.HTTPClient().Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	a := answer{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &a.Body)
	return a
}

// must is do, failing the test unless the status is want.
func (c *wire) must(want int, method, path string, body any) answer {
	c.t.Helper()
	a := c.do(method, path, body)
	if a.Status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, a.Status, want, a.Raw)
	}
	return a
}

// str returns a string field of a JSON object ("" when absent or not a string).
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// obj returns an object field.
func obj(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// list returns the objects of an array field ("value" of a collection).
func list(m map[string]any, key string) []map[string]any {
	arr, _ := m[key].([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, v := range arr {
		if o, ok := v.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}
