package emulator_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

func graphScope() policy.TokenRequestOptions {
	return policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
}

// TestTokenCredentials gets tokens through every azidentity credential the provider supports and uses
// them against Graph, proving the token carries the caller the emulator authorizes.
func TestTokenCredentials(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	opts := clientOptions(shared)
	certs, key, err := azidentity.ParseCertificates(f.AdminCertificatePEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds := map[string]func() (azcore.TokenCredential, error){
		"client secret": func() (azcore.TokenCredential, error) {
			return azidentity.NewClientSecretCredential(f.TenantID, f.AdminClientID, f.AdminClientSecret,
				&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		},
		"client certificate": func() (azcore.TokenCredential, error) {
			return azidentity.NewClientCertificateCredential(f.TenantID, f.AdminClientID, certs, key,
				&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		},
		"client certificate with x5c": func() (azcore.TokenCredential, error) {
			return azidentity.NewClientCertificateCredential(f.TenantID, f.AdminClientID, certs, key,
				&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true, SendCertificateChain: true})
		},
		"federated assertion": func() (azcore.TokenCredential, error) {
			return azidentity.NewClientAssertionCredential(f.TenantID, f.AdminClientID, func(context.Context) (string, error) {
				return shared.MintFederatedToken("", "")
			}, &azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		},
		"username password": func() (azcore.TokenCredential, error) {
			//nolint:staticcheck // ROPC is deprecated upstream but is how scenario users sign in here
			return azidentity.NewUsernamePasswordCredential(f.TenantID, f.PublicClientID, f.N01.UPN, f.N01.Password,
				&azidentity.UsernamePasswordCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		},
	}
	for name, mk := range creds {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cred, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			tok, err := cred.GetToken(ctxT(t), graphScope())
			if err != nil {
				t.Fatalf("GetToken: %v", err)
			}
			if tok.ExpiresOn.Before(time.Now().Add(30 * time.Minute)) {
				t.Errorf("token expires too soon: %v", tok.ExpiresOn)
			}
			if _, err := cred.GetToken(ctxT(t), policy.TokenRequestOptions{Scopes: []string{"https://management.core.windows.net//.default"}}); err != nil {
				t.Fatalf("GetToken for ARM: %v", err)
			}
			g := graphFor(t, shared, cred)
			if name == "username password" {
				me, err := g.Me().Get(ctxT(t), nil)
				if err != nil {
					t.Fatalf("GET /me: %v", err)
				}
				if got := *me.GetId(); got != f.N01.ID {
					t.Errorf("/me id = %s, want %s", got, f.N01.ID)
				}
				return
			}
			if _, err := g.Groups().Get(ctxT(t), nil); err != nil {
				t.Fatalf("GET /groups: %v", err)
			}
		})
	}
}

// TestTokenErrors asserts the AADSTS error of each failed sign-in, as MSAL surfaces it.
func TestTokenErrors(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	opts := clientOptions(shared)
	otherKey, otherCert := otherCertificate(t)
	tests := map[string]struct {
		cred func() (azcore.TokenCredential, error)
		want string
	}{
		"bad secret": {func() (azcore.TokenCredential, error) {
			return azidentity.NewClientSecretCredential(f.TenantID, f.AdminClientID, "wrong", &azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		}, "AADSTS7000215"},
		"unknown client": {func() (azcore.TokenCredential, error) {
			return azidentity.NewClientSecretCredential(f.TenantID, "00000000-0000-0000-0000-000000000001", "x", &azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		}, "AADSTS700016"},
		"unregistered certificate": {func() (azcore.TokenCredential, error) {
			return azidentity.NewClientCertificateCredential(f.TenantID, f.AdminClientID, otherCert, otherKey, &azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		}, "AADSTS700027"},
		"federated subject not trusted": {func() (azcore.TokenCredential, error) {
			return azidentity.NewClientAssertionCredential(f.TenantID, f.AdminClientID, func(context.Context) (string, error) {
				return shared.MintFederatedToken("system:serviceaccount:other:sa", "")
			}, &azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		}, "AADSTS70021"},
		"bad password": {func() (azcore.TokenCredential, error) {
			//nolint:staticcheck // see userCred
			return azidentity.NewUsernamePasswordCredential(f.TenantID, f.PublicClientID, f.N01.UPN, "wrong", &azidentity.UsernamePasswordCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		}, "AADSTS50126"},
		"unknown tenant": {func() (azcore.TokenCredential, error) {
			return azidentity.NewClientSecretCredential("00000000-0000-0000-0000-0000000000ff", f.AdminClientID, f.AdminClientSecret, &azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		}, "AADSTS90002"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cred, err := tc.cred()
			if err != nil {
				t.Fatal(err)
			}
			_, err = cred.GetToken(ctxT(t), graphScope())
			var afe *azidentity.AuthenticationFailedError
			if !errors.As(err, &afe) {
				t.Fatalf("want AuthenticationFailedError, got %T: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not name %s: %v", tc.want, err)
			}
		})
	}
}

func otherCertificate(t *testing.T) (crypto.PrivateKey, []*x509.Certificate) {
	t.Helper()
	pemBytes := selfSignedPEM(t)
	certs, key, err := azidentity.ParseCertificates(pemBytes, nil)
	if err != nil {
		t.Fatal(err)
	}
	return key, certs
}

// TestExpiredTokenIsChallenged advances the clock past the lifetime of cached tokens: CAE-capable SDK
// clients get a claims challenge and recover with a new token; a token without CAE gets a plain 401.
func TestExpiredTokenIsChallenged(t *testing.T) {
	srv := startEmulator(t, emulator.Config{TokenLifetime: time.Hour})
	cred := adminCred(t, srv)
	g := graphFor(t, srv, cred)
	if _, err := g.Groups().Get(ctxT(t), nil); err != nil {
		t.Fatal(err)
	}
	srv.AdvanceClock(30 * 24 * time.Hour)
	if _, err := g.Groups().Get(ctxT(t), nil); err != nil {
		t.Fatalf("Graph call after the clock passed the token's expiry: %v", err)
	}
	routes := srv.Stats().Routes
	if routes["GET (graph unauthenticated)"].Count != 1 {
		t.Errorf("want exactly one challenged request, stats: %v", routes)
	}

	// A token minted without CAE is simply rejected once expired.
	plain := plainToken(t, srv)
	srv.AdvanceClock(2 * time.Hour)
	resp := doWithToken(t, srv, plain, srv.URL()+"/v1.0/groups")
	if resp.StatusCode != 401 || strings.Contains(resp.Header.Get("WWW-Authenticate"), "claims=") {
		t.Errorf("expired non-CAE token: status %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

// TestTokenEndpointWire covers the token endpoint's raw protocol: discovery, the refresh-token grant and
// the AADSTS codes of malformed requests.
func TestTokenEndpointWire(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	resp := doWithToken(t, shared, "", shared.URL()+"/"+f.TenantID+"/v2.0/.well-known/openid-configuration")
	var oidc map[string]any
	err := jsonDecode(resp, &oidc)
	issuer, isStr := oidc["issuer"].(string)
	if err != nil || !isStr || !strings.HasPrefix(issuer, shared.URL()+"/") || oidc["token_endpoint"] != shared.URL()+"/"+f.TenantID+"/oauth2/v2.0/token" {
		t.Errorf("openid configuration: %v %v", err, oidc)
	}
	realm := doWithToken(t, shared, "", shared.URL()+"/common/UserRealm/"+url.PathEscape(f.N01.UPN)+"?api-version=1.0")
	var ur map[string]any
	if err := jsonDecode(realm, &ur); err != nil || ur["account_type"] != "Managed" {
		t.Errorf("user realm: %v %v", err, ur)
	}

	status, body := tokenRequest(t, shared, url.Values{
		"grant_type": {"password"}, "client_id": {f.PublicClientID}, "username": {f.P01.UPN}, "password": {f.P01.Password},
		"scope": {"https://graph.microsoft.com/.default openid offline_access profile"}, "client_info": {"1"},
	})
	if status != 200 || body["refresh_token"] == nil || body["id_token"] == nil || body["client_info"] == nil {
		t.Fatalf("password grant: %d %v", status, body)
	}
	rt, ok := body["refresh_token"].(string)
	if !ok {
		t.Fatalf("password grant: refresh_token is %T, not a string: %v", body["refresh_token"], body)
	}
	status, body = tokenRequest(t, shared, url.Values{
		"grant_type": {"refresh_token"}, "client_id": {f.PublicClientID}, "refresh_token": {rt},
		"scope": {"https://management.core.windows.net//.default openid offline_access profile"},
	})
	if status != 200 || body["access_token"] == nil {
		t.Fatalf("refresh grant: %d %v", status, body)
	}

	cases := map[string]struct {
		form url.Values
		want string
	}{
		"refresh token of another client":     {url.Values{"grant_type": {"refresh_token"}, "client_id": {f.AdminClientID}, "client_secret": {f.AdminClientSecret}, "refresh_token": {rt}, "scope": {"https://graph.microsoft.com/.default"}}, "AADSTS70000"},
		"garbage refresh token":               {url.Values{"grant_type": {"refresh_token"}, "client_id": {f.PublicClientID}, "refresh_token": {"x.y.z"}, "scope": {"https://graph.microsoft.com/.default"}}, "AADSTS9002313"},
		"client credentials without .default": {url.Values{"grant_type": {"client_credentials"}, "client_id": {f.AdminClientID}, "client_secret": {f.AdminClientSecret}, "scope": {"https://graph.microsoft.com/User.Read"}}, "AADSTS1002012"},
		"two resources":                       {url.Values{"grant_type": {"client_credentials"}, "client_id": {f.AdminClientID}, "client_secret": {f.AdminClientSecret}, "scope": {"https://graph.microsoft.com/.default https://management.azure.com/.default"}}, "AADSTS28000"},
		"unknown resource":                    {url.Values{"grant_type": {"client_credentials"}, "client_id": {f.AdminClientID}, "client_secret": {f.AdminClientSecret}, "scope": {"api://nothing/.default"}}, "AADSTS500011"},
		"missing grant type":                  {url.Values{"client_id": {f.AdminClientID}}, "AADSTS900144"},
		"unsupported grant":                   {url.Values{"grant_type": {"device_code"}, "client_id": {f.PublicClientID}, "scope": {"https://graph.microsoft.com/.default"}}, "AADSTS70003"},
		"scope not consented":                 {url.Values{"grant_type": {"password"}, "client_id": {f.PublicClientID}, "username": {f.N01.UPN}, "password": {f.N01.Password}, "scope": {"https://graph.microsoft.com/Directory.ReadWrite.All"}}, "AADSTS65001"},
	}
	for name, tc := range cases {
		status, body := tokenRequest(t, shared, tc.form)
		desc, _ := body["error_description"].(string)
		if status < 400 || !strings.HasPrefix(desc, tc.want+":") || body["error"] == nil {
			t.Errorf("%s: %d %v", name, status, body)
		}
	}
}
