package router_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	rt := &router.Router{}
	noop := func(http.ResponseWriter, *http.Request, router.Params) {}
	rt.Handle("GET", "/v1.0/users/{id}", noop)
	rt.Handle("DELETE", "/v1.0/groups/{id}/members/{memberId}/$ref", noop)
	rt.Handle("PUT", "{scope...}/providers/Microsoft.Authorization/roleAssignments/{name}", noop)
	rt.Handle("GET", "{scope...}/providers/Microsoft.Authorization/roleAssignments", noop)

	tests := map[string]struct {
		method, target string
		label          string
		params         router.Params
		notAllowed     bool
	}{
		"UPN with %40": {"GET", "/v1.0/users/alice%40contoso.com", "GET /v1.0/users/{id}", router.Params{"id": "alice@contoso.com"}, false},
		"guest UPN with %23": {"GET", "/v1.0/users/a_x.com%23EXT%23%40t.onmicrosoft.com", "GET /v1.0/users/{id}",
			router.Params{"id": "a_x.com#EXT#@t.onmicrosoft.com"}, false},
		"literal segments ignore case": {"DELETE", "/V1.0/Groups/g/MEMBERS/m/$ref", "DELETE /v1.0/groups/{id}/members/{memberId}/$ref", router.Params{"id": "g", "memberId": "m"}, false},
		"resource scope": {"PUT", "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/c/namespaces/ns/providers/microsoft.authorization/roleassignments/n",
			"PUT {scope...}/providers/Microsoft.Authorization/roleAssignments/{name}",
			router.Params{"scope": "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/c/namespaces/ns", "name": "n"}, false},
		"root scope":         {"GET", "/providers/Microsoft.Authorization/roleAssignments", "GET {scope...}/providers/Microsoft.Authorization/roleAssignments", router.Params{"scope": ""}, false},
		"method not allowed": {"POST", "/v1.0/users/x", "", nil, true},
		"no route":           {"GET", "/v1.0/nothing", "", nil, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h, p, label, notAllowed := rt.Match(httptest.NewRequest(tc.method, "https://h"+tc.target, nil))
			if (h != nil) != (tc.label != "") || label != tc.label || notAllowed != tc.notAllowed {
				t.Fatalf("Match = (%v, %q, %v)", h != nil, label, notAllowed)
			}
			if tc.params != nil {
				if diff := cmp.Diff(tc.params, p); diff != "" {
					t.Errorf("params: %s", diff)
				}
			}
		})
	}
}
