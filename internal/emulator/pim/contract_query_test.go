package pim_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
)

func TestQueryOptionsThroughSDK(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	app := h.client("app")
	var sids []string
	for _, p := range []string{uN01, uP01, uO01, gDefault} {
		r, err := pimGroup(app).EligibilityScheduleRequests().Post(ctx, eligibilityRequest(t, reqSpec{
			action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: p, duration: "P30D"}), nil)
		must(t, err)
		sids = append(sids, deref(r.GetTargetScheduleId()))
	}

	first, err := pimGroup(app).EligibilityScheduleRequests().Get(ctx,
		&identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetQueryParameters{
				Filter: ptr("groupId eq '" + gAdmin + "'"), Top: ptr(int32(3))}})
	must(t, err)
	next := deref(first.GetOdataNextLink())
	if len(first.GetValue()) != 3 || !strings.HasPrefix(next, h.srv.URL()+"/v1.0/identityGovernance/") {
		t.Fatalf("first page: %d items, nextLink %q", len(first.GetValue()), next)
	}
	it, err := msgraphcore.NewPageIterator[models.PrivilegedAccessGroupEligibilityScheduleRequestable](first, app.GetAdapter(),
		models.CreatePrivilegedAccessGroupEligibilityScheduleRequestCollectionResponseFromDiscriminatorValue)
	must(t, err)
	seen := 0
	must(t, it.Iterate(ctx, func(models.PrivilegedAccessGroupEligibilityScheduleRequestable) bool { seen++; return true }))
	if seen != 4 {
		t.Fatalf("page iterator saw %d requests, want 4", seen)
	}

	status, body := h.raw("app", "GET", "/v1.0/identityGovernance/privilegedAccess/group/eligibilitySchedules/"+sids[0]+"?%24select=id,status", "")
	var obj map[string]any
	if status != 200 || json.Unmarshal([]byte(body), &obj) != nil || obj["status"] != "Provisioned" || obj["groupId"] != nil {
		t.Fatalf("$select: %d %s", status, body)
	}
	q := url.Values{"$filter": {"groupId eq '" + gAdmin + "' and principalId ne '" + gDefault + "'"}}
	status, body = h.raw("app", "GET", "/v1.0/identityGovernance/privilegedAccess/group/eligibilitySchedules/$count?"+q.Encode(), "")
	if status != 200 || body != "3" {
		t.Fatalf("$count: %d %q", status, body)
	}
	status, body = h.raw("app", "GET", "/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests?%24filter=groupId%20eq%20%27"+gAdmin+"%27&%24expand=principal,group", "")
	if status != 200 || !strings.Contains(body, `"principal":{"@odata.type":"#microsoft.graph.user"`) || !strings.Contains(body, `"displayName":"admin"`) {
		t.Fatalf("$expand: %d %s", status, body)
	}
	status, body = h.raw("app", "GET", "/v1.0/policies/roleManagementPolicyAssignments?%24filter=scopeId%20eq%20%27"+gAdmin+"%27%20and%20scopeType%20eq%20%27Group%27&%24expand=policy(%24expand%3Drules)", "")
	if status != 200 || !strings.Contains(body, `"operations":["All"]`) || strings.Count(body, `"@odata.type":"#microsoft.graph.unifiedRoleManagementPolicy`) != 34 {
		t.Fatalf("expanded assignments on the wire: %d %s", status, body)
	}
	status, body = h.raw("app", "GET", "/v1.0/identityGovernance/privilegedAccess/group/nonsense", "")
	if status != 400 || !strings.Contains(body, `"message":"Resource not found for the segment 'nonsense'."`) {
		t.Fatalf("unknown segment: %d %s", status, body)
	}
}
