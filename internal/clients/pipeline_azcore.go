package clients

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// armOptions gives every ARM client the configured cloud, the provider's retry decision (azcore's own
// retry policy is switched off: its 60 s cap on Retry-After would abandon ARM throttling waits) and
// the logging and user-agent policies.
func armOptions(e Endpoints, transport http.RoundTripper, retry RetryOptions, pacer *armPacer, log redactor, userAgent string) *arm.ClientOptions {
	return &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud:            e.Cloud(),
			Transport:        transporter(transport),
			Retry:            policy.RetryOptions{MaxRetries: -1},
			PerCallPolicies:  []policy.Policy{userAgentPolicy{value: userAgent}, armRetry{opts: retry, pacer: pacer}},
			PerRetryPolicies: []policy.Policy{logPolicy{api: "arm", log: log}},
		},
		// The provider never creates resource-provider-scoped objects that need registration, and the
		// registration policy would turn a 409 into minutes of polling.
		DisableRPRegistration: true,
	}
}

// transporter adapts a RoundTripper to azcore's Transporter.
func transporter(rt http.RoundTripper) policy.Transporter {
	return &http.Client{Transport: rt}
}

type userAgentPolicy struct {
	value string
}

// Do prefixes the provider's product token: azcore truncates Telemetry.ApplicationID to 24 characters,
// too short for "terraform-provider-aks/<version>".
func (p userAgentPolicy) Do(req *policy.Request) (*http.Response, error) {
	h := req.Raw().Header
	if ua := h.Get("User-Agent"); ua != "" && !strings.HasPrefix(ua, p.value) {
		h.Set("User-Agent", p.value+" "+ua)
	} else if ua == "" {
		h.Set("User-Agent", p.value)
	}
	return req.Next()
}

// armRetry applies the provider's retry decision to azcore pipelines (ARM and the credentials').
type armRetry struct {
	opts RetryOptions
	// tokenRequests marks the identity pipeline: token POSTs change nothing and may always be repeated.
	tokenRequests bool
	// pacer spaces ARM requests out when a budget is nearly spent (nil: the identity pipeline).
	pacer *armPacer
}

func (p armRetry) Do(req *policy.Request) (*http.Response, error) {
	ctx := req.Raw().Context()
	if p.tokenRequests {
		ctx = WithIdempotentPOST(ctx)
	}
	start := time.Now()
	for n := 1; ; n++ {
		if err := req.RewindBody(); err != nil {
			return nil, err
		}
		method := req.Raw().Method
		if p.pacer != nil {
			if err := p.pacer.wait(ctx, method); err != nil {
				return nil, err
			}
		}
		resp, err := req.Clone(context.WithValue(ctx, attemptKey{}, n)).Next()
		if resp != nil && p.pacer != nil {
			p.pacer.observe(method, resp.StatusCode, resp.Header)
		}
		if again, resp, err := p.opts.afterTry("arm", req.Raw(), start, attempt{method: req.Raw().Method, ctx: ctx, resp: resp, err: err, n: n}); !again {
			return resp, err
		}
	}
}

// logPolicy logs each try of an azcore pipeline; it runs after the bearer-token policy, so the
// Authorization header it redacts is the one actually sent.
type logPolicy struct {
	api string
	log redactor
}

func (p logPolicy) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	var reqBody []byte
	if b := req.Body(); b != nil {
		var err error
		if reqBody, err = readSeeker(b); err != nil {
			return nil, err
		}
	}
	return p.log.logTry(p.api, raw, reqBody, req.Next)
}

// readSeeker reads a rewindable body for logging and rewinds it for sending.
func readSeeker(b io.ReadSeeker) ([]byte, error) {
	data, err := io.ReadAll(b)
	if err != nil {
		return nil, err
	}
	_, err = b.Seek(0, io.SeekStart)
	return data, err
}

func logAbandoned(ctx context.Context, api string, req *http.Request, delay time.Duration) {
	tflog.Warn(ctx, "Not retrying: the server asked to wait past the operation's deadline", map[string]any{
		"api": api, "method": req.Method, "path": req.URL.Path, "retry_after_seconds": delay.Seconds(),
	})
}

// credentialOptions are the azcore options of the azidentity credentials: same cloud, transport,
// logging and retry decision as the API clients.
func credentialOptions(e Endpoints, transport http.RoundTripper, retry RetryOptions, log redactor, userAgent string) azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:            e.Cloud(),
		Transport:        transporter(transport),
		Retry:            policy.RetryOptions{MaxRetries: -1},
		PerCallPolicies:  []policy.Policy{userAgentPolicy{value: userAgent}, armRetry{opts: retry, tokenRequests: true}},
		PerRetryPolicies: []policy.Policy{logPolicy{api: "identity", log: log}},
	}
}
