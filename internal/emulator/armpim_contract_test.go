package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// PIM for Azure resources through the real armauthorization/v2 clients (api-version 2020-10-01).

const armTokenScope = "https://management.core.windows.net//.default"

type armPIMWorld struct {
	srv          *emulator.Server
	f            emulator.Fixtures
	admin, n01   azcore.TokenCredential
	p01          azcore.TokenCredential
	eligAdmin    *armauthorization.RoleEligibilityScheduleRequestsClient
	eligSched    *armauthorization.RoleEligibilitySchedulesClient
	assignN01    *armauthorization.RoleAssignmentScheduleRequestsClient
	assignAdmin  *armauthorization.RoleAssignmentScheduleRequestsClient
	instancesN01 *armauthorization.RoleAssignmentScheduleInstancesClient
	policies     *armauthorization.RoleManagementPoliciesClient
}

// newARMPIMWorld starts an emulator whose admin may manage PIM (User Access Administrator: the Role
// Based Access Control Administrator role lacks the schedule-request write actions).
func newARMPIMWorld(t *testing.T, mutate func(*emulator.Config)) *armPIMWorld {
	t.Helper()
	cfg := emulator.DefaultConfig()
	cfg.AdminARMRole = "User Access Administrator"
	if mutate != nil {
		mutate(&cfg)
	}
	srv := startEmulator(t, cfg)
	w := &armPIMWorld{srv: srv, f: srv.Fixtures(), admin: adminCred(t, srv)}
	w.n01, w.p01 = userCred(t, srv, w.f.N01), userCred(t, srv, w.f.P01)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	w.eligAdmin, err = armauthorization.NewRoleEligibilityScheduleRequestsClient(w.admin, armOptions(srv))
	must(err)
	w.eligSched, err = armauthorization.NewRoleEligibilitySchedulesClient(w.admin, armOptions(srv))
	must(err)
	w.assignN01, err = armauthorization.NewRoleAssignmentScheduleRequestsClient(w.n01, armOptions(srv))
	must(err)
	w.assignAdmin, err = armauthorization.NewRoleAssignmentScheduleRequestsClient(w.admin, armOptions(srv))
	must(err)
	w.instancesN01, err = armauthorization.NewRoleAssignmentScheduleInstancesClient(w.n01, armOptions(srv))
	must(err)
	w.policies, err = armauthorization.NewRoleManagementPoliciesClient(w.admin, armOptions(srv))
	must(err)
	return w
}

func (w *armPIMWorld) eligible(t *testing.T, scope, role, principal, duration string) armauthorization.RoleEligibilityScheduleRequestsClientCreateResponse {
	t.Helper()
	resp, err := w.eligAdmin.Create(ctxT(t), scope, uuid.NewString(), armauthorization.RoleEligibilityScheduleRequest{
		Properties: &armauthorization.RoleEligibilityScheduleRequestProperties{
			PrincipalID: to.Ptr(principal), RoleDefinitionID: to.Ptr(roleDefID(w.srv, role)),
			RequestType: to.Ptr(armauthorization.RequestTypeAdminAssign), Justification: to.Ptr("on-call"),
			ScheduleInfo: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfo{
				Expiration: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoExpiration{
					Type: to.Ptr(armauthorization.TypeAfterDuration), Duration: to.Ptr(duration)},
			},
		}}, nil)
	if err != nil {
		t.Fatalf("eligibility for %s at %s: %v", principal, scope, err)
	}
	return resp
}

func (w *armPIMWorld) activate(t *testing.T, scope, duration, justification string) (armauthorization.RoleAssignmentScheduleRequestsClientCreateResponse, error) {
	t.Helper()
	return w.assignN01.Create(ctxT(t), scope, uuid.NewString(), armauthorization.RoleAssignmentScheduleRequest{
		Properties: &armauthorization.RoleAssignmentScheduleRequestProperties{
			PrincipalID: to.Ptr(w.f.N01.ID), RoleDefinitionID: to.Ptr(roleDefID(w.srv, roleAKSAdmin)),
			RequestType: to.Ptr(armauthorization.RequestTypeSelfActivate), Justification: to.Ptr(justification),
			ScheduleInfo: &armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfo{
				Expiration: &armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfoExpiration{
					Type: to.Ptr(armauthorization.TypeAfterDuration), Duration: to.Ptr(duration)},
			},
		}}, nil)
}

