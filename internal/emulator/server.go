package emulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/directory"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/kube"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/nodessh"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/throttle"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

// Server is a running emulator.
type Server struct {
	cfg      Config
	variants variant.Selection
	proxy    *cloudProxy // with Config.Cloud
	clock    *clock
	seedRand *rand.Rand
	rnd      *lockedRand
	fixtures Fixtures

	tokens     *entra.Service
	dir        *directory.Store
	arm        *arm.Store
	pim        *pim.Engine
	armpim     *armpim.Engine
	nodes      *nodessh.Fleet // the nodes' SSH servers (nodes.go)
	knownHosts string
	kube       *kube.Manager

	mu      sync.Mutex // guards faults
	faults  Faults
	stats   *statsCollector
	budgets budgets

	ln        net.Listener
	srv       *http.Server
	url       string
	caFile    string
	tempDir   string
	dirty     chan struct{}
	stop      chan struct{}
	saverDone chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// lockedRand is a seeded random source safe for concurrent use (fault decisions).
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (l *lockedRand) Float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

// Start starts an emulator with cfg: it listens, seeds (or loads --state), and serves until Close.
func Start(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if _, ok := cloudHosts[cfg.Cloud]; cfg.Cloud != "" && !ok {
		return nil, fmt.Errorf("emulator: unknown cloud %q (known: %s)", cfg.Cloud, strings.Join(CloudNames(), ", "))
	}
	sel, err := VariantCatalogue().Select(cfg.VariantSpec())
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	cfg.PIM.SetVariants(sel)
	cfg.ARMPIM.SetVariants(sel)
	s := &Server{
		cfg: cfg, variants: sel, clock: &clock{},
		seedRand: rand.New(rand.NewSource(cfg.Seed)),
		rnd:      &lockedRand{r: rand.New(rand.NewSource(cfg.Seed + 1))},
		dirty:    make(chan struct{}, 1), stop: make(chan struct{}), saverDone: make(chan struct{}),
	}
	s.faults = Faults{Latency: cfg.Latency, Rate429: cfg.FaultRate429, Rate5xx: cfg.FaultRate5xx, RetryAfter: cfg.RetryAfter, DropAfterWriteRate: cfg.DropAfterWriteRate}
	s.stats = newStats(s.clock.Now())

	signKey, certKey, err := processRSAKeys()
	if err != nil {
		return nil, fmt.Errorf("emulator: generating keys: %w", err)
	}

	var loaded *persistedState
	if cfg.StatePath != "" {
		if loaded, err = readState(cfg.StatePath); err != nil {
			return nil, err
		}
	}
	if loaded != nil {
		s.fixtures = loaded.Fixtures
		s.clock.SetOffset(loaded.ClockOffset)
	} else {
		s.fixtures = seedIdentity(s.seedRand)
	}
	// The federated issuer is a name, not an address, so it survives restarts on another port.
	s.fixtures.FederatedIssuer = "https://azemu.local/" + s.fixtures.TenantID + "/workload-identity"
	adminCert, adminPEM, err := appCertificate(certKey, "azemu-admin")
	if err != nil {
		return nil, fmt.Errorf("emulator: admin certificate: %w", err)
	}
	s.fixtures.AdminCertificatePEM = adminPEM

	dirOpt := directory.Options{
		TenantID: s.fixtures.TenantID, Domain: s.fixtures.Domain, Now: s.clock.Now,
		Rand: rand.New(rand.NewSource(cfg.Seed + 2)),
	}
	dirOpt.SetVariants(sel)
	s.dir = directory.New(dirOpt)
	s.dir.SetReplicationDelay(cfg.ReplicationDelay)
	s.tokens = entra.New(entra.Config{
		TenantID: s.fixtures.TenantID, Domain: s.fixtures.Domain, Directory: s.dir, Now: s.clock.Now,
		Key: signKey, TokenLifetime: cfg.TokenLifetime, FederatedIssuer: s.fixtures.FederatedIssuer,
		Cloud: nationalCloud(cfg.Cloud),
	})
	armOpt := arm.Options{
		TenantID: s.fixtures.TenantID, SubscriptionID: s.fixtures.SubscriptionID, Now: s.clock.Now, Directory: s.dir,
		Rand: rand.New(rand.NewSource(cfg.Seed + 3)), AKSAPIVersions: cfg.AKSAPIVersions, PrincipalTypeSkipsLookup: true,
	}
	armOpt.SetVariants(sel)
	s.arm = arm.New(armOpt)
	s.pim = pim.New(s.dir, s.clock.Now, cfg.PIM)
	s.budgets.lim = throttle.New()
	s.SetThrottling(cfg.Throttling)
	s.armpim = armpim.New(s.arm, s.dir, s.clock.Now, cfg.ARMPIM)
	s.dir.SetBatchDispatcher(http.HandlerFunc(s.graphBatchItem))

	if loaded != nil {
		if err := s.applyState(loaded); err != nil {
			return nil, err
		}
		s.refreshAdminCredentials(adminCert.Raw)
	} else if err := s.seedWorld(adminCert.Raw); err != nil {
		return nil, err
	}
	s.ensureKubeloginClient(s.clock.Now().Add(-24 * time.Hour))
	s.startDataPlane()
	s.dir.OnChange(s.markDirty)
	s.arm.OnChange(s.markDirty)
	s.pim.OnChange(s.markDirty)
	s.armpim.OnChange(s.markDirty)

	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: bad address %q: %w", cfg.Addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	cert, err := serverCertificate(host, cloudHosts[cfg.Cloud]...)
	if err != nil {
		return nil, fmt.Errorf("emulator: server certificate: %w", err)
	}
	if err := s.writeCA(); err != nil {
		return nil, err
	}
	if err := s.startNodes(); err != nil {
		s.removeTemp()
		return nil, err
	}
	s.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		s.nodes.Close()
		s.removeTemp()
		return nil, fmt.Errorf("emulator: listen %s: %w", cfg.Addr, err)
	}
	_, port, _ := net.SplitHostPort(s.ln.Addr().String())
	s.url = "https://" + net.JoinHostPort(host, port)
	if cfg.Cloud != "" {
		if s.proxy, err = startCloudProxy(cfg.Cloud, s.ln.Addr().String()); err != nil {
			s.ln.Close()
			s.removeTemp()
			return nil, fmt.Errorf("emulator: cloud proxy: %w", err)
		}
	}

	errLog := log.New(io.Discard, "", 0)
	if cfg.Logf != nil {
		errLog = log.New(logWriter{cfg.Logf}, "", 0)
	}
	s.srv = &http.Server{
		Handler:           s,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          errLog,
	}
	go func() {
		if err := s.srv.ServeTLS(s.ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) && cfg.Logf != nil {
			cfg.Logf("azemu: serve: %v", err)
		}
	}()
	go s.saver()
	s.markDirty()
	if cfg.Logf != nil && cfg.VariantSpec() != "" {
		cfg.Logf("azemu: variants %q: %s", cfg.VariantSpec(), sel)
	}
	return s, nil
}

