package pim_test

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// Object IDs of the test world: the scenario's groups and users.
const (
	gAdmin    = "aaaaaaaa-0000-4000-8000-000000000001"
	gDefault  = "aaaaaaaa-0000-4000-8000-000000000002"
	gApprover = "aaaaaaaa-0000-4000-8000-000000000003"
	uN01      = "bbbbbbbb-0000-4000-8000-000000000001"
	uP01      = "bbbbbbbb-0000-4000-8000-000000000002"
	uO01      = "bbbbbbbb-0000-4000-8000-000000000003"
	spAdmin   = "cccccccc-0000-4000-8000-000000000001"
)

var adminRoles = []string{"Group.ReadWrite.All", "User.Read.All",
	"PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup", "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
	"RoleManagementPolicy.ReadWrite.AzureADGroup"}

var userScopes = []string{"User.Read", "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
	"PrivilegedEligibilitySchedule.Read.AzureADGroup", "RoleManagementPolicy.Read.AzureADGroup"}

// harness serves the engine over TLS behind a minimal front door (bearer token = caller name, gzip
// request bodies undone, route label recorded) and gives each caller a real msgraph-sdk-go client.
type harness struct {
	t       *testing.T
	dir     *pim.FakeDirectory
	eng     *pim.Engine
	srv     *httptest.Server
	mu      sync.Mutex
	now     time.Time
	callers map[string]reqctx.Caller
	labels  []string
}

func newHarness(t *testing.T, cfg pim.Config) *harness {
	h := &harness{t: t, dir: pim.NewFakeDirectory(), now: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	for id, name := range map[string]string{gAdmin: "admin", gDefault: "default", gApprover: "approver"} {
		h.dir.Add(id, pim.KindGroup, name)
	}
	h.dir.Add(uN01, pim.KindUser, "n01")
	h.dir.Add(uP01, pim.KindUser, "p01")
	h.dir.Add(uO01, pim.KindUser, "o01")
	h.dir.Add(spAdmin, pim.KindServicePrincipal, "admin-sp")
	h.dir.AddMember(gDefault, uN01)
	h.dir.AddMember(gApprover, uP01)
	h.dir.AddOwner(gApprover, uO01) // an owner of the approver group, not a member: may not approve
	h.callers = map[string]reqctx.Caller{
		"app":      {ObjectID: spAdmin, AppID: "11111111-0000-4000-8000-000000000001", IsApp: true, Roles: adminRoles},
		"app-bare": {ObjectID: spAdmin, AppID: "11111111-0000-4000-8000-000000000001", IsApp: true, Roles: []string{"Group.ReadWrite.All"}},
		"n01":      {ObjectID: uN01, UPN: "n01@contoso.test", Scopes: userScopes},
		"p01":      {ObjectID: uP01, UPN: "p01@contoso.test", Scopes: userScopes},
		"o01":      {ObjectID: uO01, UPN: "o01@contoso.test", Scopes: userScopes},
	}
	h.eng = pim.New(h.dir, h.clock, cfg)
	h.srv = httptest.NewTLSServer(http.HandlerFunc(h.frontDoor))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

func (h *harness) frontDoor(w http.ResponseWriter, r *http.Request) {
	caller, ok := h.callers[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}`)
		return
	}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(zr)
		r.Header.Del("Content-Encoding")
	}
	ctx, label := reqctx.WithRouteLabel(reqctx.WithCaller(r.Context(), caller))
	if !h.eng.Handles(r.URL.Path) {
		http.NotFound(w, r)
		return
	}
	h.eng.ServeHTTP(w, r.WithContext(ctx))
	h.mu.Lock()
	h.labels = append(h.labels, label.Get())
	h.mu.Unlock()
}

func (h *harness) routeLabels() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string{}, h.labels...)
}

// staticCredential hands out the caller name as the bearer token.
type staticCredential string

func (c staticCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(c), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// client returns a Graph client acting as the named caller, built the way the provider builds its own:
// the default Graph middleware (compression, retry, ...) over a transport trusting the test server.
func (h *harness) client(caller string) *msgraphsdk.GraphServiceClient {
	h.t.Helper()
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(staticCredential(caller),
		[]string{"https://graph.microsoft.com/.default"}, []string{"127.0.0.1"})
	if err != nil {
		h.t.Fatal(err)
	}
	opts := msgraphsdk.GetDefaultClientOptions()
	transport := h.srv.Client().Transport.(*http.Transport).Clone()
	httpClient := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(transport,
		msgraphcore.GetDefaultMiddlewaresWithOptions(&opts)...), Timeout: 30 * time.Second}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, nil, nil, httpClient)
	if err != nil {
		h.t.Fatal(err)
	}
	adapter.SetBaseUrl(h.srv.URL + "/v1.0")
	return msgraphsdk.NewGraphServiceClient(adapter)
}

// raw sends a request the SDK cannot express (the /steps/ path, a body without @odata.type) and returns
// the status and body.
func (h *harness) raw(caller, method, path, body string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+caller)
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: h.srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}}}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
