package resources

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

var _ datasource.DataSourceWithConfigValidators = (*clusterDataSource)(nil)

// NewClusterDataSource is the aks_cluster data source: the facts of an AKS cluster that role bindings
// need, and the ready-made scopes.
func NewClusterDataSource() datasource.DataSource {
	return &clusterDataSource{dataSourceBase{typeName: "_cluster", readTimeout: 5 * time.Minute}}
}

type clusterDataSource struct{ dataSourceBase }

type clusterDataSourceModel struct {
	dataSourceTimeouts
	ID                    types.String        `tfsdk:"id"`
	Name                  types.String        `tfsdk:"name"`
	ResourceGroupName     types.String        `tfsdk:"resource_group_name"`
	Location              types.String        `tfsdk:"location"`
	NodeResourceGroupName types.String        `tfsdk:"node_resource_group_name"`
	NodeResourceGroupID   types.String        `tfsdk:"node_resource_group_id"`
	NodePools             []clusterNodePool   `tfsdk:"node_pools"`
	AADManaged            types.Bool          `tfsdk:"aad_managed"`
	AzureRBACEnabled      types.Bool          `tfsdk:"azure_rbac_enabled"`
	LocalAccountsDisabled types.Bool          `tfsdk:"local_accounts_disabled"`
	TenantID              types.String        `tfsdk:"tenant_id"`
	Scopes                *clusterScopesModel `tfsdk:"scopes"`
}

type clusterNodePool struct {
	Name types.String `tfsdk:"name"`
	ID   types.String `tfsdk:"id"`
	Mode types.String `tfsdk:"mode"`
}

type clusterScopesModel struct {
	Cluster           types.String `tfsdk:"cluster"`
	ResourceGroup     types.String `tfsdk:"resource_group"`
	NodeResourceGroup types.String `tfsdk:"node_resource_group"`
	NodePools         types.Map    `tfsdk:"node_pools"`
	NamespaceTemplate types.String `tfsdk:"namespace_template"`
}

func (d *clusterDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an AKS managed cluster: its ID, node resource group, node pools, Microsoft Entra and Azure RBAC " +
			"settings, and the ready-made role assignment scopes for `aks_role_binding`. Give either `id`, or `name` and " +
			"`resource_group_name`. One ARM read (plus one to list node pools when the cluster body lacks them), shared with " +
			"every `aks_role_binding` on the same cluster during a plan.\n\n" +
			"Required Azure permission: `Microsoft.ContainerService/managedClusters/read` on the cluster (e.g. the `Reader` role).",
		Attributes: map[string]schema.Attribute{
			"id": lookupKey("The cluster's resource ID, `/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.ContainerService/managedClusters/{name}`. "+
				"Conflicts with `name` and `resource_group_name`; the cluster must be in the provider's subscription.", clusterIDValidator()),
			"name":                     lookupKey("The cluster's name. Requires `resource_group_name`."),
			"resource_group_name":      lookupKey("The resource group holding the cluster. Requires `name`."),
			"location":                 computedString("The Azure region of the cluster."),
			"node_resource_group_name": computedString("The name of the node resource group (`MC_...`), where the cluster's VMs and disks live."),
			"node_resource_group_id":   computedString("The resource ID of the node resource group: the scope for node login roles such as `Virtual Machine User Login`."),
			"node_pools": computedListOf("The cluster's node pools, sorted by name.", map[string]schema.Attribute{
				"name": computedString("The node pool name."),
				"id":   computedString("The node pool's resource ID (`{cluster id}/agentPools/{name}`), also its role assignment scope."),
				"mode": computedString("`System` or `User`."),
			}),
			"aad_managed": computedBool("Whether the cluster uses AKS-managed Microsoft Entra integration."),
			"azure_rbac_enabled": computedBool("Whether Azure RBAC authorizes Kubernetes requests. The `Azure Kubernetes Service RBAC ...` " +
				"roles have no effect when this is false."),
			"local_accounts_disabled": computedBool("Whether local Kubernetes accounts are disabled, so that every access goes through Microsoft Entra ID."),
			"tenant_id":               computedString("The Microsoft Entra tenant the cluster authenticates users against (empty without Entra integration)."),
			"scopes": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Ready-made role assignment scopes derived from the cluster.",
				Attributes: map[string]schema.Attribute{
					"cluster":             computedString("The cluster itself."),
					"resource_group":      computedString("The cluster's resource group."),
					"node_resource_group": computedString("The node resource group."),
					"node_pools": schema.MapAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Each node pool's scope, by pool name."},
					"namespace_template": computedString("A Kubernetes namespace scope with `%s` for the namespace: use it as `format(data.aks_cluster.this.scopes.namespace_template, \"payments\")`."),
				},
			},
			"timeouts": dataSourceTimeoutsAttribute(ctx, d.readTimeout),
		},
	}
}

