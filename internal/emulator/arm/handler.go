package arm

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// API versions accepted per resource provider family. Unknown versions are refused the way ARM does, so a
// client pinned to an unexpected version is noticed.
var (
	resourcesAPIVersions = []string{"2016-06-01", "2019-10-01", "2020-01-01", "2020-06-01", "2021-01-01", "2021-04-01", "2022-09-01", "2022-12-01", "2023-07-01", "2024-03-01", "2024-07-01", "2024-11-01"}
	authzAPIVersions     = []string{"2015-07-01", "2018-01-01-preview", "2018-09-01-preview", "2020-03-01-preview", "2020-04-01-preview", "2020-10-01-preview", "2021-04-01-preview", "2022-01-01-preview", "2022-04-01", "2022-05-01-preview"}
	computeAPIVersions   = []string{"2022-08-01", "2022-11-01", "2023-03-01", "2023-07-01", "2023-09-01", "2024-03-01", "2024-07-01", "2024-11-01"}
)

type family int

const (
	famNone family = iota
	famResources
	famAuthz
	famAKS
	famCompute
)

func (s *Store) buildRoutes() *router.Router {
	rt := &router.Router{}
	h := func(f family, fn router.Handler) router.Handler {
		return func(w http.ResponseWriter, r *http.Request, p router.Params) {
			if e := s.checkAPIVersion(r, f); e != nil {
				writeError(w, e)
				return
			}
			fn(w, r, p)
		}
	}
	const sub = "/subscriptions/{subscriptionId}"
	const rg = sub + "/resourceGroups/{resourceGroupName}"
	const mc = rg + "/providers/Microsoft.ContainerService/managedClusters"
	const authz = "{scope...}/providers/Microsoft.Authorization"
	rt.Handle("GET", "/metadata/endpoints", h(famNone, s.metadataEndpoints))
	rt.Handle("GET", "/subscriptions", h(famResources, s.listSubscriptions))
	rt.Handle("GET", sub, h(famResources, s.getSubscription))
	rt.Handle("GET", sub+"/resourceGroups", h(famResources, s.listResourceGroups))
	rt.Handle("GET", rg, h(famResources, s.getResourceGroup))
	rt.Handle("GET", sub+"/providers/Microsoft.ContainerService/managedClusters", h(famAKS, s.listClusters))
	rt.Handle("GET", mc, h(famAKS, s.listClusters))
	rt.Handle("GET", mc+"/{resourceName}", h(famAKS, s.getCluster))
	rt.Handle("GET", mc+"/{resourceName}/agentPools", h(famAKS, s.listAgentPools))
	rt.Handle("GET", mc+"/{resourceName}/agentPools/{agentPoolName}", h(famAKS, s.getAgentPool))
	rt.Handle("POST", mc+"/{resourceName}/listClusterUserCredential", h(famAKS, s.listCredential))
	rt.Handle("POST", mc+"/{resourceName}/listClusterAdminCredential", h(famAKS, s.listCredential))
	rt.Handle("GET", rg+"/providers/Microsoft.Compute/virtualMachineScaleSets", h(famCompute, s.listScaleSets))
	rt.Handle("GET", rg+"/providers/Microsoft.Compute/virtualMachineScaleSets/{vmScaleSetName}", h(famCompute, s.getScaleSet))
	rt.Handle("GET", authz+"/roleDefinitions", h(famAuthz, s.listRoleDefinitions))
	rt.Handle("GET", authz+"/roleDefinitions/{roleDefinitionId}", h(famAuthz, s.getRoleDefinition))
	rt.Handle("GET", authz+"/roleAssignments", h(famAuthz, s.listRoleAssignments))
	rt.Handle("GET", authz+"/roleAssignments/{roleAssignmentName}", h(famAuthz, s.getRoleAssignment))
	rt.Handle("PUT", authz+"/roleAssignments/{roleAssignmentName}", h(famAuthz, s.putRoleAssignment))
	rt.Handle("DELETE", authz+"/roleAssignments/{roleAssignmentName}", h(famAuthz, s.deleteRoleAssignment))
	rt.Handle("GET", authz+"/permissions", h(famAuthz, s.listPermissions))
	return rt
}

// Handles reports whether path belongs to ARM.
func Handles(path string) bool {
	p := strings.ToLower(path)
	return strings.HasPrefix(p, "/subscriptions") || strings.HasPrefix(p, "/providers/") || strings.HasPrefix(p, "/metadata/")
}

