package clients

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiscoverEndpoints(t *testing.T) {
	t.Parallel()
	public := map[string]any{"name": "AzureCloud", "resourceManager": "https://management.azure.com/",
		"authentication":           map[string]any{"loginEndpoint": "https://login.microsoftonline.com", "audiences": []string{"https://management.core.windows.net/", "https://management.azure.com/"}},
		"microsoftGraphResourceId": "https://graph.microsoft.com/"}
	china := map[string]any{"name": "AzureChinaCloud", "resourceManager": "https://management.chinacloudapi.cn",
		"authentication":           map[string]any{"loginEndpoint": "https://login.chinacloudapi.cn/", "audiences": []string{"https://management.core.chinacloudapi.cn/"}},
		"microsoftGraphResourceId": "https://microsoftgraph.chinacloudapi.cn/"}
	wantPublic := Endpoints{AuthorityHost: "https://login.microsoftonline.com/", GraphEndpoint: "https://graph.microsoft.com", GraphAudience: "https://graph.microsoft.com",
		ResourceManagerEndpoint: "https://management.azure.com", ResourceManagerAudience: "https://management.core.windows.net/"}
	wantChina := Endpoints{AuthorityHost: "https://login.chinacloudapi.cn/", GraphEndpoint: "https://microsoftgraph.chinacloudapi.cn", GraphAudience: "https://microsoftgraph.chinacloudapi.cn",
		ResourceManagerEndpoint: "https://management.chinacloudapi.cn", ResourceManagerAudience: "https://management.core.chinacloudapi.cn/"}
	cases := map[string]struct {
		doc     any
		env     string
		want    Endpoints
		wantErr string
	}{
		"single document":           {doc: public, want: wantPublic},
		"list, picked by alias":     {doc: []any{public, china}, env: "china", want: wantChina},
		"list, picked by name":      {doc: []any{public, china}, env: "AzureChinaCloud", want: wantChina},
		"list, default is public":   {doc: []any{china, public}, want: wantPublic},
		"list without that cloud":   {doc: []any{public, china}, env: "usgovernment", wantErr: "no cloud named"},
		"list with one other cloud": {doc: []any{china}, env: "public", want: wantChina},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			transport := &fakeTransport{handler: func(r *http.Request, _ []byte) *http.Response { return jsonResponse(200, tc.doc) }}
			got, err := DiscoverEndpoints(t.Context(), "arm.example", tc.env, &http.Client{Transport: transport})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if u := transport.requests()[0].URL; u != "https://arm.example/metadata/endpoints?api-version=2022-09-01" {
				t.Errorf("requested %s", u)
			}
		})
	}
}

func TestEndpointsHelpers(t *testing.T) {
	t.Parallel()
	pub, _ := EnvironmentEndpoints("public")
	if pub.IsCustomAuthority() {
		t.Error("the public authority is known to MSAL")
	}
	emu := Endpoints{AuthorityHost: "https://127.0.0.1:8443/", GraphEndpoint: "https://127.0.0.1:8443/", GraphAudience: "https://graph.microsoft.com/",
		ResourceManagerEndpoint: "https://127.0.0.1:8443", ResourceManagerAudience: "https://management.core.windows.net/"}
	if !emu.IsCustomAuthority() {
		t.Error("a loopback authority is custom: instance discovery must be disabled")
	}
	if emu.GraphBaseURL() != "https://127.0.0.1:8443/v1.0" || emu.GraphScope() != "https://graph.microsoft.com/.default" || emu.GraphHost() != "127.0.0.1" {
		t.Errorf("graph helpers: %s %s %s", emu.GraphBaseURL(), emu.GraphScope(), emu.GraphHost())
	}
	if emu.ResourceManagerScope() != "https://management.core.windows.net//.default" {
		t.Errorf("arm scope %s", emu.ResourceManagerScope())
	}
	bad := emu
	bad.ResourceManagerEndpoint = "http://arm.example"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("plain http must be rejected: %v", err)
	}
	if _, ok := EnvironmentEndpoints("german"); ok {
		t.Error("unknown environment accepted")
	}
}
