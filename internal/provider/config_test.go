package provider

import (
	"encoding/base64"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

const (
	tenant = "00000000-0000-0000-0000-0000000000t1"
	client = "00000000-0000-0000-0000-0000000000c1"
	sub    = "00000000-0000-0000-0000-00000000a001"
)

func testInput(attrs, env, files map[string]string) input {
	return input{
		attrs:  attrs,
		getenv: func(k string) string { return env[k] },
		readFile: func(p string) ([]byte, error) {
			if v, ok := files[p]; ok {
				return []byte(v), nil
			}
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		},
	}
}

// base supplies the subscription so each case only states what it is about.
func withSub(m map[string]string) map[string]string {
	out := map[string]string{"ARM_SUBSCRIPTION_ID": sub}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestResolveSelectsCredential(t *testing.T) {
	t.Parallel()
	pem := "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	cases := map[string]struct {
		attrs, env, files map[string]string
		want              clients.AuthConfig
	}{
		// Each method from attributes.
		"client secret from attributes": {
			attrs: map[string]string{"tenant_id": tenant, "client_id": client, "client_secret": "s3cret", "subscription_id": sub},
			want:  clients.AuthConfig{Method: clients.AuthClientSecret, TenantID: tenant, ClientID: client, ClientSecret: "s3cret"},
		},
		"client secret file from attributes": {
			attrs: map[string]string{"tenant_id": tenant, "client_id_file_path": "/run/id", "client_secret_file_path": "/run/secret"},
			env:   withSub(nil), files: map[string]string{"/run/id": client + "\n", "/run/secret": "from-file\n"},
			want: clients.AuthConfig{Method: clients.AuthClientSecret, TenantID: tenant, ClientID: client, ClientSecret: "from-file"},
		},
		"client certificate path from attributes": {
			attrs: map[string]string{"tenant_id": tenant, "client_id": client, "client_certificate_path": "/c.pem", "client_certificate_password": "pw"},
			env:   withSub(nil), files: map[string]string{"/c.pem": pem},
			want: clients.AuthConfig{Method: clients.AuthClientCertificate, TenantID: tenant, ClientID: client, ClientCertificate: []byte(pem), ClientCertificatePassword: "pw"},
		},
		"oidc token from attributes": {
			attrs: map[string]string{"tenant_id": tenant, "client_id": client, "use_oidc": "true", "oidc_token": "id-token"},
			env:   withSub(nil),
			want:  clients.AuthConfig{Method: clients.AuthOIDC, TenantID: tenant, ClientID: client, OIDCToken: "id-token"},
		},
		"managed identity from attributes (user-assigned)": {
			attrs: map[string]string{"use_msi": "true", "client_id": client},
			env:   withSub(nil),
			want:  clients.AuthConfig{Method: clients.AuthManagedIdentity, ClientID: client},
		},
		"aks workload identity from attributes": {
			attrs: map[string]string{"use_aks_workload_identity": "true", "tenant_id": tenant, "client_id": client, "oidc_token_file_path": "/var/run/token"},
			env:   withSub(nil),
			want:  clients.AuthConfig{Method: clients.AuthAKSWorkloadIdentity, TenantID: tenant, ClientID: client, FederatedTokenFilePath: "/var/run/token"},
		},
		"azure cli explicitly": {
			attrs: map[string]string{"use_cli": "true", "tenant_id": tenant},
			env:   withSub(nil),
			want:  clients.AuthConfig{Method: clients.AuthAzureCLI, TenantID: tenant},
		},

		// Each method from the environment.
		"client secret from environment": {
			env:  withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client, "ARM_CLIENT_SECRET": "s3cret"}),
			want: clients.AuthConfig{Method: clients.AuthClientSecret, TenantID: tenant, ClientID: client, ClientSecret: "s3cret"},
		},
		"client certificate (base64) from environment": {
			env: withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client,
				"ARM_CLIENT_CERTIFICATE": base64.StdEncoding.EncodeToString([]byte(pem)), "ARM_CLIENT_CERTIFICATE_PASSWORD": "pw"}),
			want: clients.AuthConfig{Method: clients.AuthClientCertificate, TenantID: tenant, ClientID: client, ClientCertificate: []byte(pem), ClientCertificatePassword: "pw"},
		},
		"client certificate path from environment": {
			env:   withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client, "ARM_CLIENT_CERTIFICATE_PATH": "/c.pem"}),
			files: map[string]string{"/c.pem": pem},
			want:  clients.AuthConfig{Method: clients.AuthClientCertificate, TenantID: tenant, ClientID: client, ClientCertificate: []byte(pem)},
		},
		"oidc token file from environment": {
			env:  withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client, "ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN_FILE_PATH": "/tok"}),
			want: clients.AuthConfig{Method: clients.AuthOIDC, TenantID: tenant, ClientID: client, OIDCTokenFilePath: "/tok"},
		},
		"oidc from the GitHub Actions runner": {
			env: withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client, "ARM_USE_OIDC": "true",
				"ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/x?a=1", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "gh-req"}),
			want: clients.AuthConfig{Method: clients.AuthOIDC, TenantID: tenant, ClientID: client,
				OIDCRequestURL: "https://token.actions.example/x?a=1", OIDCRequestToken: "gh-req"},
		},
		"aks workload identity from the webhook's environment": {
			env: withSub(map[string]string{"ARM_USE_AKS_WORKLOAD_IDENTITY": "true", "AZURE_TENANT_ID": tenant, "AZURE_CLIENT_ID": client,
				"AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token"}),
			want: clients.AuthConfig{Method: clients.AuthAKSWorkloadIdentity, TenantID: tenant, ClientID: client,
				FederatedTokenFilePath: "/var/run/secrets/azure/tokens/azure-identity-token"},
		},
		"managed identity from environment (system-assigned)": {
			env:  withSub(map[string]string{"ARM_USE_MSI": "true"}),
			want: clients.AuthConfig{Method: clients.AuthManagedIdentity},
		},
		"azure cli is the default": {
			env:  withSub(nil),
			want: clients.AuthConfig{Method: clients.AuthAzureCLI},
		},

		// Precedence: the provider block outranks the environment.
		"explicit method wins over an exported secret": {
			attrs: map[string]string{"use_msi": "true"},
			env:   withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client, "ARM_CLIENT_SECRET": "exported"}),
			want:  clients.AuthConfig{Method: clients.AuthManagedIdentity, TenantID: tenant, ClientID: client},
		},
		"explicit client_id wins over ARM_CLIENT_ID": {
			attrs: map[string]string{"client_id": "explicit-client"},
			env:   withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client, "ARM_CLIENT_SECRET": "s"}),
			want:  clients.AuthConfig{Method: clients.AuthClientSecret, TenantID: tenant, ClientID: "explicit-client", ClientSecret: "s"},
		},
		"explicit client_secret wins over ARM_CLIENT_SECRET_FILE_PATH": {
			attrs: map[string]string{"client_secret": "explicit"},
			env:   withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client, "ARM_CLIENT_SECRET_FILE_PATH": "/nope"}),
			want:  clients.AuthConfig{Method: clients.AuthClientSecret, TenantID: tenant, ClientID: client, ClientSecret: "explicit"},
		},
		"explicit use_oidc = false beats ARM_USE_OIDC": {
			attrs: map[string]string{"use_oidc": "false"},
			env:   withSub(map[string]string{"ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN": "t"}),
			want:  clients.AuthConfig{Method: clients.AuthAzureCLI},
		},
		"explicit use_cli = true beats ARM_USE_CLI=false": {
			attrs: map[string]string{"use_cli": "true"},
			env:   withSub(map[string]string{"ARM_USE_CLI": "false"}),
			want:  clients.AuthConfig{Method: clients.AuthAzureCLI},
		},
		"explicit oidc_token wins over ARM_OIDC_TOKEN_FILE_PATH": {
			attrs: map[string]string{"oidc_token": "explicit"},
			env:   withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client, "ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN_FILE_PATH": "/tok"}),
			want:  clients.AuthConfig{Method: clients.AuthOIDC, TenantID: tenant, ClientID: client, OIDCToken: "explicit"},
		},
		"ARM_OIDC_REQUEST_URL wins over the runner's variable": {
			env: withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client, "ARM_USE_OIDC": "1",
				"ARM_OIDC_REQUEST_URL": "https://mine.example", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://runner.example",
				"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "r"}),
			want: clients.AuthConfig{Method: clients.AuthOIDC, TenantID: tenant, ClientID: client, OIDCRequestURL: "https://mine.example", OIDCRequestToken: "r"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, diags := resolve(testInput(tc.attrs, tc.env, tc.files))
			if diags.HasError() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if diff := cmp.Diff(tc.want, got.auth); diff != "" {
				t.Errorf("auth (-want +got):\n%s", diff)
			}
			if got.subscriptionID != sub {
				t.Errorf("subscription %q", got.subscriptionID)
			}
			if got.authReason == "" {
				t.Error("no reason recorded for the log")
			}
		})
	}
}

