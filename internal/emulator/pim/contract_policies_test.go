package pim_test

import (
	"reflect"
	"strings"
	"testing"

	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
)

func listPolicyAssignments(t *testing.T, c *msgraphsdk.GraphServiceClient, filter string, expand ...string) []models.UnifiedRoleManagementPolicyAssignmentable {
	t.Helper()
	res, err := c.Policies().RoleManagementPolicyAssignments().Get(ctx,
		&policies.RoleManagementPolicyAssignmentsRequestBuilderGetRequestConfiguration{
			QueryParameters: &policies.RoleManagementPolicyAssignmentsRequestBuilderGetQueryParameters{Filter: ptr(filter), Expand: expand}})
	must(t, err)
	return res.GetValue()
}

// memberPolicyID resolves the member policy of a group the way clients must (the ID changes at onboarding).
func memberPolicyID(t *testing.T, c *msgraphsdk.GraphServiceClient, group string) string {
	t.Helper()
	as := listPolicyAssignments(t, c, "scopeId eq '"+group+"' and scopeType eq 'Group' and roleDefinitionId eq 'member'")
	if len(as) != 1 {
		t.Fatalf("member policy assignments of %s: %d", group, len(as))
	}
	return deref(as[0].GetPolicyId())
}

func ruleByID(rules []models.UnifiedRoleManagementPolicyRuleable, id string) models.UnifiedRoleManagementPolicyRuleable {
	for _, r := range rules {
		if deref(r.GetId()) == id {
			return r
		}
	}
	return nil
}

func getRule(t *testing.T, c *msgraphsdk.GraphServiceClient, policyID, ruleID string) models.UnifiedRoleManagementPolicyRuleable {
	t.Helper()
	r, err := c.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(policyID).Rules().
		ByUnifiedRoleManagementPolicyRuleId(ruleID).Get(ctx, nil)
	must(t, err)
	return r
}

// ruleAs reads a rule like getRule and fails the test unless it is a T.
func ruleAs[T any](t *testing.T, c *msgraphsdk.GraphServiceClient, policyID, ruleID string) T {
	t.Helper()
	r := getRule(t, c, policyID, ruleID)
	got, ok := r.(T)
	if !ok {
		t.Fatalf("rule %s of policy %s is a %T, not a %s", ruleID, policyID, r, reflect.TypeFor[T]())
	}
	return got
}

