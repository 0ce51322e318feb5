// Package armpim emulates PIM for Azure resources (Microsoft.Authorization, api-version 2020-10-01):
// role eligibility and role assignment schedule requests, schedules and instances at any ARM scope, role
// management policies and their assignments, and the approvals of activations (roleAssignmentApprovals,
// 2021-01-01-preview). An active assignment schedule is materialised as a role assignment in the ARM
// store for exactly its lifetime, so that it shows in the roleAssignments and permissions APIs and
// authorizes like any role assignment, AKS data plane included. It reaches the directory only through
// arm.Directory and ARM only through the arm.Store's exported hooks.
package armpim

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/storekit"
)

// Engine is the PIM for Azure resources emulator.
type Engine struct {
	mu  sync.Mutex
	arm *arm.Store
	dir arm.Directory // PIM for Azure resources needs from the directory what ARM does
	now func() time.Time
	cfg Config
	st  *state
	rt  *router.Router
	storekit.Hooks
}

// New returns an engine over the ARM store and the directory, reading time from now (the emulator clock).
func New(a *arm.Store, dir arm.Directory, now func() time.Time, cfg Config) *Engine {
	e := &Engine{arm: a, dir: dir, now: now, cfg: cfg.withDefaults(), st: new(state).Fill()}
	e.rt = e.routes()
	return e
}

// API versions of the PIM types and of the approvals API. An unknown one is refused as ARM does.
var (
	pimAPIVersions      = []string{"2020-10-01", "2020-10-01-preview", "2022-04-01-preview", "2024-02-01-preview", "2024-09-01-preview"}
	approvalAPIVersions = []string{"2021-01-01-preview"}
)

// The resource types this engine answers, lower case, as they follow /providers/Microsoft.Authorization/.
var handledTypes = []string{
	"roleeligibilityschedulerequests", "roleeligibilityschedules", "roleeligibilityscheduleinstances",
	"roleassignmentschedulerequests", "roleassignmentschedules", "roleassignmentscheduleinstances",
	"rolemanagementpolicies", "rolemanagementpolicyassignments", "roleassignmentapprovals",
}

// Handles reports whether path is one of this engine's ARM routes.
func (e *Engine) Handles(path string) bool {
	p := strings.ToLower(path)
	const infix = "/providers/microsoft.authorization/"
	i := strings.LastIndex(p, infix)
	if i < 0 {
		return false
	}
	typ, _, _ := strings.Cut(p[i+len(infix):], "/")
	if !slices.Contains(handledTypes, typ) {
		// A stage or step of an approval: .../roleAssignmentApprovals/{id}/stages/{id}.
		return strings.Contains(p, infix+"roleassignmentapprovals/")
	}
	return true
}

func (e *Engine) routes() *router.Router {
	rt := &router.Router{}
	const authz = "{scope...}/providers/Microsoft.Authorization/"
	for _, k := range []pimcore.Kind{pimcore.Eligibility, pimcore.Assignment} {
		reqs := authz + typeName(k, "ScheduleRequests")
		rt.Handle("PUT", reqs+"/{name}", e.pim(e.bind(k, e.putRequest)))
		rt.Handle("GET", reqs+"/{name}", e.pim(e.bind(k, e.getRequest)))
		rt.Handle("GET", reqs, e.pim(e.bind(k, e.listRequests)))
		rt.Handle("POST", reqs+"/{name}/cancel", e.pim(e.bind(k, e.cancelRequest)))
		rt.Handle("POST", reqs+"/{name}/validate", e.pim(e.bind(k, e.validateRequest)))
		rt.Handle("GET", authz+typeName(k, "Schedules"), e.pim(e.bind(k, e.listSchedules)))
		rt.Handle("GET", authz+typeName(k, "Schedules")+"/{name}", e.pim(e.bind(k, e.getSchedule)))
		rt.Handle("GET", authz+typeName(k, "ScheduleInstances"), e.pim(e.bind(k, e.listInstances)))
		rt.Handle("GET", authz+typeName(k, "ScheduleInstances")+"/{name}", e.pim(e.bind(k, e.getInstance)))
	}
	rt.Handle("GET", authz+"roleManagementPolicies", e.pim(e.listPolicies))
	rt.Handle("GET", authz+"roleManagementPolicies/{name}", e.pim(e.getPolicy))
	rt.Handle("PATCH", authz+"roleManagementPolicies/{name}", e.pim(e.patchPolicy))
	rt.Handle("DELETE", authz+"roleManagementPolicies/{name}", e.pim(e.deletePolicy))
	rt.Handle("GET", authz+"roleManagementPolicyAssignments", e.pim(e.listPolicyAssignments))
	rt.Handle("GET", authz+"roleManagementPolicyAssignments/{name}", e.pim(e.getPolicyAssignment))
	rt.Handle("PUT", authz+"roleManagementPolicyAssignments/{name}", e.pim(e.putPolicyAssignment))
	rt.Handle("DELETE", authz+"roleManagementPolicyAssignments/{name}", e.pim(e.deletePolicyAssignment))
	approvals := authz + "roleAssignmentApprovals"
	rt.Handle("GET", approvals, e.approval(e.listApprovals))
	rt.Handle("GET", approvals+"/{approvalId}", e.approval(e.getApproval))
	// The definitions say /steps/; every example says /stages/. Both are served.
	for _, seg := range []string{"/stages", "/steps"} {
		rt.Handle("GET", approvals+"/{approvalId}"+seg, e.approval(e.listStages))
		rt.Handle("GET", approvals+"/{approvalId}"+seg+"/{stageId}", e.approval(e.getStage))
		rt.Handle("PATCH", approvals+"/{approvalId}"+seg+"/{stageId}", e.approval(e.decideStage))
		rt.Handle("PUT", approvals+"/{approvalId}"+seg+"/{stageId}", e.approval(e.decideStage))
	}
	return rt
}

