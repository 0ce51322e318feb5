package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// NewPIMGroupList lists security groups (aks_pim_group) by display name prefix.
func NewPIMGroupList() list.ListResource {
	return &listOf[pimGroupListConfig, pim.Group]{
		resourceBase: resourceBase{typeName: "_pim_group"},
		description:  "Security groups, by display name prefix (one Graph list request per 999 groups, and one $batch per group when the resources are asked for).",
		arguments: map[string]schema.Attribute{
			"display_name_prefix": listArgument(false, "Only groups whose display name starts with this (case-insensitive). All security groups when unset."),
		},
		find: func(ctx context.Context, c *clients.Client, cfg pimGroupListConfig, diags *diag.Diagnostics) []pim.Group {
			groups, err := pim.ListGroups(ctx, c, cfg.DisplayNamePrefix.ValueString())
			if err != nil {
				addAPIError(diags, "List", pimGroupObject, err, grantGroupRead)
			}
			return groups
		},
		result: pimGroupListResult,
	}
}

type pimGroupListConfig struct {
	DisplayNamePrefix types.String `tfsdk:"display_name_prefix"`
}

func pimGroupListResult(ctx context.Context, c *clients.Client, req list.ListRequest, _ pimGroupListConfig, g pim.Group) list.ListResult {
	gr := &pim.GroupRead{Group: g}
	if req.IncludeResource {
		// The full state needs owners, members and PIM onboarding: one $batch per group.
		var err error
		if gr, err = pim.ReadGroup(ctx, c, g.ID, pim.GroupReadOptions{WithMembers: true}); err != nil {
			var res list.ListResult
			addAPIError(&res.Diagnostics, "List", pimGroupObject, err, grantGroupRead)
			return res
		}
	}
	var d diag.Diagnostics
	m := pimGroupModel{resourceTimeouts: listNullTimeouts(req), Owners: types.SetNull(types.StringType), Members: types.SetNull(types.StringType)}
	m = pimGroupState(ctx, m, gr, req.IncludeResource, &d)
	res := listResult(ctx, req, pimGroupIdentity, g.DisplayName, &m)
	res.Diagnostics.Append(d...)
	return res
}
