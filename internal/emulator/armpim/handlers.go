package armpim

import (
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// readAction is the Microsoft.Authorization action that lists or reads objects of type typ.
func readAction(typ string) string { return "Microsoft.Authorization/" + typ + "/read" }

// authorized resolves the route's scope and checks the caller for action there, writing the error when
// either fails. A write names the object written (of type typ) in the refusal, a read ("" typ) the scope.
func (e *Engine) authorized(w http.ResponseWriter, r *http.Request, p router.Params, action, typ string) (string, bool) {
	scope, ok := e.arm.Resolved(w, p)
	if !ok {
		return "", false
	}
	quoted := scope
	if typ != "" {
		quoted = objectID(scope, typ, p["name"])
	}
	if aerr := e.authorize(r, action, scope, quoted); aerr != nil {
		writeError(w, aerr)
		return "", false
	}
	return scope, true
}

func (e *Engine) putRequest(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params) {
	e.writeRequest(k, w, r, p, false)
}

func (e *Engine) validateRequest(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params) {
	e.writeRequest(k, w, r, p, true)
}

func (e *Engine) writeRequest(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params, validateOnly bool) {
	scope, ok := e.arm.Resolved(w, p)
	if !ok {
		return
	}
	body, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	req, status, aerr := e.createRequest(k, r, scope, p["name"], body, validateOnly)
	var m map[string]any
	if aerr == nil {
		m = e.requestJSON(req)
	}
	e.mu.Unlock()
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if !validateOnly {
		e.Fire()
	}
	writeJSON(w, status, m)
}

func (e *Engine) getRequest(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params) {
	c := caller(r)
	e.atScope(w, p, func(scope string, now time.Time) {
		req := e.st.Requests[strings.ToLower(p["name"])]
		if req == nil || req.Kind != k || !strings.EqualFold(req.Scope, scope) {
			writeError(w, errRequestNotFound(p["name"]))
			return
		}
		if !isRequestor(req, c.ObjectID) && !e.awaits(req, c.ObjectID, now) {
			if aerr := e.authorize(r, readAction(typeName(k, "ScheduleRequests")), scope, scope); aerr != nil {
				writeError(w, aerr)
				return
			}
		}
		writeJSON(w, http.StatusOK, e.requestJSON(req))
	})
}

func (e *Engine) listRequests(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params) {
	e.list(w, r, p, true, readAction(typeName(k, "ScheduleRequests")), func(f listFilter, scope string, now time.Time) []any {
		c := caller(r)
		out := []any{}
		for _, name := range e.st.Order {
			req := e.st.Requests[name]
			if req == nil || req.Kind != k || !f.matches(scope, req.target) || (f.status != "" && !strings.EqualFold(req.Status, f.status)) ||
				(f.asRequestor && !strings.EqualFold(req.RequestorID, c.ObjectID)) || (f.asApprover && !e.awaits(req, c.ObjectID, now)) {
				continue
			}
			out = append(out, e.requestJSON(req))
		}
		return out
	})
}

// list answers a list route: it resolves the scope, reads the filter, checks the caller may read at
// the scope (unless the filter keeps only the caller's own objects) and writes what collect returns.
func (e *Engine) list(w http.ResponseWriter, r *http.Request, p router.Params, requests bool, action string, collect func(listFilter, string, time.Time) []any) {
	e.atScope(w, p, func(scope string, now time.Time) {
		f, aerr := e.parseListFilter(r.URL.Query().Get("$filter"), requests, caller(r), now)
		if aerr == nil && !f.personal() {
			aerr = e.authorize(r, action, scope, scope)
		}
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"value": collect(f, scope, now)})
	})
}

// atScope resolves the route's scope (or writes ARM's error) and runs fn on it with the engine locked.
func (e *Engine) atScope(w http.ResponseWriter, p router.Params, fn func(scope string, now time.Time)) {
	scope, ok := e.arm.Resolved(w, p)
	if !ok {
		return
	}
	now := e.now().UTC()
	e.mu.Lock()
	defer e.mu.Unlock()
	fn(scope, now)
}

func (e *Engine) cancelRequest(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params) {
	scope, ok := e.arm.Resolved(w, p)
	if !ok {
		return
	}
	e.mu.Lock()
	aerr := e.cancel(r, k, scope, p["name"])
	e.mu.Unlock()
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.Fire()
	w.WriteHeader(http.StatusOK)
}

// sortedSchedules returns the schedules of kind k that pass keep, oldest first.
func (e *Engine) sortedSchedules(k pimcore.Kind, keep func(*schedule) bool) []*schedule {
	var out []*schedule
	for _, s := range e.st.Schedules {
		if s.Kind == k && keep(s) {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func (e *Engine) listSchedules(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params) {
	e.list(w, r, p, false, readAction(typeName(k, "Schedules")), func(f listFilter, scope string, now time.Time) []any {
		out := []any{}
		for _, s := range e.sortedSchedules(k, func(s *schedule) bool { return e.live(s, now) && f.matches(scope, s.target) }) {
			out = append(out, e.scheduleJSON(s))
		}
		return out
	})
}

func (e *Engine) listInstances(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params) {
	e.list(w, r, p, false, readAction(typeName(k, "ScheduleInstances")), func(f listFilter, scope string, now time.Time) []any {
		out := []any{}
		for _, s := range e.sortedSchedules(k, func(s *schedule) bool { return s.Active(now) && e.live(s, now) && f.matches(scope, s.target) }) {
			out = append(out, e.instanceJSON(s))
		}
		return out
	})
}

// getOne answers a schedule or instance GET: the object named at exactly the scope, readable by its
// principal (or a member of it) or by anyone with the read action at the scope.
func (e *Engine) getOne(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params, typ string, find func(*schedule, string, time.Time) bool, render func(*schedule) map[string]any) {
	e.atScope(w, p, func(scope string, now time.Time) {
		var found *schedule
		for _, s := range e.st.Schedules {
			if s.Kind == k && strings.EqualFold(s.Scope, scope) && find(s, strings.ToLower(p["name"]), now) {
				found = s
			}
		}
		if found == nil {
			writeError(w, errNotFound(strings.ToUpper(typ[:1])+strings.TrimSuffix(typ[1:], "s")+"NotFound", "object", p["name"]))
			return
		}
		if !e.principalAndGroups(caller(r).ObjectID, now)[found.PrincipalID] {
			if aerr := e.authorize(r, readAction(typ), scope, scope); aerr != nil {
				writeError(w, aerr)
				return
			}
		}
		writeJSON(w, http.StatusOK, render(found))
	})
}

func (e *Engine) getSchedule(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params) {
	e.getOne(k, w, r, p, typeName(k, "Schedules"), func(s *schedule, name string, now time.Time) bool {
		return s.Name == name && e.live(s, now)
	}, e.scheduleJSON)
}

func (e *Engine) getInstance(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params) {
	e.getOne(k, w, r, p, typeName(k, "ScheduleInstances"), func(s *schedule, name string, now time.Time) bool {
		return s.Instance == name && s.Active(now) && e.live(s, now)
	}, e.instanceJSON)
}