// rawJSON sends an authenticated ARM request with a JSON body and returns the status and body.
func rawJSON(t *testing.T, srv *emulator.Server, cred azcore.TokenCredential, method, url string, body any) (int, []byte) {
	t.Helper()
	tok, err := cred.GetToken(ctxT(t), policy.TokenRequestOptions{Scopes: []string{armTokenScope}})
	if err != nil {
		t.Fatal(err)
	}
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(ctxT(t), method, url, rd)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func TestARMPIMEligibilityLifecycle(t *testing.T) {
	t.Parallel()
	w := newARMPIMWorld(t, nil)
	ctx := ctxT(t)
	created := w.eligible(t, w.f.ClusterID, roleAKSAdmin, w.f.N01.ID, "P90D")
	p := created.Properties
	if *p.Status != armauthorization.StatusProvisioned || *p.PrincipalType != armauthorization.PrincipalTypeUser || *p.RequestType != armauthorization.RequestTypeAdminAssign {
		t.Fatalf("created: status %s, principalType %s", *p.Status, *p.PrincipalType)
	}
	if !strings.HasSuffix(*p.TargetRoleEligibilityScheduleID, "/providers/Microsoft.Authorization/roleEligibilitySchedules/"+*created.Name) {
		t.Errorf("targetRoleEligibilityScheduleId = %s, want the schedule named after the request", *p.TargetRoleEligibilityScheduleID)
	}
	if *p.ExpandedProperties.RoleDefinition.DisplayName != "Azure Kubernetes Service RBAC Admin" || *p.ExpandedProperties.Scope.Type != "resource" {
		t.Errorf("expandedProperties: %+v", p.ExpandedProperties)
	}

	// A second AdminAssign for the same principal, role and scope is refused.
	_, err := w.eligAdmin.Create(ctx, w.f.ClusterID, uuid.NewString(), armauthorization.RoleEligibilityScheduleRequest{Properties: &armauthorization.RoleEligibilityScheduleRequestProperties{
		PrincipalID: to.Ptr(w.f.N01.ID), RoleDefinitionID: to.Ptr(roleDefID(w.srv, roleAKSAdmin)), RequestType: to.Ptr(armauthorization.RequestTypeAdminAssign),
		Justification: to.Ptr("again"), ScheduleInfo: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfo{Expiration: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoExpiration{Type: to.Ptr(armauthorization.TypeAfterDuration), Duration: to.Ptr("P30D")}},
	}}, nil)
	if status, code := armCode(t, err); status != 409 || code != "RoleAssignmentExists" {
		t.Errorf("duplicate: %d %s", status, code)
	}

	// n01 sees its eligibility with asTarget() (no role needed); the admin lists it at the cluster.
	n01Sched, _ := armauthorization.NewRoleEligibilitySchedulesClient(w.n01, armOptions(w.srv))
	for _, c := range []struct {
		client *armauthorization.RoleEligibilitySchedulesClient
		scope  string
		filter string
		want   int
	}{
		{n01Sched, "/subscriptions/" + w.f.SubscriptionID, "asTarget()", 1},
		{w.eligSched, w.f.ClusterID, "atScope()", 1},
		{w.eligSched, w.f.ClusterID + "/namespaces/payments", "atScope()", 1}, // above the namespace
		{w.eligSched, "/subscriptions/" + w.f.SubscriptionID, "atScope()", 0}, // below the subscription
		{w.eligSched, "/subscriptions/" + w.f.SubscriptionID, "principalId eq '" + w.f.N01.ID + "'", 1},
		{w.eligSched, "/subscriptions/" + w.f.SubscriptionID, "principalId eq '" + w.f.P01.ID + "'", 0},
	} {
		var n int
		pager := c.client.NewListForScopePager(c.scope, &armauthorization.RoleEligibilitySchedulesClientListForScopeOptions{Filter: to.Ptr(c.filter)})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("list %s %s: %v", c.scope, c.filter, err)
			}
			n += len(page.Value)
		}
		if n != c.want {
			t.Errorf("list at %s with %s: %d schedules, want %d", c.scope, c.filter, n, c.want)
		}
	}
	// Without asTarget(), n01 needs the read action at the scope.
	pager := n01Sched.NewListForScopePager(w.f.ClusterID, nil)
	if _, err := pager.NextPage(ctx); err == nil {
		t.Error("n01 listed every eligibility at the cluster without a role there")
	} else if status, code := armCode(t, err); status != 403 || code != "AuthorizationFailed" {
		t.Errorf("n01 unfiltered list: %d %s", status, code)
	}

	sched, err := w.eligSched.Get(ctx, w.f.ClusterID, *created.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *sched.Properties.MemberType != armauthorization.MemberTypeDirect || sched.Properties.EndDateTime.Sub(*sched.Properties.StartDateTime) != 90*24*time.Hour {
		t.Errorf("schedule: %+v", sched.Properties)
	}

	// Removal within the minimum age is refused; later it revokes and the schedule is gone.
	remove := func() (armauthorization.RoleEligibilityScheduleRequestsClientCreateResponse, error) {
		return w.eligAdmin.Create(ctx, w.f.ClusterID, uuid.NewString(), armauthorization.RoleEligibilityScheduleRequest{Properties: &armauthorization.RoleEligibilityScheduleRequestProperties{
			PrincipalID: to.Ptr(w.f.N01.ID), RoleDefinitionID: to.Ptr(roleDefID(w.srv, roleAKSAdmin)), RequestType: to.Ptr(armauthorization.RequestTypeAdminRemove)}}, nil)
	}
	if _, err := remove(); err == nil {
		t.Fatal("removed a schedule in its first five minutes")
	} else if status, code := armCode(t, err); status != 400 || code != "ActiveDurationTooShort" {
		t.Errorf("early removal: %d %s", status, code)
	}
	w.srv.AdvanceClock(6 * time.Minute)
	removed, err := remove()
	if err != nil {
		t.Fatal(err)
	}
	if *removed.Properties.Status != armauthorization.StatusRevoked {
		t.Errorf("removal status %s", *removed.Properties.Status)
	}
	if _, err := w.eligSched.Get(ctx, w.f.ClusterID, *created.Name, nil); err == nil {
		t.Error("the removed schedule is still readable")
	} else if status, _ := armCode(t, err); status != 404 {
		t.Errorf("removed schedule: %d", status)
	}
	if _, err := remove(); err == nil {
		t.Error("removing nothing succeeded")
	} else if _, code := armCode(t, err); code != "RoleAssignmentDoesNotExist" {
		t.Errorf("removing nothing: %s", code)
	}
}

