package pim_test

import (
	"encoding/json"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
)

func TestEligibilityLifecycleThroughSDK(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	app := h.client("app")
	past := h.clock().Add(-24 * time.Hour)
	before := h.clock()
	created, err := pimGroup(app).EligibilityScheduleRequests().Post(ctx, eligibilityRequest(t, reqSpec{
		action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: gDefault,
		duration: "P30D", justification: "on-call", start: &past}), nil)
	must(t, err)
	after := h.clock()
	id := deref(created.GetId())
	if deref(created.GetStatus()) != "Provisioned" || deref(created.GetAction()) != models.ADMINASSIGN_SCHEDULEREQUESTACTIONS ||
		deref(created.GetAccessId()) != models.MEMBER_PRIVILEGEDACCESSGROUPRELATIONSHIPS {
		t.Fatalf("created: status %v action %v access %v", created.GetStatus(), created.GetAction(), created.GetAccessId())
	}
	sid := deref(created.GetTargetScheduleId())
	if sid != gAdmin+"_member_"+id {
		t.Fatalf("targetScheduleId = %s", sid)
	}
	start := deref(created.GetScheduleInfo().GetStartDateTime())
	if !within(start, before, after) {
		t.Fatalf("start in the past must be normalised to now (%v..%v): %v", before, after, start)
	}
	if d := created.GetScheduleInfo().GetExpiration().GetDuration(); d == nil || d.GetDays() != 30 {
		t.Fatalf("echoed duration = %v (kiota sent P4W2D; Graph answers in days)", d)
	}

	got, err := pimGroup(app).EligibilitySchedules().ByPrivilegedAccessGroupEligibilityScheduleId(sid).Get(ctx, nil)
	must(t, err)
	exp := got.GetScheduleInfo().GetExpiration()
	if deref(got.GetMemberType()) != models.DIRECT_PRIVILEGEDACCESSGROUPMEMBERTYPE ||
		deref(exp.GetTypeEscaped()) != models.AFTERDATETIME_EXPIRATIONPATTERNTYPE ||
		!deref(exp.GetEndDateTime()).Equal(start.Add(30*24*time.Hour)) || deref(got.GetCreatedUsing()) != id {
		t.Fatalf("schedule: memberType %v expiration %v %v createdUsing %v", got.GetMemberType(),
			exp.GetTypeEscaped(), exp.GetEndDateTime(), got.GetCreatedUsing())
	}

	list, err := pimGroup(app).EligibilitySchedules().Get(ctx, filterQuery("groupId eq '"+gAdmin+"' and accessId eq 'member'"))
	must(t, err)
	if len(list.GetValue()) != 1 {
		t.Fatalf("filtered schedules: %d", len(list.GetValue()))
	}
	all, err := pimGroup(app).EligibilitySchedules().Get(ctx, nil)
	must(t, err)
	if len(all.GetValue()) != 0 {
		t.Fatalf("an unfiltered app-only list must be empty, got %d", len(all.GetValue()))
	}
	inst, err := pimGroup(app).EligibilityScheduleInstances().Get(ctx,
		&identitygovernance.PrivilegedAccessGroupEligibilityScheduleInstancesRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilityScheduleInstancesRequestBuilderGetQueryParameters{
				Filter: ptr("principalId eq '" + gDefault + "'")}})
	must(t, err)
	if len(inst.GetValue()) != 1 || deref(inst.GetValue()[0].GetEligibilityScheduleId()) != sid {
		t.Fatalf("instances: %d", len(inst.GetValue()))
	}
	reqs, err := pimGroup(app).EligibilityScheduleRequests().Get(ctx,
		&identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetQueryParameters{
				Filter: ptr("groupId eq '" + gAdmin + "' and targetScheduleId eq '" + sid + "'"), Orderby: []string{"createdDateTime desc"}}})
	must(t, err)
	if len(reqs.GetValue()) != 1 || deref(reqs.GetValue()[0].GetJustification()) != "on-call" {
		t.Fatalf("requests by targetScheduleId: %d", len(reqs.GetValue()))
	}

	_, err = pimGroup(app).EligibilityScheduleRequests().Post(ctx, eligibilityRequest(t, reqSpec{
		action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: gDefault, duration: "P10D"}), nil)
	wantGraphErr(t, err, 400, "RoleAssignmentExists", "The Role assignment already exists.")

	remove := eligibilityRequest(t, reqSpec{action: models.ADMINREMOVE_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: gDefault})
	_, err = pimGroup(app).EligibilityScheduleRequests().Post(ctx, remove, nil)
	wantGraphErr(t, err, 400, "ActiveDurationTooShort", "")
	h.advance(6 * time.Minute)
	removed, err := pimGroup(app).EligibilityScheduleRequests().Post(ctx, remove, nil)
	must(t, err)
	if deref(removed.GetStatus()) != "Revoked" {
		t.Fatalf("removal status %v", removed.GetStatus())
	}
	_, err = pimGroup(app).EligibilitySchedules().ByPrivilegedAccessGroupEligibilityScheduleId(sid).Get(ctx, nil)
	wantGraphErr(t, err, 404, "ResourceNotFound", "")
	_, err = pimGroup(app).EligibilityScheduleRequests().Post(ctx, remove, nil)
	wantGraphErr(t, err, 400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
}