func TestResolveRejectsBadCombinations(t *testing.T) {
	t.Parallel()
	ids := map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client}
	merge := func(ms ...map[string]string) map[string]string {
		out := withSub(nil)
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	cases := map[string]struct {
		attrs, env, files map[string]string
		summary           string
		attr              string
		mentions          []string // names the detail must contain so the user knows what to change
	}{
		"two methods in the environment": {
			env:     merge(ids, map[string]string{"ARM_CLIENT_SECRET": "s", "ARM_USE_MSI": "true"}),
			summary: "Conflicting Authentication Settings", attr: "use_msi", mentions: []string{"ARM_CLIENT_SECRET", "ARM_USE_MSI"},
		},
		"two methods in the provider block": {
			attrs:   map[string]string{"client_secret": "s", "use_oidc": "true", "oidc_token": "t"},
			env:     merge(ids),
			summary: "Conflicting Authentication Settings", mentions: []string{"`client_secret`", "`use_oidc`"},
		},
		"secret and certificate": {
			env:     merge(ids, map[string]string{"ARM_CLIENT_SECRET": "s", "ARM_CLIENT_CERTIFICATE_PATH": "/c"}),
			summary: "Conflicting Authentication Settings", mentions: []string{"ARM_CLIENT_SECRET", "ARM_CLIENT_CERTIFICATE_PATH"},
		},
		"secret and secret file at the same level": {
			attrs:   map[string]string{"client_secret": "s", "client_secret_file_path": "/s"},
			env:     merge(ids),
			summary: "Conflicting Client Secret Settings", attr: "client_secret_file_path", mentions: []string{"`client_secret`", "`client_secret_file_path`"},
		},
		"oidc token and token file at the same level": {
			env:     merge(ids, map[string]string{"ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN": "t", "ARM_OIDC_TOKEN_FILE_PATH": "/t"}),
			summary: "Conflicting OIDC Token Settings", mentions: []string{"ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH"},
		},
		"secret without tenant": {
			env:     merge(map[string]string{"ARM_CLIENT_ID": client, "ARM_CLIENT_SECRET": "s"}),
			summary: "Missing Tenant ID", attr: "tenant_id", mentions: []string{"ARM_TENANT_ID", "ARM_CLIENT_SECRET"},
		},
		"certificate without client id": {
			attrs:   map[string]string{"client_certificate_path": "/c"},
			env:     merge(map[string]string{"ARM_TENANT_ID": tenant}),
			files:   map[string]string{"/c": "x"},
			summary: "Missing Client ID", attr: "client_id", mentions: []string{"ARM_CLIENT_ID", "`client_certificate_path`"},
		},
		"no subscription": {
			env:     map[string]string{},
			summary: "Missing Subscription ID", attr: "subscription_id", mentions: []string{"ARM_SUBSCRIPTION_ID"},
		},
		"oidc without any token source": {
			env:     merge(ids, map[string]string{"ARM_USE_OIDC": "true"}),
			summary: "Missing OIDC Token", attr: "oidc_token", mentions: []string{"ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH", "ACTIONS_ID_TOKEN_REQUEST_URL"},
		},
		"oidc request url without its token": {
			env:     merge(ids, map[string]string{"ARM_USE_OIDC": "true", "ARM_OIDC_REQUEST_URL": "https://x"}),
			summary: "Incomplete OIDC Request Settings", attr: "oidc_request_token", mentions: []string{"ARM_OIDC_REQUEST_TOKEN"},
		},
		"workload identity without token file": {
			env:     merge(ids, map[string]string{"ARM_USE_AKS_WORKLOAD_IDENTITY": "true"}),
			summary: "Missing Federated Token File", attr: "oidc_token_file_path", mentions: []string{"AZURE_FEDERATED_TOKEN_FILE"},
		},
		"nothing selected and the cli disabled": {
			env:     merge(map[string]string{"ARM_USE_CLI": "false"}),
			summary: "No Authentication Method Configured", attr: "use_cli", mentions: []string{"ARM_USE_CLI", "ARM_CLIENT_SECRET", "ARM_USE_OIDC", "ARM_USE_MSI"},
		},
		"not a boolean": {
			env:     merge(map[string]string{"ARM_USE_MSI": "yes please"}),
			summary: "Invalid Boolean Setting", attr: "use_msi", mentions: []string{"ARM_USE_MSI"},
		},
		"unknown environment": {
			attrs:   map[string]string{"environment": "german"},
			env:     merge(),
			summary: "Invalid Environment", attr: "environment", mentions: []string{"public", "usgovernment", "china", "metadata_host"},
		},
		"plain-http endpoint": {
			env:     merge(map[string]string{"ARM_GRAPH_ENDPOINT": "http://graph.example"}),
			summary: "Invalid Endpoint", attr: "graph_endpoint", mentions: []string{"ARM_GRAPH_ENDPOINT"},
		},
		"relative authority host": {
			attrs:   map[string]string{"authority_host": "login.example"},
			env:     merge(),
			summary: "Invalid Endpoint", attr: "authority_host", mentions: []string{"`authority_host`"},
		},
		"metadata host with a path": {
			env:     merge(map[string]string{"ARM_METADATA_HOSTNAME": "https://arm.example/metadata"}),
			summary: "Invalid Metadata Host", attr: "metadata_host", mentions: []string{"ARM_METADATA_HOSTNAME"},
		},
		"bad duration": {
			env:     merge(map[string]string{"AKS_PRINCIPAL_NOT_FOUND_RETRY_TIMEOUT": "5 minutes"}),
			summary: "Invalid Duration Setting", attr: "principal_not_found_retry_timeout", mentions: []string{"AKS_PRINCIPAL_NOT_FOUND_RETRY_TIMEOUT"},
		},
		"zero consistency checks": {
			attrs:   map[string]string{"consistency_checks": "0"},
			env:     merge(),
			summary: "Invalid Consistency Checks", attr: "consistency_checks", mentions: []string{"`consistency_checks`"},
		},
		"unreadable secret file": {
			env:     merge(ids, map[string]string{"ARM_CLIENT_SECRET_FILE_PATH": "/missing"}),
			summary: "Unable to Read File", attr: "client_secret_file_path", mentions: []string{"/missing", "ARM_CLIENT_SECRET_FILE_PATH"},
		},
		"certificate that is not base64": {
			env:     merge(ids, map[string]string{"ARM_CLIENT_CERTIFICATE": "not base64!"}),
			summary: "Invalid Client Certificate", attr: "client_certificate", mentions: []string{"ARM_CLIENT_CERTIFICATE"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, diags := resolve(testInput(tc.attrs, tc.env, tc.files))
			if !diags.HasError() {
				t.Fatal("want an error, got none")
			}
			var found bool
			for _, d := range diags.Errors() {
				if d.Summary() != tc.summary {
					continue
				}
				found = true
				if tc.attr != "" {
					withPath, ok := d.(interface{ Path() path.Path })
					if !ok || !withPath.Path().Equal(path.Root(tc.attr)) {
						t.Errorf("diagnostic not attached to %s: %v", tc.attr, d)
					}
				}
				for _, m := range tc.mentions {
					if !strings.Contains(d.Detail(), m) {
						t.Errorf("detail does not mention %s:\n%s", m, d.Detail())
					}
				}
			}
			if !found {
				t.Errorf("no %q error in %v", tc.summary, diags)
			}
		})
	}
}

