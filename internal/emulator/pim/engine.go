package pim

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Engine is the PIM for Groups emulator: it owns requests, schedules, instances, approvals and the role
// management policies of groups, and reaches the directory only through Directory.
type Engine struct {
	mu       sync.Mutex
	dir      Directory
	now      func() time.Time
	cfg      Config
	onChange []func()
	st       *state
}

// New returns an engine over dir, reading time from now (the emulator clock).
func New(dir Directory, now func() time.Time, cfg Config) *Engine {
	return &Engine{dir: dir, now: now, cfg: cfg.withDefaults(), st: newState()}
}

const (
	pimPrefix    = "/v1.0/identityGovernance/privilegedAccess/group/"
	policyPrefix = "/v1.0/policies/roleManagementPolic"
)

// Handles reports whether path belongs to the PIM engine (PIM for groups and role management policies).
func (e *Engine) Handles(path string) bool {
	p := strings.ToLower(path)
	return strings.HasPrefix(p, strings.ToLower(pimPrefix)) || strings.HasPrefix(p, strings.ToLower(policyPrefix))
}

// ServeHTTP answers every path for which Handles is true.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotImplemented)
	_, _ = w.Write([]byte(`{"error":{"code":"NotImplemented","message":"PIM engine not implemented yet."}}`))
}

// OnChange registers fn to be called after every state change (the server persists state then).
func (e *Engine) OnChange(fn func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.onChange = append(e.onChange, fn)
}

// MarshalJSON returns the engine's state for persistence.
func (e *Engine) MarshalJSON() ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return json.Marshal(e.st)
}

// UnmarshalJSON replaces the engine's state with a persisted one.
func (e *Engine) UnmarshalJSON(b []byte) error {
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.st = st
	return nil
}

func (e *Engine) newID() string { return uuid.NewString() }
