package emulator

import (
	"net/url"
	"testing"
)

// TestGraphCost checks the resource-unit table of limits-and-consistency.md §1.2 (base costs, the listed
// exceptions, the $select/$expand/$top modifiers, the minimum of 1) and what is left out (§1.3, §1.5).
func TestGraphCost(t *testing.T) {
	tests := []struct {
		method, path, query string
		ru                  float64
		write, charged      bool
	}{
		{"GET", "/v1.0/groups/g1", "", 1, false, true},
		{"GET", "/v1.0/groups/g1", "$select=id", 1, false, true}, // 1 - 1, minimum 1
		{"GET", "/v1.0/groups/g1/members", "", 3, false, true},
		{"GET", "/v1.0/groups/g1/members", "$select=id&$top=999", 2, false, true},
		{"GET", "/v1.0/groups/g1/members", "$select=id&$top=5", 1, false, true},
		{"GET", "/v1.0/groups/g1/transitiveMembers", "", 5, false, true},
		{"GET", "/v1.0/groups/g1/owners", "$select=id", 1, false, true},
		{"GET", "/v1.0/groups/g1", "$expand=members", 2, false, true},
		{"GET", "/v1.0/users", "", 2, false, true},
		{"GET", "/v1.0/users/u1", "", 1, false, true},
		{"POST", "/v1.0/directoryObjects/getByIds", "", 5, false, true},
		{"POST", "/v1.0/directoryObjects/getByIds", "$select=id", 2, false, true},
		{"POST", "/v1.0/groups", "", 1, true, true},
		{"PATCH", "/v1.0/groups/g1", "", 1, true, true},
		{"DELETE", "/v1.0/groups/g1/members/u1/$ref", "", 1, true, true},
		{"POST", "/v1.0/$batch", "", 0, false, false},
		{"GET", "/v1.0/identityGovernance/privilegedAccess/group/eligibilitySchedules", "", 0, false, false},
		{"GET", "/v1.0/policies/roleManagementPolicies", "", 0, false, false},
		{"GET", "/v1.0/policies/roleManagementPolicyAssignments", "", 0, false, false},
		{"GET", "/v1.0/policies/tokenLifetimePolicies", "", 1, false, true},
	}
	for _, tc := range tests {
		q, _ := url.ParseQuery(tc.query)
		ru, write, charged := graphCost(tc.method, tc.path, q)
		if ru != tc.ru || write != tc.write || charged != tc.charged {
			t.Errorf("%s %s?%s: (%g RU, write %t, charged %t), want (%g, %t, %t)", tc.method, tc.path, tc.query, ru, write, charged, tc.ru, tc.write, tc.charged)
		}
	}
	if r := graphReadRU(10); r.Size != 3500 || r.PerSecond != 350 {
		t.Errorf("small tenant: %+v", r)
	}
	if r := graphReadRU(50); r.Size != 5000 {
		t.Errorf("medium tenant: %+v", r)
	}
	if r := graphReadRU(501); r.Size != 8000 {
		t.Errorf("large tenant: %+v", r)
	}
	if w := DefaultGraphThrottling().Writes; w.Size != 3000 || w.PerSecond != 20 {
		t.Errorf("write quota %+v, want 3,000 per 150 s", w)
	}
}
