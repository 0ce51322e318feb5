package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	kiotaazure "github.com/microsoft/kiota-authentication-azure-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// shared is the emulator most contract tests use. Tests that move the clock, inject faults or change the
// replication delay start their own (cheap: the CA and keys are made once per process).
var shared *emulator.Server

func TestMain(m *testing.M) {
	srv, err := emulator.Start(emulator.Config{Seed: 20250101})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting emulator:", err)
		os.Exit(1)
	}
	// The SDKs trust the emulator exactly as the provider will: through SSL_CERT_FILE, read once per
	// process before the first TLS handshake.
	os.Setenv("SSL_CERT_FILE", srv.CACertFile())
	shared = srv
	// The one real msgraphsdk.NewGraphServiceClient call: it registers the serializers and the backing
	// store factory (package globals) before any test runs; see graphFor.
	cred, err := newAdminCred(srv)
	if err == nil {
		var adapter *msgraphsdk.GraphRequestAdapter
		if adapter, err = newGraphAdapter(srv, cred); err == nil {
			_ = msgraphsdk.NewGraphServiceClient(adapter)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "first Graph client:", err)
		os.Exit(1)
	}
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

func startEmulator(t testing.TB, cfg emulator.Config) *emulator.Server {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = rand.Int63()
	}
	srv, err := emulator.Start(cfg)
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func cloudOf(srv *emulator.Server) cloud.Configuration {
	return cloud.Configuration{
		ActiveDirectoryAuthorityHost: srv.URL() + "/",
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: srv.URL(), Audience: "https://management.core.windows.net/"},
		},
	}
}

func clientOptions(srv *emulator.Server) azcore.ClientOptions {
	return azcore.ClientOptions{Cloud: cloudOf(srv), Retry: policy.RetryOptions{RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 5 * time.Second}}
}

func adminCred(t testing.TB, srv *emulator.Server) azcore.TokenCredential {
	t.Helper()
	cred, err := newAdminCred(srv)
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

func newAdminCred(srv *emulator.Server) (azcore.TokenCredential, error) {
	f := srv.Fixtures()
	return azidentity.NewClientSecretCredential(f.TenantID, f.AdminClientID, f.AdminClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(srv), DisableInstanceDiscovery: true})
}

func userCred(t testing.TB, srv *emulator.Server, u emulator.User) azcore.TokenCredential {
	t.Helper()
	//nolint:staticcheck // ROPC is what the emulator offers for scenario users (deprecated upstream, still supported)
	cred, err := azidentity.NewUsernamePasswordCredential(srv.Fixtures().TenantID, srv.Fixtures().PublicClientID, u.UPN, u.Password,
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: clientOptions(srv), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// graphFor builds a Graph client the way the provider must: emulator host allowed, base URL set before the
// service client is created.
// startAdmin starts an emulator of the test's own (one whose clock, faults or delays it changes) and
// signs in as its admin service principal: the credential, its Graph client and the test's context.
func startAdmin(t testing.TB, cfg emulator.Config) (*emulator.Server, azcore.TokenCredential, *msgraphsdk.GraphServiceClient, context.Context) {
	t.Helper()
	srv := startEmulator(t, cfg)
	cred := adminCred(t, srv)
	return srv, cred, graphFor(t, srv, cred), ctxT(t)
}

// adminGraph is the shared emulator's Graph client for the admin service principal, with the test's
// context.
func adminGraph(t testing.TB) (*msgraphsdk.GraphServiceClient, context.Context) {
	t.Helper()
	return graphFor(t, shared, adminCred(t, shared)), ctxT(t)
}

func graphFor(t testing.TB, srv *emulator.Server, cred azcore.TokenCredential) *msgraphsdk.GraphServiceClient {
	t.Helper()
	adapter := graphAdapter(t, srv, cred)
	// msgraphsdk.NewGraphServiceClient rewrites a package-level backing-store factory on every call, which
	// races with model constructors running in concurrent tests (an SDK data race). TestMain made the one
	// real call; later clients are assembled the same way minus that global write.
	adapter.EnableBackingStore(nil)
	base := msgraphsdk.GraphBaseServiceClient{BaseRequestBuilder: *abstractions.NewBaseRequestBuilder(adapter, "{+baseurl}", map[string]string{"baseurl": adapter.GetBaseUrl()})}
	return &msgraphsdk.GraphServiceClient{GraphBaseServiceClient: base}
}

func graphAdapter(t testing.TB, srv *emulator.Server, cred azcore.TokenCredential) *msgraphsdk.GraphRequestAdapter {
	t.Helper()
	adapter, err := newGraphAdapter(srv, cred)
	if err != nil {
		t.Fatal(err)
	}
	return adapter
}

func newGraphAdapter(srv *emulator.Server, cred azcore.TokenCredential) (*msgraphsdk.GraphRequestAdapter, error) {
	auth, err := kiotaazure.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{"https://graph.microsoft.com/.default"}, []string{"graph.microsoft.com", "127.0.0.1"})
	if err != nil {
		return nil, err
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapter(auth)
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl(srv.URL() + "/v1.0")
	return adapter, nil
}

func armOptions(srv *emulator.Server) *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: clientOptions(srv)}
}

// odataCode returns the status-less code of a Graph error, failing when err is not an ODataError.
func odataCode(t testing.TB, err error) (int, string) {
	t.Helper()
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) {
		t.Fatalf("want *odataerrors.ODataError, got %T: %v", err, err)
	}
	code := ""
	if m := oe.GetErrorEscaped(); m != nil && m.GetCode() != nil {
		code = *m.GetCode()
		if m.GetMessage() == nil || *m.GetMessage() == "" {
			t.Errorf("Graph error %s has no message", code)
		}
	}
	return oe.ResponseStatusCode, code
}

// armCode returns the status and code of an ARM error.
func armCode(t testing.TB, err error) (int, string) {
	t.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("want *azcore.ResponseError, got %T: %v", err, err)
	}
	return re.StatusCode, re.ErrorCode
}

func newGroup(t testing.TB, g *msgraphsdk.GraphServiceClient, name string) models.Groupable {
	t.Helper()
	body := models.NewGroup()
	body.SetDisplayName(&name)
	nick := strings.ReplaceAll(name, " ", "-")
	body.SetMailNickname(&nick)
	f, tr := false, true
	body.SetMailEnabled(&f)
	body.SetSecurityEnabled(&tr)
	created, err := g.Groups().Post(ctxT(t), body, nil)
	if err != nil {
		t.Fatalf("create group %s: %v", name, err)
	}
	return created
}

func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, rand.Int63n(1<<40))
}

func ptr[T any](v T) *T { return &v }

// rawRequest performs an authenticated request without a body, with a token of the given resource, for
// wire details the SDKs hide.
func rawRequest(t testing.TB, srv *emulator.Server, cred azcore.TokenCredential, scope, method, url string) *http.Response {
	t.Helper()
	tok, err := cred.GetToken(ctxT(t), policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctxT(t), method, url, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
