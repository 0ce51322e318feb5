package pim

import (
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/storekit"
)

// Engine is the PIM for Groups emulator: it owns requests, schedules, instances, approvals and the role
// management policies of groups, and reaches the directory only through Directory.
type Engine struct {
	mu  sync.Mutex
	dir Directory
	now func() time.Time
	cfg Config
	storekit.Hooks
	st     *state
	router *router.Router
}

// New returns an engine over dir, reading time from now (the emulator clock).
func New(dir Directory, now func() time.Time, cfg Config) *Engine {
	e := &Engine{dir: dir, now: now, cfg: cfg.withDefaults(), st: new(state).Fill()}
	e.router = e.routes()
	return e
}

const (
	pimPrefix    = "/v1.0/identityGovernance/privilegedAccess/group/"
	policyPrefix = "/v1.0/policies/roleManagementPolic"
)

// MarshalJSON returns the engine's state for persistence.
func (e *Engine) MarshalJSON() ([]byte, error) {
	return storekit.Save(&e.mu, func() any { return e.st })
}

// UnmarshalJSON replaces the engine's state with a persisted one.
func (e *Engine) UnmarshalJSON(b []byte) error {
	return storekit.Load(&e.mu, b, func(st *state) { e.st = st.Fill() })
}

func (e *Engine) newID() string { return uuid.NewString() }
