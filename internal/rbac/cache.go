package rbac

import (
	"context"
	"runtime"
	"sync"
	"weak"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// instanceCache holds what this package remembers per provider instance (one *clients.Client): role
// definitions, cluster facts and confirmed principals, which do not change while one Terraform
// operation runs. A plan with
// many bindings then resolves each role name, and reads each cluster, once.
//
// The cache must not reference the client: it is kept in a package map keyed by a weak pointer to the
// client and dropped when the client is collected, so provider instances created by tests do not leak.
type instanceCache struct {
	roleByName memo[RoleDefinition]
	roleByGUID memo[RoleDefinition]
	clusters   memo[*ClusterFacts]
	// principals holds the principals Graph has confirmed (never the ones it did not find: they may
	// still be replicating).
	principals memo[struct{}]
}

var instances sync.Map // weak.Pointer[clients.Client] -> *instanceCache

func cacheFor(c *clients.Client) *instanceCache {
	key := weak.Make(c)
	if v, ok := instances.Load(key); ok {
		if ic, ok := v.(*instanceCache); ok {
			return ic
		}
	}
	fresh := &instanceCache{}
	v, loaded := instances.LoadOrStore(key, fresh)
	if !loaded {
		runtime.AddCleanup(c, func(k weak.Pointer[clients.Client]) { instances.Delete(k) }, key)
	}
	if ic, ok := v.(*instanceCache); ok {
		return ic
	}
	return fresh
}

// memo caches the result of a load per key and lets concurrent callers of the same key share one load
// (Terraform runs up to ten operations at once, which would otherwise all list the same role). Failed
// loads are not kept, so a transient error is retried by the next caller.
type memo[V any] struct {
	mu sync.Mutex
	m  map[string]*memoCall[V]
}

type memoCall[V any] struct {
	done chan struct{}
	v    V
	err  error
}

func (m *memo[V]) get(ctx context.Context, key string, load func(context.Context) (V, error)) (V, error) {
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]*memoCall[V]{}
	}
	if c, ok := m.m[key]; ok {
		m.mu.Unlock()
		select {
		case <-c.done:
			return c.v, c.err
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	c := &memoCall[V]{done: make(chan struct{})}
	m.m[key] = c
	m.mu.Unlock()

	c.v, c.err = load(ctx)
	if c.err != nil {
		m.mu.Lock()
		delete(m.m, key)
		m.mu.Unlock()
	}
	close(c.done)
	return c.v, c.err
}

// put records a value learnt another way (a role found by name is also known by its GUID).
func (m *memo[V]) put(key string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]*memoCall[V]{}
	}
	if _, ok := m.m[key]; ok {
		return
	}
	c := &memoCall[V]{done: make(chan struct{}), v: v}
	close(c.done)
	m.m[key] = c
}

// forget drops a cached value (a cluster whose facts are known to have changed).
func (m *memo[V]) forget(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
}
