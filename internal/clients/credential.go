package clients

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// AuthMethod names a way of obtaining tokens. The provider picks exactly one (see its documentation
// for the order); NewCredential only builds it.
type AuthMethod string

const (
	AuthClientCertificate   AuthMethod = "client_certificate"
	AuthClientSecret        AuthMethod = "client_secret"
	AuthOIDC                AuthMethod = "oidc"
	AuthAKSWorkloadIdentity AuthMethod = "aks_workload_identity"
	AuthManagedIdentity     AuthMethod = "managed_identity"
	AuthAzureCLI            AuthMethod = "azure_cli"
	// AuthUsernamePassword signs a user in through a public client (ROPC). Not offered by the provider
	// (it cannot do MFA); tests and `make demo` use it to act as a scenario user.
	AuthUsernamePassword AuthMethod = "username_password"
)

// AuthConfig is a resolved credential choice. Only the fields of Method are used.
type AuthConfig struct {
	Method   AuthMethod
	TenantID string
	ClientID string

	ClientSecret string

	// ClientCertificate is PEM or PKCS#12 data; ClientCertificatePassword decrypts it.
	ClientCertificate         []byte
	ClientCertificatePassword string

	// OIDC: exactly one source is used, in this order: token, token file, GitHub Actions request.
	OIDCToken         string
	OIDCTokenFilePath string
	OIDCRequestURL    string
	OIDCRequestToken  string

	// AKS workload identity: the projected service-account token file.
	FederatedTokenFilePath string

	Username string
	Password string

	Endpoints Endpoints
	// Transport is used by the credential's HTTP pipeline (nil: a clone of http.DefaultTransport).
	Transport http.RoundTripper
	UserAgent string
}

// oidcAudience is the audience of the federated token Entra ID exchanges (GitHub, Azure DevOps, AKS).
const oidcAudience = "api://AzureADTokenExchange"

// NewCredential builds the credential for cfg.Method, with the custom-cloud settings applied (a
// non-Microsoft authority host disables MSAL instance discovery), and returns a description suitable
// for the log (never a secret).
func NewCredential(ctx context.Context, cfg AuthConfig) (azcore.TokenCredential, string, error) {
	if cfg.Transport == nil {
		cfg.Transport = defaultTransport()
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "terraform-provider-aks/dev"
	}
	log := newRedactor(cfg.ClientSecret, cfg.ClientCertificatePassword, cfg.OIDCToken, cfg.OIDCRequestToken, cfg.Password)
	opts := credentialOptions(cfg.Endpoints, cfg.Transport, DefaultRetryOptions(), log, cfg.UserAgent)
	noDiscovery := cfg.Endpoints.IsCustomAuthority()

	need := func(fields ...string) error {
		values := map[string]string{"tenant ID": cfg.TenantID, "client ID": cfg.ClientID}
		var missing []string
		for _, f := range fields {
			if values[f] == "" {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s authentication needs a %s", cfg.Method, strings.Join(missing, " and a "))
		}
		return nil
	}
	who := fmt.Sprintf("client ID %s in tenant %s", cfg.ClientID, cfg.TenantID)

	switch cfg.Method {
	case AuthClientSecret:
		if err := need("tenant ID", "client ID"); err != nil {
			return nil, "", err
		}
		if cfg.ClientSecret == "" {
			return nil, "", errors.New("client secret authentication needs a client secret")
		}
		c, err := azidentity.NewClientSecretCredential(cfg.TenantID, cfg.ClientID, cfg.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
		return c, "client secret for " + who, err

	case AuthClientCertificate:
		if err := need("tenant ID", "client ID"); err != nil {
			return nil, "", err
		}
		certs, key, err := parseCertificate(cfg.ClientCertificate, cfg.ClientCertificatePassword)
		if err != nil {
			return nil, "", err
		}
		c, err := azidentity.NewClientCertificateCredential(cfg.TenantID, cfg.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
		return c, fmt.Sprintf("client certificate (subject %q) for %s", certs[0].Subject.CommonName, who), err

	case AuthOIDC:
		if err := need("tenant ID", "client ID"); err != nil {
			return nil, "", err
		}
		assertion, source, err := oidcAssertion(cfg)
		if err != nil {
			return nil, "", err
		}
		c, err := azidentity.NewClientAssertionCredential(cfg.TenantID, cfg.ClientID, assertion,
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
		return c, "OIDC federated token from " + source + " for " + who, err

	case AuthAKSWorkloadIdentity:
		if err := need("tenant ID", "client ID"); err != nil {
			return nil, "", err
		}
		if cfg.FederatedTokenFilePath == "" {
			return nil, "", errors.New("AKS workload identity needs the federated token file (AZURE_FEDERATED_TOKEN_FILE)")
		}
		c, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: opts, ClientID: cfg.ClientID, TenantID: cfg.TenantID, TokenFilePath: cfg.FederatedTokenFilePath,
			DisableInstanceDiscovery: noDiscovery,
		})
		return c, "AKS workload identity (token file " + cfg.FederatedTokenFilePath + ") for " + who, err

	case AuthManagedIdentity:
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		desc := "managed identity (system-assigned)"
		if cfg.ClientID != "" {
			o.ID = azidentity.ClientID(cfg.ClientID)
			desc = "managed identity with client ID " + cfg.ClientID
		}
		c, err := azidentity.NewManagedIdentityCredential(o)
		return c, desc, err

	case AuthAzureCLI:
		c, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: cfg.TenantID})
		desc := "Azure CLI (the signed-in az account)"
		if cfg.TenantID != "" {
			desc = "Azure CLI (the signed-in az account, tenant " + cfg.TenantID + ")"
		}
		return c, desc, err

	case AuthUsernamePassword:
		if err := need("tenant ID", "client ID"); err != nil {
			return nil, "", err
		}
		if cfg.Username == "" || cfg.Password == "" {
			return nil, "", errors.New("username/password authentication needs a username and a password")
		}
		//nolint:staticcheck // ROPC is deprecated for users (no MFA); it is used only to act as a scenario user in tests and the demo.
		c, err := azidentity.NewUsernamePasswordCredential(cfg.TenantID, cfg.ClientID, cfg.Username, cfg.Password,
			&azidentity.UsernamePasswordCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
		return c, "user " + cfg.Username + " through public client " + cfg.ClientID, err
	}
	return nil, "", fmt.Errorf("unknown authentication method %q", cfg.Method)
}

func parseCertificate(data []byte, password string) ([]*x509.Certificate, crypto.PrivateKey, error) {
	if len(data) == 0 {
		return nil, nil, errors.New("client certificate authentication needs a certificate")
	}
	var pw []byte
	if password != "" {
		pw = []byte(password)
	}
	certs, key, err := azidentity.ParseCertificates(data, pw)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the client certificate: %w", err)
	}
	if len(certs) == 0 {
		return nil, nil, errors.New("the client certificate file holds no certificate")
	}
	return certs, key, nil
}

