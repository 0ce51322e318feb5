// Package reqctx carries what the emulator's front door learned about a request (who is calling, which
// route answered) to the handlers behind it, so that the Graph, PIM and ARM handlers can live in separate
// packages without importing each other.
package reqctx

import (
	"context"
	"sync"
)

// Caller is the authenticated principal of a request, decoded from its bearer token.
type Caller struct {
	ObjectID string   // oid claim: service principal or user object ID
	TenantID string   // tid claim
	AppID    string   // appid/azp claim: the client application
	IsApp    bool     // idtyp == "app": client-credentials token
	Roles    []string // application permissions (app tokens)
	Scopes   []string // delegated permissions (user tokens)
	UPN      string   // user tokens only
	Audience string   // aud claim
}

// HasPermission reports whether the caller holds any of the given Graph permissions, as an application
// role (app tokens) or a delegated scope (user tokens).
func (c Caller) HasPermission(perms ...string) bool {
	granted := c.Roles
	if !c.IsApp {
		granted = c.Scopes
	}
	for _, want := range perms {
		for _, have := range granted {
			if have == want {
				return true
			}
		}
	}
	return false
}

type callerKey struct{}

// WithCaller returns a context that carries the caller.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller of the request, if it was authenticated.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// RouteLabel is filled in by whichever handler answers a request, and read by the statistics middleware
// after the handler returns; it names the route template ("GET /v1.0/groups/{id}") rather than the path.
type RouteLabel struct {
	mu    sync.Mutex
	label string
}

type routeKey struct{}

// WithRouteLabel returns a context with an empty, settable route label.
func WithRouteLabel(ctx context.Context) (context.Context, *RouteLabel) {
	l := &RouteLabel{}
	return context.WithValue(ctx, routeKey{}, l), l
}

// SetRoute records the route template that answered; the first label set wins, so an outer dispatcher
// ($batch) keeps its own label while inner requests get fresh contexts.
func SetRoute(ctx context.Context, label string) {
	if l, ok := ctx.Value(routeKey{}).(*RouteLabel); ok {
		l.mu.Lock()
		if l.label == "" {
			l.label = label
		}
		l.mu.Unlock()
	}
}

// Get returns the recorded route label, or "" when no handler set one.
func (l *RouteLabel) Get() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.label
}

type batchItemKey struct{}

// WithBatchItem marks ctx as belonging to a request carried inside a Graph $batch, so the statistics
// count it as a batch item and faults that cannot apply to one part of a batch (dropped connections) skip it.
func WithBatchItem(ctx context.Context) context.Context {
	return context.WithValue(ctx, batchItemKey{}, true)
}

// IsBatchItem reports whether ctx belongs to a $batch item.
func IsBatchItem(ctx context.Context) bool {
	v, _ := ctx.Value(batchItemKey{}).(bool)
	return v
}

// RouteOf returns the route label recorded so far in ctx ("" when none).
func RouteOf(ctx context.Context) string {
	if l, ok := ctx.Value(routeKey{}).(*RouteLabel); ok {
		return l.Get()
	}
	return ""
}
