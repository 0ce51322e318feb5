// Package storekit is the plumbing the emulator's stores (directory, ARM, PIM for groups, PIM for Azure
// resources) share: the hooks that run after a change (the server persists its state then) and the
// GUIDs drawn from the server's seeded source, so that a seeded run creates the same IDs again.
package storekit

import (
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
