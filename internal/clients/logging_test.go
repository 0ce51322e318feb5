package clients

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// identityServer fakes the Entra ID endpoints MSAL calls on a custom authority host.
func identityServer(accessToken, refreshToken string) func(*http.Request, []byte) *http.Response {
	return func(r *http.Request, body []byte) *http.Response {
		base := "https://" + r.URL.Host + "/tenant-1"
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			return jsonResponse(200, map[string]any{
				"issuer": base + "/v2.0", "authorization_endpoint": base + "/oauth2/v2.0/authorize",
				"token_endpoint": base + "/oauth2/v2.0/token",
			})
		case strings.HasPrefix(r.URL.Path, "/common/UserRealm/"):
			return jsonResponse(200, map[string]any{"ver": "1.0", "account_type": "Managed", "domain_name": "contoso.test",
				"cloud_instance_name": "microsoftonline.com", "cloud_audience_urn": "urn:federation:MicrosoftOnline"})
		case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token"):
			resp := map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": accessToken}
			if strings.Contains(string(body), "grant_type=password") {
				resp["refresh_token"] = refreshToken
				resp["id_token"] = fakeJWT("user-oid", "client-1", 9)
				resp["client_info"] = "eyJ1aWQiOiJ1c2VyLW9pZCIsInV0aWQiOiJ0ZW5hbnQtMSJ9"
				resp["scope"] = "https://graph.microsoft.com/.default"
			}
			return jsonResponse(200, resp)
		}
		return answerAll(r, body)
	}
}

func TestLogsRedactSecretsAndTokens(t *testing.T) {
	t.Parallel()
	const (
		secret       = "s3cr3t-Client~Value.123"
		password     = "P@ssw0rd-of-n01!"
		oidcToken    = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFrcy1waW0ifQ.c2lnbmF0dXJlLW9pZGM"
		refreshToken = "0.AAAA-refresh-token-value-xyz"
	)
	accessToken := fakeJWT("caller-oid", "https://graph.microsoft.com/.default", 1)
	endpoints := Endpoints{
		AuthorityHost: "https://login.emu.test/", GraphEndpoint: "https://graph.emu.test", GraphAudience: "https://graph.microsoft.com",
		ResourceManagerEndpoint: "https://arm.emu.test", ResourceManagerAudience: "https://management.core.windows.net/",
	}
	cases := map[string]AuthConfig{
		"client secret":     {Method: AuthClientSecret, ClientSecret: secret},
		"username password": {Method: AuthUsernamePassword, Username: "n01@contoso.test", Password: password},
		"oidc assertion":    {Method: AuthOIDC, OIDCToken: oidcToken},
	}
	for name, auth := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			ctx := tflogtest.RootLogger(t.Context(), &out)
			transport := &fakeTransport{handler: identityServer(accessToken, refreshToken)}
			auth.TenantID, auth.ClientID, auth.Endpoints, auth.Transport = "tenant-1", "client-1", endpoints, transport
			cred, desc, err := NewCredential(ctx, auth)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{secret, password, oidcToken} {
				if strings.Contains(desc, s) {
					t.Errorf("credential description leaks a secret: %q", desc)
				}
			}
			c, err := New(ctx, Config{TenantID: "tenant-1", SubscriptionID: "sub-1", Credential: cred, Endpoints: endpoints, Transport: transport})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Graph(c).Groups().ByGroupId("g-1").Get(ctx, nil); err != nil {
				t.Fatalf("graph call: %v", err)
			}

			logs := out.String()
			// The test is void unless the token request and the Graph call were both logged at TRACE.
			for _, want := range []string{`"@level":"trace"`, "/oauth2/v2.0/token", "https://graph.emu.test/v1.0/groups/g-1", `"Authorization":"REDACTED"`, "grant_type="} {
				if !strings.Contains(logs, want) {
					t.Errorf("log lacks %q", want)
				}
			}
			for label, s := range map[string]string{"client secret": secret, "password": password, "OIDC token": oidcToken,
				"access token": accessToken, "refresh token": refreshToken, "bearer header": "Bearer ey"} {
				if strings.Contains(logs, s) {
					t.Errorf("log contains the %s", label)
				}
			}
			// The transport proves the secret did go on the wire, so its absence from the log is redaction.
			sent := false
			for _, r := range transport.requests() {
				b := string(r.Body)
				if strings.Contains(b, "client_secret=") || strings.Contains(b, "password=") || strings.Contains(b, "client_assertion=") {
					sent = true
				}
			}
			if !sent {
				t.Error("no credential was sent in a token request; the test checks nothing")
			}
		})
	}
}

func TestRedactorBodies(t *testing.T) {
	t.Parallel()
	r := newRedactor("literal-secret-value")
	cases := map[string]struct {
		contentType string
		body        string
		want        string
	}{
		"form":       {"application/x-www-form-urlencoded", "client_id=abc&client_secret=xyz&grant_type=client_credentials", "client_id=abc&client_secret=REDACTED&grant_type=client_credentials"},
		"json token": {"application/json", `{"access_token":"abc","expires_in":3599}`, `{"access_token":"REDACTED","expires_in":3599}`},
		"graph error code kept": {"application/json", `{"error":{"code":"Request_ResourceNotFound","message":"gone"}}`,
			`{"error":{"code":"Request_ResourceNotFound","message":"gone"}}`},
		"nested password": {"application/json", `{"passwordProfile":{"password":"pw"}}`, `{"passwordProfile":{"password":"REDACTED"}}`},
		"literal value":   {"text/plain", "the secret is literal-secret-value", "the secret is REDACTED"},
		"stray jwt":       {"text/plain", "token eyJhbGciOi.eyJzdWIiOiJ4In0.sig here", "token REDACTED here"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := r.body(tc.contentType, "", []byte(tc.body)); got != tc.want {
				t.Errorf("got %s\nwant %s", got, tc.want)
			}
		})
	}
}
