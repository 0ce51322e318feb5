package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

var _ list.ListResourceWithConfigure = (*pimGroupList)(nil)

// NewPIMGroupList lists security groups (aks_pim_group) by display name prefix.
func NewPIMGroupList() list.ListResource { return &pimGroupList{} }

type pimGroupList struct{ listBase }

type pimGroupListConfig struct {
	DisplayNamePrefix types.String `tfsdk:"display_name_prefix"`
}

func (l *pimGroupList) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pim_group"
}

func (l *pimGroupList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Security groups, by display name prefix (one Graph list request per 999 groups, and one $batch per group when the resources are asked for).",
		Attributes: map[string]schema.Attribute{
			"display_name_prefix": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only groups whose display name starts with this (case-insensitive). All security groups when unset.",
			},
		},
	}
}

func (l *pimGroupList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg pimGroupListConfig
	diags := req.Config.Get(ctx, &cfg)
	c := l.requireClient(&diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	groups, err := pim.ListGroups(ctx, c, cfg.DisplayNamePrefix.ValueString())
	if err != nil {
		addAPIError(&diags, "List", pimGroupObject, err, grantGroupRead)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for _, g := range groups {
			gr := &pim.GroupRead{Group: g}
			if req.IncludeResource {
				// The full state needs owners, members and PIM onboarding: one $batch per group.
				var err error
				if gr, err = pim.ReadGroup(ctx, c, g.ID, pim.GroupReadOptions{WithMembers: true}); err != nil {
					var res list.ListResult
					addAPIError(&res.Diagnostics, "List", pimGroupObject, err, grantGroupRead)
					push(res)
					return
				}
			}
			var d diag.Diagnostics
			m := pimGroupModel{Timeouts: listNullTimeouts(req), Owners: types.SetNull(types.StringType), Members: types.SetNull(types.StringType)}
			m = pimGroupState(ctx, m, gr, req.IncludeResource, &d)
			res := listResult(ctx, req, pimGroupIdentity, g.DisplayName, &m)
			res.Diagnostics.Append(d...)
			if !push(res) {
				return
			}
		}
	}
}