type logWriter struct{ logf func(string, ...any) }

func (l logWriter) Write(p []byte) (int, error) {
	l.logf("azemu: %s", string(p))
	return len(p), nil
}

func readState(path string) (*persistedState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st persistedState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("emulator: reading state %s: %w", path, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("emulator: state %s has version %d, want %d", path, st.Version, stateVersion)
	}
	return &st, nil
}

func (s *Server) applyState(st *persistedState) error {
	if err := s.dir.UnmarshalJSON(st.Directory); err != nil {
		return fmt.Errorf("emulator: directory state: %w", err)
	}
	if err := s.arm.UnmarshalJSON(st.ARM); err != nil {
		return fmt.Errorf("emulator: ARM state: %w", err)
	}
	if len(st.PIM) > 0 {
		if err := s.pim.UnmarshalJSON(st.PIM); err != nil {
			return fmt.Errorf("emulator: PIM state: %w", err)
		}
	}
	if len(st.ARMPIM) > 0 {
		if err := s.armpim.UnmarshalJSON(st.ARMPIM); err != nil {
			return fmt.Errorf("emulator: ARM PIM state: %w", err)
		}
	}
	return nil
}

// refreshAdminCredentials re-registers the admin app's certificate and federated credential after a load:
// the certificate key is generated per process.
func (s *Server) refreshAdminCredentials(certDER []byte) {
	f := s.fixtures
	s.dir.UpdateApplication(f.AdminClientID, func(a *directory.App) {
		a.CertificatesDER = [][]byte{certDER}
		a.Federated = []directory.Federated{{Issuer: f.FederatedIssuer, Subject: f.FederatedSubject, Audience: f.FederatedAudience}}
	})
}

