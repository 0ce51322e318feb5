package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

func TestSchemaIsValidAndDocumented(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var resp provider.SchemaResponse
	New("test")().Schema(ctx, provider.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	for name, a := range resp.Schema.Attributes {
		md := a.GetMarkdownDescription()
		if md == "" || !strings.Contains(md, "Environment:") {
			t.Errorf("%s: description lacks its environment variables: %q", name, md)
		}
	}
	for _, name := range []string{"client_secret", "client_certificate", "client_certificate_password", "oidc_token", "oidc_request_token"} {
		if !resp.Schema.Attributes[name].IsSensitive() {
			t.Errorf("%s must be sensitive", name)
		}
	}
	var meta provider.MetadataResponse
	New("1.2.3")().Metadata(ctx, provider.MetadataRequest{}, &meta)
	if meta.TypeName != "aks" || meta.Version != "1.2.3" {
		t.Errorf("metadata %+v", meta)
	}
}

// cloudServer fakes Entra ID, Graph and the ARM metadata document on whatever host is asked.
type cloudServer struct {
	mu   sync.Mutex
	seen []string
}

func (s *cloudServer) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.seen = append(s.seen, r.Method+" "+r.URL.String()+" auth="+r.Header.Get("Authorization"))
	s.mu.Unlock()
	base := "https://" + r.URL.Host
	var body any
	switch {
	case r.URL.Path == "/metadata/endpoints":
		body = []map[string]any{{
			"name":                     "AzureCloud",
			"authentication":           map[string]any{"loginEndpoint": "https://login.microsoftonline.com", "audiences": []string{"https://management.core.windows.net/"}},
			"resourceManager":          "https://management.azure.com/",
			"microsoftGraphResourceId": "https://graph.microsoft.com/",
		}, {
			"name":                     "PrivateCloud",
			"authentication":           map[string]any{"loginEndpoint": "https://login.private.example", "audiences": []string{"https://management.private.example/"}},
			"resourceManager":          "https://arm.private.example/",
			"microsoftGraphResourceId": "https://graph.private.example/",
		}}
	case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
		tenantBase := base + "/" + strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")[0]
		body = map[string]any{"issuer": tenantBase + "/v2.0", "authorization_endpoint": tenantBase + "/oauth2/v2.0/authorize", "token_endpoint": tenantBase + "/oauth2/v2.0/token"}
	case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token"):
		claims := base64.RawURLEncoding.EncodeToString([]byte(`{"oid":"admin-oid"}`))
		body = map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": "eyJhbGciOiJub25lIn0." + claims + ".c2ln"}
	case strings.HasPrefix(r.URL.Path, "/v1.0/groups/"):
		body = map[string]any{"id": "g-1", "displayName": "aks-admins"}
	default:
		return &http.Response{StatusCode: 404, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	}
	b, _ := json.Marshal(body)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(b)), ContentLength: int64(len(b)), Request: r}, nil
}

// configure runs Configure with attributes (HCL-typed values) and an environment.
func configure(t *testing.T, attrs map[string]tftypes.Value, env map[string]string, transport http.RoundTripper) *provider.ConfigureResponse {
	t.Helper()
	return configureCtx(t.Context(), t, attrs, env, transport)
}

func configureCtx(ctx context.Context, t *testing.T, attrs map[string]tftypes.Value, env map[string]string, transport http.RoundTripper) *provider.ConfigureResponse {
	t.Helper()
	p := &aksProvider{version: "test", getenv: func(k string) string { return env[k] }, readFile: func(string) ([]byte, error) { return nil, io.EOF }, transport: transport}
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	objType, ok := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("schema type is not an object")
	}
	values := map[string]tftypes.Value{}
	for name, typ := range objType.AttributeTypes {
		values[name] = tftypes.NewValue(typ, nil)
	}
	for name, v := range attrs {
		values[name] = v
	}
	req := provider.ConfigureRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(objType, values)}}
	resp := &provider.ConfigureResponse{}
	p.Configure(ctx, req, resp)
	return resp
}

func emulatorEnv() map[string]string {
	return map[string]string{
		"ARM_TENANT_ID": tenant, "ARM_SUBSCRIPTION_ID": sub, "ARM_CLIENT_ID": client, "ARM_CLIENT_SECRET": "emulator-secret",
		"ARM_AUTHORITY_HOST": "https://127.0.0.1:8443/", "ARM_GRAPH_ENDPOINT": "https://127.0.0.1:8443",
		"ARM_GRAPH_AUDIENCE": "https://graph.microsoft.com", "ARM_RESOURCE_MANAGER_ENDPOINT": "https://127.0.0.1:8443",
		"ARM_RESOURCE_MANAGER_AUDIENCE": "https://management.core.windows.net/", "ARM_USE_CLI": "false",
		"AKS_CONSISTENCY_INTERVAL": "10ms",
	}
}