func TestARMPIMRequestValidation(t *testing.T) {
	t.Parallel()
	w := newARMPIMWorld(t, nil)
	ctx := ctxT(t)
	req := func(principal, role string, exp *armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoExpiration, justification *string) error {
		_, err := w.eligAdmin.Create(ctx, w.f.ClusterID, uuid.NewString(), armauthorization.RoleEligibilityScheduleRequest{Properties: &armauthorization.RoleEligibilityScheduleRequestProperties{
			PrincipalID: to.Ptr(principal), RoleDefinitionID: to.Ptr(roleDefID(w.srv, role)), RequestType: to.Ptr(armauthorization.RequestTypeAdminAssign),
			Justification: justification, ScheduleInfo: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfo{Expiration: exp},
		}}, nil)
		return err
	}
	after := func(d string) *armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoExpiration {
		return &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoExpiration{Type: to.Ptr(armauthorization.TypeAfterDuration), Duration: to.Ptr(d)}
	}
	permanent := &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoExpiration{Type: to.Ptr(armauthorization.TypeNoExpiration)}
	for _, c := range []struct {
		name       string
		err        error
		status     int
		code, text string
	}{
		{"permanent under the default policy", req(w.f.N01.ID, roleAKSAdmin, permanent, to.Ptr("x")), 400, "RoleAssignmentRequestPolicyValidationFailed", `[\"ExpirationRule\"]`},
		{"longer than 365 days", req(w.f.N01.ID, roleAKSAdmin, after("P400D"), to.Ptr("x")), 400, "RoleAssignmentRequestPolicyValidationFailed", `[\"ExpirationRule\"]`},
		{"a calendar duration", req(w.f.N01.ID, roleAKSAdmin, after("P1Y"), to.Ptr("x")), 400, "InvalidRoleAssignmentRequest", ""},
		{"shorter than five minutes", req(w.f.N01.ID, roleAKSAdmin, after("PT2M"), to.Ptr("x")), 400, "InvalidRoleAssignmentRequest", ""},
		{"an unknown principal", req(uuid.NewString(), roleAKSAdmin, after("P30D"), to.Ptr("x")), 400, "SubjectNotFound", ""},
		{"an unknown role", req(w.f.N01.ID, uuid.NewString(), after("P30D"), to.Ptr("x")), 400, "RoleDefinitionDoesNotExist", ""},
	} {
		if c.err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		status, code := armCode(t, c.err)
		if status != c.status || code != c.code || !strings.Contains(c.err.Error(), c.text) {
			t.Errorf("%s: %d %s, want %d %s %s", c.name, status, code, c.status, c.code, c.text)
		}
	}
	// Activation without an eligibility fails the eligibility rule; without justification, that rule too.
	_, err := w.activate(t, w.f.ClusterID, "PT1H", "")
	if status, code := armCode(t, err); status != 400 || code != "RoleAssignmentRequestPolicyValidationFailed" || !strings.Contains(err.Error(), `[\"EligibilityRule\",\"JustificationRule\"]`) {
		t.Errorf("activation without eligibility: %d %s %v", status, code, err)
	}
	// The admin's default Role Based Access Control Administrator role does not cover PIM requests.
	plain := startEmulator(t, emulator.DefaultConfig())
	client, _ := armauthorization.NewRoleEligibilityScheduleRequestsClient(adminCred(t, plain), armOptions(plain))
	pf := plain.Fixtures()
	_, err = client.Create(ctx, pf.ClusterID, uuid.NewString(), armauthorization.RoleEligibilityScheduleRequest{Properties: &armauthorization.RoleEligibilityScheduleRequestProperties{
		PrincipalID: to.Ptr(pf.N01.ID), RoleDefinitionID: to.Ptr(roleDefID(plain, roleAKSAdmin)), RequestType: to.Ptr(armauthorization.RequestTypeAdminAssign),
		Justification: to.Ptr("x"), ScheduleInfo: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfo{Expiration: after("P30D")},
	}}, nil)
	if status, code := armCode(t, err); status != 403 || code != "AuthorizationFailed" || !strings.Contains(err.Error(), "roleEligibilityScheduleRequests/write") {
		t.Errorf("RBAC Administrator creating an eligibility: %d %s", status, code)
	}
}