// SetHeaders sets ARM's request-tracking headers on a response (once): the front door calls it before
// authentication so that 401s carry them too.
func SetHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if h.Get("x-ms-request-id") != "" {
		return
	}
	reqID := uuid.NewString()
	corr := r.Header.Get("x-ms-correlation-request-id")
	if corr == "" {
		corr = reqID
	}
	h.Set("x-ms-request-id", reqID)
	h.Set("x-ms-correlation-request-id", corr)
	h.Set("x-ms-routing-request-id", "EASTUS:"+time.Now().UTC().Format("20060102T150405Z")+":"+reqID)
	h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	h.Set("X-Content-Type-Options", "nosniff")
}

// ServeHTTP answers the ARM routes with ARM's response headers.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	SetHeaders(w, r)
	fn, p, label, notAllowed := s.rt.Match(r)
	if c, ok := reqctx.CallerFrom(r.Context()); ok && !s.charge(w, r, c.ObjectID) {
		if fn != nil {
			reqctx.SetRoute(r.Context(), label)
		}
		return
	}
	if fn == nil {
		WriteNoRoute(w, r, notAllowed)
		return
	}
	reqctx.SetRoute(r.Context(), label)
	fn(w, r, p)
}

// WriteError writes an ARM error body; the server's front door uses it for 401s and injected faults.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	writeError(w, &apiError{Status: status, Code: code, Message: message})
}

func (s *Store) checkAPIVersion(r *http.Request, f family) *apiError {
	if f == famNone {
		return nil
	}
	v := r.URL.Query().Get("api-version")
	if v == "" {
		return errorf(http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
	}
	var supported []string
	switch f {
	case famResources:
		supported = resourcesAPIVersions
	case famAuthz:
		supported = authzAPIVersions
	case famAKS:
		supported = s.opt.AKSAPIVersions
	case famCompute:
		supported = computeAPIVersions
	}
	if slices.Contains(supported, v) {
		return nil
	}
	switch f {
	case famAKS, famCompute:
		typ := "managedClusters"
		if f == famCompute {
			typ = "virtualMachineScaleSets"
		}
		return errorf(http.StatusBadRequest, "NoRegisteredProviderFound",
			"No registered resource provider found for location 'eastus' and API version '%s' for type '%s'. The supported api-versions are '%s'. The supported locations are 'eastus, westeurope'.",
			v, typ, strings.Join(supported, ", "))
	}
	return errorf(http.StatusBadRequest, "InvalidApiVersionParameter", "The api-version '%s' is invalid. The supported versions are '%s'.", v, strings.Join(supported, ","))
}

// subscribed checks the route's subscription, writing ARM's error when it is not the emulated one.
func (s *Store) subscribed(w http.ResponseWriter, p router.Params) bool {
	if e := s.checkSubscription(p["subscriptionId"]); e != nil {
		writeError(w, e)
		return false
	}
	return true
}

// Resolved resolves the route's scope ({scope...}), writing ARM's error when it does not resolve.
func (s *Store) Resolved(w http.ResponseWriter, p router.Params) (string, bool) {
	scope, e := s.resolveScope(p["scope"])
	if e != nil {
		writeError(w, e)
		return "", false
	}
	return scope, true
}

// authorizedAt resolves the route's scope and checks the caller for action there, the refusal quoting
// quoted(scope); it writes the error when either fails.
func (s *Store) authorizedAt(w http.ResponseWriter, r *http.Request, p router.Params, action string, quoted func(scope string) string) (string, bool) {
	scope, ok := s.Resolved(w, p)
	if !ok {
		return "", false
	}
	if e := s.authorize(r, action, scope, quoted(scope)); e != nil {
		writeError(w, e)
		return "", false
	}
	return scope, true
}

// atScope quotes the scope itself in a refusal (reads).
func atScope(scope string) string { return scope }

// writeLocked answers status with what render returns, rendered under s.mu.
func (s *Store) writeLocked(w http.ResponseWriter, status int, render func() any) {
	s.mu.Lock()
	v := render()
	s.mu.Unlock()
	writeJSON(w, status, v)
}

// checkSubscription verifies the subscription of a path or scope.
func (s *Store) checkSubscription(sub string) *apiError {
	if sub != "" && !strings.EqualFold(sub, s.opt.SubscriptionID) {
		return errSubscriptionNotFound(sub)
	}
	return nil
}
