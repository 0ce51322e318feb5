package emulator_test

import (
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// TestIndependentClientCoversProviderRoutes drives every Graph route the provider calls
// (testdata/provider_graph_routes.txt, kept complete by the acceptance harness) with a second client
// that shares nothing with the provider or msgraph-sdk-go: plain net/http and request bodies written as
// the documentation's examples show them (page paths of microsoft-graph-docs-contrib
// api-reference/v1.0/api). Each request must be answered with the example's status, and every listed
// route must have been answered successfully at least once.
func TestIndependentClientCoversProviderRoutes(t *testing.T) {
	// Application.Read.All beside the least privilege: the provider reads service principals when its
	// identity may (checking a principal_id at plan time), and each route needs one 2xx answer here.
	srv := startEmulator(t, emulator.Config{AdminGraphPermissions: append(slices.Clone(emulator.AdminGraphPermissionsDefault), "Application.Read.All")})
	f := srv.Fixtures()
	app := appWire(t, srv, "https://graph.microsoft.com/.default")
	n01, p01 := userWire(t, srv, f.N01), userWire(t, srv, f.P01)
	q := func(filter string) string { return "$filter=" + url.QueryEscape(filter) }

	// user-list.md ($filter on userPrincipalName), user-get.md.
	app.must(http.StatusOK, "GET", "/v1.0/users?"+q("userPrincipalName eq '"+f.N01.UPN+"'")+"&$select=id,displayName,userPrincipalName", nil)
	app.must(http.StatusOK, "GET", "/v1.0/users/"+f.N01.ID+"?$select=id,displayName,userPrincipalName,accountEnabled", nil)
	app.must(http.StatusOK, "GET", "/v1.0/users/"+f.N01.UPN, nil)

	// group-post-groups.md (security group with owners, "Create a group with owners and members").
	name := "independent " + uniqueName("g")
	g := app.must(http.StatusCreated, "POST", "/v1.0/groups", map[string]any{
		"description": "Group with designated owner and members", "displayName": name, "groupTypes": []string{},
		"mailEnabled": false, "mailNickname": uniqueName("ind"), "securityEnabled": true,
		"owners@odata.bind":  []string{"https://graph.microsoft.com/v1.0/users/" + f.P01.ID},
		"members@odata.bind": []string{"https://graph.microsoft.com/v1.0/users/" + f.N01.ID},
	})
	gid := str(g.Body, "id")
	// group-list.md ($filter on displayName), group-get.md, group-update.md, group-list-members.md,
	// group-list-owners.md, group-post-members.md, group-post-owners.md, group-delete-members.md,
	// group-delete-owners.md.
	app.must(http.StatusOK, "GET", "/v1.0/groups?"+q("displayName eq '"+name+"'")+"&$select=id,displayName&$top=999", nil)
	app.must(http.StatusOK, "GET", "/v1.0/groups/"+gid+"?$select=id,displayName,description,securityEnabled,mailEnabled,mailNickname,isAssignableToRole", nil)
	app.must(http.StatusNoContent, "PATCH", "/v1.0/groups/"+gid, map[string]any{"description": "Updated description"})
	app.must(http.StatusOK, "GET", "/v1.0/groups/"+gid+"/members?$select=id&$top=999", nil)
	app.must(http.StatusOK, "GET", "/v1.0/groups/"+gid+"/owners?$select=id&$top=999", nil)
	app.must(http.StatusNoContent, "POST", "/v1.0/groups/"+gid+"/owners/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/users/" + f.N01.ID})
	app.must(http.StatusNoContent, "DELETE", "/v1.0/groups/"+gid+"/owners/"+f.N01.ID+"/$ref", nil)
	app.must(http.StatusNoContent, "DELETE", "/v1.0/groups/"+gid+"/members/"+f.N01.ID+"/$ref", nil)
	app.must(http.StatusNoContent, "POST", "/v1.0/groups/"+gid+"/members/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + f.N01.ID})
	// directoryobject-get.md, directoryobject-getbyids.md.
	app.must(http.StatusOK, "GET", "/v1.0/directoryObjects/"+f.N01.ID, nil)
	app.must(http.StatusOK, "POST", "/v1.0/directoryObjects/getByIds", map[string]any{"ids": []string{f.N01.ID, gid}, "types": []string{"user", "group"}})
	// serviceprincipal-get.md.
	app.must(http.StatusOK, "GET", "/v1.0/servicePrincipals/"+f.AdminObjectID+"?$select=id", nil)

	// json-batching concept page: reads and a write in one $batch.
	b := app.must(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": []map[string]any{
		{"id": "1", "method": "GET", "url": "/groups/" + gid + "?$select=id,displayName"},
		{"id": "2", "method": "GET", "url": "/groups/" + gid + "/members?$select=id"},
		{"id": "3", "method": "GET", "url": "/groups/" + gid + "/owners?$select=id"},
		{"id": "4", "method": "GET", "url": "/identityGovernance/privilegedAccess/group/assignmentScheduleInstances?" + q("groupId eq '"+gid+"'")},
	}})
	for _, r := range list(b.Body, "responses") {
		if r["status"] != float64(http.StatusOK) {
			t.Errorf("$batch item %s: %v", str(r, "id"), r)
		}
	}

	// PIM for groups: privilegedaccessgroup-post-eligibilityschedulerequests.md (adminAssign, then
	// adminUpdate, adminRemove), privilegedaccessgroup-list-eligibilityschedules.md,
	// privilegedaccessgroupeligibilityschedule-get.md, privilegedaccessgroup-list-eligibilityschedulerequests.md.
	elig := func(action, duration string) answer {
		body := map[string]any{"accessId": "member", "principalId": f.N01.ID, "groupId": gid, "action": action, "justification": "Assign eligible request."}
		if duration != "" {
			body["scheduleInfo"] = map[string]any{"startDateTime": srv.Now().UTC().Format(time.RFC3339), "expiration": map[string]any{"type": "afterDuration", "duration": duration}}
		}
		return app.must(http.StatusCreated, "POST", pimGroupBase+"eligibilityScheduleRequests", body)
	}
	assigned := elig("adminAssign", "P30D")
	sched := str(assigned.Body, "targetScheduleId")
	app.must(http.StatusOK, "GET", pimGroupBase+"eligibilityScheduleRequests/"+str(assigned.Body, "id"), nil)
	app.must(http.StatusOK, "GET", pimGroupBase+"eligibilitySchedules?"+q("groupId eq '"+gid+"' and principalId eq '"+f.N01.ID+"' and accessId eq 'member'"), nil)
	app.must(http.StatusOK, "GET", pimGroupBase+"eligibilitySchedules/"+sched, nil)
	app.must(http.StatusOK, "GET", pimGroupBase+"eligibilityScheduleRequests?"+q("groupId eq '"+gid+"'")+"&$top=1", nil)
	app.must(http.StatusOK, "GET", pimGroupBase+"assignmentScheduleRequests?"+q("groupId eq '"+gid+"'")+"&$top=1", nil)
	sched = str(elig("adminUpdate", "P60D").Body, "targetScheduleId")
	app.must(http.StatusOK, "GET", pimGroupBase+"eligibilitySchedules/"+sched, nil)

	// An administrator's active assignment (of a group of its own, so that N01's activation below is not
	// refused as existing): privilegedaccessgroup-post-assignmentschedulerequests.md ("adminAssign" example,
	// then adminUpdate and, at the end, adminRemove), privilegedaccessgroup-list-assignmentschedules.md,
	// privilegedaccessgroupassignmentschedule-get.md, privilegedaccessgroupassignmentschedulerequest-get.md.
	assignee := str(app.must(http.StatusCreated, "POST", "/v1.0/groups", map[string]any{"displayName": uniqueName("assignee"),
		"mailEnabled": false, "mailNickname": uniqueName("asg"), "securityEnabled": true}).Body, "id")
	active := func(action, duration string) answer {
		body := map[string]any{"accessId": "member", "principalId": assignee, "groupId": gid, "action": action, "justification": "Assign active member access."}
		if duration != "" {
			body["scheduleInfo"] = map[string]any{"startDateTime": srv.Now().UTC().Format(time.RFC3339), "expiration": map[string]any{"type": "afterDuration", "duration": duration}}
		}
		return app.must(http.StatusCreated, "POST", pimGroupBase+"assignmentScheduleRequests", body)
	}
	activeReq := active("adminAssign", "PT2H")
	app.must(http.StatusOK, "GET", pimGroupBase+"assignmentScheduleRequests/"+str(activeReq.Body, "id")+"?$select=id,justification,ticketInfo", nil)
	app.must(http.StatusOK, "GET", pimGroupBase+"assignmentSchedules?"+q("groupId eq '"+gid+"' and principalId eq '"+assignee+"' and accessId eq 'member'"), nil)
	app.must(http.StatusOK, "GET", pimGroupBase+"assignmentSchedules/"+str(activeReq.Body, "targetScheduleId"), nil)
	app.must(http.StatusOK, "GET", pimGroupBase+"assignmentSchedules/"+str(active("adminUpdate", "PT4H").Body, "targetScheduleId"), nil)

	// Policies: policyroot-list-rolemanagementpolicyassignments.md ($expand=policy($expand=rules)),
	// policyroot-list-rolemanagementpolicies.md, unifiedrolemanagementpolicyrule-update.md (the approval
	// rule of PIM for groups).
	w := &pimDocsWorld{srv: srv, app: app, n01: n01, p01: p01, group: gid}
	app.must(http.StatusOK, "GET", "/v1.0/policies/roleManagementPolicyAssignments?"+q("scopeId eq '"+gid+"' and scopeType eq 'Group' and roleDefinitionId eq 'member'")+"&$expand="+url.QueryEscape("policy($expand=rules)"), nil)
	app.must(http.StatusOK, "GET", "/v1.0/policies/roleManagementPolicies?"+q("scopeId eq '"+gid+"' and scopeType eq 'Group'")+"&$expand=rules", nil)
	pol := w.requireApprovalByP01(t)
	app.must(http.StatusOK, "GET", "/v1.0/policies/roleManagementPolicies/"+str(pol, "id")+"?$expand=rules", nil)

	// Activation and approval: privilegedaccessgroup-post-assignmentschedulerequests.md (selfActivate),
	// privilegedaccessgroupassignmentschedulerequest-get.md, -filterbycurrentuser.md,
	// approval-filterbycurrentuser.md, approval-get.md, approvalstage-update.md,
	// privilegedaccessgroup-list-assignmentscheduleinstances.md, privilegedaccessgroupassignmentschedulerequest-cancel.md.
	srv.AdvanceClock(10 * time.Minute)
	req := w.activate(t)
	rid, approvalID := str(req.Body, "id"), str(req.Body, "approvalId")
	n01.must(http.StatusOK, "GET", pimGroupBase+"assignmentScheduleRequests/"+rid, nil)
	n01.must(http.StatusOK, "GET", pimGroupBase+"assignmentScheduleRequests/filterByCurrentUser(on='principal')?"+q("status eq 'PendingApproval'"), nil)
	p01.must(http.StatusOK, "GET", pimGroupBase+"assignmentScheduleRequests/filterByCurrentUser(on='approver')", nil)
	p01.must(http.StatusOK, "GET", pimGroupBase+"assignmentApprovals/filterByCurrentUser(on='approver')", nil)
	stage := list(p01.must(http.StatusOK, "GET", pimGroupBase+"assignmentApprovals/"+approvalID, nil).Body, "stages")[0]
	p01.must(http.StatusOK, "GET", pimGroupBase+"assignmentApprovals/"+approvalID+"/stages", nil)
	p01.must(http.StatusNoContent, "PATCH", pimGroupBase+"assignmentApprovals/"+approvalID+"/stages/"+str(stage, "id"),
		map[string]any{"reviewResult": "Approve", "justification": "Looks right."})
	app.must(http.StatusOK, "GET", pimGroupBase+"assignmentScheduleInstances?"+q("groupId eq '"+gid+"' and principalId eq '"+f.N01.ID+"'"), nil)
	n01.must(http.StatusOK, "GET", pimGroupBase+"assignmentScheduleInstances/filterByCurrentUser(on='principal')", nil)
	srv.AdvanceClock(10 * time.Minute)
	n01.must(http.StatusCreated, "POST", pimGroupBase+"assignmentScheduleRequests", map[string]any{
		"accessId": "member", "principalId": f.N01.ID, "groupId": gid, "action": "selfDeactivate", "justification": "Done.",
	})
	pending := w.activate(t)
	n01.must(http.StatusNoContent, "POST", pimGroupBase+"assignmentScheduleRequests/"+str(pending.Body, "id")+"/cancel", nil)
	elig("adminRemove", "")
	active("adminRemove", "")
	app.must(http.StatusNoContent, "DELETE", "/v1.0/groups/"+gid, nil)

	checkRouteCoverage(t, srv)
}

// checkRouteCoverage fails for each listed provider route the client never had answered with 2xx.
func checkRouteCoverage(t *testing.T, srv *emulator.Server) {
	t.Helper()
	b, err := os.ReadFile("testdata/provider_graph_routes.txt")
	if err != nil {
		t.Fatal(err)
	}
	stats := srv.Stats().Routes
	var missing []string
	for _, route := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		ok := false
		for status, n := range stats[strings.TrimSpace(route)].Status {
			ok = ok || (n > 0 && strings.HasPrefix(status, "2"))
		}
		if !ok {
			missing = append(missing, route)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the independent client left provider routes without a successful answer:\n%s", strings.Join(missing, "\n"))
	}
}
