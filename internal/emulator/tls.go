package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"slices"
	"sync"
	"time"
)

// The CA is generated once per process and shared by every emulator started in it: Go reads
// SSL_CERT_FILE only once per process, so a second emulator with a different CA could not be trusted.
var (
	caOnce sync.Once
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caPEM  []byte
	caErr  error
)

func processCA() (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	caOnce.Do(func() {
		caKey, caErr = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if caErr != nil {
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(time.Now().UnixNano()),
			Subject:               pkix.Name{CommonName: "azemu local CA", Organization: []string{"terraform-provider-aks emulator"}},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
			BasicConstraintsValid: true,
			IsCA:                  true,
			MaxPathLenZero:        true,
		}
		var der []byte
		der, caErr = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
		if caErr != nil {
			return
		}
		caCert, caErr = x509.ParseCertificate(der)
		caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	})
	return caCert, caKey, caPEM, caErr
}

// serverCertificate issues the emulator's server certificate from the process CA: the loopback
// addresses, names, and host (a name or an address).
func serverCertificate(host string, names ...string) (tls.Certificate, error) {
	return loopbackCertificate("azemu", append(slices.Clone(names), host))
}

// loopbackCertificate issues a server certificate from the process CA for localhost, the loopback
// addresses and names (addresses among them go in as such).
func loopbackCertificate(cn string, names []string) (tls.Certificate, error) {
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: cn}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if n != "" && n != "localhost" {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, key, err := issue(tmpl)
	if err != nil {
		return tls.Certificate{}, err
	}
	ca, _, _, _ := processCA()
	return tls.Certificate{Certificate: [][]byte{der, ca.Raw}, PrivateKey: key}, nil
}

// issue signs tmpl with the process CA for a fresh P-256 key.
func issue(tmpl *x509.Certificate) ([]byte, *ecdsa.PrivateKey, error) {
	ca, caKey, _, err := processCA()
	if err != nil {
		return nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(2*365*24*time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	return der, key, err
}

// Keys that are expensive to generate (RSA) are made once per process too.
var (
	rsaOnce    sync.Once
	signingKey *rsa.PrivateKey
	appCertKey *rsa.PrivateKey
	rsaErr     error
)

func processRSAKeys() (*rsa.PrivateKey, *rsa.PrivateKey, error) {
	rsaOnce.Do(func() {
		signingKey, rsaErr = rsa.GenerateKey(rand.Reader, 2048)
		if rsaErr == nil {
			appCertKey, rsaErr = rsa.GenerateKey(rand.Reader, 2048)
		}
	})
	return signingKey, appCertKey, rsaErr
}

// appCertificate returns a self-signed certificate for an app registration and its PEM (cert + key).
func appCertificate(key *rsa.PrivateKey, cn string) (*x509.Certificate, []byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(2 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})...)
	return cert, out, nil
}