func (s *Server) writeCA() error {
	_, _, pemBytes, err := processCA()
	if err != nil {
		return fmt.Errorf("emulator: CA: %w", err)
	}
	dir := s.cfg.CertDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "azemu-"); err != nil {
			return err
		}
		s.tempDir = dir
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	s.caFile = filepath.Join(dir, "azemu-ca.pem")
	return os.WriteFile(s.caFile, pemBytes, 0o644)
}

func (s *Server) removeTemp() {
	if s.tempDir != "" {
		os.RemoveAll(s.tempDir)
	}
}

// URL returns the base URL, https://127.0.0.1:PORT.
func (s *Server) URL() string { return s.url }

// CACertFile returns the path of the CA bundle (the env file's SSL_CERT_FILE).
func (s *Server) CACertFile() string { return s.caFile }

// CACertPool returns a pool holding the emulator's CA.
func (s *Server) CACertPool() *x509.CertPool {
	_, _, pemBytes, _ := processCA()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	return pool
}

// HTTPClient returns a client that trusts the emulator's CA (for in-process SDK clients and tests).
func (s *Server) HTTPClient() *http.Client {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		// Only if something replaced the package default; start from a plain transport then.
		base = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	tr := base.Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: s.CACertPool(), MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}
}

// Fixtures returns the seeded objects.
func (s *Server) Fixtures() Fixtures {
	f := s.fixtures
	f.NodePools = append([]string(nil), f.NodePools...)
	f.ClusterIDs = append([]string(nil), f.ClusterIDs...)
	f.AdminCertificatePEM = append([]byte(nil), f.AdminCertificatePEM...)
	return f
}

// Now returns the emulator clock.
func (s *Server) Now() time.Time { return s.clock.Now() }

// AdvanceClock moves the emulator clock forward by d.
func (s *Server) AdvanceClock(d time.Duration) {
	s.clock.Advance(d)
	s.markDirty()
}

// Stats returns request statistics.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the statistics.
func (s *Server) ResetStats() { s.stats.reset(s.clock.Now()) }

// SetFaults replaces the fault-injection settings.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.DropNext = append([]DropRule(nil), f.DropNext...)
	s.faults = f
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	f.DropNext = append([]DropRule(nil), f.DropNext...)
	return f
}

// DropNextWrite arms a one-shot trigger: the next write matching method and route template is applied,
// then its connection is dropped without an answer.
func (s *Server) DropNextWrite(method, route string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.DropNext = append(s.faults.DropNext, DropRule{Method: method, Route: route})
}

// SetReplicationDelay changes the replication delay.
func (s *Server) SetReplicationDelay(d time.Duration) { s.dir.SetReplicationDelay(d) }

// MintFederatedToken returns a token of the admin app's federated issuer, for ClientAssertionCredential
// (subject and audience default to the fixture's).
func (s *Server) MintFederatedToken(subject, audience string) (string, error) {
	if subject == "" {
		subject = s.fixtures.FederatedSubject
	}
	if audience == "" {
		audience = s.fixtures.FederatedAudience
	}
	return s.tokens.MintFederatedToken(subject, audience)
}

// Directory returns the directory store (in-process access for tests: seeding users, time-bound
// memberships).
func (s *Server) Directory() *directory.Store { return s.dir }

// ARM returns the ARM store (in-process access for tests: effective permissions).
func (s *Server) ARM() *arm.Store { return s.arm }

// PIM returns the PIM engine.
func (s *Server) PIM() *pim.Engine { return s.pim }

