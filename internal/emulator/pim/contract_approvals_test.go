package pim_test

import (
	"strings"
	"testing"
	"time"

	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
)

// makeDefaultEligible makes the default group eligible for membership of the admin group for 30 days:
// the scenario's standing eligibility, which activations use.
func makeDefaultEligible(t *testing.T, app *msgraphsdk.GraphServiceClient) {
	t.Helper()
	_, err := pimGroup(app).EligibilityScheduleRequests().Post(ctx, eligibilityRequest(t, reqSpec{
		action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: gDefault, duration: "P30D"}), nil)
	must(t, err)
}

// requireApproval makes group's member policy require approval by the members of approverGroup, as the
// scenario does, through the SDK's typed rule model.
func requireApproval(t *testing.T, app *msgraphsdk.GraphServiceClient, group, approverGroup string) {
	t.Helper()
	approvers := models.NewGroupMembers()
	approvers.SetGroupId(ptr(approverGroup))
	stage := models.NewUnifiedApprovalStage()
	stage.SetApprovalStageTimeOutInDays(ptr(int32(1)))
	stage.SetIsApproverJustificationRequired(ptr(true))
	stage.SetPrimaryApprovers([]models.SubjectSetable{approvers})
	setting := models.NewApprovalSettings()
	setting.SetIsApprovalRequired(ptr(true))
	setting.SetApprovalMode(ptr("SingleStage"))
	setting.SetApprovalStages([]models.UnifiedApprovalStageable{stage})
	rule := models.NewUnifiedRoleManagementPolicyApprovalRule()
	rule.SetId(ptr("Approval_EndUser_Assignment"))
	rule.SetSetting(setting)
	_, err := app.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(memberPolicyID(t, app, group)).Rules().
		ByUnifiedRoleManagementPolicyRuleId("Approval_EndUser_Assignment").Patch(ctx, rule, nil)
	must(t, err)
}

func activate(t *testing.T, c *msgraphsdk.GraphServiceClient, d string) (models.PrivilegedAccessGroupAssignmentScheduleRequestable, error) {
	return pimGroup(c).AssignmentScheduleRequests().Post(ctx, assignmentRequest(t, reqSpec{
		action: models.SELFACTIVATE_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01, duration: d,
		justification: "INC-1234: rotate secrets"}), nil)
}

func decision(result, justification string) models.ApprovalStageable {
	s := models.NewApprovalStage()
	s.SetReviewResult(ptr(result))
	s.SetJustification(ptr(justification))
	return s
}

func activeInstances(t *testing.T, c *msgraphsdk.GraphServiceClient) []models.PrivilegedAccessGroupAssignmentScheduleInstanceable {
	t.Helper()
	res, err := pimGroup(c).AssignmentScheduleInstances().Get(ctx,
		&identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesRequestBuilderGetQueryParameters{
				Filter: ptr("groupId eq '" + gAdmin + "' and principalId eq '" + uN01 + "'")}})
	must(t, err)
	return res.GetValue()
}