func TestConfigureFromEmulatorEnvironment(t *testing.T) {
	t.Parallel()
	srv := &cloudServer{}
	resp := configure(t, nil, emulatorEnv(), srv)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	c, ok := resp.ResourceData.(*clients.Client)
	if !ok {
		t.Fatalf("ResourceData is %T", resp.ResourceData)
	}
	if resp.DataSourceData != c || resp.EphemeralResourceData != c || resp.ListResourceData != c {
		t.Error("resources, data sources and ephemeral resources must share one client")
	}
	want := clients.Endpoints{
		AuthorityHost: "https://127.0.0.1:8443/", GraphEndpoint: "https://127.0.0.1:8443", GraphAudience: "https://graph.microsoft.com",
		ResourceManagerEndpoint: "https://127.0.0.1:8443", ResourceManagerAudience: "https://management.core.windows.net/",
	}
	if diff := cmp.Diff(want, c.Endpoints); diff != "" {
		t.Errorf("endpoints (-want +got):\n%s", diff)
	}
	if c.SubscriptionID != sub || c.TenantID != tenant || c.Consistency.Interval.Milliseconds() != 10 {
		t.Errorf("client %+v", c)
	}
	// The configured client works end to end: tenant discovery on the custom authority (no instance
	// discovery on the public host), a client-secret token, and a Graph call carrying it.
	g, err := clients.Graph(c).Groups().ByGroupId("g-1").Get(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if g == nil || g.GetId() == nil || *g.GetId() != "g-1" {
		t.Fatalf("group %v; requests: %v", g, srv.seen)
	}
	oid, err := c.CallerObjectID(t.Context())
	if err != nil || oid != "admin-oid" {
		t.Errorf("caller %q %v", oid, err)
	}
	for _, s := range srv.seen {
		if strings.Contains(s, "login.microsoftonline.com") {
			t.Errorf("instance discovery on the public host: %s", s)
		}
		if strings.Contains(s, "/v1.0/groups/") && !strings.Contains(s, "auth=Bearer ey") {
			t.Errorf("Graph call without a token: %s", s)
		}
	}
}

func TestConfigureLogsTheCredentialNotTheSecret(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(t.Context(), &out)
	resp := configureCtx(ctx, t, nil, emulatorEnv(), &cloudServer{})
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	logs := out.String()
	for _, want := range []string{"Configured the aks provider", "client secret for client ID " + client, "selected by ARM_CLIENT_SECRET", `"instance_discovery":false`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "emulator-secret") {
		t.Error("the client secret was logged")
	}
}

func TestConfigureDiscoversCustomCloud(t *testing.T) {
	t.Parallel()
	attrs := map[string]tftypes.Value{
		"metadata_host":  tftypes.NewValue(tftypes.String, "arm.private.example"),
		"environment":    tftypes.NewValue(tftypes.String, "public"),
		"use_msi":        tftypes.NewValue(tftypes.Bool, true),
		"graph_endpoint": tftypes.NewValue(tftypes.String, "https://graph-override.private.example"),
	}
	env := map[string]string{"ARM_SUBSCRIPTION_ID": sub}
	resp := configure(t, attrs, env, &cloudServer{})
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	c, ok := resp.ResourceData.(*clients.Client)
	if !ok {
		t.Fatalf("ResourceData is %T", resp.ResourceData)
	}
	want := clients.Endpoints{
		AuthorityHost: "https://login.microsoftonline.com/", GraphEndpoint: "https://graph-override.private.example", GraphAudience: "https://graph.microsoft.com",
		ResourceManagerEndpoint: "https://management.azure.com", ResourceManagerAudience: "https://management.core.windows.net/",
	}
	if diff := cmp.Diff(want, c.Endpoints); diff != "" {
		t.Errorf("endpoints (-want +got):\n%s", diff)
	}
}

func TestConfigureRejectsUnknownAndConflicts(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		attrs   map[string]tftypes.Value
		env     map[string]string
		summary string
	}{
		"unknown value": {
			attrs:   map[string]tftypes.Value{"tenant_id": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)},
			env:     emulatorEnv(),
			summary: "Unknown Provider Setting",
		},
		"conflict": {
			attrs:   map[string]tftypes.Value{"use_msi": tftypes.NewValue(tftypes.Bool, true), "client_secret": tftypes.NewValue(tftypes.String, "x")},
			env:     emulatorEnv(),
			summary: "Conflicting Authentication Settings",
		},
		"metadata host unreachable": {
			attrs:   map[string]tftypes.Value{"metadata_host": tftypes.NewValue(tftypes.String, "nowhere.example"), "environment": tftypes.NewValue(tftypes.String, "china")},
			env:     map[string]string{"ARM_SUBSCRIPTION_ID": sub},
			summary: "Unable to Resolve Cloud Endpoints",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp := configure(t, tc.attrs, tc.env, &cloudServer{})
			if !resp.Diagnostics.HasError() || resp.Diagnostics.Errors()[0].Summary() != tc.summary {
				t.Fatalf("want %q, got %v", tc.summary, resp.Diagnostics)
			}
			if resp.ResourceData != nil {
				t.Error("a failed configuration must not hand out a client")
			}
		})
	}
}
