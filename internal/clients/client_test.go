package clients

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// wiringCase is one cloud: what the provider must put on the wire for a Graph and an ARM call.
type wiringCase struct {
	endpoints  Endpoints
	graphURL   string
	graphScope string
	armURL     string
	aksURL     string
	armScope   string
}

func wiringCases(t *testing.T) map[string]wiringCase {
	t.Helper()
	env := func(name string) Endpoints {
		e, ok := EnvironmentEndpoints(name)
		if !ok {
			t.Fatalf("no environment %q", name)
		}
		return e
	}
	const rd = "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7?api-version=2022-04-01"
	const aks = "/subscriptions/sub-1/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1?api-version=2025-02-01"
	// wire is the wiring of e: Graph served at graph with its token audience graphAudience, ARM at arm with
	// armAudience.
	wire := func(e Endpoints, graph, graphAudience, arm, armAudience string) wiringCase {
		return wiringCase{endpoints: e, graphURL: graph + "/v1.0/groups/g-1", graphScope: graphAudience + "/.default",
			armURL: arm + rd, aksURL: arm + aks, armScope: armAudience + "/.default"}
	}
	return map[string]wiringCase{
		"public": wire(env("public"), "https://graph.microsoft.com", "https://graph.microsoft.com",
			"https://management.azure.com", "https://management.core.windows.net/"),
		"usgovernment": wire(env("usgovernment"), "https://graph.microsoft.us", "https://graph.microsoft.us",
			"https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net/"),
		"china": wire(env("china"), "https://microsoftgraph.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn",
			"https://management.chinacloudapi.cn", "https://management.core.chinacloudapi.cn/"),
		// The emulator's shape: every service on one loopback address, real audiences.
		"custom": wire(Endpoints{
			AuthorityHost: "https://127.0.0.1:8443/", GraphEndpoint: "https://127.0.0.1:8443", GraphAudience: "https://graph.microsoft.com",
			ResourceManagerEndpoint: "https://127.0.0.1:8443", ResourceManagerAudience: "https://management.core.windows.net/",
		}, "https://127.0.0.1:8443", "https://graph.microsoft.com", "https://127.0.0.1:8443", "https://management.core.windows.net/"),
	}
}

func armRoleDefinition() map[string]any {
	return map[string]any{
		"id":         "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
		"name":       "acdd72a7-3385-48ef-bd42-f606fba81ae7",
		"type":       "Microsoft.Authorization/roleDefinitions",
		"properties": map[string]any{"roleName": "Reader", "type": "BuiltInRole"},
	}
}

func answerAll(r *http.Request, _ []byte) *http.Response {
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/v1.0/groups"):
		return jsonResponse(201, map[string]any{"id": "g-2", "displayName": "new"})
	case strings.Contains(r.URL.Path, "/v1.0/groups/"):
		return jsonResponse(200, map[string]any{"id": "g-1", "displayName": "aks-admins"})
	case strings.Contains(r.URL.Path, "/roleDefinitions/"):
		return jsonResponse(200, armRoleDefinition())
	case strings.Contains(r.URL.Path, "/managedClusters/"):
		return jsonResponse(200, map[string]any{"id": "/subscriptions/sub-1/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1", "name": "aks1"})
	}
	return jsonResponse(404, map[string]any{"error": map[string]any{"code": "NotFound", "message": "no route"}})
}

func TestClientWiring(t *testing.T) {
	t.Parallel()
	for name, tc := range wiringCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			transport := &fakeTransport{handler: answerAll}
			cred := newFakeCredential()
			c, err := New(ctx, Config{TenantID: "tenant-1", SubscriptionID: "sub-1", Credential: cred, Endpoints: tc.endpoints,
				UserAgent: "terraform-provider-aks/1.2.3", Transport: transport})
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				g, err := Graph(c).Groups().ByGroupId("g-1").Get(ctx, nil)
				if err != nil {
					t.Fatalf("graph call: %v", err)
				}
				if got := *g.GetDisplayName(); got != "aks-admins" {
					t.Fatalf("display name %q", got)
				}
				if _, err := c.RoleDefinitions.Get(ctx, "/subscriptions/sub-1", "acdd72a7-3385-48ef-bd42-f606fba81ae7", nil); err != nil {
					t.Fatalf("arm call: %v", err)
				}
			}
			if _, err := c.ManagedClusters.Get(ctx, "rg-aks", "aks1", nil); err != nil {
				t.Fatalf("aks call: %v", err)
			}

			seen := transport.requests()
			if len(seen) != 7 {
				t.Fatalf("want 7 requests, got %d", len(seen))
			}
			for i, want := range []string{tc.graphURL, tc.armURL, tc.graphURL, tc.armURL, tc.graphURL, tc.armURL, tc.aksURL} {
				if diff := cmp.Diff(want, unescapeQuery(seen[i].URL)); diff != "" {
					t.Errorf("request %d URL (-want +got):\n%s", i, diff)
				}
				authz := seen[i].Header.Get("Authorization")
				if !strings.HasPrefix(authz, "Bearer ey") {
					t.Errorf("request %d to %s has no bearer token: %q", i, seen[i].URL, authz)
				}
				if ua := seen[i].Header.Get("User-Agent"); !strings.HasPrefix(ua, "terraform-provider-aks/1.2.3") {
					t.Errorf("request %d user agent %q", i, ua)
				}
			}
			// The token audience follows the endpoint set, and a token is fetched once per scope.
			if n := cred.count(tc.graphScope); n != 1 {
				t.Errorf("Graph scope %q requested %d times, want 1", tc.graphScope, n)
			}
			if n := cred.count(tc.armScope); n != 1 {
				t.Errorf("ARM scope %q requested %d times, want 1", tc.armScope, n)
			}
			if got, want := len(cred.calls), 2; got != want {
				t.Errorf("scopes requested: %v", cred.calls)
			}
			oid, err := c.CallerObjectID(ctx)
			if err != nil || oid != cred.oid {
				t.Errorf("CallerObjectID = %q, %v", oid, err)
			}
		})
	}
}

func unescapeQuery(u string) string {
	if s, err := url.QueryUnescape(u); err == nil {
		return s
	}
	return u
}
