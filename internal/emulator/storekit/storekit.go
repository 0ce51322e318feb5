// Package storekit is the plumbing the emulator's stores (directory, ARM, PIM for groups, PIM for Azure
// resources) share: the hooks that run after a change (the server persists its state then), the GUIDs
// drawn from the server's seeded source, so that a seeded run creates the same IDs again, and the
// reading and writing of a store's persisted form.
package storekit

import (
	"encoding/json"
	"maps"
	"math/rand"
	"slices"
	"sync"

	"github.com/google/uuid"
)

// Hooks are the functions to run after every change of a store. The zero value is ready. A store
// embeds it: its OnChange registers, its Fire runs them (never while holding the store's own lock,
// since a hook reads the store).
type Hooks struct {
	mu  sync.Mutex
	fns []func()
}

// OnChange registers fn to run after every change.
func (h *Hooks) OnChange(fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fns = append(h.fns, fn)
}

// Fire runs the registered functions.
func (h *Hooks) Fire() {
	h.mu.Lock()
	fns := slices.Clone(h.fns)
	h.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// NewGUID returns a version-4 GUID drawn from r.
func NewGUID(r *rand.Rand) string {
	var b [16]byte
	r.Read(b[:])
	id, _ := uuid.FromBytes(b[:])
	id[6] = (id[6] & 0x0f) | 0x40
	id[8] = (id[8] & 0x3f) | 0x80
	return id.String()
}

// Save returns the JSON of what build returns, built under mu.
func Save(mu sync.Locker, build func() any) ([]byte, error) {
	mu.Lock()
	defer mu.Unlock()
	return json.Marshal(build())
}

// Load decodes b and hands the result to install under mu.
func Load[T any](mu sync.Locker, b []byte, install func(*T)) error {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	install(v)
	return nil
}

// Values returns the values of m in the order of their keys, so that a persisted file lists them in a
// stable order.
func Values[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}

// Index returns vs by key: a persisted list made a store's map again.
func Index[V any](vs []V, key func(V) string) map[string]V {
	out := make(map[string]V, len(vs))
	for _, v := range vs {
		out[key(v)] = v
	}
	return out
}
