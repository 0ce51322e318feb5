package emulator

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
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
	return loopbackCertificate("apiserver", append([]string{"kubernetes", "kubernetes.default.svc"}, dnsNames...))
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
