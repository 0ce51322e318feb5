package clients

import (
	"context"
	"sync"
	"time"
)

// SharedListMaxAge is the longest a list shared by the reads of many resources (SharedReads) is used
// before it is listed again. A provider instance lives for one Terraform command, which is the real
// bound; this one only matters to a host that keeps an instance longer.
const SharedListMaxAge = 2 * time.Minute

// PerInstance returns the value of type T that the domain packages keep under key for this provider
// instance, creating it on first use. A provider instance lives for one Terraform command (plan, apply,
// import), so what is kept here is what that one operation learnt: role definitions, cluster facts, the
// shared reads of issue 14. Nothing here outlives the *Client.
func PerInstance[T any](c *Client, key any, create func() *T) *T {
	if v, ok := c.instance.Load(key); ok {
		if t, ok := v.(*T); ok {
			return t
		}
	}
	v, _ := c.instance.LoadOrStore(key, create())
	t, _ := v.(*T)
	return t
}

// Memo caches the result of a load per key and lets concurrent callers of the same key share one load
// (Terraform runs up to ten operations at once, which would otherwise all send the same request).
// Failed loads are not kept, so a transient error is retried by the next caller. The zero value is ready.
type Memo[V any] struct {
	mu sync.Mutex
	m  map[string]*memoCall[V]
}

type memoCall[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// Get returns the value of key, loading it once.
func (m *Memo[V]) Get(ctx context.Context, key string, load func(context.Context) (V, error)) (V, error) {
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

// Put records a value learnt another way (a role found by name is also known by its GUID); a value
// already there is kept.
func (m *Memo[V]) Put(key string, v V) {
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

// Forget drops a cached value (one known to have changed).
func (m *Memo[V]) Forget(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
}

// Known returns the value of key if it is loaded (not while a load is in flight).
func (m *Memo[V]) Known(key string) (V, bool) {
	m.mu.Lock()
	c, ok := m.m[key]
	m.mu.Unlock()
	var zero V
	if !ok {
		return zero, false
	}
	select {
	case <-c.done:
		return c.v, c.err == nil
	default:
		return zero, false
	}
}
