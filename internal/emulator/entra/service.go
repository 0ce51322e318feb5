// Package entra emulates the Entra ID token service that azidentity and MSAL call: OpenID configuration,
// the token endpoint (client secret, client assertion with a certificate or a federated token, resource
// owner password, refresh token), the user realm, and JWKS. It issues RS256 JWT access tokens with the
// claims Graph and ARM authorize on, and validates them for the emulator's front door.
package entra

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/ssh"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// Application is an app registration with its service principal, as the token service needs it.
type Application struct {
	AppID              string
	DisplayName        string
	ServicePrincipalID string // oid of app tokens
	Secrets            []string
	Certificates       []*x509.Certificate
	Federated          []FederatedCredential
	PublicClient       bool // allows the password and refresh-token grants without client authentication
	// AppRoles are the application permissions granted to the service principal, by canonical resource
	// (ResourceGraph): they become the roles claim of app tokens.
	AppRoles map[string][]string
	// DelegatedScopes are the delegated permissions consented for users signing in through this app, by
	// canonical resource: they become the scp claim of user tokens.
	DelegatedScopes map[string][]string
}

// FederatedCredential trusts tokens of an external issuer for one subject (workload identity federation).
type FederatedCredential struct {
	Issuer, Subject, Audience string
}

// Account is a user who can sign in with a password.
type Account struct {
	ObjectID, UPN, DisplayName, Password string
	Enabled                              bool
	// TokensValidFrom is when the user's sign-in sessions were last revoked: refresh tokens issued before
	// it are refused (zero: never).
	TokensValidFrom time.Time
}

// Directory is where the token service finds applications and user accounts (the directory store).
type Directory interface {
	Application(appID string) (Application, bool)
	Account(upnOrID string) (Account, bool)
	// MemberOf returns the groups principalID is a member of at time at, transitively, including
	// time-bound (PIM) memberships active then: the groups claim of tokens that carry one.
	MemberOf(principalID string, at time.Time) []string
}

// Config configures the token service.
type Config struct {
	TenantID      string
	Domain        string // verified domain: user realm answers Managed for it
	Directory     Directory
	Now           func() time.Time // the emulator clock
	Key           *rsa.PrivateKey  // token signing key
	TokenLifetime time.Duration    // access tokens without CAE
	// CAETokenLifetime is the lifetime of tokens of CAE-capable clients (real Entra: 20-28h).
	CAETokenLifetime time.Duration
	// RefreshTokenLifetime bounds refresh tokens; default 90 days.
	RefreshTokenLifetime time.Duration
	// FederatedIssuer is the issuer whose tokens MintFederatedToken creates (signed with Key).
	FederatedIssuer string
	// Cloud is the national cloud whose resource identifiers tokens are issued for (CloudUSGovernment,
	// CloudChina); "" is the public cloud.
	Cloud string
}

// Service is the token service.
type Service struct {
	cfg   Config
	kid   string
	sshCA ssh.Signer // signs ssh-cert tokens (sshcert.go)
}

// New returns a token service.
func New(cfg Config) *Service {
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = time.Hour
	}
	if cfg.CAETokenLifetime <= 0 {
		cfg.CAETokenLifetime = 24 * time.Hour
	}
	if cfg.RefreshTokenLifetime <= 0 {
		cfg.RefreshTokenLifetime = 90 * 24 * time.Hour
	}
	der, _ := x509.MarshalPKIXPublicKey(&cfg.Key.PublicKey)
	sum := sha256.Sum256(der)
	return &Service{cfg: cfg, kid: b64(sum[:20]), sshCA: newSSHCA()}
}

// TenantID returns the tenant the service issues tokens for.
func (s *Service) TenantID() string { return s.cfg.TenantID }

// Errors of Validate; the front doors map them to their API's 401 bodies.
var (
	ErrMissingToken = errors.New("missing token")
	ErrInvalidToken = errors.New("invalid token")
)

// ExpiredError is returned by Validate for a well-formed, correctly signed token past its exp on the
// emulator clock.
type ExpiredError struct {
	Claims Claims
	Now    time.Time
}

func (e *ExpiredError) Error() string { return "token expired" }

// Validate checks the bearer token of an Authorization header value ("Bearer x") and returns its claims.
func (s *Service) Validate(authorization string) (Claims, error) {
	var c Claims
	if authorization == "" {
		return c, ErrMissingToken
	}
	scheme, token, _ := strings.Cut(authorization, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return c, ErrMissingToken
	}
	if err := verify(&s.cfg.Key.PublicKey, strings.TrimSpace(token), &c); err != nil {
		return c, ErrInvalidToken
	}
	if c.Typ != "" || c.TID != s.cfg.TenantID {
		return c, ErrInvalidToken
	}
	now := s.cfg.Now()
	if now.Unix() >= c.Exp {
		return c, &ExpiredError{Claims: c, Now: now}
	}
	return c, nil
}

