package entra

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// ResourceSSH is the resource `az ssh vm` asks for: its token is an OpenSSH user certificate, not a JWT.
const ResourceSSH = "https://pas.windows.net/CheckMyAccess/Linux"

// Extensions of the emulator's SSH certificates that carry, for the node's login check, the user's
// object ID and transitive group object IDs (PIM memberships included) at issuance. What real Entra puts
// in its certificates beyond the principal is not documented (UNCONFIRMED.md).
const (
	CertExtensionObjectID = "oid@azemu.local"
	CertExtensionGroups   = "groups@azemu.local"
)

// minSSHKeyBits is the smallest RSA key Entra signs ("only RSA with a minimum key size of 2048").
const minSSHKeyBits = 2048

func init() {
	audiences[strings.ToLower(ResourceSSH)] = struct{ resource, aud string }{ResourceSSH, ResourceSSH}
}

// sshCertRequest is what a token request with token_type=ssh-cert asks to have certified.
type sshCertRequest struct {
	key   ssh.PublicKey
	keyID string
}

// parseSSHCertRequest reads token_type=ssh-cert with req_cnf (the user's RSA public key as a JWK, JSON
// in the form field) and key_id, as the Azure CLI's ssh extension and MSAL's SSH scheme send them. It
// returns nil for any other token type.
func parseSSHCertRequest(f url.Values, scope requestedScope, grantType string) (*sshCertRequest, *grantError) {
	if !strings.EqualFold(f.Get("token_type"), "ssh-cert") {
		return nil, nil
	}
	if scope.resource != ResourceSSH {
		return nil, &grantError{http.StatusBadRequest, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid. The scope " + scope.raw + " is not valid. SSH certificates are issued for " + ResourceSSH + "/.default only."}
	}
	if grantType != "password" && grantType != "refresh_token" {
		return nil, &grantError{http.StatusBadRequest, "invalid_request", 90100, "The parameter 'token_type' is not valid: SSH certificates are issued to users only."}
	}
	if f.Get("req_cnf") == "" {
		return nil, errMissingParam("req_cnf")
	}
	if f.Get("key_id") == "" {
		return nil, errMissingParam("key_id")
	}
	key, err := rsaKeyFromJWK(f.Get("req_cnf"))
	if err != "" {
		return nil, &grantError{http.StatusBadRequest, "invalid_request", 90100, "The parameter 'req_cnf' is empty or not valid: " + err + "."}
	}
	return &sshCertRequest{key: key, keyID: f.Get("key_id")}, nil
}

// rsaKeyFromJWK parses an RSA public JWK; the second result says what is wrong with it.
func rsaKeyFromJWK(s string) (ssh.PublicKey, string) {
	var jwk struct {
		Kty string `json:"kty"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	if json.Unmarshal([]byte(s), &jwk) != nil {
		return nil, "not a JSON Web Key"
	}
	if jwk.Kty != "RSA" {
		return nil, "key type '" + jwk.Kty + "' is not supported, only RSA"
	}
	n, nerr := base64.RawURLEncoding.DecodeString(strings.TrimRight(jwk.N, "="))
	e, eerr := base64.RawURLEncoding.DecodeString(strings.TrimRight(jwk.E, "="))
	if nerr != nil || eerr != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
		return nil, "modulus or exponent is not base64url"
	}
	var eb [4]byte
	copy(eb[4-len(e):], e)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(binary.BigEndian.Uint32(eb[:]))}
	if pub.N.BitLen() < minSSHKeyBits {
		return nil, "RSA keys shorter than 2048 bits are not supported"
	}
	if pub.E < 3 || pub.E%2 == 0 {
		return nil, "the exponent is not valid"
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, "not an RSA public key"
	}
	return key, ""
}

// newSSHCA returns the per-process key that signs SSH certificates; the nodes trust only it.
func newSSHCA() ssh.Signer {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic("entra: SSH CA key: " + err.Error())
	}
	signer, err := ssh.NewSignerFromSigner(priv)
	if err != nil {
		panic("entra: SSH CA key: " + err.Error())
	}
	return signer
}

// SSHCertificateAuthority returns the public key of the CA that signs the ssh-cert tokens.
func (s *Service) SSHCertificateAuthority() ssh.PublicKey { return s.sshCA.PublicKey() }

// sshCertResponse answers an ssh-cert request: the token response of the user's grant, with the
// certificate (base64 of its wire form, which the Azure CLI writes after "ssh-rsa-cert-v01@openssh.com ")
// as access_token and token_type ssh-cert. It is valid for the access-token lifetime on the emulator clock.
func (s *Service) sshCertResponse(c Claims, v1 bool, scope requestedScope, acct *Account, req *sshCertRequest) (map[string]any, *grantError) {
	resp, gerr := s.accessResponse(c, false, v1, scope, acct)
	if gerr != nil {
		return nil, gerr
	}
	now := time.Unix(c.Iat, 0)
	var serial [8]byte
	_, _ = rand.Read(serial[:])
	ext := map[string]string{
		"permit-X11-forwarding": "", "permit-agent-forwarding": "", "permit-port-forwarding": "",
		"permit-pty": "", "permit-user-rc": "", CertExtensionObjectID: acct.ObjectID,
	}
	if d, ok := s.cfg.Directory.(interface {
		MemberOf(principalID string, at time.Time) []string
	}); ok {
		ext[CertExtensionGroups] = strings.Join(d.MemberOf(acct.ObjectID, now), ",")
	}
	cert := &ssh.Certificate{
		Key: req.key, Serial: binary.BigEndian.Uint64(serial[:]), CertType: ssh.UserCert, KeyId: req.keyID,
		ValidPrincipals: []string{acct.UPN},
		ValidAfter:      uint64(now.Unix()), ValidBefore: uint64(now.Add(s.cfg.TokenLifetime).Unix()),
		Permissions: ssh.Permissions{Extensions: ext},
	}
	if err := cert.SignCert(rand.Reader, s.sshCA); err != nil {
		return nil, &grantError{http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again."}
	}
	resp["token_type"] = "ssh-cert"
	resp["access_token"] = base64.StdEncoding.EncodeToString(cert.Marshal())
	return resp, nil
}
