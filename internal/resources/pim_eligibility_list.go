package resources

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

var _ list.ListResourceWithConfigure = (*pimEligibilityList)(nil)

// NewPIMEligibilityList lists the PIM eligibilities for a group (aks_pim_eligibility).
func NewPIMEligibilityList() list.ListResource { return &pimEligibilityList{} }

type pimEligibilityList struct{ listBase }

type pimEligibilityListConfig struct {
	GroupID     types.String `tfsdk:"group_id"`
	PrincipalID types.String `tfsdk:"principal_id"`
}

func (l *pimEligibilityList) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pim_eligibility"
}

func (l *pimEligibilityList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The live PIM eligibilities for a group, members and owners (one Graph list request).",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "The PIM-governed group's object ID.",
				Validators: []validator.String{objectIDValidator()},
			},
			"principal_id": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only the eligibilities of this user or group.",
				Validators: []validator.String{objectIDValidator()},
			},
		},
	}
}

func (l *pimEligibilityList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg pimEligibilityListConfig
	diags := req.Config.Get(ctx, &cfg)
	c := l.requireClient(&diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	found, err := pim.ListEligibilities(ctx, c, cfg.GroupID.ValueString())
	if err != nil {
		addAPIError(&diags, "List", eligibilityKind.object, err, eligibilityKind.grant)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for _, e := range found {
			if known(cfg.PrincipalID) && !strings.EqualFold(e.Key.PrincipalID, cfg.PrincipalID.ValueString()) {
				continue
			}
			m := pimEligibilityModel{PolicyEligibleAssignment: listNullObject(req, "policy_eligible_assignment"),
				pimGroupScheduleModel: pimGroupScheduleModel{Timeouts: listNullTimeouts(req), pimScheduleModel: pimScheduleModel{
					Duration: newPIMDuration(pim.Duration{}), Justification: types.StringNull(), TicketNumber: types.StringNull(),
					TicketSystem: types.StringNull()}}}
			groupScheduleFlatten(e, m.common())
			res := listResult(ctx, req, pimEligibilityIdentity, e.Key.PrincipalID+" as "+string(e.Key.AccessID)+" of "+e.Key.GroupID, &m)
			if !push(res) {
				return
			}
		}
	}
}