// MintFederatedToken returns a token of the federated issuer for subject and audience, as a workload
// identity platform (Kubernetes, GitHub Actions) would issue, valid for 10 minutes of wall time.
func (s *Service) MintFederatedToken(subject, audience string) (string, error) {
	if audience == "" {
		audience = "api://AzureADTokenExchange"
	}
	now := time.Now()
	return sign(s.cfg.Key, s.kid, map[string]any{
		"iss": s.cfg.FederatedIssuer, "sub": subject, "aud": audience,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": uuid.NewString(),
	})
}

// Handles reports whether path is a login endpoint: /{tenant}/..., /common/UserRealm/..., discovery.
func (s *Service) Handles(path string) bool {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) < 2 {
		return false
	}
	switch strings.ToLower(segs[1]) {
	case "oauth2", "v2.0", ".well-known", "discovery", "userrealm":
		return true
	}
	return false
}

// ServeHTTP answers the login endpoints.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	tenant := segs[0]
	rest := strings.ToLower(strings.Join(segs[1:], "/"))
	label := func(l string) { reqctx.SetRoute(r.Context(), r.Method+" "+l) }
	switch {
	case strings.EqualFold(tenant, "common") && strings.HasPrefix(rest, "userrealm/"):
		label("/common/UserRealm/{user}")
		s.userRealm(w, strings.Join(segs[2:], "/"))
	case rest == "discovery/instance":
		label("/{tenant}/discovery/instance")
		s.instanceDiscovery(w, r)
	case rest == "v2.0/.well-known/openid-configuration" || rest == ".well-known/openid-configuration":
		label("/{tenant}/" + rest)
		s.openIDConfiguration(w, r, tenant, strings.HasPrefix(rest, "v2.0"))
	case rest == "discovery/v2.0/keys" || rest == "discovery/keys":
		label("/{tenant}/" + rest)
		s.jwks(w, r)
	case rest == "oauth2/v2.0/token" || rest == "oauth2/token":
		label("/{tenant}/" + rest)
		if r.Method != http.MethodPost {
			writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a "+r.Method+" request.")
			return
		}
		s.token(w, r, tenant, rest == "oauth2/token")
	default:
		writeOAuthError(w, http.StatusNotFound, "invalid_request", 900023, "Specified tenant identifier '"+tenant+"' is neither a valid DNS name, nor a valid external domain.")
	}
}

// tenantOK accepts the tenant ID, the verified domain and the multi-tenant aliases.
func (s *Service) tenantOK(t string) bool {
	switch strings.ToLower(t) {
	case strings.ToLower(s.cfg.TenantID), strings.ToLower(s.cfg.Domain), "common", "organizations":
		return true
	}
	return false
}

func (s *Service) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := s.cfg.Key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "kid": s.kid, "x5t": s.kid,
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
		"issuer": "https://login.microsoftonline.com/" + s.cfg.TenantID + "/v2.0",
	}}})
}

func (s *Service) openIDConfiguration(w http.ResponseWriter, r *http.Request, tenant string, v2 bool) {
	if !s.tenantOK(tenant) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_tenant", 90002, "Tenant '"+tenant+"' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")
		return
	}
	base := "https://" + r.Host + "/" + tenant
	issuer := "https://" + r.Host + "/" + s.cfg.TenantID + "/v2.0"
	token := base + "/oauth2/v2.0/token"
	authz := base + "/oauth2/v2.0/authorize"
	if !v2 {
		issuer = "https://" + r.Host + "/" + s.cfg.TenantID + "/"
		token = base + "/oauth2/token"
		authz = base + "/oauth2/authorize"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                authz,
		"token_endpoint":                        token,
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"request_uri_parameter_supported":       false,
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
	})
}

func (s *Service) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": "https://" + r.Host + "/" + s.cfg.TenantID + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": r.Host, "preferred_cache": r.Host, "aliases": []string{r.Host},
		}},
	})
}

func (s *Service) userRealm(w http.ResponseWriter, user string) {
	_, domain, _ := strings.Cut(user, "@")
	resp := map[string]any{
		"ver": "1.0", "account_type": "Unknown", "domain_name": domain,
		"cloud_instance_name": "microsoftonline.com", "cloud_audience_urn": "urn:federation:MicrosoftOnline",
	}
	if strings.EqualFold(domain, s.cfg.Domain) {
		resp["account_type"] = "Managed"
		resp["federation_brand_name"] = "Emulated Tenant"
	}
	writeJSON(w, http.StatusOK, resp)
}
