package pim

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// Graph permissions of the PIM-for-groups and policy APIs (reference §4.1, §5.2, §6.1); each list is
// "any of", least privileged first.
var (
	permEligibilityRead  = []string{"PrivilegedEligibilitySchedule.Read.AzureADGroup", "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup", "PrivilegedAccess.Read.AzureADGroup", "PrivilegedAccess.ReadWrite.AzureADGroup"}
	permEligibilityWrite = []string{"PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup", "PrivilegedAccess.ReadWrite.AzureADGroup"}
	permAssignmentRead   = []string{"PrivilegedAssignmentSchedule.Read.AzureADGroup", "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup", "PrivilegedAccess.Read.AzureADGroup", "PrivilegedAccess.ReadWrite.AzureADGroup"}
	permAssignmentWrite  = []string{"PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup", "PrivilegedAccess.ReadWrite.AzureADGroup"}
	permPolicyRead       = []string{"RoleManagementPolicy.Read.AzureADGroup", "RoleManagementPolicy.ReadWrite.AzureADGroup"}
	permPolicyWrite      = []string{"RoleManagementPolicy.ReadWrite.AzureADGroup"}
)

// call is one request being answered by a handler, with the engine locked.
type call struct {
	r       *http.Request
	p       router.Params
	caller  reqctx.Caller
	q       odata.Query
	now     time.Time
	changed bool
}

// Results a handler returns; anything else is written as a JSON entity with status 200.
type (
	entity struct {
		status   int
		fragment string // @odata.context fragment ("" for none)
		obj      map[string]any
	}
	collection struct {
		fragment string
		items    []map[string]any
	}
	noContent struct{}
	plainText string
)

type handler func(c *call) (any, *apiError)

type routeOpts struct {
	perms         []string
	delegatedOnly bool
}

func (e *Engine) routes() *router.Router {
	rt := &router.Router{}
	e.requestRoutes(rt, "eligibilityScheduleRequests", pimcore.Eligibility, permEligibilityRead, permEligibilityWrite)
	e.requestRoutes(rt, "assignmentScheduleRequests", pimcore.Assignment, permAssignmentRead, permAssignmentWrite)
	e.scheduleRoutes(rt, "eligibilitySchedules", pimcore.Eligibility, false, permEligibilityRead)
	e.scheduleRoutes(rt, "eligibilityScheduleInstances", pimcore.Eligibility, true, permEligibilityRead)
	e.scheduleRoutes(rt, "assignmentSchedules", pimcore.Assignment, false, permAssignmentRead)
	e.scheduleRoutes(rt, "assignmentScheduleInstances", pimcore.Assignment, true, permAssignmentRead)
	e.approvalRoutes(rt)
	e.policyRoutes(rt)
	return rt
}

// handle registers a route whose handler runs with the engine locked, after the permission check.
func (e *Engine) handle(rt *router.Router, method, pattern string, o routeOpts, h handler) {
	rt.Handle(method, pattern, func(w http.ResponseWriter, r *http.Request, p router.Params) {
		caller, ok := reqctx.CallerFrom(r.Context())
		if !ok {
			odata.WriteError(w, r, http.StatusUnauthorized, odata.CodeInvalidToken, "Access token is empty.")
			return
		}
		if (o.delegatedOnly && caller.IsApp) || !caller.HasPermission(o.perms...) {
			odata.WriteErr(w, r, odata.Forbidden())
			return
		}
		q, qerr := odata.ParseQuery(r)
		if qerr != nil {
			odata.WriteErr(w, r, qerr)
			return
		}
		e.mu.Lock()
		c := &call{r: r, p: p, caller: caller, q: q, now: e.now().UTC()}
		c.changed = e.sweep()
		res, aerr := h(c)
		e.mu.Unlock()
		if c.changed {
			e.Fire()
		}
		if aerr != nil {
			odata.WriteErr(w, r, aerr)
			return
		}
		writeResult(w, r, c, res)
	})
}

