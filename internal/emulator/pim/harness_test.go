package pim_test

import (
	"context"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/directory"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
)

// Object IDs of the test world: the scenario's groups and users, seeded with fixed IDs so that table
// tests can name them.
const (
	gAdmin    = "aaaaaaaa-0000-4000-8000-000000000001"
	gDefault  = "aaaaaaaa-0000-4000-8000-000000000002"
	gApprover = "aaaaaaaa-0000-4000-8000-000000000003"
	uN01      = "bbbbbbbb-0000-4000-8000-000000000001"
	uP01      = "bbbbbbbb-0000-4000-8000-000000000002"
	uO01      = "bbbbbbbb-0000-4000-8000-000000000003"
)

const (
	bareClientID     = "dddddddd-0000-4000-8000-000000000001"
	bareClientSecret = "bare-secret-0123456789"
	userPassword     = "Pim-Test-Password-1"
)

// harness is a running emulator (emulator.Start) seeded with the scenario's groups and users, reached
// through the real clients: azidentity credentials and msgraph-sdk-go with its default middleware.
type harness struct {
	t     *testing.T
	srv   *emulator.Server
	dir   *directory.Store
	eng   *pim.Engine
	creds map[string]azcore.TokenCredential
}

func newHarness(t *testing.T, cfg pim.Config) *harness {
	t.Helper()
	srv, err := emulator.Start(emulator.Config{Seed: 42, PIM: cfg})
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	h := &harness{t: t, srv: srv, dir: srv.Directory(), eng: srv.PIM(), creds: map[string]azcore.TokenCredential{}}
	past := srv.Now().Add(-24 * time.Hour)
	for id, name := range map[string]string{gAdmin: "admin", gDefault: "default", gApprover: "approver"} {
		h.dir.AddGroup(directory.Group{ID: id, DisplayName: name, MailNickname: name, SecurityEnabled: true, CreatedAt: past})
	}
	domain := srv.Fixtures().Domain
	for id, name := range map[string]string{uN01: "n01", uP01: "p01", uO01: "o01"} {
		h.dir.AddUser(directory.User{ID: id, UserPrincipalName: "pim-" + name + "@" + domain, DisplayName: name,
			MailNickname: "pim-" + name, AccountEnabled: true, Password: userPassword, CreatedAt: past})
	}
	h.dir.AddRelationship(gDefault, uN01, "member", past)
	h.dir.AddRelationship(gApprover, uP01, "member", past)
	h.dir.AddRelationship(gApprover, uO01, "owner", past) // an owner of the approver group, not a member: may not approve
	// A second application holding only Group.ReadWrite.All: no PIM permission.
	h.dir.AddApplication(directory.App{AppID: bareClientID, DisplayName: "bare", Secrets: []string{bareClientSecret}},
		directory.ServicePrincipal{CreatedAt: past, AppRoles: map[string][]string{entra.ResourceGraph: {"Group.ReadWrite.All"}}})
	return h
}

func (h *harness) clock() time.Time { return h.srv.Now() }

func (h *harness) advance(d time.Duration) { h.srv.AdvanceClock(d) }

func (h *harness) options() azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: h.srv.URL() + "/", Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: h.srv.URL(), Audience: "https://management.core.windows.net/"}}},
		Transport: h.srv.HTTPClient(),
		Retry:     policy.RetryOptions{RetryDelay: 10 * time.Millisecond},
	}
}

// cred returns the credential of a caller: "app" (the seeded admin principal), "app-bare", or a user.
func (h *harness) cred(caller string) azcore.TokenCredential {
	h.t.Helper()
	if c, ok := h.creds[caller]; ok {
		return c
	}
	f := h.srv.Fixtures()
	var c azcore.TokenCredential
	var err error
	switch caller {
	case "app":
		c, err = azidentity.NewClientSecretCredential(f.TenantID, f.AdminClientID, f.AdminClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: h.options(), DisableInstanceDiscovery: true})
	case "app-bare":
		c, err = azidentity.NewClientSecretCredential(f.TenantID, bareClientID, bareClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: h.options(), DisableInstanceDiscovery: true})
	default:
		//nolint:staticcheck // ROPC is how the emulator's users sign in.
		c, err = azidentity.NewUsernamePasswordCredential(f.TenantID, f.PublicClientID, "pim-"+caller+"@"+f.Domain, userPassword,
			&azidentity.UsernamePasswordCredentialOptions{ClientOptions: h.options(), DisableInstanceDiscovery: true})
	}
	if err != nil {
		h.t.Fatal(err)
	}
	h.creds[caller] = c
	return c
}

// client returns a Graph client acting as the named caller, built the way the provider builds its own:
// emulator host allowed, default Graph middleware (gzip, retry, ...), base URL set before the client.
func (h *harness) client(caller string) *msgraphsdk.GraphServiceClient {
	h.t.Helper()
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(h.cred(caller),
		[]string{"https://graph.microsoft.com/.default"}, []string{"graph.microsoft.com", "127.0.0.1"})
	if err != nil {
		h.t.Fatal(err)
	}
	opts := msgraphsdk.GetDefaultClientOptions()
	httpClient := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(h.srv.HTTPClient().Transport,
		msgraphcore.GetDefaultMiddlewaresWithOptions(&opts)...), Timeout: 30 * time.Second}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, nil, nil, httpClient)
	if err != nil {
		h.t.Fatal(err)
	}
	adapter.SetBaseUrl(h.srv.URL() + "/v1.0")
	return newGraphServiceClient(adapter)
}

// newClientMu serialises NewGraphServiceClient, which writes kiota's package-level backing-store factory
// (EnableBackingStore) that every model constructor reads: building a client while another goroutine
// uses the SDK is a data race, so these tests do not run in parallel either.
var newClientMu sync.Mutex

func newGraphServiceClient(adapter abstractions.RequestAdapter) *msgraphsdk.GraphServiceClient {
	newClientMu.Lock()
	defer newClientMu.Unlock()
	return msgraphsdk.NewGraphServiceClient(adapter)
}

// raw sends a request the SDK cannot express (the /steps/ path, a body without @odata.type) with the
// caller's Graph token and returns the status and body.
func (h *harness) raw(caller, method, path, body string) (int, string) {
	h.t.Helper()
	tok, err := h.cred(caller).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil {
		h.t.Fatal(err)
	}
	req, err := http.NewRequest(method, h.srv.URL()+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.srv.HTTPClient().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// routeLabels returns the route templates the emulator's statistics recorded.
func (h *harness) routeLabels() []string {
	var out []string
	for l := range h.srv.Stats().Routes {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}
