package emulator_test

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// getJSON fetches an unauthenticated URL (the cloud metadata) and decodes it.
func getJSON(t *testing.T, srv *emulator.Server, u string, v any) {
	t.Helper()
	resp, err := srv.HTTPClient().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v in %s", u, err, b)
	}
}

// TestCloudMetadataShapes (issue 13 item 1): each api-version of /metadata/endpoints answers the shape its
// clients decode: 2019-05-01 a list of clouds (Azure CLI's cloud registration), 2022-09-01 one cloud
// (go-azure-sdk sdk/environments, whose live tests read the public, China and US Government clouds), or a
// list under the arm.metadata-2022 variant; before 2019-05-01 the Azure Stack document.
func TestCloudMetadataShapes(t *testing.T) {
	base := shared.URL()
	var one map[string]any
	getJSON(t, shared, base+"/metadata/endpoints?api-version=2022-09-01", &one)
	auth, _ := one["authentication"].(map[string]any)
	if one["resourceManager"] != base+"/" || one["microsoftGraphResourceId"] != base+"/" || auth["loginEndpoint"] != base+"/" {
		t.Fatalf("2022-09-01: %v", one)
	}
	var list []map[string]any
	getJSON(t, shared, base+"/metadata/endpoints?api-version=2019-05-01", &list)
	if len(list) != 1 || list[0]["resourceManager"] != base+"/" || list[0]["name"] == "" {
		t.Fatalf("2019-05-01: %v", list)
	}
	var legacy map[string]any
	getJSON(t, shared, base+"/metadata/endpoints?api-version=2015-01-01", &legacy)
	if legacy["galleryEndpoint"] != base+"/" || legacy["resourceManager"] != nil {
		t.Fatalf("2015-01-01: %v", legacy)
	}
	alt := startEmulator(t, emulator.Config{Variants: "arm.metadata-2022=list"})
	getJSON(t, alt, alt.URL()+"/metadata/endpoints?api-version=2022-09-01", &list)
	if len(list) != 1 || list[0]["resourceManager"] != alt.URL()+"/" {
		t.Fatalf("2022-09-01 under arm.metadata-2022=list: %v", list)
	}
}

// TestCloudMetadataGraphResourceIsTokenResource (item 2): the microsoftGraphResourceId the metadata
// publishes is both Graph's base URL and a token resource, as in every real cloud; before, the token
// endpoint refused it with AADSTS500011 and every client of the custom-cloud path failed.
func TestCloudMetadataGraphResourceIsTokenResource(t *testing.T) {
	var doc map[string]any
	getJSON(t, shared, shared.URL()+"/metadata/endpoints?api-version=2022-09-01", &doc)
	graph, _ := doc["microsoftGraphResourceId"].(string)
	f := shared.Fixtures()
	status, body := tokenRequest(t, shared, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {f.AdminClientID}, "client_secret": {f.AdminClientSecret},
		"scope": {strings.TrimRight(graph, "/") + "/.default"},
	})
	tok, _ := body["access_token"].(string)
	if status != http.StatusOK || tok == "" {
		t.Fatalf("token for %s: %d %v", graph, status, body)
	}
	c := &wire{t: t, srv: shared, token: tok}
	if a := c.do("GET", strings.TrimRight(graph, "/")+"/v1.0/users?$top=1&$select=id", nil); a.Status != http.StatusOK {
		t.Fatalf("Graph with a token for its published resource ID: %d %s", a.Status, a.Raw)
	}
	// It is Graph's audience, not ARM's.
	if a := c.do("GET", "/subscriptions/"+f.SubscriptionID+"?api-version=2022-12-01", nil); a.Status != http.StatusUnauthorized {
		t.Fatalf("ARM with a Graph token: %d %s", a.Status, a.Raw)
	}
}

// TestCloudActingAsUSGovernment: an emulator acting as the US Government cloud answers on that cloud's
// host names through its HTTPS proxy, issues that cloud's audiences (graph.microsoft.us,
// management.core.usgovcloudapi.net) and refuses the public cloud's; the proxy tunnels nothing else.
func TestCloudActingAsUSGovernment(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Cloud: "usgovernment"})
	proxy, err := url.Parse(srv.ProxyURL())
	if err != nil || srv.ProxyURL() == "" {
		t.Fatalf("proxy URL %q: %v", srv.ProxyURL(), err)
	}
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: srv.CACertPool(), MinVersion: tls.VersionTLS12}}}
	f := srv.Fixtures()
	token := func(scope string) (int, string) {
		resp, err := hc.PostForm("https://login.microsoftonline.us/"+f.TenantID+"/oauth2/v2.0/token", url.Values{
			"grant_type": {"client_credentials"}, "client_id": {f.AdminClientID}, "client_secret": {f.AdminClientSecret}, "scope": {scope},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		tok, _ := body["access_token"].(string)
		return resp.StatusCode, tok
	}
	get := func(u, tok string) int {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	status, graphTok := token("https://graph.microsoft.us/.default")
	if status != http.StatusOK {
		t.Fatalf("Graph token of the US Government cloud: %d", status)
	}
	if s := get("https://graph.microsoft.us/v1.0/users?$top=1", graphTok); s != http.StatusOK {
		t.Fatalf("GET graph.microsoft.us: %d", s)
	}
	status, armTok := token("https://management.core.usgovcloudapi.net//.default")
	if status != http.StatusOK {
		t.Fatalf("ARM token of the US Government cloud: %d", status)
	}
	if s := get("https://management.usgovcloudapi.net/subscriptions/"+f.SubscriptionID+"?api-version=2022-12-01", armTok); s != http.StatusOK {
		t.Fatalf("GET management.usgovcloudapi.net: %d", s)
	}
	if s := get("https://graph.microsoft.us/v1.0/users?$top=1", armTok); s != http.StatusUnauthorized {
		t.Fatalf("Graph with an ARM token: %d", s)
	}
	if status, _ := token("https://graph.microsoft.com/.default"); status != http.StatusBadRequest {
		t.Fatalf("a public-cloud audience from the US Government cloud: %d, want 400 (AADSTS500011)", status)
	}
	if _, err := hc.Get("https://example.com/"); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Fatalf("the proxy tunnelled a host outside the cloud: %v", err)
	}
	if _, err := emulator.Start(emulator.Config{Cloud: "germany"}); err == nil {
		t.Fatal("an unknown cloud started")
	}
}
