package pim

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

const (
	activationTestGroup = "0f9a8b7c-1234-4abc-9def-0123456789ab"
	activationTestUser  = "5a1c0e2b-0000-4000-8000-00000000c0de"
	activationODataType = "#microsoft.graph.privilegedAccessGroupAssignmentScheduleRequest"
)

// activationWire serialises a model the way the Graph request adapter does and decodes it into a map, so
// tests compare what goes on the wire, not the model.
func activationWire(t *testing.T, v serialization.Parsable) map[string]any {
	t.Helper()
	b := wireBytes(t, v)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return out
}

func activationMustDuration(t *testing.T, s string) Duration {
	t.Helper()
	d, err := ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestActivationRequestBody(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 10, 5, 0, 123456789, time.UTC)
	cases := map[string]struct {
		action models.ScheduleRequestActions
		spec   ActivationSpec
		want   map[string]any
	}{
		"self activate with ticket": {
			action: models.SELFACTIVATE_SCHEDULEREQUESTACTIONS,
			spec: ActivationSpec{GroupID: activationTestGroup, Duration: activationMustDuration(t, "PT2H"),
				Justification: "INC-1234: rotate secrets", TicketNumber: "INC-1234", TicketSystem: "ServiceNow"},
			want: map[string]any{
				"@odata.type": activationODataType, "accessId": "member", "action": "selfActivate", "groupId": activationTestGroup, "principalId": activationTestUser,
				"justification": "INC-1234: rotate secrets",
				"ticketInfo":    map[string]any{"ticketNumber": "INC-1234", "ticketSystem": "ServiceNow"},
				"scheduleInfo": map[string]any{
					"startDateTime": "2025-01-01T10:05:00Z",
					"expiration":    map[string]any{"type": "afterDuration", "duration": "PT2H"},
				},
			},
		},
		// Days must go out as days: kiota's duration writer would turn P1D into P1D but P7D into P1W.
		"owner, days": {
			action: models.SELFACTIVATE_SCHEDULEREQUESTACTIONS,
			spec:   ActivationSpec{GroupID: activationTestGroup, AccessID: AccessOwner, Duration: activationMustDuration(t, "P7D")},
			want: map[string]any{
				"@odata.type": activationODataType, "accessId": "owner", "action": "selfActivate", "groupId": activationTestGroup, "principalId": activationTestUser,
				"scheduleInfo": map[string]any{
					"startDateTime": "2025-01-01T10:05:00Z",
					"expiration":    map[string]any{"type": "afterDuration", "duration": "P7D"},
				},
			},
		},
		"self deactivate has no schedule": {
			action: models.SELFDEACTIVATE_SCHEDULEREQUESTACTIONS,
			spec:   ActivationSpec{GroupID: activationTestGroup},
			want: map[string]any{
				"@odata.type": activationODataType, "accessId": "member", "action": "selfDeactivate", "groupId": activationTestGroup, "principalId": activationTestUser,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := activationWire(t, activationRequest(tc.action, activationTestUser, tc.spec, now))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("request body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestActivationFromRequest(t *testing.T) {
	t.Parallel()
	body := `{
  "id": "c3d1a9e0-7777-4a4a-9b9b-2222aaaa3333",
  "status": "PendingApproval",
  "approvalId": "c3d1a9e0-7777-4a4a-9b9b-2222aaaa3333",
  "createdDateTime": "2025-01-01T10:05:01Z",
  "action": "selfActivate",
  "justification": "INC-1234",
  "scheduleInfo": {"startDateTime": "2025-01-01T10:05:00Z", "expiration": {"type": "afterDuration", "duration": "PT2H"}},
  "ticketInfo": {"ticketNumber": "INC-1234", "ticketSystem": "ServiceNow"},
  "accessId": "member",
  "principalId": "` + activationTestUser + `",
  "groupId": "` + activationTestGroup + `",
  "targetScheduleId": "` + activationTestGroup + `_member_c3d1a9e0-7777-4a4a-9b9b-2222aaaa3333"
}`
	r, err := clients.Decode[models.PrivilegedAccessGroupAssignmentScheduleRequestable]([]byte(body), models.CreatePrivilegedAccessGroupAssignmentScheduleRequestFromDiscriminatorValue)
	if err != nil {
		t.Fatal(err)
	}
	got := activationFromRequest(r)
	want := ActivationRequest{
		RequestID: "c3d1a9e0-7777-4a4a-9b9b-2222aaaa3333", ApprovalID: "c3d1a9e0-7777-4a4a-9b9b-2222aaaa3333",
		Status: "PendingApproval", Action: "selfActivate", GroupID: activationTestGroup, PrincipalID: activationTestUser,
		AccessID: AccessMember, ScheduleID: activationTestGroup + "_member_c3d1a9e0-7777-4a4a-9b9b-2222aaaa3333",
		Justification: "INC-1234", TicketNumber: "INC-1234", TicketSystem: "ServiceNow",
		Start:   time.Date(2025, 1, 1, 10, 5, 0, 0, time.UTC),
		End:     time.Date(2025, 1, 1, 12, 5, 0, 0, time.UTC),
		Created: time.Date(2025, 1, 1, 10, 5, 1, 0, time.UTC),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("activationFromRequest (-want +got):\n%s", diff)
	}
	if !got.IsPendingApproval() || got.IsProvisioned() || got.IsFinal() {
		t.Errorf("status predicates wrong for %q", got.Status)
	}
}

func TestActivationSpecValidate(t *testing.T) {
	t.Parallel()
	ok := ActivationSpec{GroupID: activationTestGroup, Duration: activationMustDuration(t, "PT1H")}
	cases := map[string]struct {
		mutate  func(*ActivationSpec)
		wantErr bool
	}{
		"valid":                 {mutate: func(*ActivationSpec) {}},
		"no duration":           {mutate: func(s *ActivationSpec) { s.Duration = Duration{} }, wantErr: true},
		"too short":             {mutate: func(s *ActivationSpec) { s.Duration = activationMustDuration(t, "PT4M") }, wantErr: true},
		"bad group":             {mutate: func(s *ActivationSpec) { s.GroupID = "admin" }, wantErr: true},
		"bad access":            {mutate: func(s *ActivationSpec) { s.AccessID = "reader" }, wantErr: true},
		"ticket system only":    {mutate: func(s *ActivationSpec) { s.TicketSystem = "ServiceNow" }, wantErr: true},
		"ticket number only ok": {mutate: func(s *ActivationSpec) { s.TicketNumber = "INC-1" }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := ok
			tc.mutate(&s)
			if err := s.Validate(); (err != nil) != tc.wantErr {
				t.Errorf("Validate() = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

// TestPolicyRejected: the failed checks of RoleAssignmentRequestPolicyValidationFailed are read in
// either spelling of the list, and each is mapped to the rule holding its setting for the request's
// caller and level (an activation: EndUser_Assignment; an eligibility: Admin_Eligibility).
func TestPolicyRejected(t *testing.T) {
	t.Parallel()
	cause := errors.New("graph said no")
	cases := map[string]struct {
		message string
		scope   ruleScope
		want    []FailedCheck
	}{
		"json list": {
			message: `The following policy rules failed: ["JustificationRule","TicketingRule"]`, scope: scopeEndUserAssignment,
			want: []FailedCheck{{FailedJustification, RuleEnablementEndUserAssignment}, {FailedTicketing, RuleEnablementEndUserAssignment}},
		},
		"expiration": {
			message: `The following policy rules failed: ["ExpirationRule"]`, scope: scopeEndUserAssignment,
			want: []FailedCheck{{FailedExpiration, RuleExpirationEndUserAssignment}},
		},
		"not eligible": {
			message: `The following policy rules failed: ["EligibilityRule"]`, scope: scopeEndUserAssignment,
			want: []FailedCheck{{FailedEligibility, ""}},
		},
		"unquoted list": {
			message: `The following policy rules failed: [MfaRule, JustificationRule]`, scope: scopeEndUserAssignment,
			want: []FailedCheck{{FailedMFA, RuleEnablementEndUserAssignment}, {FailedJustification, RuleEnablementEndUserAssignment}},
		},
		"eligibility": {
			message: `The following policy rules failed: ["ExpirationRule","JustificationRule"]`, scope: scopeAdminEligibility,
			want: []FailedCheck{{FailedExpiration, RuleExpirationAdminEligibility}, {FailedJustification, RuleEnablementAdminEligibility}},
		},
		"no list": {message: "policy failed", scope: scopeAdminEligibility, want: []FailedCheck{{FailedUnnamed, ""}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pe := policyRejected(tc.message, tc.scope, cause)
			if diff := cmp.Diff(tc.want, pe.Failed); diff != "" {
				t.Errorf("Failed (-want +got):\n%s", diff)
			}
			if !errors.Is(pe, cause) || !pe.Has(tc.want[0].Name) {
				t.Errorf("error chain or Has missing: %v", pe)
			}
		})
	}
}