func TestDefaultPoliciesThroughSDK(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	app := h.client("app")
	as := listPolicyAssignments(t, app, "scopeId eq '"+gAdmin+"' and scopeType eq 'Group'", "policy($expand=rules)")
	if len(as) != 2 {
		t.Fatalf("assignments: %d", len(as))
	}
	ids := map[string]string{}
	for _, a := range as {
		role := deref(a.GetRoleDefinitionId())
		p := a.GetPolicy()
		if p == nil || len(p.GetRules()) != 17 {
			t.Fatalf("%s: expanded policy %v", role, p)
		}
		if !strings.HasPrefix(deref(a.GetPolicyId()), "Group_"+gAdmin+"_") || deref(a.GetId()) != deref(a.GetPolicyId())+"_"+role ||
			deref(p.GetId()) != deref(a.GetPolicyId()) || deref(a.GetScopeType()) != "Group" {
			t.Fatalf("IDs: assignment %v policy %v", a.GetId(), a.GetPolicyId())
		}
		ids[role] = deref(a.GetPolicyId())
		exp, ok := ruleByID(p.GetRules(), "Expiration_EndUser_Assignment").(models.UnifiedRoleManagementPolicyExpirationRuleable)
		if !ok || !deref(exp.GetIsExpirationRequired()) || exp.GetMaximumDuration().GetHours() != 8 {
			t.Fatalf("%s: Expiration_EndUser_Assignment did not decode as an expiration rule of PT8H: %T", role, ruleByID(p.GetRules(), "Expiration_EndUser_Assignment"))
		}
		// The SDK's enum is lower-case and case-sensitive: Graph's "All" decodes as the zero value, ALL.
		if ops := exp.GetTarget().GetOperations(); len(ops) != 1 || ops[0] != models.ALL_UNIFIEDROLEMANAGEMENTPOLICYRULETARGETOPERATIONS ||
			deref(exp.GetTarget().GetCaller()) != "EndUser" {
			t.Fatalf("target: %v", ops)
		}
		ap, ok := ruleByID(p.GetRules(), "Approval_EndUser_Assignment").(models.UnifiedRoleManagementPolicyApprovalRuleable)
		if !ok || deref(ap.GetSetting().GetIsApprovalRequired()) || deref(ap.GetSetting().GetApprovalMode()) != "SingleStage" ||
			len(ap.GetSetting().GetApprovalStages()) != 1 {
			t.Fatalf("%s: approval rule %T", role, ruleByID(p.GetRules(), "Approval_EndUser_Assignment"))
		}
		en, ok := ruleByID(p.GetRules(), "Enablement_Admin_Assignment").(models.UnifiedRoleManagementPolicyEnablementRuleable)
		if !ok || len(en.GetEnabledRules()) != 1 || en.GetEnabledRules()[0] != "Justification" {
			t.Fatalf("%s: Enablement_Admin_Assignment %T", role, ruleByID(p.GetRules(), "Enablement_Admin_Assignment"))
		}
		if _, ok := ruleByID(p.GetRules(), "Notification_Approver_EndUser_Assignment").(models.UnifiedRoleManagementPolicyNotificationRuleable); !ok {
			t.Fatalf("%s: notification rule type lost", role)
		}
		if _, ok := ruleByID(p.GetRules(), "AuthenticationContext_EndUser_Assignment").(models.UnifiedRoleManagementPolicyAuthenticationContextRuleable); !ok {
			t.Fatalf("%s: authentication context rule type lost", role)
		}
	}
	if ids["member"] == ids["owner"] || ids["member"] == "" {
		t.Fatalf("member and owner policies must differ: %v", ids)
	}
	if again := memberPolicyID(t, app, gAdmin); again != ids["member"] {
		t.Fatalf("an untouched group's policy ID changed: %s -> %s", ids["member"], again)
	}

	p, err := app.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(ids["member"]).Get(ctx,
		&policies.RoleManagementPoliciesUnifiedRoleManagementPolicyItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &policies.RoleManagementPoliciesUnifiedRoleManagementPolicyItemRequestBuilderGetQueryParameters{Expand: []string{"rules", "effectiveRules"}}})
	must(t, err)
	if len(p.GetRules()) != 17 || len(p.GetEffectiveRules()) != 17 || deref(p.GetScopeId()) != gAdmin {
		t.Fatalf("policy with $expand: %d rules, %d effective", len(p.GetRules()), len(p.GetEffectiveRules()))
	}
	plain, err := app.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(ids["member"]).Get(ctx, nil)
	must(t, err)
	if plain.GetRules() != nil {
		t.Fatalf("rules returned without $expand")
	}
	rules, err := app.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(ids["member"]).Rules().Get(ctx, nil)
	must(t, err)
	if len(rules.GetValue()) != 17 {
		t.Fatalf("rules list: %d", len(rules.GetValue()))
	}
	pols, err := app.Policies().RoleManagementPolicies().Get(ctx, &policies.RoleManagementPoliciesRequestBuilderGetRequestConfiguration{
		QueryParameters: &policies.RoleManagementPoliciesRequestBuilderGetQueryParameters{Filter: ptr("scopeId eq '" + gAdmin + "' and scopeType eq 'Group'")}})
	must(t, err)
	if len(pols.GetValue()) != 2 {
		t.Fatalf("policies list: %d", len(pols.GetValue()))
	}

	_, err = app.Policies().RoleManagementPolicyAssignments().Get(ctx, &policies.RoleManagementPolicyAssignmentsRequestBuilderGetRequestConfiguration{
		QueryParameters: &policies.RoleManagementPolicyAssignmentsRequestBuilderGetQueryParameters{Filter: ptr("scopeId eq '" + gAdmin + "'")}})
	wantGraphErr(t, err, 400, "BadRequest", "scopeType")
	_, err = app.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId("Group_"+gAdmin+"_00000000-0000-4000-8000-000000000000").Get(ctx, nil)
	wantGraphErr(t, err, 404, "ResourceNotFound", "")
	_, err = h.client("app-bare").Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(ids["member"]).Get(ctx, nil)
	wantGraphErr(t, err, 403, "Authorization_RequestDenied", "")
}

