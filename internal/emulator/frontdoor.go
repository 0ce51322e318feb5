package emulator

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/capture"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

type apiKind int

const (
	apiUnknown apiKind = iota
	apiAdmin
	apiLogin
	apiGraph
	apiARM
)

func (k apiKind) String() string {
	return [...]string{"unknown", "admin", "login", "graph", "arm"}[k]
}

func (s *Server) classify(path string) apiKind {
	p := strings.ToLower(path)
	switch {
	case strings.HasPrefix(p, "/_emulator/"):
		return apiAdmin
	case strings.HasPrefix(p, "/v1.0/") || p == "/v1.0" || strings.HasPrefix(p, "/beta/"):
		return apiGraph
	case arm.Handles(p):
		return apiARM
	case s.tokens.Handles(p):
		return apiLogin
	}
	return apiUnknown
}

// statusWriter remembers the status code for the statistics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// ServeHTTP is the front door: admin API, then statistics, gzip, latency, authentication, faults and the
// API handlers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := s.classify(r.URL.Path)
	if kind == apiAdmin {
		s.admin(w, r)
		return
	}
	ctx, label := reqctx.WithRouteLabel(r.Context())
	r = r.WithContext(ctx)
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		l := label.Get()
		if l == "" {
			l = r.Method + " (" + kind.String() + ")"
		}
		s.stats.record(l, sw.status, false)
	}()
	if strings.ContainsAny(r.RequestURI, " \t") {
		// HTTP.sys in front of Azure refuses a request line with raw spaces (an unencoded $filter) before
		// any service sees it. Go's HTTP/1 server does the same; over HTTP/2 the path arrives intact.
		reqctx.SetRoute(ctx, r.Method+" ("+kind.String()+" badly formed)")
		sw.Header().Set("Content-Type", "text/html; charset=us-ascii")
		sw.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(sw, badlyFormed)
		return
	}
	if err := gunzipBody(r); err != nil {
		reqctx.SetRoute(ctx, r.Method+" ("+kind.String()+" bad gzip)")
		http.Error(sw, "invalid gzip request body", http.StatusBadRequest)
		return
	}
	// A real front end has received the whole request before the service works on it, so a client that
	// gives up while waiting for the answer does not stop the write: read the body before the latency.
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			reqctx.SetRoute(ctx, r.Method+" ("+kind.String()+" body not received)")
			http.Error(sw, "request body not received", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	if lat := s.currentFaults().Latency; lat > 0 {
		time.Sleep(lat)
	}
	switch kind {
	case apiLogin:
		s.tokens.ServeHTTP(sw, r)
	case apiGraph:
		s.serveGraph(sw, r)
	case apiARM:
		s.serveARM(sw, r)
	default:
		sw.Header().Set("Content-Type", "application/json")
		sw.WriteHeader(http.StatusNotFound)
		_, _ = sw.Write([]byte(`{"error":{"code":"NotFound","message":"No emulated service answers this path."}}`))
	}
}

const badlyFormed = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"\"http://www.w3.org/TR/html4/strict.dtd\">\r\n" +
	"<HTML><HEAD><TITLE>Bad Request</TITLE>\r\n<META HTTP-EQUIV=\"Content-Type\" Content=\"text/html; charset=us-ascii\"></HEAD>\r\n" +
	"<BODY><h2>Bad Request</h2>\r\n<hr><p>HTTP Error 400. The request is badly formed.</p>\r\n</BODY></HTML>\r\n"

func gunzipBody(r *http.Request) error {
	if !strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") || r.Body == nil {
		return nil
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
	r.Header.Del("Content-Encoding")
	r.Header.Set("Content-Length", strconv.Itoa(len(b)))
	return nil
}

// setGraphHeaders sets the per-response headers real Graph sends; error bodies repeat the request IDs.
func setGraphHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	id := uuid.NewString()
	h.Set("request-id", id)
	crid := r.Header.Get("client-request-id")
	if crid == "" {
		crid = id
	}
	h.Set("client-request-id", crid)
	h.Set("x-ms-ags-diagnostic", `{"ServerInfo":{"DataCenter":"East US","Slice":"E","Ring":"5","ScaleUnit":"001","RoleInstance":"AZEMU"}}`)
	h.Set("Strict-Transport-Security", "max-age=31536000")
	h.Set("Cache-Control", "no-cache")
}

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	setGraphHeaders(w, r)
	c, ok := s.authenticate(w, r, apiGraph)
	if !ok {
		reqctx.SetRoute(r.Context(), r.Method+" (graph unauthenticated)")
		return
	}
	r = r.WithContext(reqctx.WithCaller(r.Context(), c))
	s.withDrop(w, r, s.graphCore)
}

