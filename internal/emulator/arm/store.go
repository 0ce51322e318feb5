// Package arm emulates the Azure Resource Manager surface the provider uses: cloud metadata, the
// subscription, resource groups, AKS managed clusters and agent pools, VM scale sets in node resource
// groups, Microsoft.Authorization role definitions, role assignments and the permissions API, with Azure
// RBAC enforced on every call (role assignments at and above the scope, to the caller or any group it is a
// member of, including active time-bound PIM memberships).
package arm

import (
	"fmt"
	"hash/fnv"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/storekit"
)

// Directory is what ARM (and PIM for Azure resources) needs from the directory store, which applies the
// replication delay.
type Directory interface {
	// PrincipalType returns User, Group or ServicePrincipal for a visible principal.
	PrincipalType(id string) (string, bool)
	// MemberOf returns every group principalID is a member of at time at (transitively, including
	// time-bound PIM-for-groups memberships): what a group is granted or eligible for, its members are.
	MemberOf(principalID string, at time.Time) []string
}

// Options configure the ARM emulation.
type Options struct {
	TenantID         string
	SubscriptionID   string
	SubscriptionName string
	Now              func() time.Time
	Directory        Directory
	Rand             *rand.Rand
	// AKSAPIVersions are accepted for Microsoft.ContainerService calls.
	AKSAPIVersions []string
	// RoleAssignmentPageSize is the page size of role assignment lists (nextLink beyond); default 1000.
	RoleAssignmentPageSize int
	// MaxRoleAssignments per subscription (RoleAssignmentLimitExceeded beyond); default 4000.
	MaxRoleAssignments int
	// PrincipalTypeSkipsLookup: with principalType set, ARM does not look the principal up, so a new (or
	// unknown) principal is accepted (documented fix for replication delay). Default true.
	PrincipalTypeSkipsLookup bool
	// TenantRoleDefinitionIDs: role assignments answer roleDefinitionId in the tenant-level form (the
	// arm.role-definition-id variant).
	TenantRoleDefinitionIDs bool
	// MetadataListFor2022: /metadata/endpoints?api-version=2022-09-01 answers a list of clouds (the
	// arm.metadata-2022 variant).
	MetadataListFor2022 bool
}

// ResourceGroup is a resource group.
type ResourceGroup struct {
	Name      string            `json:"name"`
	Location  string            `json:"location"`
	Tags      map[string]string `json:"tags,omitempty"`
	ManagedBy string            `json:"managedBy,omitempty"`
}

// AgentPool is a node pool of a cluster.
type AgentPool struct {
	Name   string `json:"name"`
	Mode   string `json:"mode"`
	Count  int    `json:"count"`
	VMSize string `json:"vmSize"`
}

// Cluster is an AKS managed cluster.
type Cluster struct {
	Name                 string      `json:"name"`
	ResourceGroup        string      `json:"resourceGroup"`
	Location             string      `json:"location"`
	NodeResourceGroup    string      `json:"nodeResourceGroup"`
	KubernetesVersion    string      `json:"kubernetesVersion"`
	DNSPrefix            string      `json:"dnsPrefix"`
	FQDNSuffix           string      `json:"fqdnSuffix"`
	AADManaged           bool        `json:"aadManaged"`
	AzureRBAC            bool        `json:"azureRBAC"`
	DisableLocalAccounts bool        `json:"disableLocalAccounts"`
	AdminGroupObjectIDs  []string    `json:"adminGroupObjectIDs,omitempty"`
	IdentityPrincipalID  string      `json:"identityPrincipalId"`
	Pools                []AgentPool `json:"pools"`
}

// RoleAssignment is an Azure role assignment.
type RoleAssignment struct {
	Name             string    `json:"name"`
	Scope            string    `json:"scope"`
	RoleDefinitionID string    `json:"roleDefinitionId"` // GUID
	PrincipalID      string    `json:"principalId"`
	PrincipalType    string    `json:"principalType"`
	Description      string    `json:"description,omitempty"`
	Condition        *string   `json:"condition,omitempty"`
	ConditionVersion *string   `json:"conditionVersion,omitempty"`
	CreatedOn        time.Time `json:"createdOn"`
	UpdatedOn        time.Time `json:"updatedOn"`
	CreatedBy        string    `json:"createdBy,omitempty"`
	UpdatedBy        string    `json:"updatedBy,omitempty"`
	// NotBefore and NotAfter bound an assignment that PIM for Azure resources materialised from an active
	// schedule (nil: unbounded); outside that window it is invisible to every API and grants nothing.
	NotBefore *time.Time `json:"notBefore,omitempty"`
	NotAfter  *time.Time `json:"notAfter,omitempty"`
}

// liveAt reports whether the assignment exists at t (always, unless PIM bounded it).
func (a *RoleAssignment) liveAt(t time.Time) bool {
	return (a.NotBefore == nil || !t.Before(*a.NotBefore)) && (a.NotAfter == nil || t.Before(*a.NotAfter))
}

// Store is the ARM world. Methods are safe for concurrent use.
type Store struct {
	mu          sync.Mutex
	opt         Options
	groups      map[string]*ResourceGroup // by lower-case name
	clusters    map[string]*Cluster       // by lower-case rg/name
	assignments map[string]*RoleAssignment
	storekit.Hooks
	rt        *router.Router
	budget    *budget
	dataPlane DataPlane
}