// oidcAssertion returns the function that supplies the federated token on each token request (MSAL
// caches the resulting access token, so it runs rarely) and a description of its source.
func oidcAssertion(cfg AuthConfig) (func(context.Context) (string, error), string, error) {
	switch {
	case cfg.OIDCToken != "":
		tok := cfg.OIDCToken
		return func(context.Context) (string, error) { return tok, nil }, "the oidc_token setting", nil
	case cfg.OIDCTokenFilePath != "":
		path := cfg.OIDCTokenFilePath
		return func(context.Context) (string, error) {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("reading the OIDC token file: %w", err)
			}
			return strings.TrimSpace(string(b)), nil
		}, "file " + path, nil
	case cfg.OIDCRequestURL != "" && cfg.OIDCRequestToken != "":
		client := &http.Client{Transport: cfg.Transport, Timeout: 30 * time.Second}
		reqURL, reqToken := cfg.OIDCRequestURL, cfg.OIDCRequestToken
		return func(ctx context.Context) (string, error) {
			return githubOIDCToken(ctx, client, reqURL, reqToken)
		}, "the GitHub Actions token endpoint", nil
	}
	return nil, "", errors.New("OIDC authentication needs a token, a token file, or a token request URL and request token")
}

// githubOIDCToken asks the GitHub Actions runtime for an ID token with the Entra ID exchange audience.
func githubOIDCToken(ctx context.Context, client *http.Client, requestURL, requestToken string) (string, error) {
	u, err := url.Parse(requestURL)
	if err != nil {
		return "", fmt.Errorf("parsing the OIDC request URL: %w", err)
	}
	q := u.Query()
	q.Set("audience", oidcAudience)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+requestToken)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting the GitHub OIDC token: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading the GitHub OIDC token: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("requesting the GitHub OIDC token: status %d", resp.StatusCode)
	}
	var doc struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Value == "" {
		return "", errors.New("the GitHub OIDC token response has no value")
	}
	return doc.Value, nil
}

// defaultTransport clones http.DefaultTransport (never mutate the shared one) with a response-header
// timeout, so a stalled connection fails one try instead of hanging until the operation's deadline.
func defaultTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	c := t.Clone()
	c.ResponseHeaderTimeout = 3 * time.Minute
	return c
}