// graphCore is the Graph pipeline after authentication: faults, then the PIM engine or the directory.
func (s *Server) graphCore(w http.ResponseWriter, r *http.Request) {
	if s.injectFault(w, r, apiGraph) || !s.chargeGraph(w, r) {
		return
	}
	if s.pim != nil && s.pim.Handles(r.URL.Path) {
		s.pim.ServeHTTP(w, r)
		return
	}
	s.dir.ServeHTTP(w, r)
}

// graphBatchItem is where $batch items go: a fresh route label and statistics of its own, the same faults
// and handlers as a top-level request, and the caller of the batch.
func (s *Server) graphBatchItem(w http.ResponseWriter, r *http.Request) {
	ctx, label := reqctx.WithRouteLabel(r.Context())
	r = r.WithContext(ctx)
	setGraphHeaders(w, r)
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.graphCore(sw, r)
	l := label.Get()
	if l == "" {
		l = r.Method + " (graph)"
	}
	s.stats.record(l, sw.status, true)
}

func (s *Server) serveARM(w http.ResponseWriter, r *http.Request) {
	arm.SetHeaders(w, r)
	if strings.HasPrefix(strings.ToLower(r.URL.Path), "/metadata/") {
		s.arm.ServeHTTP(w, r)
		return
	}
	c, ok := s.authenticate(w, r, apiARM)
	if !ok {
		reqctx.SetRoute(r.Context(), r.Method+" (arm unauthenticated)")
		return
	}
	r = r.WithContext(reqctx.WithCaller(r.Context(), c))
	s.withDrop(w, r, func(w http.ResponseWriter, r *http.Request) {
		if s.injectFault(w, r, apiARM) {
			return
		}
		if s.armpim.Handles(r.URL.Path) {
			s.armpim.ServeHTTP(w, r)
			return
		}
		s.arm.ServeHTTP(w, r)
	})
}

// authenticate validates the bearer token for the API and answers that API's 401 when it fails.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, api apiKind) (reqctx.Caller, bool) {
	claims, err := s.tokens.Validate(r.Header.Get("Authorization"))
	var expired *entra.ExpiredError
	want := entra.ResourceGraph
	if api == apiARM {
		want = entra.ResourceARM
	}
	switch {
	case err == nil && s.tokens.ResourceOf(claims.Aud, r.Host) != want:
		if api == apiGraph {
			s.graph401(w, r, "Access token validation failure. Invalid audience.", false)
		} else {
			s.arm401(w, r, "InvalidAuthenticationTokenAudience", "The access token has been obtained for wrong audience or resource '"+claims.Aud+"'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.", false)
		}
		return reqctx.Caller{}, false
	case err == nil:
		return reqctx.Caller{
			ObjectID: claims.OID, TenantID: claims.TID, AppID: claims.AppID, IsApp: claims.IsApp(),
			Roles: claims.Roles, Scopes: claims.Scopes(), UPN: claims.UPN, Audience: claims.Aud,
		}, true
	case errors.Is(err, entra.ErrMissingToken):
		if api == apiGraph {
			s.graph401(w, r, "Access token is empty.", false)
		} else {
			s.arm401(w, r, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", false)
		}
	case errors.As(err, &expired):
		// A CAE-capable client gets a claims challenge and fetches a new token; this is how SDK clients
		// recover after the emulator clock is advanced past the lifetime of their cached token.
		cae := expired.Claims.CAE()
		if api == apiGraph {
			msg := "Lifetime validation failed, the token is expired."
			if cae {
				msg = "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenExpired"
			}
			s.graph401(w, r, msg, cae)
		} else {
			s.arm401(w, r, "ExpiredAuthenticationToken", "The access token expiry UTC time '"+expired.Claims.ExpiresAt().UTC().Format("1/2/2006 3:04:05 PM")+"' is earlier than current UTC time '"+expired.Now.UTC().Format("1/2/2006 3:04:05 PM")+"'.", cae)
		}
	default:
		if api == apiGraph {
			s.graph401(w, r, "Invalid JWT token. The token is malformed or its signature could not be validated.", false)
		} else {
			s.arm401(w, r, "InvalidAuthenticationToken", "The access token is invalid.", false)
		}
	}
	return reqctx.Caller{}, false
}

func (s *Server) claimsChallenge() string {
	return base64.StdEncoding.EncodeToString([]byte(`{"access_token":{"nbf":{"essential":true,"value":"` + strconv.FormatInt(s.clock.Now().Unix(), 10) + `"}}}`))
}

func (s *Server) graph401(w http.ResponseWriter, r *http.Request, msg string, cae bool) {
	ch := `Bearer realm="", authorization_uri="https://` + r.Host + `/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`
	if cae {
		ch += `, error="insufficient_claims", claims="` + s.claimsChallenge() + `"`
	}
	w.Header().Set("WWW-Authenticate", ch)
	odata.WriteError(w, r, http.StatusUnauthorized, odata.CodeInvalidToken, msg)
}