// secretsReadable reports whether n01's effective permissions at the cluster include reading secrets (the
// permissions API, through which a materialised activation must show).
func (w *armPIMWorld) secretsReadable(t *testing.T) bool {
	t.Helper()
	return w.srv.ARM().CanData(w.f.N01.ID, w.f.ClusterID, "Microsoft.ContainerService/managedClusters/secrets/read")
}

// requireApproval makes activations of role at scope need p01's approval, with the real policies client.
func (w *armPIMWorld) requireApproval(t *testing.T, scope, role string) {
	t.Helper()
	w.patchPolicy(t, scope, role, &armauthorization.RoleManagementPolicyApprovalRule{
		ID: to.Ptr("Approval_EndUser_Assignment"), RuleType: to.Ptr(armauthorization.RoleManagementPolicyRuleTypeRoleManagementPolicyApprovalRule),
		Setting: &armauthorization.ApprovalSettings{IsApprovalRequired: to.Ptr(true), ApprovalMode: to.Ptr(armauthorization.ApprovalModeSingleStage),
			IsRequestorJustificationRequired: to.Ptr(true),
			ApprovalStages: []*armauthorization.ApprovalStage{{ApprovalStageTimeOutInDays: to.Ptr[int32](1), IsApproverJustificationRequired: to.Ptr(true),
				PrimaryApprovers: []*armauthorization.UserSet{{ID: to.Ptr(w.f.P01.ID), UserType: to.Ptr(armauthorization.UserTypeUser)}}}},
		},
	})
}

