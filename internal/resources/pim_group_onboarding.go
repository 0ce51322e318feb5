package resources

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// pimGroupBaselineKey holds, in private state, the IDs of the group's PIM policies from before it was
// onboarded: PIM gives them new IDs at onboarding, so while pim_onboarded is false one request (the
// group's policies) tells whether it still is, instead of three.
const pimGroupBaselineKey = "pim_policy_baseline"

// privateSetter is the part of the framework's private state responses offer.
type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// pimGroupReadOptions are the reads of a group resource: members (the state's are the known ones, whose
// PIM instances may come from lists shared within this Terraform run), and onboarding only while it is
// not known, against the baseline when there is one.
func pimGroupReadOptions(ctx context.Context, state pimGroupModel, p privateGetter, diags *diag.Diagnostics) pim.GroupReadOptions {
	opts := pim.GroupReadOptions{WithMembers: true, SharedInstances: true, Onboarding: pim.OnboardingProbe}
	if state.PIMOnboarded.ValueBool() {
		opts.Onboarding = pim.OnboardingKnown
	}
	if known(state.Members) {
		diags.Append(state.Members.ElementsAs(ctx, &opts.KnownMembers, false)...)
	}
	raw, d := p.GetKey(ctx, pimGroupBaselineKey)
	diags.Append(d...)
	if len(raw) > 0 && json.Unmarshal(raw, &opts.PolicyBaseline) != nil {
		opts.PolicyBaseline = nil // unreadable: the three probes find out again
	}
	return opts
}

// pimGroupKeepBaseline records the policy IDs of a group read as not onboarded when there is no baseline
// yet, and drops the baseline once the group is onboarded.
func pimGroupKeepBaseline(ctx context.Context, p privateSetter, existing []string, g *pim.GroupRead) diag.Diagnostics {
	switch {
	case g.PIMOnboarded && len(existing) > 0:
		return p.SetKey(ctx, pimGroupBaselineKey, nil)
	case !g.PIMOnboarded && len(existing) == 0 && len(g.PolicyIDs) > 0:
		raw, err := json.Marshal(g.PolicyIDs)
		if err != nil {
			return nil
		}
		return p.SetKey(ctx, pimGroupBaselineKey, raw)
	}
	return nil
}

// pimGroupReadWarnings explains what a group read could not find out (typically for a missing PIM read
// permission): the operation still succeeds.
func pimGroupReadWarnings(diags *diag.Diagnostics, verb string, g *pim.GroupRead) {
	if g.ProbeErr != nil {
		grant := "the Microsoft Graph application permissions PrivilegedEligibilitySchedule.Read.AzureADGroup, " +
			"PrivilegedAssignmentSchedule.Read.AzureADGroup and RoleManagementPolicy.Read.AzureADGroup"
		diags.AddWarning(fmt.Sprintf("PIM Onboarding Unknown After %s of PIM Group", verb), errorDetail(
			fmt.Sprintf("The provider could not read whether PIM has onboarded group %s, so pim_onboarded keeps its last known value.", g.ID),
			pimGroupGrant(g.ProbeErr, grant), g.ProbeErr))
	}
	if g.MembersErr != nil {
		grant := "the Microsoft Graph application permission PrivilegedAssignmentSchedule.Read.AzureADGroup"
		diags.AddWarning(fmt.Sprintf("PIM-Activated Members Not Told Apart After %s of PIM Group", verb), errorDetail(
			fmt.Sprintf("The provider could not read the PIM assignments of group %s, so members lists every member Graph reports, "+
				"including any whose membership is a PIM activation; an update that would remove a member fails until it can tell.", g.ID),
			pimGroupGrant(g.MembersErr, grant), g.MembersErr))
	}
}

func pimGroupGrant(err error, grant string) string {
	if !clients.IsPermissionDenied(err) {
		return "If the error below is transient, the next refresh finds out."
	}
	if hint, ok := clients.PermissionHint(err); ok {
		grant = hint
	}
	return "Grant the provider's identity " + grant + ", then run the command again."
}

// keepTrue keeps a boolean's prior value when it is true: a fact that cannot become false again (PIM
// onboarding) need not show as "known after apply" on every update.
type keepTrue struct{}

func (keepTrue) Description(context.Context) string {
	return "Once true, the value stays true."
}

func (k keepTrue) MarkdownDescription(ctx context.Context) string { return k.Description(ctx) }

func (keepTrue) PlanModifyBool(_ context.Context, req planmodifier.BoolRequest, resp *planmodifier.BoolResponse) {
	if req.StateValue.ValueBool() && req.PlanValue.IsUnknown() {
		resp.PlanValue = req.StateValue
	}
}
