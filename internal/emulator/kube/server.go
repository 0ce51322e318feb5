// Package kube emulates the Kubernetes API server of each AKS cluster of the emulator: one HTTPS
// listener per cluster on loopback, with a certificate of the emulator's CA for the cluster's FQDN. It
// authenticates the way AKS-managed Entra integration does (a v1 token for the AKS server application,
// the user named by upn, the groups from the token or, on overage, from the directory), authorizes every
// request the way AKS's Azure RBAC webhook (guard) does against the live role assignments, and serves the
// subset of the API kubectl needs for the scenario: discovery, /version, get and list of namespaces,
// pods, secrets and nodes (JSON and Table), SelfSubjectAccessReview (JSON and protobuf) and
// SelfSubjectReview. No Kubernetes library is used.
package kube

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
)

// Tokens validates bearer tokens (the emulator's token service).
type Tokens interface {
	Validate(authorization string) (entra.Claims, error)
}

// Directory resolves a user's groups when the token carries the groups overage claim instead of them, as
// guard does through Graph.
type Directory interface {
	MemberOf(principalID string, at time.Time) []string
}

// ARM is where the data plane reads clusters, their nodes and the role assignments that authorize
// requests (arm.Store).
type ARM interface {
	ClusterByID(id string) (arm.Cluster, string, bool)
	Nodes(clusterID string) []arm.Node
	Decide(sub arm.Subject, scope, action string, data bool) arm.Decision
}

// Options configure the data plane.
type Options struct {
	Now       func() time.Time // the emulator clock: token expiry, object ages, cache lifetimes
	Tokens    Tokens
	Directory Directory
	ARM       ARM
	// ServerCertificate issues a serving certificate for the given DNS names and the loopback addresses.
	ServerCertificate func(dnsNames []string) (tls.Certificate, error)
	// ClientCertificate issues a client certificate (PEM certificate and key) for a local account.
	ClientCertificate func(commonName string, organizations []string) (certPEM, keyPEM []byte, err error)
	// CAPEM is the CA bundle clients trust; ClientCAs verifies local-account client certificates.
	CAPEM     []byte
	ClientCAs *x509.CertPool
	// Cache is the authorization decision cache; the zero value disables it.
	Cache CacheTTLs
	// Logf receives one line per authorization decision and per server started (nil: silent).
	Logf func(format string, args ...any)
}

// Manager runs the API servers, one per cluster, started on first use. It implements arm.DataPlane.
type Manager struct {
	opt     Options
	mu      sync.Mutex
	servers map[string]*clusterServer // by lower-case cluster ID
	closed  bool
}

var _ arm.DataPlane = (*Manager)(nil)

// New returns a data plane with no server running yet.
func New(opt Options) *Manager {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Manager{opt: opt, servers: map[string]*clusterServer{}}
}

func (m *Manager) logf(format string, args ...any) {
	if m.opt.Logf != nil {
		m.opt.Logf(format, args...)
	}
}

// Endpoint returns the URL of the cluster's API server, starting it on first use, and the CA bundle.
func (m *Manager) Endpoint(clusterID string) (string, []byte, error) {
	cs, err := m.server(clusterID)
	if err != nil {
		return "", nil, err
	}
	return cs.url, m.opt.CAPEM, nil
}

// AdminCredential returns the client certificate of the cluster's local admin (group system:masters).
func (m *Manager) AdminCredential(clusterID string) ([]byte, []byte, error) {
	if _, err := m.server(clusterID); err != nil {
		return nil, nil, err
	}
	if m.opt.ClientCertificate == nil {
		return nil, nil, errors.New("no client certificate issuer")
	}
	return m.opt.ClientCertificate("masterclient", []string{"system:masters"})
}

// SetCache replaces the decision cache lifetimes of every server (running and future); it empties the
// caches.
func (m *Manager) SetCache(ttl CacheTTLs) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opt.Cache = ttl
	for _, cs := range m.servers {
		cs.cache.reset(ttl)
	}
}

// Servers returns the URL of every running API server by cluster ID (for the emulator's log and tests).
func (m *Manager) Servers() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for _, cs := range m.servers {
		out[cs.clusterID] = cs.url
	}
	return out
}

func (m *Manager) server(clusterID string) (*clusterServer, error) {
	c, id, ok := m.opt.ARM.ClusterByID(clusterID)
	if !ok {
		return nil, fmt.Errorf("no cluster %s", clusterID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errors.New("the data plane is stopped")
	}
	if cs, ok := m.servers[strings.ToLower(id)]; ok {
		return cs, nil
	}
	cs, err := m.start(c, id)
	if err != nil {
		return nil, err
	}
	m.servers[strings.ToLower(id)] = cs
	m.logf("azemu: kube: API server of %s (Kubernetes %s) listening on %s", c.Name, c.KubernetesVersion, cs.url)
	return cs, nil
}

// start listens for one cluster (callers hold m.mu).
func (m *Manager) start(c arm.Cluster, id string) (*clusterServer, error) {
	cert, err := m.opt.ServerCertificate([]string{c.FQDN()})
	if err != nil {
		return nil, fmt.Errorf("certificate of %s: %w", c.Name, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cs := &clusterServer{
		m: m, clusterID: id, name: c.Name, url: "https://" + ln.Addr().String(),
		world: seedWorld(c, m.opt.ARM.Nodes(id), m.opt.Now()), cache: newDecisionCache(m.opt.Cache),
	}
	errLog := log.New(io.Discard, "", 0)
	if m.opt.Logf != nil {
		errLog = log.New(logWriter{m.opt.Logf}, "azemu: kube "+c.Name+": ", 0)
	}
	cs.srv = &http.Server{
		Handler: cs,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
			ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: m.opt.ClientCAs,
		},
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          errLog,
	}
	go func() { _ = cs.srv.ServeTLS(ln, "", "") }()
	return cs, nil
}

// Close stops every API server.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	servers := m.servers
	m.servers = map[string]*clusterServer{}
	m.mu.Unlock()
	for _, cs := range servers {
		_ = cs.srv.Close()
	}
}

type logWriter struct{ logf func(string, ...any) }

func (l logWriter) Write(p []byte) (int, error) {
	l.logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// clusterServer is the API server of one cluster.
type clusterServer struct {
	m         *Manager
	clusterID string
	name      string
	url       string
	srv       *http.Server
	world     *world
	cache     *decisionCache
}

// cluster returns the cluster's current ARM facts (Azure RBAC on or off, version, admin groups).
func (cs *clusterServer) cluster() (arm.Cluster, bool) {
	c, _, ok := cs.m.opt.ARM.ClusterByID(cs.clusterID)
	return c, ok
}