// patchPolicy changes one rule of the policy of role at scope, with the real policies client.
func (w *armPIMWorld) patchPolicy(t *testing.T, scope, role string, rule armauthorization.RoleManagementPolicyRuleClassification) {
	t.Helper()
	ctx := ctxT(t)
	// The policy of a role is found through the role's policy assignment.
	assignments, _ := armauthorization.NewRoleManagementPolicyAssignmentsClient(w.admin, armOptions(w.srv))
	var name string
	pager := assignments.NewListForScopePager(scope, nil)
	for pager.More() && name == "" {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Value {
			if strings.HasSuffix(*a.Properties.RoleDefinitionID, "/"+role) {
				name = (*a.Properties.PolicyID)[strings.LastIndex(*a.Properties.PolicyID, "/")+1:]
			}
		}
	}
	if name == "" {
		t.Fatalf("no policy for %s at %s", role, scope)
	}
	_, err := w.policies.Update(ctx, scope, name, armauthorization.RoleManagementPolicy{Properties: &armauthorization.RoleManagementPolicyProperties{
		Rules: []armauthorization.RoleManagementPolicyRuleClassification{rule},
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
}

var armPIMVariants = map[string]func(*emulator.Config){
	"defaults":      nil,
	"docs-examples": func(c *emulator.Config) { c.Variants = "docs-examples" },
	"alternate":     func(c *emulator.Config) { c.Variants = "alternate,resource-pages" },
}

func TestARMPIMActivationApproval(t *testing.T) {
	t.Parallel()
	for name, mutate := range armPIMVariants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newARMPIMWorld(t, mutate)
			ctx := ctxT(t)
			w.eligible(t, w.f.ClusterID, roleAKSAdmin, w.f.N01.ID, "P30D")
			// A default policy may require MFA on activation (armpim.activation-mfa), which no emulator
			// token carries: ask for justification only.
			w.patchPolicy(t, w.f.ClusterID, roleAKSAdmin, &armauthorization.RoleManagementPolicyEnablementRule{
				ID: to.Ptr("Enablement_EndUser_Assignment"), RuleType: to.Ptr(armauthorization.RoleManagementPolicyRuleTypeRoleManagementPolicyEnablementRule),
				EnabledRules: []*armauthorization.EnablementRules{to.Ptr(armauthorization.EnablementRulesJustification)}})
			if w.secretsReadable(t) {
				t.Fatal("n01 reads secrets before activating")
			}

			// Without approval: provisioned at once, materialised as a role assignment for its window.
			got, err := w.activate(t, w.f.ClusterID, "PT1H", "INC-1")
			if err != nil {
				t.Fatal(err)
			}
			if *got.Properties.Status != armauthorization.StatusProvisioned || got.Properties.LinkedRoleEligibilityScheduleID == nil {
				t.Fatalf("activation: %s, linked %v", *got.Properties.Status, got.Properties.LinkedRoleEligibilityScheduleID)
			}
			if !w.secretsReadable(t) {
				t.Fatal("the activation grants nothing")
			}
			pager := w.instancesN01.NewListForScopePager(w.f.ClusterID, &armauthorization.RoleAssignmentScheduleInstancesClientListForScopeOptions{Filter: to.Ptr("asTarget()")})
			page, err := pager.NextPage(ctx)
			if err != nil || len(page.Value) != 1 {
				t.Fatalf("instances asTarget: %v %d", err, len(page.Value))
			}
			inst := page.Value[0].Properties
			if *inst.AssignmentType != armauthorization.AssignmentTypeActivated || inst.OriginRoleAssignmentID == nil {
				t.Errorf("instance: %+v", inst)
			}
			raClient, _ := armauthorization.NewRoleAssignmentsClient(w.f.SubscriptionID, w.admin, armOptions(w.srv))
			ra, err := raClient.GetByID(ctx, *inst.OriginRoleAssignmentID, nil)
			if err != nil || !strings.EqualFold(*ra.Properties.PrincipalID, w.f.N01.ID) {
				t.Fatalf("origin role assignment: %v", err)
			}
			if _, err := w.activate(t, w.f.ClusterID, "PT1H", "again"); err == nil {
				t.Error("a second activation was accepted")
			} else if _, code := armCode(t, err); code != "RoleAssignmentExists" {
				t.Errorf("second activation: %s", code)
			}
			// The activation ends on the clock: the role assignment and the permission go with it.
			w.srv.AdvanceClock(61 * time.Minute)
			if w.secretsReadable(t) {
				t.Fatal("n01 still reads secrets after the activation ended")
			}
			if _, err := raClient.GetByID(ctx, *inst.OriginRoleAssignmentID, nil); err == nil {
				t.Error("the role assignment outlived its activation")
			}

			// With approval: pending until p01 decides; n01 cannot decide its own request.
			w.requireApproval(t, w.f.ClusterID, roleAKSAdmin)
			pending, err := w.activate(t, w.f.ClusterID, "PT2H", "INC-2")
			if err != nil {
				t.Fatal(err)
			}
			if *pending.Properties.Status != armauthorization.StatusPendingApproval || pending.Properties.ApprovalID == nil {
				t.Fatalf("pending: %s", *pending.Properties.Status)
			}
			p01Requests, _ := armauthorization.NewRoleAssignmentScheduleRequestsClient(w.p01, armOptions(w.srv))
			rp := p01Requests.NewListForScopePager(w.f.ClusterID, &armauthorization.RoleAssignmentScheduleRequestsClientListForScopeOptions{Filter: to.Ptr("asApprover()")})
			awaiting, err := rp.NextPage(ctx)
			if err != nil || len(awaiting.Value) != 1 || *awaiting.Value[0].Name != *pending.Name {
				t.Fatalf("p01 asApprover: %v %d", err, len(awaiting.Value))
			}
			approval := *pending.Properties.ApprovalID
			if !strings.HasPrefix(approval, "/") {
				approval = "/providers/Microsoft.Authorization/roleAssignmentApprovals/" + approval
			}
			status, body := rawJSON(t, w.srv, w.p01, http.MethodGet, w.srv.URL()+approval+"?api-version=2021-01-01-preview", nil)
			var doc struct {
				Properties map[string][]struct {
					Name       string `json:"name"`
					Properties struct {
						Status       string `json:"status"`
						AssignedToMe bool   `json:"assignedToMe"`
					} `json:"properties"`
				} `json:"properties"`
			}
			if status != 200 || json.Unmarshal(body, &doc) != nil {
				t.Fatalf("get approval: %d %s", status, body)
			}
			stages := append(doc.Properties["stages"], doc.Properties["steps"]...)
			if len(stages) != 1 || stages[0].Properties.Status != "InProgress" || !stages[0].Properties.AssignedToMe {
				t.Fatalf("approval stages: %s", body)
			}
			decide := func(cred azcore.TokenCredential, seg string, justification string) int {
				status, _ := rawJSON(t, w.srv, cred, http.MethodPatch, w.srv.URL()+approval+seg+stages[0].Name+"?api-version=2021-01-01-preview",
					map[string]any{"properties": map[string]any{"reviewResult": "Approve", "justification": justification}})
				return status
			}
			if s := decide(w.n01, "/stages/", "mine"); s != 403 && s != 404 {
				t.Errorf("n01 deciding its own request: %d", s)
			}
			if s := decide(w.p01, "/steps/", ""); s != 400 {
				t.Errorf("a decision without the required justification: %d", s)
			}
			if s := decide(w.p01, "/steps/", "ok"); s != 200 {
				t.Fatalf("p01 approving: %d", s)
			}
			done, err := w.assignN01.Get(ctx, w.f.ClusterID, *pending.Name, nil)
			if err != nil || *done.Properties.Status != armauthorization.StatusProvisioned {
				t.Fatalf("after approval: %v %v", err, done.Properties.Status)
			}
			if !w.secretsReadable(t) {
				t.Fatal("the approved activation grants nothing")
			}
			// Self-deactivation waits out the minimum age, then ends the access.
			w.srv.AdvanceClock(6 * time.Minute)
			_, err = w.assignN01.Create(ctx, w.f.ClusterID, uuid.NewString(), armauthorization.RoleAssignmentScheduleRequest{Properties: &armauthorization.RoleAssignmentScheduleRequestProperties{
				PrincipalID: to.Ptr(w.f.N01.ID), RoleDefinitionID: to.Ptr(roleDefID(w.srv, roleAKSAdmin)), RequestType: to.Ptr(armauthorization.RequestTypeSelfDeactivate)}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if w.secretsReadable(t) {
				t.Error("n01 still reads secrets after deactivating")
			}
		})
	}
}

func TestARMPIMPolicies(t *testing.T) {
	t.Parallel()
	w := newARMPIMWorld(t, nil)
	ctx := ctxT(t)
	base := w.srv.URL() + w.f.ClusterID + "/providers/Microsoft.Authorization/"
	// One policy per role; the REST how-to's roleDefinitionId filter narrows the list to one.
	status, body := rawJSON(t, w.srv, w.admin, http.MethodGet, base+"roleManagementPolicies?api-version=2020-10-01&$filter=roleDefinitionId%20eq%20%27"+roleDefID(w.srv, roleAKSAdmin)+"%27", nil)
	var list struct {
		Value []struct {
			Name string `json:"name"`
		} `json:"value"`
	}
	if status != 200 || json.Unmarshal(body, &list) != nil || len(list.Value) != 1 {
		t.Fatalf("filtered policy list: %d %s", status, body)
	}
	name := list.Value[0].Name
	pol, err := w.policies.Get(ctx, w.f.ClusterID, name, nil)
	if err != nil || len(pol.Properties.Rules) != 17 {
		t.Fatalf("get policy: %v", err)
	}
	for _, r := range pol.Properties.Rules {
		if exp, ok := r.(*armauthorization.RoleManagementPolicyExpirationRule); ok && *exp.ID == "Expiration_EndUser_Assignment" && *exp.MaximumDuration != "PT8H" {
			t.Errorf("default activation maximum %s", *exp.MaximumDuration)
		}
	}
	patch := func(rule map[string]any) (int, string) {
		status, body := rawJSON(t, w.srv, w.admin, http.MethodPatch, base+"roleManagementPolicies/"+name+"?api-version=2020-10-01",
			map[string]any{"properties": map[string]any{"rules": []any{rule}}})
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return status, e.Error.Code
	}
	target := func(caller string) map[string]any {
		return map[string]any{"caller": caller, "operations": []string{"All"}, "level": "Assignment"}
	}
	for _, c := range []struct {
		name   string
		rule   map[string]any
		status int
		code   string
	}{
		{"ticketing on admin assignments", map[string]any{"id": "Enablement_Admin_Assignment", "ruleType": "RoleManagementPolicyEnablementRule", "enabledRules": []string{"Ticketing"}, "target": target("Admin")}, 400, "InvalidPolicyEnabledRules"},
		{"expiration without a maximum", map[string]any{"id": "Expiration_Admin_Assignment", "ruleType": "RoleManagementPolicyExpirationRule", "isExpirationRequired": true, "maximumDuration": nil}, 400, "InvalidPolicy"},
		{"an activation over 24 hours", map[string]any{"id": "Expiration_EndUser_Assignment", "ruleType": "RoleManagementPolicyExpirationRule", "isExpirationRequired": true, "maximumDuration": "PT25H"}, 400, "InvalidRoleManagementPolicyRule"},
		{"a mismatched rule type", map[string]any{"id": "Expiration_EndUser_Assignment", "ruleType": "RoleManagementPolicyEnablementRule"}, 400, "InvalidRoleManagementPolicyRule"},
		{"a permanent eligibility allowed", map[string]any{"id": "Expiration_Admin_Eligibility", "ruleType": "RoleManagementPolicyExpirationRule", "isExpirationRequired": false}, 200, ""},
	} {
		if status, code := patch(c.rule); status != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, status, code, c.status, c.code)
		}
	}
	// The accepted change applies: a permanent eligibility passes now.
	_, err = w.eligAdmin.Create(ctx, w.f.ClusterID, uuid.NewString(), armauthorization.RoleEligibilityScheduleRequest{Properties: &armauthorization.RoleEligibilityScheduleRequestProperties{
		PrincipalID: to.Ptr(w.f.N01.ID), RoleDefinitionID: to.Ptr(roleDefID(w.srv, roleAKSAdmin)), RequestType: to.Ptr(armauthorization.RequestTypeAdminAssign),
		Justification: to.Ptr("x"), ScheduleInfo: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfo{
			Expiration: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoExpiration{Type: to.Ptr(armauthorization.TypeNoExpiration)}},
	}}, nil)
	if err != nil {
		t.Errorf("permanent eligibility after the policy change: %v", err)
	}
	status, _ = rawJSON(t, w.srv, w.admin, http.MethodDelete, base+"roleManagementPolicies/"+name+"?api-version=2020-10-01", nil)
	if status != http.StatusNotImplemented {
		t.Errorf("DELETE policy: %d, want the reported Not implemented", status)
	}
}