func (d *clusterDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
		datasourcevalidator.RequiredTogether(path.MatchRoot("name"), path.MatchRoot("resource_group_name")),
		datasourcevalidator.Conflicting(path.MatchRoot("id"), path.MatchRoot("resource_group_name")),
	}
}

func (d *clusterDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m clusterDataSourceModel
	d.read(ctx, req, &m, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		var id rbac.ClusterID
		lookedUp := ""
		if !m.ID.IsNull() {
			var err error
			if id, err = rbac.ParseClusterID(m.ID.ValueString()); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid AKS Cluster ID", err.Error())
				return
			}
			lookedUp = fmt.Sprintf("by ID %q", m.ID.ValueString())
		} else {
			id = rbac.ClusterID{SubscriptionID: c.SubscriptionID, ResourceGroup: m.ResourceGroupName.ValueString(), Name: m.Name.ValueString()}
			lookedUp = fmt.Sprintf("by name %q in resource group %q of subscription %s", id.Name, id.ResourceGroup, id.SubscriptionID)
		}
		facts, err := rbac.GetCluster(ctx, c, id)
		if err != nil {
			addClusterError(&resp.Diagnostics, path.Root("id"), "Read", "AKS Cluster", lookedUp, err)
			return
		}
		out := clusterModelFromFacts(ctx, facts, m.dataSourceTimeouts, &resp.Diagnostics)
		// Inputs stay as written (another casing of the same cluster is not a different value).
		if !m.ID.IsNull() {
			out.ID = m.ID
		} else {
			out.Name, out.ResourceGroupName = m.Name, m.ResourceGroupName
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, out)...)
	})
}

func clusterModelFromFacts(ctx context.Context, f *rbac.ClusterFacts, t dataSourceTimeouts, diags *diag.Diagnostics) clusterDataSourceModel {
	m := clusterDataSourceModel{
		ID:                    types.StringValue(f.ID.String()),
		Name:                  types.StringValue(f.ID.Name),
		ResourceGroupName:     types.StringValue(f.ID.ResourceGroup),
		Location:              types.StringValue(f.Location),
		NodeResourceGroupName: types.StringValue(f.NodeResourceGroup),
		NodeResourceGroupID:   types.StringValue(f.NodeResourceGroupID),
		NodePools:             []clusterNodePool{},
		AADManaged:            types.BoolValue(f.AADManaged),
		AzureRBACEnabled:      types.BoolValue(f.AzureRBACEnabled),
		LocalAccountsDisabled: types.BoolValue(f.LocalAccountsDisabled),
		TenantID:              types.StringValue(f.TenantID),
		dataSourceTimeouts:    t,
	}
	pools := map[string]string{}
	for _, p := range f.NodePools {
		m.NodePools = append(m.NodePools, clusterNodePool{Name: types.StringValue(p.Name), ID: types.StringValue(p.ID), Mode: types.StringValue(p.Mode)})
		pools[p.Name] = p.ID
	}
	poolMap, ds := types.MapValueFrom(ctx, types.StringType, pools)
	diags.Append(ds...)
	m.Scopes = &clusterScopesModel{
		Cluster:           types.StringValue(f.ID.String()),
		ResourceGroup:     types.StringValue(f.ID.ResourceGroupID()),
		NodeResourceGroup: types.StringValue(f.NodeResourceGroupID),
		NodePools:         poolMap,
		NamespaceTemplate: types.StringValue(f.ID.NamespaceScope("%s")),
	}
	return m
}

// addClusterError reports a failed cluster read: a missing cluster names what was looked up.
func addClusterError(diags *diag.Diagnostics, p path.Path, verb, object, lookedUp string, err error) {
	var nf *rbac.ClusterNotFoundError
	var sub *rbac.UnsupportedSubscriptionError
	switch {
	case errors.As(err, &nf):
		diags.AddAttributeError(p, errorSummary(verb, object), errorDetail(
			fmt.Sprintf("No AKS cluster was found when looking it up %s.", lookedUp),
			"Check the cluster ID (or name and resource group) and that the provider is configured for the cluster's subscription. "+
				"If the cluster is created in the same configuration, reference its ID so that Terraform creates it first.",
			err))
	case errors.As(err, &sub):
		diags.AddAttributeError(p, errorSummary(verb, object), errorDetail(
			fmt.Sprintf("The AKS cluster looked up %s is in another subscription than the provider's.", lookedUp),
			fmt.Sprintf("Use a provider configuration (an alias) with subscription_id = %q for objects of this cluster.", sub.ClusterSubscription),
			err))
	default:
		addAttributeAPIError(diags, p, verb, object, err, grantClusterRead)
	}
}
