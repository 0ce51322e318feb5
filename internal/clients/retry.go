package clients

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryOptions tune the one retry decision shared by the Graph and ARM pipelines. Retries are bounded
// by the caller's context deadline (the resource timeout); Budget only applies to contexts without one.
type RetryOptions struct {
	// BaseDelay is the first backoff step when the service sends no Retry-After (doubled per attempt).
	BaseDelay time.Duration
	// MaxDelay caps the computed backoff; it never caps a server-sent Retry-After.
	MaxDelay time.Duration
	// Budget bounds the retries of a call whose context carries no deadline.
	Budget time.Duration
}

// DefaultRetryOptions are used when Config.Retry is zero.
func DefaultRetryOptions() RetryOptions {
	return RetryOptions{BaseDelay: time.Second, MaxDelay: 30 * time.Second, Budget: 10 * time.Minute}
}

func (o RetryOptions) withDefaults() RetryOptions {
	d := DefaultRetryOptions()
	if o.BaseDelay <= 0 {
		o.BaseDelay = d.BaseDelay
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = d.MaxDelay
	}
	if o.Budget <= 0 {
		o.Budget = d.Budget
	}
	return o
}

type idempotentPOSTKey struct{}

// WithIdempotentPOST marks the calls made with ctx as safe to repeat even when they are POSTs, so the
// retry policy may resend them after a 5xx or a transport error. Use it only where the domain code can
// tell that a first attempt took effect (e.g. a create it will look up before trusting a failure).
// Without it a POST is retried only on 429, which guarantees the request was not processed.
func WithIdempotentPOST(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentPOSTKey{}, true)
}

func isIdempotentPOST(ctx context.Context) bool {
	v, _ := ctx.Value(idempotentPOSTKey{}).(bool)
	return v
}

// maxTransportAttempts bounds the tries of a request that gets no HTTP response at all.
const maxTransportAttempts = 5

// attempt describes the outcome of one try, as seen by the retry decision.
type attempt struct {
	method string
	ctx    context.Context
	resp   *http.Response
	err    error
	n      int // 1 for the first try
}

// retryDecision is THE retry rule of the provider: both the Graph middleware and the ARM policy call it.
// It returns whether to try again and how long to wait first. It does not look at deadlines; see wait.
func (o RetryOptions) retryDecision(a attempt) (bool, time.Duration) {
	if a.ctx.Err() != nil {
		return false, 0
	}
	safeToRepeat := a.method != http.MethodPost || isIdempotentPOST(a.ctx)
	if a.err != nil {
		// A connection that keeps failing is more likely a wrong endpoint than an outage: give up after a
		// few tries (about 15 s) instead of holding the operation until its deadline.
		if !safeToRepeat || !isTransientTransportError(a.err) || a.n >= maxTransportAttempts {
			return false, 0
		}
		return true, o.backoff(a.n)
	}
	switch a.resp.StatusCode {
	case http.StatusTooManyRequests:
		// Throttled requests were not processed, so even a POST can be sent again.
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if !safeToRepeat {
			return false, 0
		}
	default:
		return false, 0
	}
	if d, ok := retryAfter(a.resp.Header, time.Now()); ok {
		return true, d
	}
	return true, o.backoff(a.n)
}

// backoff is exponential with "equal jitter": half the step is fixed, half random, so concurrent
// workers spread out without ever retrying immediately.
func (o RetryOptions) backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := o.BaseDelay
	for i := 1; i < n && d < o.MaxDelay; i++ {
		d *= 2
	}
	if d > o.MaxDelay {
		d = o.MaxDelay
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// retryAfter reads the server's wait hint: ARM's millisecond headers first (as azcore does), then
// Retry-After as seconds or an HTTP date. Any length is honoured; the deadline decides whether to wait.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	for _, name := range []string{"retry-after-ms", "x-ms-retry-after-ms"} {
		if v := h.Get(name); v != "" {
			if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
				return time.Duration(ms * float64(time.Millisecond)), true
			}
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// isTransientTransportError excludes failures that another try cannot fix (bad certificates, bad URLs).
func isTransientTransportError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return false
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return false
	}
	return true
}

// errRetryAbandoned explains why the policy gave up early; it is logged, never returned.
var errRetryAbandoned = errors.New("the server's retry delay ends after the operation's deadline")

// wait sleeps for d unless that would overrun the deadline (the context's, or start+Budget when the
// context has none). It returns errRetryAbandoned without sleeping when the wait cannot fit, so the
// caller can hand back the last response at once, and the context error if it ends while waiting.
func (o RetryOptions) wait(ctx context.Context, start time.Time, d time.Duration) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = start.Add(o.Budget)
	}
	if time.Now().Add(d).After(deadline) {
		return errRetryAbandoned
	}
	return sleep(ctx, d)
}

// afterTry decides what follows try a of req in a retry loop of api begun at start: again, after waiting
// the decision's delay (the try's response drained), or not, with what the loop returns: the try's answer,
// also when the wait cannot fit before the deadline, or the error that ended the wait.
func (o RetryOptions) afterTry(api string, req *http.Request, start time.Time, a attempt) (again bool, resp *http.Response, err error) {
	again, delay := o.retryDecision(a)
	if !again {
		return false, a.resp, a.err
	}
	if a.resp != nil && a.resp.StatusCode == http.StatusTooManyRequests {
		logThrottled(a.ctx, api, 1, delay)
	}
	if werr := o.wait(a.ctx, start, delay); werr != nil {
		if errors.Is(werr, errRetryAbandoned) {
			logAbandoned(a.ctx, api, req, delay)
			return false, a.resp, a.err
		}
		drain(a.resp)
		return false, nil, werr
	}
	drain(a.resp)
	return true, nil, nil
}

// sleep waits d, or until ctx ends (its error then).
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
