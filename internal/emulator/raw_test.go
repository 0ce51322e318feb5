package emulator_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// selfSignedPEM returns a certificate and key no app registration knows.
func selfSignedPEM(t testing.TB) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stranger"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := x509.MarshalPKCS8PrivateKey(key)
	return append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})...)
}

// tokenRequest posts a raw token request and decodes the JSON answer.
func tokenRequest(t testing.TB, srv *emulator.Server, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := srv.HTTPClient().PostForm(srv.URL()+"/"+srv.Fixtures().TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// plainToken gets an app token for Graph without declaring CAE capability.
func plainToken(t testing.TB, srv *emulator.Server) string {
	t.Helper()
	f := srv.Fixtures()
	status, body := tokenRequest(t, srv, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {f.AdminClientID}, "client_secret": {f.AdminClientSecret},
		"scope": {"https://graph.microsoft.com/.default"},
	})
	if status != 200 {
		t.Fatalf("token request: %d %v", status, body)
	}
	tok, ok := body["access_token"].(string)
	if !ok {
		t.Fatalf("token request: access_token is %T, not a string: %v", body["access_token"], body)
	}
	return tok
}

func doWithToken(t testing.TB, srv *emulator.Server, token, target string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// errorBody decodes {"error":{"code","message"}} from a response, checks the message is set and returns the code.
func errorBody(t testing.TB, resp *http.Response) (code string) {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("decoding error body %q: %v", b, err)
	}
	if body.Error.Message == "" {
		t.Errorf("error body without message: %s", b)
	}
	return body.Error.Code
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func errorsAs[T error](err error, target *T) bool { return errors.As(err, target) }

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
