// Package emulator is an offline Entra ID + Microsoft Graph + ARM on one loopback HTTPS address: the
// server, its front door (TLS, authentication, latency and fault injection, statistics, request IDs,
// gzip), the admin API under /_emulator/, persistence of the world and the default seed.
package emulator

import (
	"reflect"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/kube"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

// Config configures an emulator. The zero value of each field means its default (see DefaultConfig).
type Config struct {
	// Addr is the listen address; default 127.0.0.1:0 (a free port).
	Addr string
	// Latency is added to every Graph and ARM request.
	Latency time.Duration
	// FaultRate429 and FaultRate5xx are the probabilities (0..1) that a Graph or ARM request (or $batch
	// item) is answered 429 (with Retry-After) or 503 instead of being served.
	FaultRate429, FaultRate5xx float64
	// RetryAfter is the Retry-After of injected 429/503 answers; default 1s.
	RetryAfter time.Duration
	// DropAfterWriteRate is the probability that a write (POST/PUT/PATCH/DELETE) is applied and then the
	// connection is dropped without an answer.
	DropAfterWriteRate float64
	// ReplicationDelay: new directory objects and memberships are invisible to reads and to ARM principal
	// lookups for this long after creation; deleted objects stay visible for this long.
	ReplicationDelay time.Duration
	// StatePath: load the world from this JSON file if present, save it after every change.
	StatePath string
	// Seed seeds the random sources (faults, generated IDs); 0 picks one from the clock.
	Seed int64
	// Clusters is the number of seeded AKS clusters; default 1 (aks-demo). Extra clusters are
	// aks-demo-2, aks-demo-3, ... in resource groups rg-aks-demo-2, ...
	Clusters int
	// PIM configures the PIM for groups engine.
	PIM pim.Config
	// ARMPIM configures the PIM for Azure resources engine.
	ARMPIM armpim.Config
	// CertDir is where the CA bundle is written; a temporary directory when empty.
	CertDir string
	// Logf receives one line per notable event (requests that failed, injected faults); nil is silent.
	Logf func(format string, args ...any)

	// AdminGraphPermissions are the Graph application permissions of the seeded admin service principal.
	// Default: exactly the least-privilege set the provider documents (AdminGraphPermissionsDefault).
	AdminGraphPermissions []string
	// AdminARMRole is the built-in role the admin principal holds at the subscription; default
	// "Role Based Access Control Administrator". "-" seeds no ARM role.
	AdminARMRole string
	// UserDelegatedScopes are the Graph delegated scopes granted to users signing in through the public
	// client; default UserDelegatedScopesDefault.
	UserDelegatedScopes []string
	// TokenLifetime is the lifetime of access tokens on the emulator clock; default 1h. An expired token
	// that was requested with CAE (xms_cc=CP1) is answered with a CAE claims challenge so SDK clients fetch
	// a fresh one after the clock is advanced; without CAE it is a plain 401.
	TokenLifetime time.Duration
	// AKSAPIVersions are the managedClusters/agentPools api-versions accepted (default includes 2025-02-01).
	AKSAPIVersions []string
	// Throttling are Azure's request budgets (ARM token buckets, Graph's identity-and-access budget).
	// The zero value only reports them in headers; AzureThrottling() enforces them (make bench).
	Throttling Throttling
	// NodeSSHGroups is where a node's SSH login check takes the user's groups from: NodeSSHGroupsLive
	// (default: the directory at login) or NodeSSHGroupsIssued (the certificate, as at issuance).
	NodeSSHGroups string

	// Variants chooses the answer to each open question of the documentation (VariantCatalogue,
	// UNCONFIRMED.md): profiles such as "docs-examples" or "resource-pages" and pinned points
	// ("pim.exists-status=409"), comma-separated, later items winning. Empty: every point's default.
	// The configuration fields a point controls (PIM.ExistsStatus, ...) are set from the selection.
	Variants variant.Spec
	// VariantSeed, when not zero, picks an option for every point from the seed before Variants applies.
	VariantSeed int64
	// Cloud makes the emulator act as a named cloud ("public", "usgovernment", "china"): the token service
	// issues that cloud's Graph and ARM audiences, the server certificate also names its login, Graph and
	// ARM hosts, and ProxyURL tunnels those hosts (and only those) to the emulator, so a client configured
	// for that cloud, with no endpoint setting, reaches the emulator through HTTPS_PROXY.
	Cloud string
	// KubernetesVersions are the Kubernetes versions of the seeded clusters, in turn (aks-demo has the
	// first); default 1.31.2, 1.32.6, 1.33.2. kubectl on PATH runs the client of the server's minor
	// version, and clients from 1.32 send SelfSubjectAccessReview as protobuf, those before as JSON.
	KubernetesVersions []string
	// KubeDecisionCache caches the AKS data plane's authorization decisions as AKS does (kube.AKSCacheTTLs:
	// 3 minutes in guard, 5 in the API server) on the emulator clock; the zero value decides every request
	// against the role assignments as they are at that moment.
	KubeDecisionCache kube.CacheTTLs
}

// AdminGraphPermissionsDefault is the least-privilege Graph application permission set of the admin
// service principal: what the provider documents as required.
var AdminGraphPermissionsDefault = []string{
	"Group.ReadWrite.All",
	"User.Read.All",
	"PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup",
	"PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
	"RoleManagementPolicy.ReadWrite.AzureADGroup",
}

// UserDelegatedScopesDefault are the delegated Graph scopes users get through the public client: enough to
// read themselves, request and approve PIM activations, and read policies.
var UserDelegatedScopesDefault = []string{
	"User.Read",
	"PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
	"PrivilegedEligibilitySchedule.Read.AzureADGroup",
	"RoleManagementPolicy.Read.AzureADGroup",
	"Group.Read.All",
}

// DefaultConfig returns the default configuration: a free loopback port, no faults, no replication delay,
// one cluster, the default PIM behaviour.
func DefaultConfig() Config {
	return Config{
		Addr:                  "127.0.0.1:0",
		RetryAfter:            time.Second,
		Clusters:              1,
		PIM:                   pim.DefaultConfig(),
		ARMPIM:                armpim.DefaultConfig(),
		AdminGraphPermissions: append([]string(nil), AdminGraphPermissionsDefault...),
		AdminARMRole:          "Role Based Access Control Administrator",
		UserDelegatedScopes:   append([]string(nil), UserDelegatedScopesDefault...),
		TokenLifetime:         time.Hour,
		AKSAPIVersions:        []string{"2025-02-01", "2024-10-01", "2025-01-01", "2025-03-01", "2024-09-01"},
		NodeSSHGroups:         NodeSSHGroupsLive,
		KubernetesVersions:    []string{"1.31.2", "1.32.6", "1.33.2"},
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = d.RetryAfter
	}
	if c.Clusters <= 0 {
		c.Clusters = d.Clusters
	}
	if reflect.ValueOf(c.PIM).IsZero() {
		c.PIM = d.PIM
	}
	if reflect.ValueOf(c.ARMPIM).IsZero() {
		c.ARMPIM = d.ARMPIM
	}
	if c.AdminGraphPermissions == nil {
		c.AdminGraphPermissions = d.AdminGraphPermissions
	}
	if c.AdminARMRole == "" {
		c.AdminARMRole = d.AdminARMRole
	}
	if c.UserDelegatedScopes == nil {
		c.UserDelegatedScopes = d.UserDelegatedScopes
	}
	if c.TokenLifetime <= 0 {
		c.TokenLifetime = d.TokenLifetime
	}
	if len(c.AKSAPIVersions) == 0 {
		c.AKSAPIVersions = d.AKSAPIVersions
	}
	if c.NodeSSHGroups == "" {
		c.NodeSSHGroups = d.NodeSSHGroups
	}
	if len(c.KubernetesVersions) == 0 {
		c.KubernetesVersions = d.KubernetesVersions
	}
	if c.Seed == 0 {
		c.Seed = time.Now().UnixNano()
	}
	return c
}
