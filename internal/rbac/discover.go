package rbac

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// ScopeInherited marks an assignment above the cluster's resource group (subscription, management
// group, root): it applies to the cluster but is not one of its scopes.
const ScopeInherited ScopeKind = "inherited"

// ClusterAssignment is a role assignment that applies to a cluster, with the scope kind it sits at and
// its role resolved.
type ClusterAssignment struct {
	Assignment
	Kind      ScopeKind
	NodePool  string // for ScopeNodePool
	Namespace string // for ScopeNamespace
	Role      RoleDefinition
}

// ListClusterAssignments lists the role assignments at the cluster's scopes (the cluster, its resource
// group, its node resource group, its node pools and namespaces) and, marked ScopeInherited, those
// above them, with their roles resolved (once per role and provider instance). Two list requests:
// ARM lists, without a filter, the assignments at, above and below a scope; other resources of the
// resource groups are left out.
func ListClusterAssignments(ctx context.Context, c *clients.Client, f *ClusterFacts) ([]ClusterAssignment, error) {
	seen := map[string]bool{}
	var out []ClusterAssignment
	for _, scope := range f.ListScopes() {
		ras, err := listAssignmentsAt(ctx, c, scope, nil)
		if err != nil {
			return nil, fmt.Errorf("listing the role assignments at %s: %w", scope, err)
		}
		for _, ra := range ras {
			if ra == nil || ra.ID == nil {
				continue
			}
			rid, err := ParseRoleAssignmentID(*ra.ID)
			if err != nil || seen[strings.ToLower(rid.String())] {
				continue
			}
			a := ClusterAssignment{Assignment: *assignmentFromARM(ra, rid)}
			if !classifyClusterScope(&a, f) {
				continue
			}
			seen[strings.ToLower(rid.String())] = true
			if a.Role, err = ResolveRoleByID(ctx, c, a.RoleDefinitionID); err != nil {
				return nil, fmt.Errorf("resolving the role of %s: %w", a.ID, err)
			}
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b ClusterAssignment) int { return strings.Compare(strings.ToLower(a.ID), strings.ToLower(b.ID)) })
	return out, nil
}

// ListScopes are the scopes whose unfiltered ARM lists (at, above and below the scope) cover every
// scope of the cluster: its resource group and its node resource group.
func (f *ClusterFacts) ListScopes() []string {
	scopes := []string{ResourceGroupID(f.ID.SubscriptionID, f.ID.ResourceGroup)}
	if f.NodeResourceGroupID != "" {
		scopes = append(scopes, f.NodeResourceGroupID)
	}
	return scopes
}

// Classify tells which of the cluster's scopes scope is, as ListClusterAssignments classifies role
// assignments (ScopeInherited above the resource group), with its node pool or namespace; ok is false
// when scope does not apply to the cluster. PIM schedules at the cluster's scopes are classified alike.
func (f *ClusterFacts) Classify(scope string) (kind ScopeKind, nodePool, namespace string, ok bool) {
	a := ClusterAssignment{Assignment: Assignment{Scope: scope}}
	ok = classifyClusterScope(&a, f)
	return a.Kind, a.NodePool, a.Namespace, ok
}

// classifyClusterScope sets a.Kind (and pool or namespace) when a's scope is one of the cluster's or
// above them, and reports whether it is.
func classifyClusterScope(a *ClusterAssignment, f *ClusterFacts) bool {
	sc, err := NormalizeScope(a.Scope)
	if err != nil {
		return false
	}
	switch {
	case sc.Level == LevelRoot || sc.Level == LevelManagementGroup:
		a.Kind = ScopeInherited
	case sc.Level == LevelSubscription:
		if !strings.EqualFold(sc.ID, "/subscriptions/"+f.ID.SubscriptionID) {
			return false
		}
		a.Kind = ScopeInherited
	case SameScope(sc.ID, ResourceGroupID(f.ID.SubscriptionID, f.ID.ResourceGroup)):
		a.Kind = ScopeResourceGroup
	case f.NodeResourceGroupID != "" && SameScope(sc.ID, f.NodeResourceGroupID):
		a.Kind = ScopeNodeResourceGroup
	case sc.Cluster != nil && sc.Cluster.Equal(f.ID):
		a.Kind, a.NodePool, a.Namespace = sc.Kind(), sc.NodePool, sc.Namespace
		return a.Kind != ""
	default:
		return false
	}
	return true
}
