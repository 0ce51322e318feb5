package sshlogin

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"
)

// sshScope is the scope the Azure CLI's ssh extension asks Entra for (public cloud).
const sshScope = "https://pas.windows.net/CheckMyAccess/Linux/.default"

// Credential is a key pair and its certificate on disk, as `az ssh vm` leaves them in its temporary
// folder: id_rsa, id_rsa.pub and id_rsa.pub-aadcert.pub.
type Credential struct {
	KeyFile   string // the private key (OpenSSH format, mode 0600)
	PublicKey string // path of the public key
	CertFile  string // path of the certificate (empty until one is written)
	Principal string // the certificate's first principal, lower-cased: the user name ssh logs in as
}

// NewKey writes a new 2048-bit RSA key pair (the only kind Entra certifies) into dir.
func NewKey(dir string) (Credential, *rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Credential{}, nil, err
	}
	cred, err := WriteKey(dir, key)
	return cred, key, err
}

// WriteKey writes key into dir as id_rsa and id_rsa.pub.
func WriteKey(dir string, key *rsa.PrivateKey) (Credential, error) {
	block, err := ssh.MarshalPrivateKey(key, "")
	if err != nil {
		return Credential{}, err
	}
	pub, err := ssh.NewPublicKey(&key.PublicKey)
	if err != nil {
		return Credential{}, err
	}
	cred := Credential{KeyFile: filepath.Join(dir, "id_rsa"), PublicKey: filepath.Join(dir, "id_rsa.pub")}
	if err := os.WriteFile(cred.KeyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		return Credential{}, err
	}
	if err := os.WriteFile(cred.PublicKey, ssh.MarshalAuthorizedKey(pub), 0o644); err != nil {
		return Credential{}, err
	}
	return cred, nil
}

// WriteCertificate stores cert next to the key as the Azure CLI does and records its principal.
func (c *Credential) WriteCertificate(cert *ssh.Certificate) error {
	if len(cert.ValidPrincipals) == 0 {
		return errors.New("sshlogin: the certificate names no principal")
	}
	c.CertFile = c.PublicKey + "-aadcert.pub"
	c.Principal = strings.ToLower(cert.ValidPrincipals[0])
	return os.WriteFile(c.CertFile, ssh.MarshalAuthorizedKey(cert), 0o644)
}

// RequestConfirmation returns the req_cnf and key_id the Azure CLI sends for pub: the RSA public key as
// a JWK whose kid (and the key_id) is the SHA-256 (hex) of its modulus and exponent as the JWK spells them.
func RequestConfirmation(pub *rsa.PublicKey) (reqCnf, keyID string) {
	n := base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	sum := sha256.Sum256([]byte(n + e))
	keyID = hex.EncodeToString(sum[:])
	b, _ := json.Marshal(map[string]string{"kty": "RSA", "n": n, "e": e, "kid": keyID})
	return string(b), keyID
}

// requestCertificate asks the token endpoint for an SSH certificate of key for the user, with the
// password grant of the public client, and returns it parsed.
func (c *Client) requestCertificate(ctx context.Context, upn, password string, key *rsa.PublicKey) (*ssh.Certificate, error) {
	reqCnf, keyID := RequestConfirmation(key)
	form := url.Values{
		"client_id": {c.ClientID}, "grant_type": {"password"}, "username": {upn}, "password": {password},
		"scope": {sshScope + " offline_access openid profile"}, "client_info": {"1"},
		"token_type": {"ssh-cert"}, "req_cnf": {reqCnf}, "key_id": {keyID},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sshlogin: token request for %s: %w", upn, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var tr struct {
		TokenType   string `json:"token_type"`
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &tr); err != nil {
		return nil, fmt.Errorf("sshlogin: token response %d for %s is not JSON: %w", resp.StatusCode, upn, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("sshlogin: token request for %s: %d %s: %s", upn, resp.StatusCode, tr.Error, tr.Description)
	}
	if tr.TokenType != "ssh-cert" {
		return nil, fmt.Errorf("sshlogin: token_type %q, want ssh-cert", tr.TokenType)
	}
	blob, err := base64.StdEncoding.DecodeString(tr.AccessToken)
	if err != nil {
		return nil, fmt.Errorf("sshlogin: access_token is not a base64 certificate: %w", err)
	}
	pk, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return nil, fmt.Errorf("sshlogin: access_token is not an SSH certificate: %w", err)
	}
	cert, ok := pk.(*ssh.Certificate)
	if !ok {
		return nil, fmt.Errorf("sshlogin: access_token is a %s key, not a certificate", pk.Type())
	}
	return cert, nil
}
