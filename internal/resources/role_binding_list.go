package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

var _ list.ListResourceWithConfigure = (*roleBindingList)(nil)

// NewRoleBindingList lists the role assignments at a cluster's scopes (aks_role_binding).
func NewRoleBindingList() list.ListResource { return &roleBindingList{} }

type roleBindingList struct{ listBase }

type roleBindingListConfig struct {
	ClusterID   types.String `tfsdk:"cluster_id"`
	PrincipalID types.String `tfsdk:"principal_id"`
}

func (l *roleBindingList) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role_binding"
}

func (l *roleBindingList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Role assignments at a cluster's scopes: the cluster, its resource group, its node resource group, its " +
			"node pools and namespaces (two ARM list requests).",
		Attributes: map[string]schema.Attribute{
			"cluster_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "The AKS cluster's resource ID.",
				Validators: []validator.String{clusterIDValidator()},
			},
			"principal_id": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only the assignments of this principal.",
				Validators: []validator.String{objectIDValidator()},
			},
		},
	}
}

func (l *roleBindingList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg roleBindingListConfig
	diags := req.Config.Get(ctx, &cfg)
	c := l.requireClient(&diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	id, err := rbac.ParseClusterID(cfg.ClusterID.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("cluster_id"), "Invalid AKS Cluster ID", err.Error())
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	facts, err := rbac.GetCluster(ctx, c, id)
	if err != nil {
		addClusterError(&diags, path.Root("cluster_id"), "List", roleBindingObject, fmt.Sprintf("by ID %q", cfg.ClusterID.ValueString()), err)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	assignments, err := rbac.ListClusterAssignments(ctx, c, facts)
	if err != nil {
		addAPIError(&diags, "List", roleBindingObject, err, grantRoleAssignmentRead)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for _, a := range assignments {
			if a.Kind == rbac.ScopeInherited || (known(cfg.PrincipalID) && !strings.EqualFold(a.PrincipalID, cfg.PrincipalID.ValueString())) {
				continue
			}
			m := roleBindingFromAssignment(a, cfg.ClusterID.ValueString())
			m.Timeouts = listNullTimeouts(req)
			res := listResult(ctx, req, roleBindingIdentity, fmt.Sprintf("%s for %s at %s", a.Role.Name, a.PrincipalID, a.Scope), &m)
			if !push(res) {
				return
			}
		}
	}
}

// roleBindingFromAssignment is the state an import of a would read: the explicit scope, and the cluster
// inputs it derives from it.
func roleBindingFromAssignment(a rbac.ClusterAssignment, clusterID string) roleBindingModel {
	m := roleBindingModel{
		scopeRoleModel: scopeRoleModel{
			Scope: types.StringValue(a.Scope), ClusterID: types.StringValue(clusterID), ScopeKind: types.StringValue(string(a.Kind)),
			NodePool: optionalString(a.NodePool), Namespace: optionalString(a.Namespace),
			Role: types.StringValue(a.Role.Name), RoleDefinitionID: types.StringValue(a.RoleDefinitionID),
		},
		ID: types.StringValue(a.ID), Name: types.StringValue(a.Name),
		PrincipalID: types.StringValue(a.PrincipalID), PrincipalType: types.StringValue(a.PrincipalType),
		Description: optionalString(a.Description), Condition: optionalString(a.Condition), ConditionVersion: types.StringNull(),
	}
	if a.Condition != "" {
		m.ConditionVersion = optionalString(a.ConditionVersion)
	}
	return m
}