// TestApprovalFlowThroughSDK is the scenario's activation: the default group is eligible for admin,
// approval by the approver group is required, n01 activates, cannot approve, p01 approves once.
func TestApprovalFlowThroughSDK(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	app, n01, p01, o01 := h.client("app"), h.client("n01"), h.client("p01"), h.client("o01")
	makeDefaultEligible(t, app)
	requireApproval(t, app, gAdmin, gApprover)

	elig, err := pimGroup(n01).EligibilitySchedules().FilterByCurrentUserWithOn(ptr("principal")).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	must(t, err)
	if len(elig.GetValue()) != 1 || deref(elig.GetValue()[0].GetMemberType()) != models.GROUP_PRIVILEGEDACCESSGROUPMEMBERTYPE {
		t.Fatalf("n01's eligibilities through default: %d", len(elig.GetValue()))
	}

	req, err := activate(t, n01, "PT2H")
	must(t, err)
	id := deref(req.GetId())
	if deref(req.GetStatus()) != "PendingApproval" || deref(req.GetApprovalId()) != id {
		t.Fatalf("activation: status %v approvalId %v", req.GetStatus(), req.GetApprovalId())
	}
	if h.dir.IsMember(gAdmin, uN01, h.clock()) {
		t.Fatalf("a member before approval")
	}

	stages := pimGroup(n01).AssignmentApprovals().ByApprovalId(id).Stages()
	_, err = stages.ByApprovalStageId(id).Patch(ctx, decision("Approve", "me"), nil)
	wantGraphErr(t, err, 403, "Authorization_RequestDenied", "")
	_, err = pimGroup(o01).AssignmentApprovals().ByApprovalId(id).Stages().ByApprovalStageId(id).Patch(ctx, decision("Approve", "owner"), nil)
	wantGraphErr(t, err, 403, "Authorization_RequestDenied", "")
	_, err = pimGroup(app).AssignmentApprovals().ByApprovalId(id).Get(ctx, nil)
	wantGraphErr(t, err, 403, "Authorization_RequestDenied", "")
	_, err = pimGroup(n01).AssignmentApprovals().FilterByCurrentUserWithOn(ptr("approver")).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	must(t, err)

	mine, err := pimGroup(p01).AssignmentApprovals().FilterByCurrentUserWithOn(ptr("approver")).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	must(t, err)
	if len(mine.GetValue()) != 1 || deref(mine.GetValue()[0].GetId()) != id {
		t.Fatalf("p01's pending approvals: %d", len(mine.GetValue()))
	}
	st := mine.GetValue()[0].GetStages()
	if len(st) != 1 || deref(st[0].GetId()) != id || deref(st[0].GetStatus()) != "InProgress" || !deref(st[0].GetAssignedToMe()) ||
		deref(st[0].GetReviewResult()) != "NotReviewed" {
		t.Fatalf("stage: %v %v %v", st[0].GetId(), st[0].GetStatus(), st[0].GetAssignedToMe())
	}
	pending, err := pimGroup(p01).AssignmentScheduleRequests().FilterByCurrentUserWithOn(ptr("approver")).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	must(t, err)
	if len(pending.GetValue()) != 1 {
		t.Fatalf("requests awaiting p01: %d", len(pending.GetValue()))
	}

	h.advance(10 * time.Minute)
	before := h.clock()
	_, err = pimGroup(p01).AssignmentApprovals().ByApprovalId(id).Stages().ByApprovalStageId(id).Patch(ctx, decision("Approve", "looks right"), nil)
	must(t, err)
	after := h.clock()
	_, err = pimGroup(p01).AssignmentApprovals().ByApprovalId(id).Stages().ByApprovalStageId(id).Patch(ctx, decision("Deny", "changed my mind"), nil)
	wantGraphErr(t, err, 409, "Conflict", "")

	got, err := pimGroup(n01).AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(id).Get(ctx, nil)
	must(t, err)
	if deref(got.GetStatus()) != "Provisioned" {
		t.Fatalf("after approval: %v", got.GetStatus())
	}
	approval, err := pimGroup(n01).AssignmentApprovals().ByApprovalId(id).Get(ctx, nil)
	must(t, err)
	// The result spelling of api-reference/v1.0/resources/approvalstage.md (item 7 of issue 13).
	if s := approval.GetStages()[0]; deref(s.GetReviewResult()) != "Approved" || deref(s.GetStatus()) != "Completed" ||
		deref(s.GetReviewedBy().GetId()) != uP01 || deref(s.GetJustification()) != "looks right" {
		t.Fatalf("decided stage: %v %v", s.GetReviewResult(), s.GetStatus())
	}

	inst := activeInstances(t, app)
	if len(inst) != 1 || deref(inst[0].GetAssignmentType()) != models.ACTIVATED_PRIVILEGEDACCESSGROUPASSIGNMENTTYPE ||
		deref(inst[0].GetMemberType()) != models.GROUP_PRIVILEGEDACCESSGROUPMEMBERTYPE ||
		!within(deref(inst[0].GetStartDateTime()), before, after) ||
		!deref(inst[0].GetEndDateTime()).Equal(deref(inst[0].GetStartDateTime()).Add(2*time.Hour)) {
		t.Fatalf("instances after approval: %d", len(inst))
	}
	if !h.dir.IsMember(gAdmin, uN01, h.clock()) {
		t.Fatalf("n01 is not a member of admin after approval")
	}
	_, err = activate(t, n01, "PT1H")
	wantGraphErr(t, err, 400, "RoleAssignmentExists", "")

	h.advance(2*time.Hour + time.Second)
	if len(activeInstances(t, app)) != 0 || h.dir.IsMember(gAdmin, uN01, h.clock()) {
		t.Fatalf("the activation outlived its end")
	}
	_, err = pimGroup(app).AssignmentSchedules().ByPrivilegedAccessGroupAssignmentScheduleId(deref(got.GetTargetScheduleId())).Get(ctx, nil)
	wantGraphErr(t, err, 404, "ResourceNotFound", "")
}