// typeName is the resource type of k with the given suffix: roleEligibility... or roleAssignment....
func typeName(k pimcore.Kind, suffix string) string {
	if k == pimcore.Eligibility {
		return "roleEligibility" + suffix
	}
	return "roleAssignment" + suffix
}

type kindHandler func(k pimcore.Kind, w http.ResponseWriter, r *http.Request, p router.Params)

func (e *Engine) bind(k pimcore.Kind, h kindHandler) router.Handler {
	return func(w http.ResponseWriter, r *http.Request, p router.Params) { h(k, w, r, p) }
}

func (e *Engine) pim(h router.Handler) router.Handler { return e.versioned(pimAPIVersions, h) }

func (e *Engine) approval(h router.Handler) router.Handler {
	return e.versioned(approvalAPIVersions, h)
}

// versioned checks the api-version, then runs h with the engine's lazy clock work done: approval stages
// past their timeout expire and old requests are purged before anything is read or written.
func (e *Engine) versioned(versions []string, h router.Handler) router.Handler {
	return func(w http.ResponseWriter, r *http.Request, p router.Params) {
		v := r.URL.Query().Get("api-version")
		switch {
		case v == "":
			writeError(w, errorf(http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."))
			return
		case !slices.Contains(versions, v):
			writeError(w, errorf(http.StatusBadRequest, "InvalidApiVersionParameter", "The api-version '%s' is invalid. The supported versions are '%s'.", v, strings.Join(versions, ",")))
			return
		}
		e.mu.Lock()
		changed := e.tick(e.now().UTC())
		e.mu.Unlock()
		if changed {
			e.Fire()
		}
		h(w, r, p)
	}
}

// ServeHTTP answers the engine's routes; the front door has authenticated the caller.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, p, label, notAllowed := e.rt.Match(r)
	if h == nil {
		arm.WriteNoRoute(w, r, notAllowed)
		return
	}
	reqctx.SetRoute(r.Context(), label)
	if !e.arm.Charge(w, r) {
		return
	}
	h(w, r, p)
}

// MarshalJSON returns the engine's state for persistence.
func (e *Engine) MarshalJSON() ([]byte, error) {
	return storekit.Save(&e.mu, func() any { return e.st })
}

// UnmarshalJSON replaces the engine's state with a persisted one.
func (e *Engine) UnmarshalJSON(b []byte) error {
	return storekit.Load(&e.mu, b, func(st *state) { e.st = st.Fill() })
}

func newName() string { return uuid.NewString() }

// caller is the authenticated caller of r.
func caller(r *http.Request) reqctx.Caller {
	c, _ := reqctx.CallerFrom(r.Context())
	return c
}

// authorize checks the caller for action at scope as ARM does (AuthorizationFailed when denied).
func (e *Engine) authorize(r *http.Request, action, scope, messageScope string) *apiError {
	return e.arm.Authorize(r, action, scope, messageScope)
}

// resolveScope validates the scope of a route and returns it in canonical casing.
func (e *Engine) resolveScope(raw string) (string, *apiError) {
	return e.arm.CanonicalScope(raw)
}

// objectID is the resource ID of an object of type typ called name at scope.
func objectID(scope, typ, name string) string {
	return strings.TrimSuffix(scope, "/") + "/providers/Microsoft.Authorization/" + typ + "/" + name
}