func (s *Server) arm401(w http.ResponseWriter, r *http.Request, code, msg string, cae bool) {
	ch := `Bearer authorization_uri="https://` + r.Host + `/` + s.fixtures.TenantID + `", error="invalid_token", error_description="` + code + `"`
	if cae {
		ch = `Bearer authorization_uri="https://` + r.Host + `/` + s.fixtures.TenantID + `", error="insufficient_claims", claims="` + s.claimsChallenge() + `"`
	}
	w.Header().Set("WWW-Authenticate", ch)
	arm.WriteError(w, http.StatusUnauthorized, code, msg)
}

// injectFault answers 429 or 5xx instead of serving, at the configured rates.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, api apiKind) bool {
	kind := s.drawFault()
	if kind == "" {
		return false
	}
	f := s.currentFaults()
	retryAfter := strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds())))
	w.Header().Set("Retry-After", retryAfter)
	s.stats.fault(kind)
	if kind == "429" {
		reqctx.SetRoute(r.Context(), r.Method+" ("+api.String()+" injected 429)")
		if api == apiGraph {
			w.Header().Set("x-ms-throttle-scope", "Tenant_Application/ReadWrite/"+s.fixtures.AdminClientID+"/"+s.fixtures.TenantID)
			w.Header().Set("x-ms-throttle-information", "ResourceUnitLimitExceeded")
			odata.WriteError(w, r, http.StatusTooManyRequests, odata.CodeTooManyRequests, "Too many requests.")
		} else {
			arm.WriteError(w, http.StatusTooManyRequests, "TooManyRequests", "The request is being throttled as the limit has been reached for operation type - 'Read_ObservationWindow_00:05:00'. For more information, see - https://aka.ms/msdn-throttling")
		}
		return true
	}
	status := f.Status5xx
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	reqctx.SetRoute(r.Context(), r.Method+" ("+api.String()+" injected "+strconv.Itoa(status)+")")
	if api == apiGraph {
		odata.WriteError(w, r, status, odata.CodeServiceUnavailable, "The service is temporarily unavailable. Please retry.")
	} else {
		arm.WriteError(w, status, "ServiceUnavailable", "The server is currently unable to handle the request. Please retry the request.")
	}
	return true
}

// drawFault consumes a one-shot fault or draws against the rates: "429", "5xx" or "" (serve normally).
func (s *Server) drawFault() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.faults.Next429 > 0:
		s.faults.Next429--
		return "429"
	case s.faults.Next5xx > 0:
		s.faults.Next5xx--
		return "5xx"
	case s.faults.Rate429 <= 0 && s.faults.Rate5xx <= 0:
		return ""
	}
	x := s.rnd.Float64()
	switch {
	case x < s.faults.Rate429:
		return "429"
	case x < s.faults.Rate429+s.faults.Rate5xx:
		return "5xx"
	}
	return ""
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// withDrop runs next; for writes that the drop-after-write fault selects, the answer is discarded and the
// connection dropped after the write has been applied.
func (s *Server) withDrop(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	f := s.currentFaults()
	if !isWrite(r.Method) || (f.DropAfterWriteRate <= 0 && len(f.DropNext) == 0) {
		next(w, r)
		return
	}
	rec := capture.New(w.Header().Clone())
	next(rec, r)
	if rec.Status() < 400 && s.shouldDrop(r) {
		s.stats.fault("drop")
		if s.cfg.Logf != nil {
			s.cfg.Logf("azemu: dropped connection after applying %s %s", r.Method, r.URL.Path)
		}
		if sw, ok := w.(*statusWriter); ok {
			sw.status = 0
		}
		panic(http.ErrAbortHandler)
	}
	rec.CopyTo(w)
}

// shouldDrop consumes a matching one-shot rule, or draws against the drop rate.
func (s *Server) shouldDrop(r *http.Request) bool {
	label := ""
	if l := reqctx.RouteOf(r.Context()); l != "" {
		label = l
	}
	method, template, _ := strings.Cut(label, " ")
	s.mu.Lock()
	for i, rule := range s.faults.DropNext {
		if rule.Method != "" && !strings.EqualFold(rule.Method, method) {
			continue
		}
		if rule.Route != "" && rule.Route != template &&
			(!strings.HasSuffix(rule.Route, "*") || !strings.HasPrefix(template, strings.TrimSuffix(rule.Route, "*"))) {
			continue
		}
		s.faults.DropNext = append(s.faults.DropNext[:i:i], s.faults.DropNext[i+1:]...)
		s.mu.Unlock()
		return true
	}
	rate := s.faults.DropAfterWriteRate
	s.mu.Unlock()
	return rate > 0 && s.rnd.Float64() < rate
}
