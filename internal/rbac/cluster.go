package rbac

import (
	"context"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v6"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// NodePool is one of a cluster's node pools.
type NodePool struct {
	Name string
	// ID is the pool's ARM ID, `{cluster}/agentPools/{name}`, which is also its role-assignment scope.
	ID   string
	Mode string
}

// ClusterFacts are what role bindings and the aks_cluster data source need to know about a cluster.
type ClusterFacts struct {
	ID ClusterID
	// RawID is the cluster's ID as ARM spelt it.
	RawID                 string
	Location              string
	NodeResourceGroup     string
	NodeResourceGroupID   string
	NodePools             []NodePool
	AADManaged            bool
	AzureRBACEnabled      bool
	LocalAccountsDisabled bool
	// TenantID is the Entra tenant the cluster authenticates against ("" when Entra integration is off).
	TenantID string
}

// Scope builds a scope of this cluster, filling in its node resource group.
func (f *ClusterFacts) Scope(kind ScopeKind, nodePool, namespace string) (string, error) {
	return BuildScope(ScopeSpec{Kind: kind, Cluster: f.ID, NodeResourceGroup: f.NodeResourceGroup, NodePool: nodePool, Namespace: namespace})
}

// HasNodePool reports whether the cluster has a node pool of this name.
func (f *ClusterFacts) HasNodePool(name string) bool {
	return slices.ContainsFunc(f.NodePools, func(p NodePool) bool { return strings.EqualFold(p.Name, name) })
}

// GetCluster reads a cluster's facts with one ARM GET (plus a node pool list only when the cluster body
// carries no agentPoolProfiles). Facts are cached per provider instance: a plan with many bindings on
// one cluster reads it once. A missing cluster, resource group or subscription is a *ClusterNotFoundError.
func GetCluster(ctx context.Context, c *clients.Client, id ClusterID) (*ClusterFacts, error) {
	if !strings.EqualFold(id.SubscriptionID, c.SubscriptionID) {
		return nil, &UnsupportedSubscriptionError{ClusterSubscription: id.SubscriptionID, ProviderSubscription: c.SubscriptionID}
	}
	return cacheFor(c).clusters.Get(ctx, strings.ToLower(id.String()), func(ctx context.Context) (*ClusterFacts, error) {
		return readCluster(ctx, c, id)
	})
}

// ForgetCluster drops a cached cluster so that the next GetCluster reads it again.
func ForgetCluster(c *clients.Client, id ClusterID) {
	cacheFor(c).clusters.Forget(strings.ToLower(id.String()))
}

// readCluster reads a cluster, from this instance's shared list of the subscription's clusters when it
// has one (rbac/shared.go), else with its own GET.
func readCluster(ctx context.Context, c *clients.Client, id ClusterID) (*ClusterFacts, error) {
	if mc, ok := sharedCluster(ctx, c, id); ok {
		return clusterFacts(ctx, c, id, mc)
	}
	resp, err := c.ManagedClusters.Get(ctx, id.ResourceGroup, id.Name, nil)
	if err != nil {
		if clients.IsNotFound(err) {
			return nil, &ClusterNotFoundError{ID: id, Err: err}
		}
		return nil, err
	}
	return clusterFacts(ctx, c, id, &resp.ManagedCluster)
}

// clusterFacts turns ARM's description of a cluster into facts.
func clusterFacts(ctx context.Context, c *clients.Client, id ClusterID, mc *armcontainerservice.ManagedCluster) (*ClusterFacts, error) {
	f := &ClusterFacts{ID: id, Location: deref(mc.Location)}
	// Prefer the ID as the server spells it: the caller may have written names in another case.
	f.RawID = id.String()
	if mc.ID != nil {
		if parsed, err := ParseClusterID(*mc.ID); err == nil {
			f.ID, f.RawID = parsed, *mc.ID
		}
	}
	var profiles []*armcontainerservice.ManagedClusterAgentPoolProfile
	if p := mc.Properties; p != nil {
		f.NodeResourceGroup = deref(p.NodeResourceGroup)
		f.LocalAccountsDisabled = deref(p.DisableLocalAccounts)
		if aad := p.AADProfile; aad != nil {
			f.AADManaged = deref(aad.Managed)
			f.AzureRBACEnabled = deref(aad.EnableAzureRBAC)
			f.TenantID = deref(aad.TenantID)
		}
		profiles = p.AgentPoolProfiles
	}
	if f.NodeResourceGroup != "" {
		f.NodeResourceGroupID = ResourceGroupID(f.ID.SubscriptionID, f.NodeResourceGroup)
	}
	for _, ap := range profiles {
		if ap == nil || ap.Name == nil {
			continue
		}
		f.NodePools = append(f.NodePools, NodePool{Name: *ap.Name, ID: f.ID.AgentPoolID(*ap.Name), Mode: string(deref(ap.Mode))})
	}
	if len(profiles) == 0 {
		pools, err := clients.ARMItems(ctx, c.AgentPools.NewListPager(id.ResourceGroup, id.Name, nil),
			func(p armcontainerservice.AgentPoolsClientListResponse) []*armcontainerservice.AgentPool {
				return p.Value
			})
		if err != nil {
			return nil, err
		}
		for _, ap := range pools {
			if ap == nil || ap.Name == nil {
				continue
			}
			np := NodePool{Name: *ap.Name, ID: f.ID.AgentPoolID(*ap.Name)}
			if ap.Properties != nil {
				np.Mode = string(deref(ap.Properties.Mode))
			}
			f.NodePools = append(f.NodePools, np)
		}
	}
	slices.SortFunc(f.NodePools, func(a, b NodePool) int { return strings.Compare(a.Name, b.Name) })
	return f, nil
}

// listedCluster is a cluster of the subscription's list, with its ID parsed.
type listedCluster struct {
	id ClusterID
	mc *armcontainerservice.ManagedCluster
}

// listClusters lists the subscription's clusters (those with an ID that parses), following pages.
func listClusters(ctx context.Context, c *clients.Client) ([]listedCluster, error) {
	all, err := clients.ARMItems(ctx, c.ManagedClusters.NewListPager(nil),
		func(p armcontainerservice.ManagedClustersClientListResponse) []*armcontainerservice.ManagedCluster {
			return p.Value
		})
	if err != nil {
		return nil, err
	}
	var out []listedCluster
	for _, mc := range all {
		if mc == nil || mc.ID == nil {
			continue
		}
		if id, err := ParseClusterID(*mc.ID); err == nil {
			out = append(out, listedCluster{id, mc})
		}
	}
	return out, nil
}

// ClusterOfResourceGroup finds the cluster (its ID as ARM spells it) a resource group scope belongs to: the one cluster in that
// resource group (kind ScopeResourceGroup), or the cluster whose node resource group it is (kind
// ScopeNodeResourceGroup). ok is false when no cluster, or more than one, fits. It lists the
// subscription's clusters (one request per page), so callers use it only where it pays: reading back an
// imported role binding.
func ClusterOfResourceGroup(ctx context.Context, c *clients.Client, subscriptionID, resourceGroup string) (rawID string, kind ScopeKind, ok bool, err error) {
	if !strings.EqualFold(subscriptionID, c.SubscriptionID) {
		return "", "", false, nil
	}
	type candidate struct {
		id   string
		kind ScopeKind
	}
	clusters, err := listClusters(ctx, c)
	if err != nil {
		return "", "", false, err
	}
	var found []candidate
	for _, lc := range clusters {
		switch mc := lc.mc; {
		case strings.EqualFold(lc.id.ResourceGroup, resourceGroup):
			found = append(found, candidate{*mc.ID, ScopeResourceGroup})
		case mc.Properties != nil && strings.EqualFold(deref(mc.Properties.NodeResourceGroup), resourceGroup):
			found = append(found, candidate{*mc.ID, ScopeNodeResourceGroup})
		}
	}
	if len(found) != 1 {
		return "", "", false, nil
	}
	return found[0].id, found[0].kind, true, nil
}
