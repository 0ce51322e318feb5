package emulator_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/directory"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
	"github.com/aks-pim/terraform-provider-aks/internal/sshlogin"
)

const sshScope = "https://pas.windows.net/CheckMyAccess/Linux/.default"

// sshCertForm is the token request of the Azure CLI's ssh extension (password grant of the public client).
func sshCertForm(f emulator.Fixtures, u emulator.User, reqCnf, keyID string) url.Values {
	return url.Values{
		"grant_type": {"password"}, "client_id": {f.PublicClientID}, "username": {u.UPN}, "password": {u.Password},
		"scope": {sshScope + " offline_access openid profile"}, "client_info": {"1"},
		"token_type": {"ssh-cert"}, "req_cnf": {reqCnf}, "key_id": {keyID},
	}
}

// certOf parses an ssh-cert token response.
func certOf(t *testing.T, status int, body map[string]any) *ssh.Certificate {
	t.Helper()
	tok, _ := body["access_token"].(string)
	if status != 200 || body["token_type"] != "ssh-cert" || tok == "" {
		t.Fatalf("ssh-cert request: %d %v", status, body)
	}
	blob, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		t.Fatalf("access_token is not base64: %v", err)
	}
	pk, err := ssh.ParsePublicKey(blob)
	if err != nil {
		t.Fatalf("access_token is not an SSH key: %v", err)
	}
	cert, ok := pk.(*ssh.Certificate)
	if !ok {
		t.Fatalf("access_token is a %s, not a certificate", pk.Type())
	}
	return cert
}

// TestSSHCertificateTokens: token_type=ssh-cert with req_cnf and key_id, as `az ssh vm` sends them, is
// answered with an OpenSSH user certificate of that key for the user's UPN, signed by the emulator's SSH
// CA, valid for the token lifetime on the emulator clock and carrying the groups at issuance; the
// refresh grant issues one too.
func TestSSHCertificateTokens(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{})
	srv.AdvanceClock(3 * time.Hour) // the certificate follows the emulator clock, not the wall clock
	f := srv.Fixtures()
	g := srv.Directory().AddGroup(directory.Group{DisplayName: "node-access", MailNickname: "node-access", SecurityEnabled: true, CreatedAt: srv.Now().Add(-time.Hour)})
	srv.Directory().SetTimedRelationship(g.ID, f.N01.ID, "member", srv.Now().Add(-time.Minute), srv.Now().Add(time.Hour), "s1")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	reqCnf, keyID := sshlogin.RequestConfirmation(&key.PublicKey)
	status, body := tokenRequest(t, srv, sshCertForm(f, f.N01, reqCnf, keyID))
	cert := certOf(t, status, body)
	pub, _ := ssh.NewPublicKey(&key.PublicKey)
	now := srv.Now().Unix()
	switch {
	case !bytes.Equal(cert.Key.Marshal(), pub.Marshal()):
		t.Error("the certificate is not for the key in req_cnf")
	case cert.CertType != ssh.UserCert || len(cert.ValidPrincipals) != 1 || cert.ValidPrincipals[0] != f.N01.UPN:
		t.Errorf("certificate type %d principals %v: want a user certificate for %s", cert.CertType, cert.ValidPrincipals, f.N01.UPN)
	case !bytes.Equal(cert.SignatureKey.Marshal(), srv.SSHCertificateAuthority().Marshal()):
		t.Error("the certificate is not signed by the emulator's SSH CA")
	case int64(cert.ValidAfter) > now || int64(cert.ValidAfter) < now-5 || cert.ValidBefore-cert.ValidAfter != 3600:
		t.Errorf("validity %d..%d: want one hour from the emulator's now %d", cert.ValidAfter, cert.ValidBefore, now)
	case cert.Extensions[entra.CertExtensionGroups] != g.ID || cert.Extensions[entra.CertExtensionObjectID] != f.N01.ID:
		t.Errorf("extensions %v: want n01's object ID and the node-access group", cert.Extensions)
	}
	if cert.KeyId != keyID || body["expires_in"] != float64(3599) || body["refresh_token"] == nil {
		t.Errorf("key ID %q expires_in %v refresh token %v", cert.KeyId, body["expires_in"], body["refresh_token"] != nil)
	}
	checker := ssh.CertChecker{IsUserAuthority: func(k ssh.PublicKey) bool { return bytes.Equal(k.Marshal(), srv.SSHCertificateAuthority().Marshal()) }, Clock: srv.Now}
	if err := checker.CheckCert(f.N01.UPN, cert); err != nil {
		t.Errorf("an OpenSSH certificate check refuses it: %v", err)
	}

	rt, _ := body["refresh_token"].(string)
	status, body = tokenRequest(t, srv, url.Values{
		"grant_type": {"refresh_token"}, "client_id": {f.PublicClientID}, "refresh_token": {rt},
		"scope": {sshScope + " offline_access openid profile"}, "token_type": {"ssh-cert"}, "req_cnf": {reqCnf}, "key_id": {keyID},
	})
	if again := certOf(t, status, body); again.Serial == cert.Serial || again.ValidPrincipals[0] != f.N01.UPN {
		t.Errorf("refresh grant: serial %d (first %d), principals %v", again.Serial, cert.Serial, again.ValidPrincipals)
	}

	// Without token_type the same scope is an ordinary bearer token for the resource.
	form := sshCertForm(f, f.N01, reqCnf, keyID)
	form.Del("token_type")
	if status, body := tokenRequest(t, srv, form); status != 200 || body["token_type"] != "Bearer" || strings.Count(body["access_token"].(string), ".") != 2 { //nolint:forcetypeassert // checked by the status
		t.Errorf("bearer token for the SSH resource: %d %v", status, body)
	}
}

