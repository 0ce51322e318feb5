package rbac

import (
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// instanceCache holds what this package remembers per provider instance (one *clients.Client): role
// definitions, cluster facts and confirmed principals, which do not change while one Terraform
// operation runs. A plan with many bindings then resolves each role name, and reads each cluster, once.
type instanceCache struct {
	roleByName clients.Memo[RoleDefinition]
	roleByGUID clients.Memo[RoleDefinition]
	clusters   clients.Memo[*ClusterFacts]
	// principals holds the principals Graph has confirmed (never the ones it did not find: they may
	// still be replicating).
	principals clients.Memo[struct{}]
}

type instanceCacheKey struct{}

func cacheFor(c *clients.Client) *instanceCache {
	return clients.PerInstance(c, instanceCacheKey{}, func() *instanceCache { return &instanceCache{} })
}