func TestRulePatchThroughSDK(t *testing.T) {
	h := newHarness(t, pim.DefaultConfig())
	app := h.client("app")
	before := memberPolicyID(t, app, gAdmin)
	ownerBefore := deref(listPolicyAssignments(t, app, "scopeId eq '"+gAdmin+"' and scopeType eq 'Group' and roleDefinitionId eq 'owner'")[0].GetPolicyId())

	exp := models.NewUnifiedRoleManagementPolicyExpirationRule()
	exp.SetId(ptr("Expiration_EndUser_Assignment"))
	exp.SetIsExpirationRequired(ptr(true))
	d, _ := parseISO("PT4H")
	exp.SetMaximumDuration(d)
	target := models.NewUnifiedRoleManagementPolicyRuleTarget()
	target.SetCaller(ptr("EndUser"))
	target.SetLevel(ptr("Assignment"))
	target.SetOperations([]models.UnifiedRoleManagementPolicyRuleTargetOperations{models.ALL_UNIFIEDROLEMANAGEMENTPOLICYRULETARGETOPERATIONS})
	exp.SetTarget(target)
	_, err := app.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(before).Rules().
		ByUnifiedRoleManagementPolicyRuleId("Expiration_EndUser_Assignment").Patch(ctx, exp, nil)
	must(t, err)

	// The first policy change onboards the group: both policies get new IDs, the old ones stop resolving.
	after := memberPolicyID(t, app, gAdmin)
	ownerAfter := deref(listPolicyAssignments(t, app, "scopeId eq '"+gAdmin+"' and scopeType eq 'Group' and roleDefinitionId eq 'owner'")[0].GetPolicyId())
	if after == before || ownerAfter == ownerBefore {
		t.Fatalf("policy IDs did not change at onboarding: member %s, owner %s", after, ownerAfter)
	}
	_, err = app.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(before).Get(ctx, nil)
	wantGraphErr(t, err, 404, "ResourceNotFound", "")
	got, ok := getRule(t, app, after, "Expiration_EndUser_Assignment").(models.UnifiedRoleManagementPolicyExpirationRuleable)
	if !ok || got.GetMaximumDuration().GetHours() != 4 {
		t.Fatalf("patched rule not read back: %v", got)
	}
	ownerRule := ruleAs[models.UnifiedRoleManagementPolicyExpirationRuleable](t, app, ownerAfter, "Expiration_EndUser_Assignment")
	if ownerRule.GetMaximumDuration().GetHours() != 8 {
		t.Fatalf("the owner policy changed with the member policy")
	}

	base := "/v1.0/policies/roleManagementPolicies/" + after + "/rules/"
	for _, tt := range []struct {
		name, rule, body string
		status           int
		code             string
	}{
		{"no @odata.type", "Expiration_EndUser_Assignment", `{"maximumDuration":"PT2H"}`, 400, "InvalidPolicyRule"},
		{"wrong @odata.type", "Expiration_EndUser_Assignment", `{"@odata.type":"#microsoft.graph.unifiedRoleManagementPolicyEnablementRule","enabledRules":[]}`, 400, "InvalidPolicyRule"},
		{"P1Y maximum", "Expiration_Admin_Eligibility", `{"@odata.type":"#microsoft.graph.unifiedRoleManagementPolicyExpirationRule","maximumDuration":"P1Y"}`, 400, "InvalidPolicyRule"},
		{"activation over a day", "Expiration_EndUser_Assignment", `{"@odata.type":"#microsoft.graph.unifiedRoleManagementPolicyExpirationRule","maximumDuration":"PT25H"}`, 400, "InvalidPolicyRule"},
		{"unknown enablement", "Enablement_EndUser_Assignment", `{"@odata.type":"#microsoft.graph.unifiedRoleManagementPolicyEnablementRule","enabledRules":["Selfie"]}`, 400, "InvalidPolicyRule"},
		{"unknown rule", "Nope_Rule", `{"@odata.type":"#microsoft.graph.unifiedRoleManagementPolicyExpirationRule"}`, 404, "ResourceNotFound"},
		{"type without #", "Expiration_Admin_Eligibility", `{"@odata.type":"microsoft.graph.unifiedRoleManagementPolicyExpirationRule","isExpirationRequired":false}`, 204, ""},
		{"nested types without #", "Approval_EndUser_Assignment", `{"@odata.type":"#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
			"target":{"@odata.type":"microsoft.graph.unifiedRoleManagementPolicyRuleTarget","caller":"EndUser","operations":["All"],"level":"Assignment"},
			"setting":{"@odata.type":"microsoft.graph.approvalSettings","isApprovalRequired":true,"approvalMode":"singleStage",
			"approvalStages":[{"@odata.type":"microsoft.graph.unifiedApprovalStage","approvalStageTimeOutInDays":1,
			"primaryApprovers":[{"@odata.type":"microsoft.graph.groupMembers","groupId":"` + gApprover + `"}]}]}}`, 204, ""},
	} {
		status, body := h.raw("app", "PATCH", base+tt.rule, tt.body)
		if status != tt.status || (tt.code != "" && !strings.Contains(body, `"code":"`+tt.code+`"`)) {
			t.Fatalf("%s: want %d %s, got %d %s", tt.name, tt.status, tt.code, status, body)
		}
	}
	if memberPolicyID(t, app, gAdmin) != after {
		t.Fatalf("policy ID changed after onboarding (RegeneratePolicyIDsOnUpdate is off)")
	}
	ap := ruleAs[models.UnifiedRoleManagementPolicyApprovalRuleable](t, app, after, "Approval_EndUser_Assignment")
	s := ap.GetSetting()
	approvers := s.GetApprovalStages()[0].GetPrimaryApprovers()
	gm, ok := approvers[0].(models.GroupMembersable)
	if !deref(s.GetIsApprovalRequired()) || deref(s.GetApprovalMode()) != "SingleStage" || len(approvers) != 1 || !ok ||
		deref(gm.GetGroupId()) != gApprover || deref(gm.GetDescription()) != "approver" ||
		!deref(s.GetApprovalStages()[0].GetIsApproverJustificationRequired()) {
		t.Fatalf("approval rule after PATCH: required %v mode %v approvers %d (%T)", s.GetIsApprovalRequired(), s.GetApprovalMode(), len(approvers), approvers[0])
	}
	if el := ruleAs[models.UnifiedRoleManagementPolicyExpirationRuleable](t, app, after, "Expiration_Admin_Eligibility"); deref(el.GetIsExpirationRequired()) {
		t.Fatalf("isExpirationRequired not patched")
	}
	// With expiration no longer required, a permanent eligibility passes.
	_, err = pimGroup(app).EligibilityScheduleRequests().Post(ctx, eligibilityRequest(t, reqSpec{
		action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: gDefault, duration: "noExpiration"}), nil)
	must(t, err)

	_, err = h.client("n01").Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(after).Rules().
		ByUnifiedRoleManagementPolicyRuleId("Expiration_EndUser_Assignment").Patch(ctx, exp, nil)
	wantGraphErr(t, err, 403, "Authorization_RequestDenied", "")
}