func TestResolveKnobsAndDefaults(t *testing.T) {
	t.Parallel()
	got, diags := resolve(testInput(nil, withSub(nil), nil))
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := clients.ConsistencyOptions{Successes: 1, Interval: 2 * time.Second, Timeout: 10 * time.Minute}
	if diff := cmp.Diff(want, got.consistency); diff != "" {
		t.Errorf("default consistency (-want +got):\n%s", diff)
	}
	if got.principalNotFoundTimeout != 5*time.Minute {
		t.Errorf("default principal timeout %v", got.principalNotFoundTimeout)
	}

	got, diags = resolve(testInput(map[string]string{"consistency_checks": "1", "consistency_interval": "10ms"},
		withSub(map[string]string{"AKS_CONSISTENCY_CHECKS": "7", "AKS_CONSISTENCY_TIMEOUT": "30s", "AKS_PRINCIPAL_NOT_FOUND_RETRY_TIMEOUT": "2s"}), nil))
	if diags.HasError() {
		t.Fatal(diags)
	}
	want = clients.ConsistencyOptions{Successes: 1, Interval: 10 * time.Millisecond, Timeout: 30 * time.Second}
	if diff := cmp.Diff(want, got.consistency); diff != "" {
		t.Errorf("configured consistency (-want +got):\n%s", diff)
	}
	if got.principalNotFoundTimeout != 2*time.Second {
		t.Errorf("principal timeout %v", got.principalNotFoundTimeout)
	}
}

func TestResolveKeepsSecretsForRedaction(t *testing.T) {
	t.Parallel()
	got, diags := resolve(testInput(nil, withSub(map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": client, "ARM_CLIENT_SECRET": "the-secret"}), nil))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if diff := cmp.Diff([]string{"the-secret"}, got.secrets); diff != "" {
		t.Error(diff)
	}
	if strings.Contains(got.authReason, "the-secret") {
		t.Error("reason leaks the secret")
	}
}