func TestUpdateCreatesNewScheduleThroughSDK(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	app := h.client("app")
	first, err := pimGroup(app).AssignmentScheduleRequests().Post(ctx, assignmentRequest(t, reqSpec{
		action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uP01, duration: "PT2H", justification: "x"}), nil)
	must(t, err)
	if !h.dir.IsMember(gAdmin, uP01, h.clock()) {
		t.Fatalf("an active assignment must make the principal a member")
	}
	ext, err := pimGroup(app).AssignmentScheduleRequests().Post(ctx, assignmentRequest(t, reqSpec{
		action: models.ADMINEXTEND_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uP01, duration: "PT8H", justification: "x"}), nil)
	must(t, err)
	if deref(ext.GetTargetScheduleId()) == deref(first.GetTargetScheduleId()) ||
		!strings.HasSuffix(deref(ext.GetTargetScheduleId()), deref(ext.GetId())) {
		t.Fatalf("extend targetScheduleId %v, first %v", ext.GetTargetScheduleId(), first.GetTargetScheduleId())
	}
	_, err = pimGroup(app).AssignmentSchedules().ByPrivilegedAccessGroupAssignmentScheduleId(deref(first.GetTargetScheduleId())).Get(ctx, nil)
	wantGraphErr(t, err, 404, "ResourceNotFound", "")
	h.advance(3 * time.Hour)
	if !h.dir.IsMember(gAdmin, uP01, h.clock()) {
		t.Fatalf("the extended assignment ended at the old end")
	}
	h.advance(5 * time.Hour)
	if h.dir.IsMember(gAdmin, uP01, h.clock()) {
		t.Fatalf("still a member after the extended end")
	}
}

