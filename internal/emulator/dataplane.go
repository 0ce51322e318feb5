package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/directory"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/kube"
)

// startDataPlane connects the emulated AKS API servers (internal/emulator/kube) to the token service,
// the directory and ARM; each cluster's server starts when its credentials are first listed.
func (s *Server) startDataPlane() {
	_, _, caPEM, _ := processCA()
	s.kube = kube.New(kube.Options{
		Now: s.clock.Now, Tokens: s.tokens, Directory: s.dir, ARM: s.arm,
		ServerCertificate: dataPlaneCertificate, ClientCertificate: clientCertificate,
		CAPEM: caPEM, ClientCAs: s.CACertPool(), Cache: s.cfg.KubeDecisionCache, Logf: s.cfg.Logf,
	})
	s.arm.SetDataPlane(s.kube)
}

// Kube returns the AKS data plane (the clusters' API servers).
func (s *Server) Kube() *kube.Manager { return s.kube }

// ensureKubeloginClient registers the public client kubelogin signs users in through, with the AKS server
// application's delegated scope, as every Entra tenant has it (also in a world loaded from an older state).
func (s *Server) ensureKubeloginClient(created time.Time) {
	if _, ok := s.dir.Application(entra.KubeloginClientID); ok {
		return
	}
	s.dir.AddApplication(directory.App{
		AppID: entra.KubeloginClientID, DisplayName: "Azure Kubernetes Service AAD Client", PublicClient: true,
		DelegatedScopes: map[string][]string{entra.ResourceAKS: {"user.read"}},
	}, directory.ServicePrincipal{CreatedAt: created})
}

// dataPlaneCertificate issues a cluster API server's certificate: its FQDN and the loopback addresses.
func dataPlaneCertificate(dnsNames []string) (tls.Certificate, error) {
	der, key, err := issue(&x509.Certificate{
		Subject: pkix.Name{CommonName: "apiserver"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    append([]string{"localhost", "kubernetes", "kubernetes.default.svc"}, dnsNames...),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	})
	if err != nil {
		return tls.Certificate{}, err
	}
	ca, _, _, _ := processCA()
	return tls.Certificate{Certificate: [][]byte{der, ca.Raw}, PrivateKey: key}, nil
}

// clientCertificate issues a client certificate of a cluster's local account (PEM certificate and key).
func clientCertificate(cn string, orgs []string) ([]byte, []byte, error) {
	der, key, err := issue(&x509.Certificate{
		Subject: pkix.Name{CommonName: cn, Organization: orgs}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, nil, err
	}
	k, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: k}), nil
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
