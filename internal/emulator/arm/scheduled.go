package arm

import (
	"net/http"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// What PIM for Azure resources (package armpim) needs from ARM: scope validation, authorization, and
// role assignments that exist only while an active schedule does. PIM materialises an active schedule as
// an ordinary role assignment, so it appears in the roleAssignments and permissions APIs and takes part
// in every authorization decision (control plane and AKS data plane) like a standing one.

// Error is an ARM error for callers outside this package: HTTP status, code and message.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// CanonicalScope validates scope against the emulated world and returns it in canonical casing, or the
// error ARM answers for it (InvalidScope, SubscriptionNotFound, ResourceGroupNotFound, ResourceNotFound).
func (s *Store) CanonicalScope(scope string) (string, *Error) {
	return s.resolveScope(scope)
}

// AuthorizationFailed is ARM's 403 for a caller lacking action at scope (messageScope is the scope
// quoted in the message: for writes, the ID of the object written).
func AuthorizationFailed(callerName, callerOID, action, messageScope string) *Error {
	return errorf(403, "AuthorizationFailed",
		"The client '%s' with object id '%s' does not have authorization to perform action '%s' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
		callerName, callerOID, action, messageScope)
}

// Authorize checks the caller of r for action at scope, the refusal (AuthorizationFailed) quoting
// messageScope.
func (s *Store) Authorize(r *http.Request, action, scope, messageScope string) *Error {
	return s.authorize(r, action, scope, messageScope)
}

// PutScheduledAssignment stores (or replaces) a role assignment that exists from start until end (end
// zero: no end): the materialisation of an active PIM schedule.
func (s *Store) PutScheduledAssignment(a RoleAssignment, start, end time.Time) {
	a.Scope = normalizeScope(a.Scope)
	a.Name = strings.ToLower(a.Name)
	if a.CreatedOn.IsZero() {
		a.CreatedOn = s.opt.Now()
		a.UpdatedOn = a.CreatedOn
	}
	st := start
	a.NotBefore = &st
	if !end.IsZero() {
		en := end
		a.NotAfter = &en
	}
	s.mu.Lock()
	s.assignments[a.Name] = &a
	s.mu.Unlock()
	s.Fire()
}

// RemoveRoleAssignment deletes the role assignment called name, reporting whether it existed.
func (s *Store) RemoveRoleAssignment(name string) bool {
	s.mu.Lock()
	_, ok := s.assignments[strings.ToLower(name)]
	delete(s.assignments, strings.ToLower(name))
	s.mu.Unlock()
	if ok {
		s.Fire()
	}
	return ok
}

// RoleAssignmentLive reports whether the role assignment called name exists now: false once it was
// deleted (through the roleAssignments API too) or its window has passed.
func (s *Store) RoleAssignmentLive(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.assignments[strings.ToLower(name)]
	return ok && a.liveAt(s.opt.Now())
}

// RoleDefinitionIDAt is the role definition ID as ARM renders it for objects at scope: subscription
// prefixed below a subscription, tenant level otherwise.
func (s *Store) RoleDefinitionIDAt(scope, guid string) string {
	return definitionID(s.definitionPrefix(scope), guid)
}

// Filter is a parsed Microsoft.Authorization $filter: `and`-ed clauses of `property eq 'value'` (Eq, by
// lower-cased property) and function calls such as atScope() or asTarget() (Funcs, by lower-cased name,
// with the argument or "").
type Filter struct {
	Eq    map[string]string
	Funcs map[string]string
}

// ParseFilter parses a $filter the way the Microsoft.Authorization list operations read it; ok is false
// for a clause it cannot read.
func ParseFilter(raw string) (Filter, bool) {
	f, ok := parseARMFilter(raw)
	return Filter{Eq: f.eq, Funcs: f.funcs}, ok
}

// WriteJSON writes an ARM JSON answer with ARM's caching headers.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// WriteNoRoute answers a request no route matched: 405 MethodNotAllowed when the path matched another
// method, else 404 InvalidResourceType, with the route label the statistics record.
func WriteNoRoute(w http.ResponseWriter, r *http.Request, methodNotAllowed bool) {
	if methodNotAllowed {
		reqctx.SetRoute(r.Context(), r.Method+" (ARM method not allowed)")
		writeError(w, errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested method '%s' is not allowed for this resource.", r.Method))
		return
	}
	reqctx.SetRoute(r.Context(), r.Method+" (ARM unknown)")
	writeError(w, errorf(http.StatusNotFound, "InvalidResourceType", "The resource type could not be found for the request path '%s'.", r.URL.Path))
}

// Charge takes the request's token from the caller's ARM budget (remaining-budget headers, and a 429
// when the budget is enforced and empty), for routes served outside this package. It reports whether
// the request may be served.
func (s *Store) Charge(w http.ResponseWriter, r *http.Request) bool {
	c, ok := reqctx.CallerFrom(r.Context())
	return !ok || s.charge(w, r, c.ObjectID)
}