func TestRequestErrorsThroughSDK(t *testing.T) {
	missing := "aaaaaaaa-0000-4000-8000-0000000000ff"
	tests := []struct {
		name    string
		caller  string
		elig    *reqSpec
		assign  *reqSpec
		status  int
		code    string
		msgPart string
	}{
		{"P1Y", "app", &reqSpec{action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "P1Y"}, nil,
			400, "InvalidRoleAssignmentRequest", "The role assignment request is invalid."},
		{"P6M", "app", &reqSpec{action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "P6M"}, nil,
			400, "InvalidRoleAssignmentRequest", ""},
		{"permanent eligibility", "app", &reqSpec{action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "noExpiration"}, nil,
			400, "RoleAssignmentRequestPolicyValidationFailed", `The following policy rules failed: ["ExpirationRule"]`},
		{"eligibility over 365 days", "app", &reqSpec{action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "P366D"}, nil,
			400, "RoleAssignmentRequestPolicyValidationFailed", `["ExpirationRule"]`},
		{"permanent active assignment without justification", "app", nil, &reqSpec{action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "noExpiration"},
			400, "RoleAssignmentRequestPolicyValidationFailed", `["ExpirationRule","JustificationRule"]`},
		{"activation without eligibility", "n01", nil, &reqSpec{action: models.SELFACTIVATE_SCHEDULEREQUESTACTIONS, group: gDefault, principal: uN01, duration: "PT1H", justification: "x"},
			400, "RoleAssignmentRequestPolicyValidationFailed", `["EligibilityRule"]`},
		{"activation over 8 hours without justification", "n01", nil, &reqSpec{action: models.SELFACTIVATE_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "PT9H"},
			400, "RoleAssignmentRequestPolicyValidationFailed", `["ExpirationRule","JustificationRule"]`},
		{"remove nothing", "app", &reqSpec{action: models.ADMINREMOVE_SCHEDULEREQUESTACTIONS, group: gDefault, principal: uP01}, nil,
			400, "RoleAssignmentDoesNotExist", ""},
		{"deactivate nothing", "n01", nil, &reqSpec{action: models.SELFDEACTIVATE_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01},
			400, "RoleAssignmentDoesNotExist", ""},
		{"unknown group", "app", &reqSpec{action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: missing, principal: uN01, duration: "P1D"}, nil,
			400, "ResourceNotFound", missing},
		{"unknown principal", "app", &reqSpec{action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: missing, duration: "P1D"}, nil,
			400, "SubjectNotFound", missing},
		{"activating for someone else", "p01", nil, &reqSpec{action: models.SELFACTIVATE_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "PT1H", justification: "x"},
			400, "InvalidRoleAssignmentRequest", ""},
		{"delegated admin action by a non-owner", "n01", &reqSpec{action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "P1D"}, nil,
			403, "Authorization_RequestDenied", ""},
		{"app without the PIM permission", "app-bare", &reqSpec{action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "P1D"}, nil,
			403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."},
	}
	// Every case is rejected, so they share one world: the default group is eligible for admin, so only
	// the rule under test fails for activations.
	h := newHarness(t, pim.DefaultConfig())
	makeDefaultEligible(t, h.client("app"))
	clients := map[string]*msgraphsdk.GraphServiceClient{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clients[tt.caller]
			if c == nil {
				c = h.client(tt.caller)
				clients[tt.caller] = c
			}
			var err error
			if tt.elig != nil {
				_, err = pimGroup(c).EligibilityScheduleRequests().Post(ctx, eligibilityRequest(t, *tt.elig), nil)
			} else {
				_, err = pimGroup(c).AssignmentScheduleRequests().Post(ctx, assignmentRequest(t, *tt.assign), nil)
			}
			wantGraphErr(t, err, tt.status, tt.code, tt.msgPart)
		})
	}
	if sum := h.eng.Summary(); sum.Requests != 1 || len(sum.AssignmentSchedules) != 0 {
		t.Fatalf("rejected requests left state behind: %+v", sum)
	}
}

func TestTicketAndMfaRulesThroughSDK(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	app := h.client("app")
	makeDefaultEligible(t, app)
	policyID := memberPolicyID(t, app, gAdmin)
	rule := models.NewUnifiedRoleManagementPolicyEnablementRule()
	rule.SetId(ptr("Enablement_EndUser_Assignment"))
	rule.SetEnabledRules([]string{"Justification", "Ticketing", "MultiFactorAuthentication"})
	_, err := app.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(policyID).Rules().
		ByUnifiedRoleManagementPolicyRuleId("Enablement_EndUser_Assignment").Patch(ctx, rule, nil)
	must(t, err)
	n01 := h.client("n01")
	_, err = pimGroup(n01).AssignmentScheduleRequests().Post(ctx, assignmentRequest(t, reqSpec{
		action: models.SELFACTIVATE_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "PT1H"}), nil)
	wantGraphErr(t, err, 400, "RoleAssignmentRequestPolicyValidationFailed", `["JustificationRule","TicketingRule","MfaRule"]`)
	_, err = pimGroup(n01).AssignmentScheduleRequests().Post(ctx, assignmentRequest(t, reqSpec{
		action: models.SELFACTIVATE_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "PT1H",
		justification: "x", ticket: true}), nil)
	wantGraphErr(t, err, 400, "RoleAssignmentRequestPolicyValidationFailed", `["MfaRule"]`)
}