// TestSSHCertificateTokenErrors: a malformed or unsupported req_cnf, missing parameters, another
// resource or an app are refused with Entra's error body.
func TestSSHCertificateTokenErrors(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallCnf, smallID := sshlogin.RequestConfirmation(&small.PublicKey)
	good := func(edit func(url.Values)) url.Values {
		v := sshCertForm(f, f.N01, `{"kty":"RSA","n":"`+strings.Repeat("x", 342)+`","e":"AQAB"}`, "k1")
		edit(v)
		return v
	}
	cases := map[string]struct {
		form url.Values
		want string
	}{
		"req_cnf not JSON":   {good(func(v url.Values) { v.Set("req_cnf", "ssh-rsa AAAA") }), "AADSTS90100"},
		"EC key":             {good(func(v url.Values) { v.Set("req_cnf", `{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`) }), "AADSTS90100"},
		"modulus not b64":    {good(func(v url.Values) { v.Set("req_cnf", `{"kty":"RSA","n":"***","e":"AQAB"}`) }), "AADSTS90100"},
		"1024-bit key":       {sshCertForm(f, f.N01, smallCnf, smallID), "AADSTS90100"},
		"missing req_cnf":    {good(func(v url.Values) { v.Del("req_cnf") }), "AADSTS900144"},
		"missing key_id":     {good(func(v url.Values) { v.Del("key_id") }), "AADSTS900144"},
		"Graph scope":        {good(func(v url.Values) { v.Set("scope", "https://graph.microsoft.com/.default") }), "AADSTS70011"},
		"ARM scope":          {good(func(v url.Values) { v.Set("scope", "https://management.core.windows.net//.default") }), "AADSTS70011"},
		"wrong password":     {good(func(v url.Values) { v.Set("password", "nope") }), "AADSTS50126"},
		"app (client creds)": {url.Values{"grant_type": {"client_credentials"}, "client_id": {f.AdminClientID}, "client_secret": {f.AdminClientSecret}, "scope": {sshScope}, "token_type": {"ssh-cert"}, "req_cnf": {smallCnf}, "key_id": {"k"}}, "AADSTS90100"},
	}
	for name, tc := range cases {
		status, body := tokenRequest(t, shared, tc.form)
		desc, _ := body["error_description"].(string)
		if status != 400 || !strings.HasPrefix(desc, tc.want+":") || body["error"] == nil || body["access_token"] != nil {
			t.Errorf("%s: %d %v, want 400 %s", name, status, body, tc.want)
		}
	}
}