func TestApprovalDenyStepsAndCancelThroughSDK(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	app, n01 := h.client("app"), h.client("n01")
	makeDefaultEligible(t, app)
	requireApproval(t, app, gAdmin, gApprover)

	h.dir.AddRelationship(gApprover, uN01, "member", h.clock()) // even an approver cannot decide their own request
	req, err := activate(t, n01, "PT1H")
	must(t, err)
	id := deref(req.GetId())
	_, err = pimGroup(n01).AssignmentApprovals().ByApprovalId(id).Stages().ByApprovalStageId(id).Patch(ctx, decision("Approve", "me"), nil)
	wantGraphErr(t, err, 403, "Authorization_RequestDenied", "requestor")
	_, err = activate(t, n01, "PT1H")
	wantGraphErr(t, err, 400, "PendingRoleAssignmentRequest", "")
	// The v1.0 documentation's /steps/ path decides the same stage.
	base := "/v1.0/identityGovernance/privilegedAccess/group/assignmentApprovals/" + id
	if status, body := h.raw("p01", "PATCH", base+"/steps/"+id, `{"reviewResult":"Deny"}`); status != 400 || !strings.Contains(body, "justification") {
		t.Fatalf("a decision without the required justification: %d %s", status, body)
	}
	if status, body := h.raw("p01", "PATCH", base+"/steps/"+id, `{"reviewResult":"Deny","justification":"not now"}`); status != 204 {
		t.Fatalf("deny via /steps/: %d %s", status, body)
	}
	if status, body := h.raw("p01", "GET", base+"/steps/"+id, ""); status != 200 || !strings.Contains(body, `"reviewResult":"Denied"`) {
		t.Fatalf("stage via /steps/: %d %s", status, body)
	}
	got, err := pimGroup(n01).AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(id).Get(ctx, nil)
	must(t, err)
	if deref(got.GetStatus()) != "Denied" || h.dir.IsMember(gAdmin, uN01, h.clock()) {
		t.Fatalf("after deny: %v", got.GetStatus())
	}

	again, err := activate(t, n01, "PT1H")
	must(t, err)
	err = pimGroup(h.client("p01")).AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(deref(again.GetId())).Cancel().Post(ctx, nil)
	wantGraphErr(t, err, 403, "Authorization_RequestDenied", "")
	must(t, pimGroup(n01).AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(deref(again.GetId())).Cancel().Post(ctx, nil))
	got, err = pimGroup(n01).AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(deref(again.GetId())).Get(ctx, nil)
	must(t, err)
	if deref(got.GetStatus()) != "Canceled" {
		t.Fatalf("after cancel: %v", got.GetStatus())
	}
	err = pimGroup(n01).AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(deref(again.GetId())).Cancel().Post(ctx, nil)
	wantGraphErr(t, err, 400, "InvalidRoleAssignmentRequest", "cannot be canceled")
	_, err = pimGroup(h.client("p01")).AssignmentApprovals().ByApprovalId(deref(again.GetId())).Stages().ByApprovalStageId(deref(again.GetId())).
		Patch(ctx, decision("Approve", "late"), nil)
	wantGraphErr(t, err, 409, "Conflict", "")
	_, err = pimGroup(h.client("p01")).AssignmentApprovals().ByApprovalId("00000000-0000-4000-8000-000000000000").Get(ctx, nil)
	wantGraphErr(t, err, 404, "ResourceNotFound", "")
}

func TestSelfDeactivateThroughSDK(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	app, n01 := h.client("app"), h.client("n01")
	makeDefaultEligible(t, app)
	req, err := activate(t, n01, "PT4H")
	must(t, err)
	if deref(req.GetStatus()) != "Provisioned" || !h.dir.IsMember(gAdmin, uN01, h.clock()) {
		t.Fatalf("activation without approval: %v", req.GetStatus())
	}
	deactivate := assignmentRequest(t, reqSpec{action: models.SELFDEACTIVATE_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: uN01})
	_, err = pimGroup(n01).AssignmentScheduleRequests().Post(ctx, deactivate, nil)
	wantGraphErr(t, err, 400, "ActiveDurationTooShort", "")
	h.advance(5 * time.Minute)
	done, err := pimGroup(n01).AssignmentScheduleRequests().Post(ctx, deactivate, nil)
	must(t, err)
	if deref(done.GetStatus()) != "Revoked" || h.dir.IsMember(gAdmin, uN01, h.clock()) || len(activeInstances(t, app)) != 0 {
		t.Fatalf("after deactivation: %v", done.GetStatus())
	}
	mine, err := pimGroup(n01).AssignmentScheduleRequests().FilterByCurrentUserWithOn(ptr("principal")).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	must(t, err)
	if len(mine.GetValue()) != 2 {
		t.Fatalf("n01's requests: %d", len(mine.GetValue()))
	}
}

func TestPersistenceRoundTrip(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	app := h.client("app")
	makeDefaultEligible(t, app)
	requireApproval(t, app, gAdmin, gApprover)
	_, err := activate(t, h.client("n01"), "PT1H")
	must(t, err)

	saved, err := h.eng.MarshalJSON()
	must(t, err)
	restored := pim.New(h.dir, h.clock, pim.DefaultConfig())
	must(t, restored.UnmarshalJSON(saved))
	want, got := h.eng.Summary(), restored.Summary()
	if want.Requests != 2 || want.PendingApprovals != 1 || len(want.EligibilitySchedules) != 1 || len(want.Policies) != 2 {
		t.Fatalf("summary before save: %+v", want)
	}
	if diff := cmpDiff(want, got); diff != "" {
		t.Fatalf("restored state differs (-saved +restored):\n%s", diff)
	}
}
