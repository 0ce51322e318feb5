package resources

import (
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// NewPIMEligibilityList lists the PIM eligibilities for a group (aks_pim_eligibility).
func NewPIMEligibilityList() list.ListResource {
	return &listOf[pimEligibilityListConfig, pim.Eligibility]{
		resourceBase: resourceBase{typeName: "_pim_eligibility"},
		description:  "The live PIM eligibilities for a group, members and owners (one Graph list request).",
		arguments: map[string]schema.Attribute{
			"group_id":     listArgument(true, "The PIM-governed group's object ID.", objectIDValidator()),
			"principal_id": listArgument(false, "Only the eligibilities of this user or group.", objectIDValidator()),
		},
		find: func(ctx context.Context, c *clients.Client, cfg pimEligibilityListConfig, diags *diag.Diagnostics) []pim.Eligibility {
			found, err := pim.ListEligibilities(ctx, c, cfg.GroupID.ValueString())
			if err != nil {
				addAPIError(diags, "List", eligibilityKind.object, err, eligibilityKind.grant)
			}
			return slices.DeleteFunc(found, func(e pim.Eligibility) bool {
				return known(cfg.PrincipalID) && !strings.EqualFold(e.Key.PrincipalID, cfg.PrincipalID.ValueString())
			})
		},
		result: func(ctx context.Context, _ *clients.Client, req list.ListRequest, _ pimEligibilityListConfig, e pim.Eligibility) list.ListResult {
			m := pimEligibilityModel{PolicyEligibleAssignment: listNullObject(req, "policy_eligible_assignment"),
				pimGroupScheduleModel: pimGroupScheduleModel{resourceTimeouts: listNullTimeouts(req), pimScheduleModel: pimScheduleModel{
					Duration: newPIMDuration(pim.Duration{}), Justification: types.StringNull(), TicketNumber: types.StringNull(),
					TicketSystem: types.StringNull()}}}
			groupScheduleFlatten(e, m.common())
			return listResult(ctx, req, pimEligibilityIdentity, e.Key.PrincipalID+" as "+string(e.Key.AccessID)+" of "+e.Key.GroupID, &m)
		},
	}
}

type pimEligibilityListConfig struct {
	GroupID     types.String `tfsdk:"group_id"`
	PrincipalID types.String `tfsdk:"principal_id"`
}
