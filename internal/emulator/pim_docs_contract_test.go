package emulator_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

// Contract tests of PIM for groups against the documentation's pages, driven by the plain net/http
// client (wire) with the JSON of the pages' examples, under each option of the variant points involved.
// Page paths are those of microsoft-graph-docs-contrib.

const pimGroupBase = "/v1.0/identityGovernance/privilegedAccess/group/"

// pimDocsWorld is an emulator under spec with one group on which n01 is eligible for membership.
type pimDocsWorld struct {
	srv           *emulator.Server
	app, n01, p01 *wire
	group         string
}

func newPIMDocsWorld(t *testing.T, spec variant.Spec) *pimDocsWorld {
	t.Helper()
	srv := startEmulator(t, emulator.Config{Variants: spec})
	f := srv.Fixtures()
	w := &pimDocsWorld{srv: srv, app: appWire(t, srv, "https://graph.microsoft.com/.default"),
		n01: userWire(t, srv, f.N01), p01: userWire(t, srv, f.P01)}
	g := w.app.must(http.StatusCreated, "POST", "/v1.0/groups", map[string]any{
		"displayName": "docs-" + uniqueName("g"), "mailNickname": uniqueName("docs"), "mailEnabled": false, "securityEnabled": true,
	})
	w.group = str(g.Body, "id")
	// api-reference/v1.0/api/privilegedaccessgroup-post-eligibilityschedulerequests.md, example 1.
	w.app.must(http.StatusCreated, "POST", pimGroupBase+"eligibilityScheduleRequests", map[string]any{
		"accessId": "member", "principalId": f.N01.ID, "groupId": w.group, "action": "adminAssign",
		"scheduleInfo":  map[string]any{"startDateTime": time.Now().UTC().Format(time.RFC3339), "expiration": map[string]any{"type": "afterDuration", "duration": "P30D"}},
		"justification": "Assign eligible request.",
	})
	return w
}

func filterQuery(filter string) string { return "?$filter=" + url.QueryEscape(filter) }

// TestDocsScheduleEnumSpelling (issue 13 item 5): the resource pages spell memberType and
// assignmentType in lower camel case (resources/privilegedaccessgroupeligibilityschedule.md,
// privilegedaccessgroupassignmentschedule.md); the list examples capitalise them
// (api/privilegedaccessgroup-list-eligibilityschedules.md, -list-assignmentschedules.md,
// -list-assignmentscheduleinstances.md). Both are served.
func TestDocsScheduleEnumSpelling(t *testing.T) {
	for spec, want := range map[variant.Spec][2]string{
		"resource-pages": {"direct", "assigned"},
		"docs-examples":  {"Direct", "Assigned"},
	} {
		t.Run(string(spec), func(t *testing.T) {
			w := newPIMDocsWorld(t, spec)
			f := w.srv.Fixtures()
			w.app.must(http.StatusCreated, "POST", pimGroupBase+"assignmentScheduleRequests", map[string]any{
				"accessId": "member", "principalId": f.P01.ID, "groupId": w.group, "action": "adminAssign",
				"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "PT2H"}}, "justification": "x",
			})
			q := filterQuery("groupId eq '" + w.group + "'")
			for _, coll := range []string{"eligibilitySchedules", "eligibilityScheduleInstances", "assignmentSchedules", "assignmentScheduleInstances"} {
				items := list(w.app.must(http.StatusOK, "GET", pimGroupBase+coll+q, nil).Body, "value")
				if len(items) != 1 || str(items[0], "memberType") != want[0] {
					t.Fatalf("%s: memberType of %v, want %s", coll, items, want[0])
				}
				if strings.HasPrefix(coll, "assignment") && str(items[0], "assignmentType") != want[1] {
					t.Fatalf("%s: assignmentType %q, want %s", coll, str(items[0], "assignmentType"), want[1])
				}
			}
			// A filter names the enum in either spelling.
			items := list(w.app.must(http.StatusOK, "GET", pimGroupBase+"eligibilitySchedules"+filterQuery("groupId eq '"+w.group+"' and memberType eq 'direct'"), nil).Body, "value")
			if len(items) != 1 {
				t.Fatalf("memberType eq 'direct' matched %d schedules", len(items))
			}
		})
	}
}

// TestDocsRevokedRequestReadBack (item 6): an adminRemove request answers, and reads back, without the
// schedule it ended: completedDateTime, scheduleInfo and targetScheduleId null
// (api/privilegedaccessgroup-post-eligibilityschedulerequests.md, the removal example).
func TestDocsRevokedRequestReadBack(t *testing.T) {
	w := newPIMDocsWorld(t, "")
	w.srv.AdvanceClock(10 * time.Minute) // past the minimum active age
	rm := w.app.must(http.StatusCreated, "POST", pimGroupBase+"eligibilityScheduleRequests", map[string]any{
		"accessId": "member", "principalId": w.srv.Fixtures().N01.ID, "groupId": w.group, "action": "adminRemove",
	})
	got := w.app.must(http.StatusOK, "GET", pimGroupBase+"eligibilityScheduleRequests/"+str(rm.Body, "id"), nil)
	for _, a := range []answer{rm, got} {
		if str(a.Body, "status") != "Revoked" {
			t.Fatalf("status %q, want Revoked", str(a.Body, "status"))
		}
		for _, k := range []string{"completedDateTime", "scheduleInfo", "targetScheduleId"} {
			if v, ok := a.Body[k]; !ok || v != nil {
				t.Errorf("%s = %v (present %v), want null: %s", k, v, ok, a.Raw)
			}
		}
	}
}

