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
	rg := ResourceGroupID(f.ID.SubscriptionID, f.ID.ResourceGroup)
	scopes := []string{rg}
	if f.NodeResourceGroupID != "" {
		scopes = append(scopes, f.NodeResourceGroupID)
	}
	seen := map[string]bool{}
	var out []ClusterAssignment
	for _, scope := range scopes {
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