func writeResult(w http.ResponseWriter, r *http.Request, c *call, res any) {
	switch v := res.(type) {
	case noContent:
		odata.WriteNoContent(w)
	case plainText:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(v))
	case collection:
		items := v.items
		sortItems(items, c.q.OrderBy)
		page, next := odata.Page(r, c.q, items, 100, 999)
		out := make([]map[string]any, len(page))
		for i, it := range page {
			out[i] = c.q.Apply(it)
		}
		fragment := v.fragment
		if fragment != "" {
			fragment += c.q.Projection()
		}
		odata.WriteCollection(w, r, fragment, out, next)
	case entity:
		obj := c.q.Apply(v.obj)
		if v.fragment != "" {
			// "set/$entity" names what $select and $expand kept: "set(id,rules(id))/$entity".
			set, isEntity := strings.CutSuffix(v.fragment, "/$entity")
			fragment := set + c.q.Projection()
			if isEntity {
				fragment += "/$entity"
			}
			obj["@odata.context"] = odata.Context(r, fragment)
		}
		status := v.status
		if status == 0 {
			status = http.StatusOK
		}
		odata.WriteJSON(w, status, obj)
	}
}

// expand adds to obj each of navs that $expand names (or "*" expands), as render renders it (nil: left
// out).
func (c *call) expand(obj map[string]any, navs []string, render func(nav string) map[string]any) {
	if c.q.Expand == "" {
		return
	}
	for name := range expandNames(c.q.Expand) {
		for _, nav := range navs {
			if name == strings.ToLower(nav) || name == "*" {
				if v := render(nav); v != nil {
					obj[nav] = v
				}
			}
		}
	}
}

// filterItems applies $filter to rendered items.
func (c *call) filterItems(items []map[string]any) []map[string]any {
	if len(c.q.Filter) == 0 {
		return items
	}
	var out []map[string]any
	for _, it := range items {
		if c.q.Filter.Match(it) {
			out = append(out, it)
		}
	}
	return out
}

// sortItems applies a single-key $orderby ("createdDateTime desc"); ISO timestamps and IDs sort as text.
// Without $orderby items keep their creation order.
func sortItems(items []map[string]any, orderBy string) {
	fields := strings.Fields(strings.Split(orderBy, ",")[0])
	if len(fields) == 0 {
		return
	}
	key, desc := fields[0], len(fields) > 1 && strings.EqualFold(fields[1], "desc")
	str := func(m map[string]any) string {
		for k, v := range m {
			if strings.EqualFold(k, key) {
				if s, ok := v.(string); ok {
					return s
				}
			}
		}
		return ""
	}
	sort.SliceStable(items, func(i, j int) bool {
		if desc {
			return str(items[i]) > str(items[j])
		}
		return str(items[i]) < str(items[j])
	})
}

// Handles reports whether path belongs to the PIM engine: PIM for groups and role management policies.
func (e *Engine) Handles(path string) bool {
	p := strings.ToLower(path)
	return strings.HasPrefix(p, strings.ToLower(pimPrefix)) || strings.HasPrefix(p, strings.ToLower(policyPrefix))
}

// ServeHTTP answers every path for which Handles is true. The front door has authenticated the caller
// and put it in the request context.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = odata.WithSelectOmitsID(r, e.cfg.SelectOmitsID)
	h, p, label, methodNotAllowed := e.router.Match(r)
	if h == nil {
		if methodNotAllowed {
			reqctx.SetRoute(r.Context(), r.Method+" "+r.URL.Path)
			odata.WriteError(w, r, http.StatusMethodNotAllowed, "Request_BadRequest",
				"The requested resource does not support http method '"+r.Method+"'.")
			return
		}
		segs := router.Segments(r)
		last := ""
		if len(segs) > 0 {
			last = segs[len(segs)-1]
		}
		reqctx.SetRoute(r.Context(), r.Method+" (unmatched PIM path)")
		odata.WriteError(w, r, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+last+"'.")
		return
	}
	reqctx.SetRoute(r.Context(), label)
	h(w, r, p)
}