func TestWholePolicyPatchThroughSDK(t *testing.T) {
	cfg := pim.DefaultConfig()
	cfg.RegeneratePolicyIDsOnUpdate = true
	h := newHarness(t, cfg)
	app := h.client("app")
	id := memberPolicyID(t, app, gAdmin)

	en := models.NewUnifiedRoleManagementPolicyEnablementRule()
	en.SetId(ptr("Enablement_EndUser_Assignment"))
	en.SetEnabledRules([]string{"Justification", "Ticketing"})
	notif := models.NewUnifiedRoleManagementPolicyNotificationRule()
	notif.SetId(ptr("Notification_Approver_EndUser_Assignment"))
	notif.SetNotificationLevel(ptr("Critical"))
	notif.SetNotificationRecipients([]string{"secops@contoso.test"})
	body := models.NewUnifiedRoleManagementPolicy()
	body.SetRules([]models.UnifiedRoleManagementPolicyRuleable{en, notif})
	_, err := app.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(id).Patch(ctx, body, nil)
	must(t, err)

	newID := memberPolicyID(t, app, gAdmin)
	if newID == id {
		t.Fatalf("policy ID unchanged with RegeneratePolicyIDsOnUpdate")
	}
	gotEn := ruleAs[models.UnifiedRoleManagementPolicyEnablementRuleable](t, app, newID, "Enablement_EndUser_Assignment")
	gotN := ruleAs[models.UnifiedRoleManagementPolicyNotificationRuleable](t, app, newID, "Notification_Approver_EndUser_Assignment")
	if strings.Join(gotEn.GetEnabledRules(), ",") != "Justification,Ticketing" || deref(gotN.GetNotificationLevel()) != "Critical" ||
		len(gotN.GetNotificationRecipients()) != 1 || deref(gotN.GetRecipientType()) != "Approver" {
		t.Fatalf("whole-policy PATCH not applied: %v %v", gotEn.GetEnabledRules(), gotN.GetNotificationLevel())
	}

	// A whole-policy PATCH is all or nothing.
	bad := models.NewUnifiedRoleManagementPolicyExpirationRule()
	bad.SetId(ptr("Expiration_Admin_Assignment"))
	bad.SetIsExpirationRequired(ptr(false))
	wrong := models.NewUnifiedRoleManagementPolicyEnablementRule()
	wrong.SetId(ptr("Expiration_EndUser_Assignment"))
	body.SetRules([]models.UnifiedRoleManagementPolicyRuleable{bad, wrong})
	_, err = app.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(newID).Patch(ctx, body, nil)
	wantGraphErr(t, err, 400, "InvalidPolicyRule", "")
	if r := ruleAs[models.UnifiedRoleManagementPolicyExpirationRuleable](t, app, newID, "Expiration_Admin_Assignment"); !deref(r.GetIsExpirationRequired()) {
		t.Fatalf("a rejected whole-policy PATCH changed a rule")
	}
}