// GrantPIMAdministration gives the fixture's admin identity what PIM for Azure resources requires and the
// least-privilege seed (Role Based Access Control Administrator) lacks: "User Access Administrator" at
// the subscription. Idempotent.
func (s *Server) GrantPIMAdministration() {
	rd, _ := arm.RoleByName("User Access Administrator")
	scope := "/subscriptions/" + s.fixtures.SubscriptionID
	for _, ra := range s.arm.RoleAssignments() {
		if strings.EqualFold(ra.PrincipalID, s.fixtures.AdminObjectID) && strings.EqualFold(ra.Scope, scope) && strings.EqualFold(ra.RoleDefinitionID, rd.ID) {
			return
		}
	}
	s.arm.AddRoleAssignment(arm.RoleAssignment{Scope: scope, RoleDefinitionID: rd.ID, PrincipalID: s.fixtures.AdminObjectID, PrincipalType: "ServicePrincipal"})
}

// ARMPIM returns the PIM for Azure resources engine.
func (s *Server) ARMPIM() *armpim.Engine { return s.armpim }

// Snapshot returns a deep copy of the world.
func (s *Server) Snapshot() Snapshot {
	now := s.clock.Now()
	ds := s.dir.Snapshot(now)
	snap := Snapshot{Now: now, PIM: s.pim.Summary(), ARMPIM: s.armpim.Summary()}
	for _, u := range ds.Users {
		snap.Users = append(snap.Users, SnapshotUser{ID: u.ID, UserPrincipalName: u.UserPrincipalName, DisplayName: u.DisplayName, Deleted: u.DeletedAt != nil})
	}
	for _, g := range ds.Groups {
		sg := SnapshotGroup{
			ID: g.ID, DisplayName: g.DisplayName, MailNickname: g.MailNickname, SecurityEnabled: g.SecurityEnabled,
			MailEnabled: g.MailEnabled, Deleted: g.DeletedAt != nil, Members: g.Members, Owners: g.Owners,
		}
		if g.Description != nil {
			sg.Description = *g.Description
		}
		for _, t := range g.Timed {
			tr := SnapshotTimedRelationship{PrincipalID: t.PrincipalID, Start: t.Start, End: t.End, ScheduleID: t.ScheduleID}
			if t.Kind == directory.KindOwner {
				sg.TimedOwners = append(sg.TimedOwners, tr)
			} else {
				sg.TimedMembers = append(sg.TimedMembers, tr)
			}
		}
		snap.Groups = append(snap.Groups, sg)
	}
	for _, sp := range ds.ServicePrincipals {
		snap.ServicePrincipals = append(snap.ServicePrincipals, SnapshotServicePrincipal{
			ID: sp.ID, AppID: sp.AppID, DisplayName: sp.DisplayName, GraphPermissions: append([]string(nil), sp.AppRoles[entra.ResourceGraph]...),
		})
	}
	for _, a := range s.arm.RoleAssignments() {
		name := ""
		if rd, ok := arm.RoleByID(a.RoleDefinitionID); ok {
			name = rd.RoleName
		}
		prefix := a.Scope
		if prefix == "/" {
			prefix = ""
		}
		snap.RoleAssignments = append(snap.RoleAssignments, SnapshotRoleAssignment{
			ID: prefix + "/providers/Microsoft.Authorization/roleAssignments/" + a.Name, Name: a.Name, Scope: a.Scope,
			RoleDefinitionID: a.RoleDefinitionID, RoleName: name, PrincipalID: a.PrincipalID, PrincipalType: a.PrincipalType,
			Description: a.Description, CreatedOn: a.CreatedOn,
		})
	}
	sort.Slice(snap.Groups, func(i, j int) bool { return snap.Groups[i].DisplayName < snap.Groups[j].DisplayName })
	return snap
}

// Close stops the server and saves the state.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := s.srv.Shutdown(ctx)
		if err != nil {
			_ = s.srv.Close()
		}
		if s.proxy != nil {
			s.proxy.close()
		}
		s.nodes.Close()
		s.kube.Close()
		close(s.stop)
		<-s.saverDone
		if serr := s.saveState(); serr != nil && err == nil {
			err = serr
		}
		s.removeTemp()
		s.closeErr = err
	})
	return s.closeErr
}
