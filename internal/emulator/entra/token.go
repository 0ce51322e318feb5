package entra

import (
	"bytes"
	"crypto/sha1" // x5t thumbprints are SHA-1 by definition
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const assertionTypeJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// requestedScope is the resource and the delegated scopes a token request names.
type requestedScope struct {
	resource, aud string
	specific      []string // delegated scopes named explicitly (not .default)
	isDefault     bool
	raw           string
}

var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

// parseScope reads the v2 scope parameter (or the v1 resource parameter). One resource per request, as in
// Entra; `openid offline_access profile` (which MSAL always appends) are ignored.
func parseScope(scope, resource string, resolve func(id string) (resource, aud string, ok bool)) (requestedScope, *grantError) {
	rs := requestedScope{raw: scope}
	if resource != "" {
		scope = strings.TrimRight(resource, "/") + "/.default"
		if strings.HasSuffix(resource, "//") {
			scope = resource + ".default"
		}
	}
	for _, sc := range strings.Fields(scope) {
		if oidcScopes[strings.ToLower(sc)] {
			continue
		}
		res, name := ResourceGraph, sc // bare scopes name Microsoft Graph
		if i := strings.LastIndex(sc, "/"); i >= 0 {
			res, name = sc[:i], sc[i+1:]
		}
		r, aud, ok := resolve(res)
		if !ok {
			return rs, &grantError{http.StatusBadRequest, "invalid_resource", 500011, "The resource principal named " + res + " was not found in the tenant named Emulated Tenant. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."}
		}
		if rs.resource != "" && rs.resource != r {
			return rs, &grantError{http.StatusBadRequest, "invalid_scope", 28000, "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope " + scope + " is not valid."}
		}
		if rs.resource == "" {
			rs.resource, rs.aud = r, aud
		}
		if name == ".default" {
			rs.isDefault = true
		} else {
			rs.specific = append(rs.specific, name)
		}
	}
	if rs.resource == "" {
		return rs, &grantError{http.StatusBadRequest, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid. The scope " + scope + " is not valid."}
	}
	if rs.isDefault && len(rs.specific) > 0 {
		return rs, &grantError{http.StatusBadRequest, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid. The scope " + scope + " is not valid. static scope limit exceeded."}
	}
	return rs, nil
}

// wantsCAE reports whether the claims parameter declares the CP1 client capability.
func wantsCAE(claims string) bool {
	if claims == "" {
		return false
	}
	var c struct {
		AccessToken struct {
			XmsCC struct {
				Values []string `json:"values"`
			} `json:"xms_cc"`
		} `json:"access_token"`
	}
	if json.Unmarshal([]byte(claims), &c) != nil {
		return false
	}
	return slices.Contains(c.AccessToken.XmsCC.Values, "CP1")
}

func (s *Service) token(w http.ResponseWriter, r *http.Request, tenant string, v1 bool) {
	if !s.tenantOK(tenant) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", 90002, "Tenant '"+tenant+"' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	resp, gerr := s.grant(r, v1)
	if gerr != nil {
		writeOAuthError(w, gerr.status, gerr.code, gerr.aadsts, gerr.msg)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Service) grant(r *http.Request, v1 bool) (map[string]any, *grantError) {
	f := r.PostForm
	grantType := f.Get("grant_type")
	if grantType == "" {
		return nil, errMissingParam("grant_type")
	}
	clientID, basicSecret, hasBasic := r.BasicAuth()
	if !hasBasic {
		clientID = f.Get("client_id")
	}
	if clientID == "" {
		return nil, errMissingParam("client_id")
	}
	app, ok := s.cfg.Directory.Application(clientID)
	if !ok {
		return nil, &grantError{http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '" + clientID + "' was not found in the directory 'Emulated Tenant'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."}
	}
	if f.Get("scope") == "" && f.Get("resource") == "" {
		return nil, errMissingParam("scope")
	}
	scope, gerr := parseScope(f.Get("scope"), f.Get("resource"), func(id string) (string, string, bool) { return s.resolve(id, r.Host) })
	if gerr != nil {
		return nil, gerr
	}
	sshReq, gerr := parseSSHCertRequest(f, scope, grantType)
	if gerr != nil {
		return nil, gerr
	}
	// Only CAE-enabled resources (Graph, ARM) issue the long-lived CAE tokens; the AKS API server is not one.
	cae := wantsCAE(f.Get("claims")) && scope.resource != ResourceAKS

	switch grantType {
	case "client_credentials":
		if app.PublicClient && len(app.Secrets) == 0 && len(app.Certificates) == 0 && len(app.Federated) == 0 {
			return nil, &grantError{http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
		}
		if gerr := s.authenticateClient(r, app, basicSecret); gerr != nil {
			return nil, gerr
		}
		if !scope.isDefault {
			return nil, &grantError{http.StatusBadRequest, "invalid_scope", 1002012, "The provided value for scope " + f.Get("scope") + " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."}
		}
		c := s.baseClaims(scope.aud, app, cae)
		c.IDTyp = "app"
		c.OID, c.Sub = app.ServicePrincipalID, app.ServicePrincipalID
		c.AppIDACR = "1"
		if r.PostForm.Get("client_assertion") != "" {
			c.AppIDACR = "2"
		}
		c.Roles = append([]string(nil), app.AppRoles[scope.resource]...)
		return s.accessResponse(c, cae, v1, scope, nil)

	case "password", "refresh_token":
		if !app.PublicClient {
			if gerr := s.authenticateClient(r, app, basicSecret); gerr != nil {
				return nil, gerr
			}
		}
		var acct Account
		if grantType == "password" {
			user, pass := f.Get("username"), f.Get("password")
			if user == "" {
				return nil, errMissingParam("username")
			}
			a, ok := s.cfg.Directory.Account(user)
			if !ok || pass == "" || a.Password != pass {
				return nil, &grantError{http.StatusBadRequest, "invalid_grant", 50126, "Error validating credentials due to invalid username or password."}
			}
			acct = a
		} else {
			rt := f.Get("refresh_token")
			if rt == "" {
				return nil, errMissingParam("refresh_token")
			}
			var rc Claims
			if err := verify(&s.cfg.Key.PublicKey, rt, &rc); err != nil || rc.Typ != "refresh" {
				return nil, &grantError{http.StatusBadRequest, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."}
			}
			if s.cfg.Now().Unix() >= rc.Exp {
				return nil, &grantError{http.StatusBadRequest, "invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was issued on " + time.Unix(rc.Iat, 0).UTC().Format(time.RFC3339) + " and was inactive for 90.00:00:00."}
			}
			if !strings.EqualFold(rc.AppID, clientID) {
				return nil, &grantError{http.StatusBadRequest, "invalid_grant", 70000, "Provided grant is invalid or malformed. The refresh token was issued to a different client."}
			}
			a, ok := s.cfg.Directory.Account(rc.OID)
			if !ok {
				return nil, &grantError{http.StatusBadRequest, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."}
			}
			if issued := time.Unix(0, rc.IssuedNano); !a.TokensValidFrom.IsZero() && issued.Before(a.TokensValidFrom) {
				return nil, revokedGrant(issued, a.TokensValidFrom)
			}
			acct = a
		}
		if !acct.Enabled {
			return nil, &grantError{http.StatusBadRequest, "invalid_grant", 50057, "The user account is disabled."}
		}
		granted := app.DelegatedScopes[scope.resource]
		for _, want := range scope.specific {
			if !containsFold(granted, want) {
				return nil, &grantError{http.StatusBadRequest, "invalid_grant", 65001, "The user or administrator has not consented to use the application with ID '" + app.AppID + "' named '" + app.DisplayName + "'. Send an interactive authorization request for this user and resource."}
			}
		}
		c := s.baseClaims(scope.aud, app, cae)
		c.IDTyp = "user"
		c.OID, c.Sub = acct.ObjectID, pairwiseSub(acct.ObjectID, app.AppID)
		c.AppIDACR = "0"
		if !app.PublicClient {
			c.AppIDACR = "1"
		}
		c.Scp = strings.Join(granted, " ")
		c.UPN, c.UniqueName, c.Name = acct.UPN, acct.UPN, acct.DisplayName
		if sshReq != nil {
			return s.sshCertResponse(c, v1, scope, &acct, sshReq)
		}
		s.addGroupClaims(&c, scope.resource)
		return s.accessResponse(c, cae, v1, scope, &acct)

	default:
		return nil, &grantError{http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '" + grantType + "'."}
	}
}

func (s *Service) baseClaims(aud string, app Application, cae bool) Claims {
	now := s.cfg.Now()
	c := Claims{
		Aud: aud, Iss: "https://sts.windows.net/" + s.cfg.TenantID + "/",
		Iat: now.Unix(), Nbf: now.Unix(),
		AppID: app.AppID, IDP: "https://sts.windows.net/" + s.cfg.TenantID + "/",
		TID: s.cfg.TenantID, UTI: strings.ReplaceAll(uuid.NewString(), "-", "")[:22], Ver: "1.0",
	}
	if cae {
		c.XmsCC = []string{"CP1"}
	}
	return c
}

func (s *Service) accessResponse(c Claims, cae, v1 bool, scope requestedScope, acct *Account) (map[string]any, *grantError) {
	lifetime := s.cfg.TokenLifetime
	if cae {
		lifetime = s.cfg.CAETokenLifetime
	}
	c.Exp = c.Iat + int64(lifetime/time.Second)
	tok, err := sign(s.cfg.Key, s.kid, c)
	if err != nil {
		return nil, &grantError{http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again."}
	}
	secs := int64(lifetime / time.Second)
	resp := map[string]any{"token_type": "Bearer", "expires_in": secs - 1, "ext_expires_in": secs - 1, "access_token": tok}
	if cae && lifetime > 2*time.Hour {
		resp["refresh_in"] = secs / 2
	}
	if v1 {
		resp["expires_on"] = time.Now().Add(lifetime).Unix()
		resp["resource"] = c.Aud
	}
	if acct == nil {
		return resp, nil
	}
	now := s.cfg.Now()
	// Echo the requested scopes: MSAL caches the token under the scopes the response grants.
	resp["scope"] = scope.raw
	rt, err := sign(s.cfg.Key, s.kid, Claims{
		Typ: "refresh", OID: c.OID, AppID: c.AppID, TID: c.TID, Iat: now.Unix(), Nbf: now.Unix(),
		Exp: now.Add(s.cfg.RefreshTokenLifetime).Unix(), UTI: uuid.NewString(), Ver: "1.0", IssuedNano: now.UnixNano(),
	})
	if err != nil {
		return nil, &grantError{http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again."}
	}
	resp["refresh_token"] = rt
	idt, err := sign(s.cfg.Key, s.kid, map[string]any{
		"aud": c.AppID, "iss": "https://login.microsoftonline.com/" + s.cfg.TenantID + "/v2.0",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"name": acct.DisplayName, "oid": acct.ObjectID, "preferred_username": acct.UPN,
		"sub": c.Sub, "tid": s.cfg.TenantID, "ver": "2.0",
	})
	if err != nil {
		return nil, &grantError{http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again."}
	}
	resp["id_token"] = idt
	ci, _ := json.Marshal(map[string]string{"uid": acct.ObjectID, "utid": s.cfg.TenantID})
	resp["client_info"] = base64.RawURLEncoding.EncodeToString(ci)
	return resp, nil
}

// authenticateClient checks a confidential client's secret or assertion.
func (s *Service) authenticateClient(r *http.Request, app Application, basicSecret string) *grantError {
	f := r.PostForm
	secret := f.Get("client_secret")
	if basicSecret != "" {
		secret = basicSecret
	}
	assertion := f.Get("client_assertion")
	switch {
	case secret != "":
		if !slices.Contains(app.Secrets, secret) {
			return &grantError{http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" + app.AppID + "'."}
		}
		return nil
	case assertion != "":
		if f.Get("client_assertion_type") != assertionTypeJWT {
			return &grantError{http.StatusBadRequest, "invalid_request", 90004, "Client assertion type is not supported. Use " + assertionTypeJWT + "."}
		}
		return s.checkAssertion(r, app, assertion)
	default:
		return &grantError{http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
}

func (s *Service) checkAssertion(r *http.Request, app Application, assertion string) *grantError {
	unverified := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(assertion, unverified)
	if err != nil {
		return &grantError{http.StatusBadRequest, "invalid_client", 50027, "JWT token is invalid or malformed."}
	}
	iss, _ := unverified.GetIssuer()
	sub, _ := unverified.GetSubject()
	aud, _ := unverified.GetAudience()
	// Assertions are built by the client from its own (wall) clock, not the emulator's.
	parse := func(key any) error {
		_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "PS256"}), jwt.WithLeeway(5*time.Minute), jwt.WithExpirationRequired()).
			Parse(assertion, func(*jwt.Token) (any, error) { return key, nil })
		return err
	}
	if strings.EqualFold(iss, app.AppID) && strings.EqualFold(sub, app.AppID) {
		// Certificate credential: the audience is this token endpoint.
		if !s.audienceIsTokenEndpoint(r, aud) {
			return &grantError{http.StatusBadRequest, "invalid_client", 70001, "The client assertion audience is not the token endpoint of this tenant."}
		}
		for _, cert := range certsFor(app.Certificates, tok.Header) {
			if err := parse(cert.PublicKey); err == nil {
				return nil
			} else if strings.Contains(err.Error(), "expired") || strings.Contains(err.Error(), "not valid yet") {
				return &grantError{http.StatusUnauthorized, "invalid_client", 700024, "Client assertion is not within its valid time range."}
			}
		}
		return &grantError{http.StatusUnauthorized, "invalid_client", 700027, "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found.]"}
	}
	for _, fc := range app.Federated {
		if fc.Issuer == iss && fc.Subject == sub && slices.Contains(aud, fc.Audience) {
			if err := parse(&s.cfg.Key.PublicKey); err != nil {
				return &grantError{http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed signature validation."}
			}
			return nil
		}
	}
	return &grantError{http.StatusBadRequest, "invalid_client", 70021, "No matching federated identity record found for presented assertion. Assertion Issuer: '" + iss + "'. Assertion Subject: '" + sub + "'. Assertion Audience: '" + strings.Join(aud, ",") + "'."}
}

func (s *Service) audienceIsTokenEndpoint(r *http.Request, aud []string) bool {
	for _, a := range aud {
		a = strings.ToLower(a)
		if !strings.HasPrefix(a, "https://"+strings.ToLower(r.Host)+"/") {
			continue
		}
		rest := strings.TrimPrefix(a, "https://"+strings.ToLower(r.Host)+"/")
		tenant, path, _ := strings.Cut(rest, "/")
		if s.tenantOK(tenant) && (path == "oauth2/v2.0/token" || path == "oauth2/token") {
			return true
		}
	}
	return false
}

// certsFor orders the app's certificates so the one named by the x5t#S256 / x5t header comes first; an
// assertion without a thumbprint is tried against all of them.
func certsFor(certs []*x509.Certificate, header map[string]any) []*x509.Certificate {
	want := func(c *x509.Certificate) bool {
		if t, ok := header["x5t#S256"].(string); ok {
			sum := sha256.Sum256(c.Raw)
			return thumbEqual(t, sum[:])
		}
		if t, ok := header["x5t"].(string); ok {
			sum := sha1.Sum(c.Raw)
			return thumbEqual(t, sum[:])
		}
		return true
	}
	var out []*x509.Certificate
	for _, c := range certs {
		if want(c) {
			out = append(out, c)
		}
	}
	return out
}

func thumbEqual(encoded string, sum []byte) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(encoded); err == nil && bytes.Equal(b, sum) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// pairwiseSub derives the per-application subject of a user, as Entra's sub is pairwise.
func pairwiseSub(oid, appID string) string {
	sum := sha256.Sum256([]byte(oid + "|" + appID))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:43]
}
