package rbac

import (
	"fmt"
	"regexp"
	"strings"
)

// ARM compares path keywords, provider namespaces and type names case-insensitively, and real responses
// mix `resourceGroups` and `resourcegroups`. Every parser here therefore matches keywords
// case-insensitively and every String method writes the canonical casing below, so that two spellings
// of one ID always compare equal after parsing.
const (
	segSubscriptions  = "subscriptions"
	segResourceGroups = "resourceGroups"
	segProviders      = "providers"
	nsContainer       = "Microsoft.ContainerService"
	typeClusters      = "managedClusters"
	typeAgentPools    = "agentPools"
	typeNamespaces    = "namespaces"
	nsAuthorization   = "Microsoft.Authorization"
	typeAssignments   = "roleAssignments"
	typeDefinitions   = "roleDefinitions"
)

var (
	guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// Resource group names: 1-90 of letters, digits, '_', '-', '.', '(', ')', not ending in '.'. ARM also
	// allows Unicode letters; \p{L} keeps those valid.
	resourceGroupRE = regexp.MustCompile(`^[\p{L}\p{N}_\-.()]{0,89}[\p{L}\p{N}_\-()]$`)
	// AKS cluster names: 1-63 of letters, digits, '_', '-', starting and ending with a letter or digit.
	clusterNameRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?$`)
)

// IsGUID reports whether s is a GUID in the 8-4-4-4-12 form.
func IsGUID(s string) bool { return guidRE.MatchString(s) }

// ClusterID identifies an AKS managed cluster.
type ClusterID struct {
	SubscriptionID string
	ResourceGroup  string
	Name           string
}

// ParseClusterID parses `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}`,
// matching the fixed segments case-insensitively.
func ParseClusterID(s string) (ClusterID, error) {
	segs, err := splitARMPath(s)
	if err != nil {
		return ClusterID{}, fmt.Errorf("invalid AKS cluster ID %q: %w", s, err)
	}
	if len(segs) != 8 ||
		!strings.EqualFold(segs[0], segSubscriptions) ||
		!strings.EqualFold(segs[2], segResourceGroups) ||
		!strings.EqualFold(segs[4], segProviders) ||
		!strings.EqualFold(segs[5], nsContainer) ||
		!strings.EqualFold(segs[6], typeClusters) {
		return ClusterID{}, fmt.Errorf("invalid AKS cluster ID %q: expected "+
			"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.ContainerService/managedClusters/{name}", s)
	}
	id := ClusterID{SubscriptionID: segs[1], ResourceGroup: segs[3], Name: segs[7]}
	if err := id.validate(); err != nil {
		return ClusterID{}, fmt.Errorf("invalid AKS cluster ID %q: %w", s, err)
	}
	return id, nil
}

func (c ClusterID) validate() error {
	if !IsGUID(c.SubscriptionID) {
		return fmt.Errorf("subscription ID %q is not a GUID", c.SubscriptionID)
	}
	if !resourceGroupRE.MatchString(c.ResourceGroup) {
		return fmt.Errorf("resource group name %q is not valid", c.ResourceGroup)
	}
	if !clusterNameRE.MatchString(c.Name) {
		return fmt.Errorf("cluster name %q is not valid (1-63 letters, digits, '_' or '-', starting and ending with a letter or digit)", c.Name)
	}
	return nil
}

// String returns the canonical form of the cluster ID.
func (c ClusterID) String() string {
	return c.ResourceGroupID() + "/" + segProviders + "/" + nsContainer + "/" + typeClusters + "/" + c.Name
}

// SubscriptionScope returns `/subscriptions/{sub}`.
func (c ClusterID) SubscriptionScope() string { return "/" + segSubscriptions + "/" + c.SubscriptionID }

// ResourceGroupID returns the ID of the cluster's own resource group.
func (c ClusterID) ResourceGroupID() string {
	return ResourceGroupID(c.SubscriptionID, c.ResourceGroup)
}

// AgentPoolID returns the ID of one of the cluster's node pools (ARM calls them agent pools).
func (c ClusterID) AgentPoolID(pool string) string {
	return c.String() + "/" + typeAgentPools + "/" + pool
}

// NamespaceScope returns the Azure RBAC sub-scope for a Kubernetes namespace of the cluster.
func (c ClusterID) NamespaceScope(namespace string) string {
	return c.String() + "/" + typeNamespaces + "/" + namespace
}

// Equal compares two cluster IDs the way ARM does: case-insensitively.
func (c ClusterID) Equal(o ClusterID) bool { return strings.EqualFold(c.String(), o.String()) }

// ResourceGroupID returns `/subscriptions/{sub}/resourceGroups/{rg}`.
func ResourceGroupID(subscriptionID, resourceGroup string) string {
	return "/" + segSubscriptions + "/" + subscriptionID + "/" + segResourceGroups + "/" + resourceGroup
}

// RoleAssignmentID is a role assignment's resource ID split into its scope and its name (a GUID).
type RoleAssignmentID struct {
	// Scope is normalised (see NormalizeScope).
	Scope string
	Name  string
	// WireScope is the scope as it was written, aliases rewritten ("" when built in code: Scope).
	WireScope string
}

const assignmentInfix = "/" + segProviders + "/" + nsAuthorization + "/" + typeAssignments + "/"

// ParseRoleAssignmentID parses `{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}`. The
// scope may itself contain `/providers/` (a cluster, a namespace), so the last occurrence of the
// role-assignment infix is the split point. The scope is returned normalised (see NormalizeScope).
func ParseRoleAssignmentID(s string) (RoleAssignmentID, error) {
	i := lastIndexFoldASCII(s, assignmentInfix)
	if i < 0 {
		return RoleAssignmentID{}, fmt.Errorf("invalid role assignment ID %q: expected {scope}%s{guid}", s, assignmentInfix)
	}
	name := s[i+len(assignmentInfix):]
	if !IsGUID(name) {
		return RoleAssignmentID{}, fmt.Errorf("invalid role assignment ID %q: the name %q is not a GUID", s, name)
	}
	rawScope := s[:i]
	if rawScope == "" {
		rawScope = "/"
	}
	scope, err := NormalizeScope(rawScope)
	if err != nil {
		return RoleAssignmentID{}, fmt.Errorf("invalid role assignment ID %q: %w", s, err)
	}
	return RoleAssignmentID{Scope: scope.ID, Name: strings.ToLower(name), WireScope: scope.Wire}, nil
}

// String returns the canonical role assignment ID.
func (id RoleAssignmentID) String() string {
	return assignmentIDOf(id.Scope, id.Name)
}

// WireString returns the ID with its scope spelt as written (ARM echoes the spelling a scope was
// created with, so this is what reads back), or the canonical ID when no spelling is known.
func (id RoleAssignmentID) WireString() string {
	if id.WireScope == "" {
		return id.String()
	}
	return assignmentIDOf(id.WireScope, id.Name)
}

// Same reports whether two IDs name the same assignment.
func (id RoleAssignmentID) Same(o RoleAssignmentID) bool {
	return strings.EqualFold(id.Scope, o.Scope) && strings.EqualFold(id.Name, o.Name)
}

func assignmentIDOf(scope, name string) string {
	if scope == "/" {
		return assignmentInfix[:len(assignmentInfix)-1] + "/" + name
	}
	return scope + assignmentInfix + name
}

// RoleDefinitionGUID returns the trailing GUID of a role definition ID in any of the forms ARM uses:
// `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}`,
// `/providers/Microsoft.Authorization/roleDefinitions/{guid}`, any other scope prefix, or the bare GUID.
// The GUID is returned lower-cased.
func RoleDefinitionGUID(id string) (string, error) {
	if IsGUID(id) {
		return strings.ToLower(id), nil
	}
	const infix = "/" + segProviders + "/" + nsAuthorization + "/" + typeDefinitions + "/"
	i := lastIndexFoldASCII(id, infix)
	if i < 0 {
		return "", fmt.Errorf("invalid role definition ID %q: expected [{scope}]%s{guid} or a GUID", id, infix)
	}
	if i > 0 {
		if _, err := NormalizeScope(id[:i]); err != nil {
			return "", fmt.Errorf("invalid role definition ID %q: %w", id, err)
		}
	}
	g := id[i+len(infix):]
	if !IsGUID(g) {
		return "", fmt.Errorf("invalid role definition ID %q: %q is not a GUID", id, g)
	}
	return strings.ToLower(g), nil
}

// SameRoleDefinition reports whether two role definition IDs name the same role: built-in definitions
// are echoed with or without a subscription prefix, so only the GUID is compared.
func SameRoleDefinition(a, b string) bool {
	ga, errA := RoleDefinitionGUID(a)
	gb, errB := RoleDefinitionGUID(b)
	return errA == nil && errB == nil && ga == gb
}

// SubscriptionRoleDefinitionID is the form the provider sends to ARM and records when it computes a
// role definition ID itself.
func SubscriptionRoleDefinitionID(subscriptionID, guid string) string {
	return "/" + segSubscriptions + "/" + subscriptionID + "/" + segProviders + "/" + nsAuthorization + "/" +
		typeDefinitions + "/" + strings.ToLower(guid)
}

// CanonicalRoleDefinitionID is the form the provider records a role definition ID in when it reads one
// from an assignment. ARM answers a built-in role either at the assignment's subscription or at the
// tenant level (`/providers/Microsoft.Authorization/roleDefinitions/{guid}`, as the REST examples show,
// whatever form the PUT sent); both name one definition, and the subscription form is what resolving a
// role by name yields, so an imported assignment plans no change. A definition at any other scope (a
// management group's custom role) keeps its ID; so does an assignment outside a subscription.
func CanonicalRoleDefinitionID(id, assignmentScope string) string {
	const tenantLevel = "/" + segProviders + "/" + nsAuthorization + "/" + typeDefinitions + "/"
	if len(id) != len(tenantLevel)+36 || !strings.EqualFold(id[:len(tenantLevel)], tenantLevel) || !IsGUID(id[len(tenantLevel):]) {
		return id
	}
	guid := id[len(tenantLevel):]
	segs := strings.Split(strings.Trim(assignmentScope, "/"), "/")
	if len(segs) < 2 || !asciiEqualFold(segs[0], segSubscriptions) || !IsGUID(segs[1]) {
		return id
	}
	return SubscriptionRoleDefinitionID(segs[1], guid)
}

// splitARMPath splits an absolute ARM path into its segments, rejecting empty segments, a trailing
// slash, query strings and whitespace, none of which ARM accepts inside a resource ID.
func splitARMPath(s string) ([]string, error) {
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("must start with '/'")
	}
	if s == "/" {
		return nil, nil
	}
	if strings.HasSuffix(s, "/") {
		return nil, fmt.Errorf("must not end with '/'")
	}
	if strings.ContainsAny(s, "?#\\ \t\r\n") {
		return nil, fmt.Errorf("must not contain whitespace, '?', '#' or '\\'")
	}
	segs := strings.Split(s[1:], "/")
	for _, seg := range segs {
		if seg == "" {
			return nil, fmt.Errorf("must not contain empty segments ('//')")
		}
	}
	return segs, nil
}

// lastIndexFoldASCII is strings.LastIndex ignoring ASCII case, with byte offsets into s itself. Lowering
// s first would not do: strings.ToLower rewrites invalid UTF-8 as U+FFFD (three bytes), so an offset
// into the lowered copy overran s (a panic on `\xba/providers/...`, found by FuzzParseRoleAssignmentID).
func lastIndexFoldASCII(s, sub string) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if asciiEqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func asciiEqualFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
