package clients

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	msgraphauth "github.com/microsoftgraph/msgraph-sdk-go-core/authentication"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

// newGraph builds the Graph service client. Two details matter and are easy to get wrong: the token
// provider only attaches tokens to hosts on its allow-list (any other host silently gets a request
// without Authorization), and the service client copies the adapter's base URL when it is constructed,
// so the base URL must be set first.
func newGraph(cred azcore.TokenCredential, e Endpoints, transport http.RoundTripper, retry RetryOptions, pacer *graphPacer, log redactor, userAgent string) (*msgraphsdk.GraphServiceClient, abstractions.RequestAdapter, error) {
	auth, err := msgraphauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{e.GraphScope()}, []string{e.GraphHost()})
	if err != nil {
		return nil, nil, err
	}
	name, version := splitUserAgent(userAgent)
	telemetry := msgraphsdk.GetDefaultClientOptions()
	// The order is fixed on purpose (kiota's default list comes from a map and varies between runs):
	// one retry decision wraps each try, and logging sees every try.
	middlewares := []khttp.Middleware{
		msgraphcore.NewGraphTelemetryHandler(&telemetry),
		khttp.NewUrlReplaceHandler(true, msgraphcore.ReplacementPairs),
		khttp.NewUserAgentHandlerWithOptions(&khttp.UserAgentHandlerOptions{Enabled: true, ProductName: name, ProductVersion: version}),
		khttp.NewParametersNameDecodingHandler(),
		&graphRetry{opts: retry, pacer: pacer, log: log},
		khttp.NewRedirectHandler(),
		&graphLog{log: log},
		// Request bodies are not gzipped (kiota's default): they are small JSON (a $batch of a group read
		// is ~2 KB), and kiota allocates a new ~800 KB flate writer per request, which made gzip the
		// largest single allocation of a 560-resource plan (130 MB of 1.39 GB).
		khttp.NewCompressionHandlerWithOptions(*khttp.NewCompressionOptionsReference(false)),
		khttp.NewHeadersInspectionHandler(),
	}
	httpClient := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(transport, middlewares...),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		// No client timeout: kiota would turn it into a per-call deadline covering all retries; the
		// operation's context is the only bound.
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, httpClient)
	if err != nil {
		return nil, nil, err
	}
	adapter.SetBaseUrl(e.GraphBaseURL())
	return newGraphServiceClient(adapter), adapter, nil
}

// graphGlobalsOnce guards kiota's package-level registrations (default serializers and the backing
// store factory). msgraphsdk.NewGraphServiceClient writes them on every call and every model
// constructor reads them, so building a second client (another provider instance in the same process,
// a user client in a test) while the first is parsing responses is a data race. The first client is
// built the SDK's way, which registers them; later ones are assembled without touching the globals.
var graphGlobalsOnce sync.Once

func newGraphServiceClient(adapter *msgraphsdk.GraphRequestAdapter) *msgraphsdk.GraphServiceClient {
	var first *msgraphsdk.GraphServiceClient
	graphGlobalsOnce.Do(func() { first = msgraphsdk.NewGraphServiceClient(adapter) })
	if first != nil {
		return first
	}
	// What NewGraphBaseServiceClient does to the adapter and the root builder, minus the global writes.
	adapter.EnableBackingStore(nil)
	base := msgraphsdk.GraphBaseServiceClient{
		BaseRequestBuilder: *abstractions.NewBaseRequestBuilder(adapter, "{+baseurl}", map[string]string{"baseurl": adapter.GetBaseUrl()}),
	}
	return &msgraphsdk.GraphServiceClient{GraphBaseServiceClient: base}
}

// graphRetry replaces kiota's RetryHandler with the provider's retry decision.
type graphRetry struct {
	opts  RetryOptions
	pacer *graphPacer
	log   redactor
}

func (m *graphRetry) Intercept(p khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	start := time.Now()
	for n := 1; ; n++ {
		try := req.Clone(context.WithValue(ctx, attemptKey{}, n))
		if body != nil {
			try.Body = io.NopCloser(bytes.NewReader(body))
			try.ContentLength = int64(len(body))
		}
		if n > 1 {
			try.Header.Set("Retry-Attempt", strconv.Itoa(n-1))
		}
		if err := m.pacer.wait(ctx); err != nil {
			return nil, err
		}
		resp, err := p.Next(try, index)
		if resp != nil {
			m.pacer.observe(resp.Header.Get("x-ms-throttle-limit-percentage"))
		}
		if again, resp, err := m.opts.afterTry("graph", req, start, attempt{method: req.Method, ctx: ctx, resp: resp, err: err, n: n}); !again {
			return resp, err
		}
	}
}

// graphLog logs each try (after the retry layer, so every attempt appears).
type graphLog struct {
	log redactor
}

func (m *graphLog) Intercept(p khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	reqBody, restored, err := readAndRestore(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = restored
	return m.log.logTry("graph", req, reqBody, func() (*http.Response, error) { return p.Next(req, index) })
}

func drain(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
}

// splitUserAgent turns "name/version" into kiota's product name and version.
func splitUserAgent(ua string) (string, string) {
	name, version, ok := strings.Cut(ua, "/")
	if !ok {
		return ua, "dev"
	}
	return name, version
}
