package rbac

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ScopeKind names one of the AKS-derived scopes a role binding can target.
type ScopeKind string

const (
	ScopeCluster           ScopeKind = "cluster"
	ScopeResourceGroup     ScopeKind = "resource_group"
	ScopeNodeResourceGroup ScopeKind = "node_resource_group"
	ScopeNodePool          ScopeKind = "node_pool"
	ScopeNamespace         ScopeKind = "namespace"
)

// ScopeKinds lists every ScopeKind, in documentation order.
func ScopeKinds() []string {
	return []string{string(ScopeCluster), string(ScopeResourceGroup), string(ScopeNodeResourceGroup),
		string(ScopeNodePool), string(ScopeNamespace)}
}

var (
	// AKS node pool names: a lowercase letter then up to 11 lowercase letters or digits.
	nodePoolRE = regexp.MustCompile(`^[a-z][a-z0-9]{0,11}$`)
	// Kubernetes namespace names are DNS-1123 labels.
	namespaceRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	// Resource provider namespaces: dotted identifiers such as Microsoft.ContainerService.
	providerNamespaceRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$`)
)

// ValidateNodePoolName checks an AKS node pool name.
func ValidateNodePoolName(name string) error {
	if !nodePoolRE.MatchString(name) {
		return fmt.Errorf("node pool name %q is not valid: it must start with a lowercase letter and have at most 12 lowercase letters or digits", name)
	}
	return nil
}

// ValidateNamespaceName checks a Kubernetes namespace name (a DNS-1123 label).
func ValidateNamespaceName(name string) error {
	if !namespaceRE.MatchString(name) {
		return fmt.Errorf("namespace %q is not a valid Kubernetes namespace name: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit", name)
	}
	return nil
}

// ScopeSpec describes a scope derived from a cluster.
type ScopeSpec struct {
	Kind    ScopeKind
	Cluster ClusterID
	// NodeResourceGroup is the name of the cluster's node resource group (a cluster fact, see
	// ClusterFacts); required for ScopeNodeResourceGroup.
	NodeResourceGroup string
	// NodePool is required for ScopeNodePool, Namespace for ScopeNamespace; both must be empty otherwise.
	NodePool  string
	Namespace string
	// ClusterRaw, when set, is the cluster ID as the user spelt it (it must parse to Cluster); the scope
	// is built on it so that ARM, which echoes the spelling it was given, reads back the same string.
	ClusterRaw string
}

// BuildScope turns a ScopeSpec into the scope string ARM expects, in canonical casing.
func BuildScope(spec ScopeSpec) (string, error) {
	if err := spec.Cluster.validate(); err != nil {
		return "", fmt.Errorf("invalid cluster: %w", err)
	}
	if spec.Kind != ScopeNodePool && spec.NodePool != "" {
		return "", fmt.Errorf("a node pool is only valid with scope kind %q, not %q", ScopeNodePool, spec.Kind)
	}
	if spec.Kind != ScopeNamespace && spec.Namespace != "" {
		return "", fmt.Errorf("a namespace is only valid with scope kind %q, not %q", ScopeNamespace, spec.Kind)
	}
	clusterID, rgID, subPrefix := spec.Cluster.String(), spec.Cluster.ResourceGroupID(), "/"+segSubscriptions+"/"+spec.Cluster.SubscriptionID+"/"+segResourceGroups+"/"
	if spec.ClusterRaw != "" {
		raw, err := ParseClusterID(spec.ClusterRaw)
		if err != nil || !raw.Equal(spec.Cluster) {
			return "", fmt.Errorf("the cluster ID %q does not name cluster %s", spec.ClusterRaw, spec.Cluster)
		}
		segs := strings.Split(spec.ClusterRaw, "/")[1:]
		clusterID = spec.ClusterRaw
		rgID = "/" + strings.Join(segs[:4], "/")
		subPrefix = "/" + strings.Join(segs[:3], "/") + "/"
	}
	switch spec.Kind {
	case ScopeCluster:
		return clusterID, nil
	case ScopeResourceGroup:
		return rgID, nil
	case ScopeNodeResourceGroup:
		if spec.NodeResourceGroup == "" {
			return "", fmt.Errorf("scope kind %q needs the cluster's node resource group, which is unknown", ScopeNodeResourceGroup)
		}
		if !resourceGroupRE.MatchString(spec.NodeResourceGroup) {
			return "", fmt.Errorf("node resource group name %q is not valid", spec.NodeResourceGroup)
		}
		return subPrefix + spec.NodeResourceGroup, nil
	case ScopeNodePool:
		if spec.NodePool == "" {
			return "", fmt.Errorf("scope kind %q needs a node pool name", ScopeNodePool)
		}
		if err := ValidateNodePoolName(spec.NodePool); err != nil {
			return "", err
		}
		return clusterID + "/" + typeAgentPools + "/" + spec.NodePool, nil
	case ScopeNamespace:
		if spec.Namespace == "" {
			return "", fmt.Errorf("scope kind %q needs a namespace", ScopeNamespace)
		}
		if err := ValidateNamespaceName(spec.Namespace); err != nil {
			return "", err
		}
		return clusterID + "/" + typeNamespaces + "/" + spec.Namespace, nil
	default:
		return "", fmt.Errorf("unknown scope kind %q: expected one of %s", spec.Kind, strings.Join(ScopeKinds(), ", "))
	}
}

// ScopeLevel is the ARM level a scope sits at.
type ScopeLevel string

const (
	LevelRoot            ScopeLevel = "root"
	LevelManagementGroup ScopeLevel = "management_group"
	LevelSubscription    ScopeLevel = "subscription"
	LevelResourceGroup   ScopeLevel = "resource_group"
	LevelResource        ScopeLevel = "resource"
)

// Scope is a validated role-assignment scope.
type Scope struct {
	// ID is the scope in canonical casing for the keywords ARM treats case-insensitively, with
	// `/nodepools/` rewritten to `/agentPools/`. Names keep the casing they were given.
	ID    string
	Level ScopeLevel
	// Wire is the scope as given with only aliases rewritten (`/nodepools/` to `/agentPools/`): what is
	// sent to ARM, which stores and echoes the spelling it was given.
	Wire string
	// Cluster is set when the scope is an AKS cluster or lies below one (node pool, namespace).
	Cluster *ClusterID
	// ClusterRaw is the cluster's ID spelt as in the input.
	ClusterRaw string
	// NodePool and Namespace are set for node pool and namespace scopes of a cluster.
	NodePool  string
	Namespace string
	// Rewritten is true when the input used a non-canonical alias that changes the path (`nodepools`),
	// as opposed to mere keyword casing; callers warn about it.
	Rewritten bool
}

// Kind returns the ScopeKind this scope corresponds to, when it is one of the cluster-derived kinds that
// can be told from the scope alone ("" otherwise; a resource group cannot be told apart from a node
// resource group without the cluster's facts).
func (s Scope) Kind() ScopeKind {
	switch {
	case s.Cluster == nil:
		return ""
	case s.NodePool != "":
		return ScopeNodePool
	case s.Namespace != "":
		return ScopeNamespace
	case s.Level == LevelResource && strings.EqualFold(s.ID, s.Cluster.String()):
		return ScopeCluster
	}
	return ""
}

// NormalizeScope validates an explicit role-assignment scope and returns it normalised. Accepted: `/`,
// a management group, a subscription, a resource group, and any resource ID below a subscription or
// resource group, including extension resources and the AKS sub-scopes `{cluster}/agentPools/{pool}`
// (also written `/nodepools/`) and `{cluster}/namespaces/{namespace}`.
func NormalizeScope(s string) (Scope, error) {
	segs, err := splitARMPath(s)
	if err != nil {
		return Scope{}, fmt.Errorf("invalid scope %q: %w", s, err)
	}
	if len(segs) == 0 {
		return Scope{ID: "/", Wire: "/", Level: LevelRoot}, nil
	}
	out := slices.Clone(segs)
	sc := Scope{}
	switch {
	case strings.EqualFold(segs[0], segProviders):
		if len(segs) != 4 || !strings.EqualFold(segs[1], "Microsoft.Management") || !strings.EqualFold(segs[2], "managementGroups") {
			return Scope{}, fmt.Errorf("invalid scope %q: a scope starting with /providers must be /providers/Microsoft.Management/managementGroups/{name}", s)
		}
		out[0], out[1], out[2] = segProviders, "Microsoft.Management", "managementGroups"
		sc.Level = LevelManagementGroup
	case strings.EqualFold(segs[0], segSubscriptions):
		if len(segs) < 2 || !IsGUID(segs[1]) {
			return Scope{}, fmt.Errorf("invalid scope %q: the subscription ID must be a GUID", s)
		}
		out[0] = segSubscriptions
		sc.Level = LevelSubscription
		rest := 2
		if len(segs) > 2 && strings.EqualFold(segs[2], segResourceGroups) {
			if len(segs) < 4 || !resourceGroupRE.MatchString(segs[3]) {
				return Scope{}, fmt.Errorf("invalid scope %q: missing or invalid resource group name", s)
			}
			out[2] = segResourceGroups
			sc.Level = LevelResourceGroup
			rest = 4
		}
		if len(segs) > rest {
			if err := normalizeResourcePath(segs, out, rest, &sc); err != nil {
				return Scope{}, fmt.Errorf("invalid scope %q: %w", s, err)
			}
			sc.Level = LevelResource
		}
	default:
		return Scope{}, fmt.Errorf("invalid scope %q: expected /, /providers/Microsoft.Management/managementGroups/{name}, /subscriptions/{id}[/resourceGroups/{name}[/providers/...]]", s)
	}
	sc.ID = "/" + strings.Join(out, "/")
	wire := slices.Clone(segs)
	for i := range wire {
		if !strings.EqualFold(segs[i], out[i]) {
			wire[i] = out[i] // an alias, not just another casing
		}
	}
	sc.Wire = "/" + strings.Join(wire, "/")
	if sc.Cluster != nil {
		sc.ClusterRaw = "/" + strings.Join(segs[:8], "/")
	}
	return sc, nil
}

// normalizeResourcePath checks segs[start:] = providers/{ns}/{type}/{name}[/{type}/{name}]..., possibly
// followed by further providers/... blocks (extension resources), writes canonical keyword casing into
// out and recognises the AKS cluster, node pool and namespace scopes.
func normalizeResourcePath(segs, out []string, start int, sc *Scope) error {
	i := start
	for block := 0; i < len(segs); block++ {
		if !strings.EqualFold(segs[i], segProviders) {
			return fmt.Errorf("expected 'providers' at segment %d, found %q", i+1, segs[i])
		}
		out[i] = segProviders
		if i+4 > len(segs) {
			return fmt.Errorf("'providers' must be followed by {namespace}/{type}/{name}")
		}
		ns := segs[i+1]
		if !providerNamespaceRE.MatchString(ns) {
			return fmt.Errorf("%q is not a resource provider namespace", ns)
		}
		if strings.EqualFold(ns, nsContainer) {
			out[i+1] = nsContainer
		}
		aks := block == 0 && strings.EqualFold(ns, nsContainer)
		j := i + 2
		for depth := 0; j < len(segs) && (depth == 0 || !strings.EqualFold(segs[j], segProviders)); depth++ {
			if j+1 >= len(segs) {
				return fmt.Errorf("resource type %q has no name", segs[j])
			}
			if aks {
				normalizeAKSPair(segs, out, j, depth, start, sc)
			}
			j += 2
		}
		i = j
	}
	return nil
}

// normalizeAKSPair handles the {type}/{name} pair at segs[j] under Microsoft.ContainerService, at
// nesting depth (0 = the top-level resource type).
func normalizeAKSPair(segs, out []string, j, depth, start int, sc *Scope) {
	typ := segs[j]
	last := j+2 == len(segs)
	switch {
	case depth == 0 && strings.EqualFold(typ, typeClusters):
		out[j] = typeClusters
		// Only a cluster directly in a resource group is a cluster scope (start == 4 means the path
		// continued after /resourceGroups/{rg}).
		if start == 4 {
			id := ClusterID{SubscriptionID: segs[1], ResourceGroup: segs[3], Name: segs[j+1]}
			if id.validate() == nil {
				sc.Cluster = &id
			}
		}
	case depth == 1 && sc.Cluster != nil && (strings.EqualFold(typ, typeAgentPools) || strings.EqualFold(typ, "nodepools")):
		if !strings.EqualFold(typ, typeAgentPools) {
			sc.Rewritten = true
		}
		out[j] = typeAgentPools
		if last {
			sc.NodePool = segs[j+1]
		}
	case depth == 1 && sc.Cluster != nil && strings.EqualFold(typ, typeNamespaces):
		out[j] = typeNamespaces
		if last {
			sc.Namespace = segs[j+1]
		}
	}
}

// SameScope reports whether two scopes are equal the way ARM compares them (case-insensitive keywords,
// `/nodepools/` as an alias of `/agentPools/`). Invalid scopes compare by plain case-insensitive equality.
func SameScope(a, b string) bool {
	na, errA := NormalizeScope(a)
	nb, errB := NormalizeScope(b)
	if errA != nil || errB != nil {
		return strings.EqualFold(a, b)
	}
	return strings.EqualFold(na.ID, nb.ID)
}
