package resources

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// TestPolicyFlattenExpandRoundTrip: what Read writes into state expands back to the same policy, for the
// defaults and for a policy with every setting changed.
func TestPolicyFlattenExpandRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	everything := pim.DefaultPolicy()
	everything.Approval = pim.ApprovalRules{Required: true, ApproverGroups: []string{"3e2d1c0b-0000-4000-8000-0000000a9902"},
		ApproverUsers: []string{"7c6b5a49-0000-4000-8000-0000000a9901"}, TimeoutDays: 3}
	everything.Activation = pim.ActivationRules{MaximumDuration: pim.DefaultActivationMaximum, RequireTicketInfo: true, ConditionalAccessContext: "c7"}
	everything.EligibleAssignment.ExpirationRequired = false
	everything.ActiveAssignment.RequireMFA = true
	everything.Notifications.ActiveAssignment.Approver = pim.Notification{Level: pim.NotificationNone, AdditionalRecipients: []string{"a@contoso.com"}}
	for name, p := range map[string]pim.Policy{"default": pim.DefaultPolicy(), "everything": everything} {
		var m policySettingsModel
		policyFlatten(ctx, p, policySettingsModel{}, &m)
		got, known, diags := policyExpand(ctx, m)
		if diags.HasError() || !known {
			t.Fatalf("%s: expand: known=%v %v", name, known, diags)
		}
		if diff := cmp.Diff(p.Normalised(), got.Normalised(), cmp.AllowUnexported(pim.Duration{})); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", name, diff)
		}
	}
}

// TestPolicyFlattenKeepsSpelling: IDs and addresses Graph echoes in lower case keep the configured case,
// so the state equals the plan after apply.
func TestPolicyFlattenKeepsSpelling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const upper = "3E2D1C0B-0000-4000-8000-0000000A9902"
	p := pim.DefaultPolicy()
	p.Approval.Required = true
	p.Approval.ApproverGroups = []string{"3e2d1c0b-0000-4000-8000-0000000a9902"}
	p.Notifications.Activation.Admin.AdditionalRecipients = []string{"secops@contoso.com"}
	var prior policySettingsModel
	policyFlatten(ctx, p, policySettingsModel{}, &prior)
	prior.Approvers = types.ObjectValueMust(policyApproversTypes, map[string]attr.Value{
		"groups": types.SetValueMust(types.StringType, []attr.Value{types.StringValue(upper)}),
		"users":  types.SetValueMust(types.StringType, nil),
	})
	notif := map[string]map[string]types.Set{"activation": {"admin": types.SetValueMust(types.StringType, []attr.Value{types.StringValue("SecOps@Contoso.com")})}}
	prior.Notifications = policyNotificationsObject(p.Notifications, notif)

	var m policySettingsModel
	policyFlatten(ctx, p, prior, &m)
	if !m.Approvers.Equal(prior.Approvers) {
		t.Errorf("approvers = %v, want the prior spelling %v", m.Approvers, prior.Approvers)
	}
	if !m.Notifications.Equal(prior.Notifications) {
		t.Errorf("notifications lost the configured spelling of the recipient")
	}
}

func TestPolicyFindingsPaths(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	addFindings(&diags, []pim.Finding{
		{Check: pim.CheckShorterThanTokens, Rule: pim.RuleExpirationEndUserAssignment, Setting: pim.SettingMaximumDuration, Warning: true},
		{Check: pim.CheckNotObjectID, Rule: pim.RuleApprovalEndUserAssignment, Setting: pim.SettingApprovers},
		{Check: pim.CheckScheduleForm},
	}, policyFindingPath)
	if len(diags) != 3 || diags.WarningsCount() != 1 || diags.ErrorsCount() != 2 {
		t.Fatalf("diagnostics %v", diags)
	}
	withPath, ok := diags[0].(diag.DiagnosticWithPath)
	if !ok || !withPath.Path().Equal(path.Root("activation").AtName("maximum_duration")) {
		t.Errorf("warning not attached to activation.maximum_duration: %v", diags[0])
	}
}