// requireApprovalByP01 sets the group's member policy to require p01's approval, with the body of
// api/unifiedrolemanagementpolicyrule-update.md (PIM for groups, approval rule), and returns the policy.
func (w *pimDocsWorld) requireApprovalByP01(t *testing.T) map[string]any {
	t.Helper()
	q := filterQuery("scopeId eq '" + w.group + "' and scopeType eq 'Group' and roleDefinitionId eq 'member'")
	pols := list(w.app.must(http.StatusOK, "GET", "/v1.0/policies/roleManagementPolicyAssignments"+q, nil).Body, "value")
	if len(pols) != 1 {
		t.Fatalf("policy assignments of the group's membership: %v", pols)
	}
	policyID := str(pols[0], "policyId")
	w.app.must(http.StatusNoContent, "PATCH", "/v1.0/policies/roleManagementPolicies/"+policyID+"/rules/Approval_EndUser_Assignment", map[string]any{
		"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment",
		"target": map[string]any{"caller": "EndUser", "operations": []string{"All"}, "level": "Assignment"},
		"setting": map[string]any{
			"isApprovalRequired": true, "isApprovalRequiredForExtension": false, "isRequestorJustificationRequired": true,
			"approvalMode": "SingleStage",
			"approvalStages": []map[string]any{{
				"approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": true, "escalationTimeInMinutes": 0,
				"isEscalationEnabled": false, "escalationApprovers": []any{},
				"primaryApprovers": []map[string]any{{"@odata.type": "#microsoft.graph.singleUser", "userId": w.srv.Fixtures().P01.ID}},
			}},
		},
	})
	return map[string]any{"id": policyID}
}

// activate has n01 ask for membership (api/privilegedaccessgroup-post-assignmentschedulerequests.md,
// the selfActivate example) and returns the request.
func (w *pimDocsWorld) activate(t *testing.T) answer {
	t.Helper()
	return w.n01.must(http.StatusCreated, "POST", pimGroupBase+"assignmentScheduleRequests", map[string]any{
		"accessId": "member", "principalId": w.srv.Fixtures().N01.ID, "groupId": w.group, "action": "selfActivate",
		"scheduleInfo":  map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "PT2H"}},
		"justification": "Activate assignment.",
	})
}

// TestDocsApprovalStage (item 7 and the stage ID): after p01 approves, the stage reads back with the
// result spelling of resources/approvalstage.md (Approved) or the input echoed (Approve), and its ID is
// the request's (the PIM-for-groups approval sample, api/approval-get.md) or its own. The decision is
// sent to the stage the approval names, with the body of api/approvalstage-update.md.
func TestDocsApprovalStage(t *testing.T) {
	for _, tc := range []struct {
		spec          variant.Spec
		result        string
		stageIsApprID bool
	}{
		{"resource-pages", "Approved", true},
		{"docs-examples", "Approve", true},
		{"pim.stage-id=distinct", "Approved", false},
	} {
		t.Run(string(tc.spec), func(t *testing.T) {
			w := newPIMDocsWorld(t, tc.spec)
			w.requireApprovalByP01(t)
			req := w.activate(t)
			if str(req.Body, "status") != "PendingApproval" {
				t.Fatalf("activation: %s", req.Raw)
			}
			approvalID := str(req.Body, "approvalId")
			appr := w.p01.must(http.StatusOK, "GET", pimGroupBase+"assignmentApprovals/"+approvalID, nil)
			stages := list(appr.Body, "stages")
			if len(stages) != 1 || str(stages[0], "status") != "InProgress" || stages[0]["assignedToMe"] != true {
				t.Fatalf("approval before the decision: %s", appr.Raw)
			}
			stageID := str(stages[0], "id")
			if (stageID == approvalID) != tc.stageIsApprID {
				t.Fatalf("stage ID %s, approval ID %s: want equal=%v", stageID, approvalID, tc.stageIsApprID)
			}
			w.p01.must(http.StatusNoContent, "PATCH", pimGroupBase+"assignmentApprovals/"+approvalID+"/stages/"+stageID,
				map[string]any{"reviewResult": "Approve", "justification": "Looks right."})
			stage := list(w.n01.must(http.StatusOK, "GET", pimGroupBase+"assignmentApprovals/"+approvalID, nil).Body, "stages")[0]
			if str(stage, "reviewResult") != tc.result || str(stage, "status") != "Completed" {
				t.Fatalf("decided stage: %v, want reviewResult %s", stage, tc.result)
			}
		})
	}
}