// New returns an empty ARM world for one subscription.
func New(opt Options) *Store {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Rand == nil {
		opt.Rand = rand.New(rand.NewSource(time.Now().UnixNano()))
	}
	if opt.RoleAssignmentPageSize <= 0 {
		opt.RoleAssignmentPageSize = 1000
	}
	if opt.MaxRoleAssignments <= 0 {
		opt.MaxRoleAssignments = 4000
	}
	if opt.SubscriptionName == "" {
		opt.SubscriptionName = "Emulated Subscription"
	}
	if len(opt.AKSAPIVersions) == 0 {
		opt.AKSAPIVersions = []string{"2025-02-01"}
	}
	s := &Store{
		opt: opt, groups: map[string]*ResourceGroup{}, clusters: map[string]*Cluster{},
		assignments: map[string]*RoleAssignment{}, budget: newBudget(),
	}
	s.rt = s.buildRoutes()
	return s
}

func (s *Store) newID() string { return storekit.NewGUID(s.opt.Rand) }

// SubscriptionID returns the subscription.
func (s *Store) SubscriptionID() string { return s.opt.SubscriptionID }

// AddResourceGroup creates (or replaces) a resource group.
func (s *Store) AddResourceGroup(rg ResourceGroup) {
	s.mu.Lock()
	cp := rg
	s.groups[strings.ToLower(rg.Name)] = &cp
	s.mu.Unlock()
	s.Fire()
}

// AddCluster creates a cluster with its node resource group (managed by the cluster) and returns the
// cluster's resource ID. Missing fields get AKS defaults.
func (s *Store) AddCluster(c Cluster) string {
	s.mu.Lock()
	rg, ok := s.groups[strings.ToLower(c.ResourceGroup)]
	if ok {
		c.ResourceGroup = rg.Name
		if c.Location == "" {
			c.Location = rg.Location
		}
	}
	if c.NodeResourceGroup == "" {
		c.NodeResourceGroup = "MC_" + c.ResourceGroup + "_" + c.Name + "_" + c.Location
	}
	if c.KubernetesVersion == "" {
		c.KubernetesVersion = "1.31.2"
	}
	if c.DNSPrefix == "" {
		c.DNSPrefix = c.Name + "-dns"
	}
	if c.FQDNSuffix == "" {
		c.FQDNSuffix = strings.ReplaceAll(s.newID(), "-", "")[:8]
	}
	if c.IdentityPrincipalID == "" {
		c.IdentityPrincipalID = s.newID()
	}
	cp := c
	s.clusters[strings.ToLower(c.ResourceGroup+"/"+c.Name)] = &cp
	id := s.clusterID(&cp)
	s.groups[strings.ToLower(c.NodeResourceGroup)] = &ResourceGroup{
		Name: c.NodeResourceGroup, Location: c.Location, ManagedBy: id,
		Tags: map[string]string{"aks-managed-cluster-name": c.Name, "aks-managed-cluster-rg": c.ResourceGroup},
	}
	s.mu.Unlock()
	s.Fire()
	return id
}

// clusterID is the canonical resource ID of a cluster.
func (s *Store) clusterID(c *Cluster) string {
	return "/subscriptions/" + s.opt.SubscriptionID + "/resourcegroups/" + c.ResourceGroup + "/providers/Microsoft.ContainerService/managedClusters/" + c.Name
}

// vmssName is the scale set AKS creates for a pool.
func vmssName(pool string, c *Cluster) string {
	return "aks-" + pool + "-" + vmssSuffix(c) + "-vmss"
}

func vmssSuffix(c *Cluster) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(c.ResourceGroup + "/" + c.Name)))
	return fmt.Sprintf("%08d", h.Sum32()%100000000)
}

// AddRoleAssignment stores a role assignment directly (seed and tests); name and times are filled in.
func (s *Store) AddRoleAssignment(a RoleAssignment) RoleAssignment {
	s.mu.Lock()
	if a.Name == "" {
		a.Name = s.newID()
	}
	if a.CreatedOn.IsZero() {
		a.CreatedOn = s.opt.Now()
		a.UpdatedOn = a.CreatedOn
	}
	a.Scope = normalizeScope(a.Scope)
	cp := a
	s.assignments[strings.ToLower(a.Name)] = &cp
	s.mu.Unlock()
	s.Fire()
	return a
}

// RoleAssignments returns copies of all role assignments that exist now, sorted by scope and name.
func (s *Store) RoleAssignments() []RoleAssignment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RoleAssignment, 0, len(s.assignments))
	now := s.opt.Now()
	for _, a := range s.assignments {
		if !a.liveAt(now) {
			continue
		}
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Scope != out[j].Scope {
			return out[i].Scope < out[j].Scope
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Clusters returns the resource IDs of all clusters, sorted.
func (s *Store) Clusters() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, c := range s.clusters {
		ids = append(ids, s.clusterID(c))
	}
	sort.Strings(ids)
	return ids
}

type persisted struct {
	Groups      []*ResourceGroup  `json:"resourceGroups"`
	Clusters    []*Cluster        `json:"clusters"`
	Assignments []*RoleAssignment `json:"roleAssignments"`
}

// MarshalJSON returns the ARM state for persistence.
func (s *Store) MarshalJSON() ([]byte, error) {
	return storekit.Save(&s.mu, func() any {
		return persisted{Groups: storekit.Values(s.groups), Clusters: storekit.Values(s.clusters), Assignments: storekit.Values(s.assignments)}
	})
}

// UnmarshalJSON replaces the ARM state with a persisted one.
func (s *Store) UnmarshalJSON(b []byte) error {
	return storekit.Load(&s.mu, b, func(p *persisted) {
		s.groups = storekit.Index(p.Groups, func(g *ResourceGroup) string { return strings.ToLower(g.Name) })
		s.clusters = storekit.Index(p.Clusters, func(c *Cluster) string { return strings.ToLower(c.ResourceGroup + "/" + c.Name) })
		s.assignments = storekit.Index(p.Assignments, func(a *RoleAssignment) string { return strings.ToLower(a.Name) })
	})
}
