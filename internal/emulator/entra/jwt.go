package entra

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// sign returns a compact RS256 JWS of claims with the given key ID.
func sign(key *rsa.PrivateKey, kid string, claims any) (string, error) {
	header, err := json.Marshal(map[string]string{"typ": "JWT", "alg": "RS256", "kid": kid, "x5t": kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signingInput := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signingInput + "." + b64(sig), nil
}

// verify checks an RS256 JWS against key and decodes its payload into out.
func verify(key *rsa.PublicKey, token string, out any) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("JWT is not well formed, there are no dots (.)")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(hb, &header) != nil {
		return errors.New("JWT header is not well formed")
	}
	if header.Alg != "RS256" {
		return errors.New("JWT algorithm is not supported")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return errors.New("JWT signature is not well formed")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return errors.New("signature validation failed")
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return errors.New("JWT payload is not well formed")
	}
	if err := json.Unmarshal(pb, out); err != nil {
		return errors.New("JWT payload is not well formed")
	}
	return nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