// TestDocsFilterByCurrentUserItemsAreTyped (item 8): the items of filterByCurrentUser carry their
// @odata.type (api/privilegedaccessgroupassignmentschedulerequest-filterbycurrentuser.md,
// privilegedaccessgroupeligibilityschedule-filterbycurrentuser.md, ...).
func TestDocsFilterByCurrentUserItemsAreTyped(t *testing.T) {
	w := newPIMDocsWorld(t, "")
	w.activate(t)
	for path, typ := range map[string]string{
		"assignmentScheduleRequests/filterByCurrentUser(on='principal')":   "privilegedAccessGroupAssignmentScheduleRequest",
		"eligibilityScheduleRequests/filterByCurrentUser(on='principal')":  "privilegedAccessGroupEligibilityScheduleRequest",
		"eligibilitySchedules/filterByCurrentUser(on='principal')":         "privilegedAccessGroupEligibilitySchedule",
		"assignmentScheduleInstances/filterByCurrentUser(on='principal')":  "privilegedAccessGroupAssignmentScheduleInstance",
		"eligibilityScheduleInstances/filterByCurrentUser(on='principal')": "privilegedAccessGroupEligibilityScheduleInstance",
	} {
		items := list(w.n01.must(http.StatusOK, "GET", pimGroupBase+path, nil).Body, "value")
		if len(items) == 0 {
			t.Fatalf("%s: no items", path)
		}
		for _, it := range items {
			if str(it, "@odata.type") != "#microsoft.graph."+typ {
				t.Errorf("%s: @odata.type %q, want #microsoft.graph.%s", path, str(it, "@odata.type"), typ)
			}
		}
	}
}

// TestDocsPolicyExpandSelect (item 9): $expand=rules($select=id) answers each rule with its type and ID
// only, a context naming the projection and a rules@odata.context per policy
// (api/policyroot-list-rolemanagementpolicies.md, the PIM-for-groups example).
func TestDocsPolicyExpandSelect(t *testing.T) {
	w := newPIMDocsWorld(t, "")
	q := filterQuery("scopeId eq '"+w.group+"' and scopeType eq 'Group'") + "&$expand=" + url.QueryEscape("rules($select=id)")
	a := w.app.must(http.StatusOK, "GET", "/v1.0/policies/roleManagementPolicies"+q, nil)
	if ctx := str(a.Body, "@odata.context"); !strings.HasSuffix(ctx, "/v1.0/$metadata#policies/roleManagementPolicies(rules(id))") {
		t.Fatalf("@odata.context %q", ctx)
	}
	pols := list(a.Body, "value")
	if len(pols) != 2 {
		t.Fatalf("%d policies, want member and owner", len(pols))
	}
	for _, p := range pols {
		want := "/v1.0/$metadata#policies/roleManagementPolicies('" + str(p, "id") + "')/rules(id)"
		if ctx := str(p, "rules@odata.context"); !strings.HasSuffix(ctx, want) {
			t.Errorf("rules@odata.context %q, want ...%s", ctx, want)
		}
		rules := list(p, "rules")
		if len(rules) != 17 {
			t.Fatalf("%d rules", len(rules))
		}
		for _, r := range rules {
			if len(r) != 2 || str(r, "id") == "" || !strings.HasPrefix(str(r, "@odata.type"), "#microsoft.graph.unifiedRoleManagementPolicy") {
				t.Errorf("rule with $select=id: %v", r)
			}
		}
	}
	one := w.app.must(http.StatusOK, "GET", "/v1.0/policies/roleManagementPolicies/"+str(pols[0], "id")+"?$select=id,scopeId&$expand=rules", nil)
	if ctx := str(one.Body, "@odata.context"); !strings.HasSuffix(ctx, "#policies/roleManagementPolicies(id,scopeId,rules())/$entity") ||
		one.Body["displayName"] != nil || len(list(one.Body, "rules")) != 17 {
		t.Fatalf("policy with $select and $expand: %s", one.Raw)
	}
}

// TestDocsUnfilteredScheduleList (item 10): the schedule and instance lists require $filter
// (api/privilegedaccessgroup-list-eligibilityschedules.md, "Optional query parameters"); reported
// instead to answer an application nothing (docs-contrib#8628). Both are served.
func TestDocsUnfilteredScheduleList(t *testing.T) {
	for spec, want := range map[variant.Spec]int{"resource-pages": http.StatusBadRequest, "default": http.StatusOK} {
		w := newPIMDocsWorld(t, spec)
		for _, coll := range []string{"eligibilitySchedules", "eligibilityScheduleInstances", "assignmentSchedules", "assignmentScheduleInstances"} {
			a := w.app.do("GET", pimGroupBase+coll, nil)
			if a.Status != want || (want == http.StatusOK && len(list(a.Body, "value")) != 0) {
				t.Errorf("%s: GET %s without $filter: %d %s", spec, coll, a.Status, a.Raw)
			}
		}
		if a := w.app.do("GET", pimGroupBase+"eligibilitySchedules"+filterQuery("groupId eq '"+w.group+"'"), nil); a.Status != http.StatusOK {
			t.Errorf("%s: a filtered list: %d", spec, a.Status)
		}
	}
}
