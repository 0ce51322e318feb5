package clients

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// redacted replaces every secret the logger removes.
const redacted = "REDACTED"

// maxLoggedBody bounds the TRACE body dump; bodies are still passed on whole.
const maxLoggedBody = 16 << 10

// Header names whose values are credentials (compared case-insensitively, by substring).
var secretHeaderParts = []string{"authorization", "cookie", "secret", "token", "identity-header", "api-key", "assertion"}

// Field names (form fields, query parameters, JSON keys) whose values are credentials.
var secretFields = map[string]bool{
	"client_secret": true, "client_assertion": true, "assertion": true, "password": true,
	"refresh_token": true, "access_token": true, "id_token": true, "secrettext": true,
	"token": true, "clientsecret": true, "sig": true, "code_verifier": true,
}

// isSecretParam also covers the OAuth authorization code, which in JSON bodies would be confused with
// the error code every Graph and ARM error carries.
func isSecretParam(name string) bool {
	name = strings.ToLower(name)
	return secretFields[name] || name == "code"
}

// jwtPattern catches any JWT that slips through a field we did not anticipate (assertions, tokens).
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)

// redactor removes credentials from what is logged. extra holds literal secret values known from the
// configuration (client secret, password), removed wherever they appear.
type redactor struct {
	extra []string
}

func newRedactor(values ...string) redactor {
	var r redactor
	for _, v := range values {
		if len(v) >= 4 {
			r.extra = append(r.extra, v)
		}
	}
	return r
}

func (r redactor) text(s string) string {
	s = jwtPattern.ReplaceAllString(s, redacted)
	for _, v := range r.extra {
		s = strings.ReplaceAll(s, v, redacted)
	}
	return s
}

func (r redactor) headers(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		lower := strings.ToLower(name)
		secret := false
		for _, part := range secretHeaderParts {
			if strings.Contains(lower, part) {
				secret = true
				break
			}
		}
		if secret {
			out[name] = redacted
			continue
		}
		out[name] = r.text(strings.Join(values, ", "))
	}
	return out
}

func (r redactor) url(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		changed := false
		for k := range q {
			if isSecretParam(k) {
				q[k] = []string{redacted}
				changed = true
			}
		}
		if changed {
			c.RawQuery = q.Encode()
		}
	}
	return r.text(c.String())
}

// body renders a request or response body for the TRACE log with credentials removed.
func (r redactor) body(contentType, contentEncoding string, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if strings.EqualFold(contentEncoding, "gzip") {
		if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
			if plain, err := io.ReadAll(io.LimitReader(zr, maxLoggedBody*4)); err == nil {
				b = plain
			}
		}
	}
	mediaType, _, _ := mime.ParseMediaType(contentType)
	var s string
	switch {
	case mediaType == "application/x-www-form-urlencoded":
		s = r.form(b)
	case strings.Contains(mediaType, "json") || json.Valid(b):
		s = r.json(b)
	default:
		s = string(b)
	}
	s = r.text(s)
	if len(s) > maxLoggedBody {
		s = s[:maxLoggedBody] + "...(truncated)"
	}
	return s
}

func (r redactor) form(b []byte) string {
	values, err := url.ParseQuery(string(b))
	if err != nil {
		return redacted + " (unparsable form body)"
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte('&')
		}
		v := strings.Join(values[k], ",")
		if isSecretParam(k) {
			v = redacted
		}
		sb.WriteString(k + "=" + v)
	}
	return sb.String()
}

func (r redactor) json(b []byte) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return string(b)
	}
	out, err := json.Marshal(redactJSON(v))
	if err != nil {
		return redacted + " (unserialisable JSON body)"
	}
	return string(out)
}

func redactJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if secretFields[strings.ToLower(k)] {
				if _, isString := child.(string); isString {
					t[k] = redacted
					continue
				}
			}
			t[k] = redactJSON(child)
		}
	case []any:
		for i := range t {
			t[i] = redactJSON(t[i])
		}
	}
	return v
}

// exchange is one HTTP try as the log sees it.
type exchange struct {
	api      string // "graph", "arm" or "identity"
	req      *http.Request
	reqBody  []byte
	resp     *http.Response
	respBody []byte
	err      error
	took     time.Duration
}

// logTry sends one try of req (its body already read as reqBody) through send and logs it, the response
// body read for the log and restored for the caller; a failed read of it is the try's error when it had
// none.
func (r redactor) logTry(api string, req *http.Request, reqBody []byte, send func() (*http.Response, error)) (*http.Response, error) {
	start := time.Now()
	resp, err := send()
	x := exchange{api: api, req: req, reqBody: reqBody, resp: resp, err: err, took: time.Since(start)}
	if resp != nil {
		var rerr error
		x.respBody, resp.Body, rerr = readAndRestore(resp.Body)
		if rerr != nil && err == nil {
			err = rerr
		}
	}
	r.log(req.Context(), x)
	return resp, err
}

// log writes the DEBUG summary and the TRACE detail of one try.
func (r redactor) log(ctx context.Context, x exchange) {
	fields := map[string]any{
		"api":         x.api,
		"method":      x.req.Method,
		"url":         r.url(x.req.URL),
		"duration_ms": x.took.Milliseconds(),
	}
	if n, ok := x.req.Context().Value(attemptKey{}).(int); ok {
		fields["attempt"] = n
	}
	if x.err != nil {
		fields["error"] = r.text(x.err.Error())
	}
	if x.resp != nil {
		fields["status"] = x.resp.StatusCode
		for _, h := range []string{"request-id", "client-request-id", "x-ms-request-id", "x-ms-correlation-request-id"} {
			if v := x.resp.Header.Get(h); v != "" {
				fields[strings.ReplaceAll(h, "-", "_")] = v
			}
		}
	}
	tflog.Debug(ctx, "HTTP request", fields)

	// The detail is rendered only if the TRACE line is written (lazy values): redacting and re-encoding
	// every body cost 3% of the provider's CPU in a plan whose logs nobody reads (make bench).
	detail := map[string]any{
		"api":             x.api,
		"method":          x.req.Method,
		"url":             fields["url"],
		"request_headers": lazy(func() any { return r.headers(x.req.Header) }),
		"request_body": lazy(func() any {
			return r.body(x.req.Header.Get("Content-Type"), x.req.Header.Get("Content-Encoding"), x.reqBody)
		}),
	}
	if x.resp != nil {
		detail["status"] = x.resp.StatusCode
		detail["response_headers"] = lazy(func() any { return r.headers(x.resp.Header) })
		detail["response_body"] = lazy(func() any {
			return r.body(x.resp.Header.Get("Content-Type"), x.resp.Header.Get("Content-Encoding"), x.respBody)
		})
	}
	tflog.Trace(ctx, "HTTP request detail", detail)
}

// lazy is a log field computed when the line is written (hclog encodes values as JSON), and never when
// the level drops it.
type lazy func() any

func (l lazy) MarshalJSON() ([]byte, error) { return json.Marshal(l()) }

func (l lazy) String() string { return fmt.Sprint(l()) }

// attemptKey carries the try number (1-based) from the retry layer to the logger.
type attemptKey struct{}

// readAndRestore reads a body for logging and gives the caller an equivalent unread body back.
func readAndRestore(rc io.ReadCloser) ([]byte, io.ReadCloser, error) {
	if rc == nil || rc == http.NoBody {
		return nil, rc, nil
	}
	b, err := io.ReadAll(rc)
	_ = rc.Close()
	return b, io.NopCloser(bytes.NewReader(b)), err
}