func TestEnumsEchoedCamelCase(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	status, body := h.raw("app", "POST", "/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests",
		`{"@odata.type":"#microsoft.graph.privilegedAccessGroupEligibilityScheduleRequest","accessId":"Member","action":"AdminAssign",
		  "groupId":"`+gAdmin+`","principalId":"`+uN01+`",
		  "scheduleInfo":{"expiration":{"type":"AfterDuration","duration":"P180D"}}}`)
	if status != 201 {
		t.Fatalf("status %d: %s", status, body)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	info, _ := got["scheduleInfo"].(map[string]any)
	exp, okExp := info["expiration"].(map[string]any)
	createdBy, okBy := got["createdBy"].(map[string]any)
	if !okExp || !okBy || got["action"] != "adminAssign" || got["accessId"] != "member" || exp["type"] != "afterDuration" ||
		exp["duration"] != "P180D" || createdBy["application"] == nil {
		t.Fatalf("echo: %s", body)
	}
	if odataCtx, ok := got["@odata.context"].(string); !ok || !strings.Contains(odataCtx, "/v1.0/$metadata#identityGovernance/privilegedAccess/group/eligibilityScheduleRequests/$entity") {
		t.Fatalf("@odata.context = %v", got["@odata.context"])
	}
	for _, tt := range []struct{ body, want string }{
		{`{"accessId":"member","action":"adminAssign","groupId":"` + gAdmin + `","principalId":"` + uP01 + `",
		  "scheduleInfo":{"expiration":{"type":"afterDuration","duration":"P1D"},"recurrence":{"pattern":{"type":"daily"}}}}`, "InvalidRoleAssignmentRequest"},
		{`{"accessId":"member","action":"adminAssign","groupId":"` + gAdmin + `","principalId":"` + uP01 + `"}`, "InvalidRoleAssignmentRequest"},
		{`not json`, "Request_BadRequest"},
	} {
		status, body := h.raw("app", "POST", "/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests", tt.body)
		if status != 400 || !strings.Contains(body, `"code":"`+tt.want+`"`) || !strings.Contains(body, `"message"`) {
			t.Fatalf("want 400 %s, got %d %s", tt.want, status, body)
		}
	}
}

func TestRouteLabelsAndChangeNotifications(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	var changes atomic.Int32
	h.eng.OnChange(func() { changes.Add(1) })
	app := h.client("app")
	created, err := pimGroup(app).EligibilityScheduleRequests().Post(ctx, eligibilityRequest(t, reqSpec{
		action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: "P30D"}), nil)
	must(t, err)
	if changes.Load() != 1 {
		t.Fatalf("changes after a create: %d", changes.Load())
	}
	_, err = pimGroup(app).EligibilitySchedules().ByPrivilegedAccessGroupEligibilityScheduleId(deref(created.GetTargetScheduleId())).Get(ctx, nil)
	must(t, err)
	if changes.Load() != 1 {
		t.Fatalf("a read changed state: %d", changes.Load())
	}
	labels := h.routeLabels()
	for _, want := range []string{
		"POST /v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests",
		"GET /v1.0/identityGovernance/privilegedAccess/group/eligibilitySchedules/{id}",
	} {
		if !slices.Contains(labels, want) {
			t.Fatalf("route labels %q lack %q", labels, want)
		}
	}
}
