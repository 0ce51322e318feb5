package resources

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/aks-pim/terraform-provider-aks/internal/access"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// NewClusterAccessDataSource is aks_cluster_access: everything that grants access to one cluster, to
// adopt a setup made by hand and to audit who can do what.
func NewClusterAccessDataSource() datasource.DataSource {
	return &clusterAccessDataSource{dataSourceBase{typeName: "_cluster_access", readTimeout: 10 * time.Minute}}
}

type clusterAccessDataSource struct{ dataSourceBase }

func eligibilityAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":                     computedString("The eligibility schedule ID (the `aks_pim_eligibility` import ID)."),
		"group_id":               computedString("The group the principal is eligible for."),
		"principal_id":           computedString("The eligible user or group."),
		"principal_type":         computedString("`User` or `Group` (null when the directory no longer knows the principal)."),
		"principal_display_name": computedString("The eligible principal's display name (its ID when unknown)."),
		"access_id":              computedString("`member` or `owner`."),
		"start_date_time":        computedString("When the eligibility started (RFC 3339)."),
		"end_date_time":          computedString("When it ends (RFC 3339); null when permanent."),
		"permanent":              computedBool("Whether the eligibility has no end."),
		"justification":          computedString("The justification of the request that granted it (null once Graph has purged the request, after about 45 days)."),
		"ticket_number":          computedString("The ticket number of that request."),
		"ticket_system":          computedString("The ticket system of that request."),
	}
}

func policySummaryAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"require_approval":      computedBool("Whether activating needs an approval."),
		"approver_groups":       computedList("Object IDs of the approver groups (their members approve)."),
		"approver_users":        computedList("Object IDs of the approver users."),
		"maximum_duration":      computedString("The longest activation allowed (ISO 8601)."),
		"require_justification": computedBool("Whether activating needs a justification."),
		"require_mfa":           computedBool("Whether activating needs multi-factor authentication."),
		"require_ticket_info":   computedBool("Whether activating needs ticket information."),
	}
}

func (d *clusterAccessDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	assignment := map[string]schema.Attribute{
		"id":                     computedString("The role assignment's resource ID (the `aks_role_binding` import ID)."),
		"scope":                  computedString("The scope, as ARM spells it."),
		"scope_kind":             computedString("`cluster`, `resource_group`, `node_resource_group`, `node_pool` or `namespace` (`inherited` above the resource group)."),
		"node_pool":              computedString("The node pool, for `scope_kind = \"node_pool\"`."),
		"namespace":              computedString("The namespace, for `scope_kind = \"namespace\"`."),
		"role":                   computedString("The role's name."),
		"role_definition_id":     computedString("The role definition ID (subscription form)."),
		"principal_id":           computedString("The principal's object ID."),
		"principal_type":         computedString("`User`, `Group` or `ServicePrincipal`, as ARM recorded it."),
		"principal_display_name": computedString("The principal's display name (its ID when the directory no longer knows it)."),
		"description":            computedString("The assignment's description."),
		"condition":              computedString("The assignment's ABAC condition."),
		"condition_version":      computedString("The condition's version."),
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Everything that grants access to one AKS cluster, read from Azure RBAC and Microsoft Entra: the role " +
			"assignments at the cluster's scopes (the cluster, its resource group, its node resource group, its node pools and " +
			"namespaces) with their principals, and for each group involved (holding such a role, eligible for such a group, or " +
			"approving its activations) its direct members, PIM eligibilities, active PIM assignments and approval policy; and the " +
			"roles eligible or active through PIM for Azure resources at those scopes, with their policies' approvers.\n\n" +
			"Two uses. **Adopting a setup made by hand** (see the guide \"Adopt a setup made by hand\"): the maps are keyed by " +
			"readable names and hold each object's import ID and arguments, so `import` blocks with `for_each` bring the whole " +
			"setup under Terraform in one plan; `import_blocks` holds static import blocks for `terraform plan " +
			"-generate-config-out`. **Auditing**: `access` answers who can read, read secrets, administer, or log in to the nodes " +
			"of the cluster, standing or through a PIM eligibility (for a group or for the role itself), by which path, and who approves.\n\n" +
			"Required permissions: `Microsoft.Authorization/roleAssignments/read`, `roleDefinitions/read`, " +
			"`roleEligibilitySchedules/read`, `roleAssignmentSchedules/read` and `roleManagementPolicies/read` (e.g. `Reader`) on " +
			"the cluster's resource group and node resource group; Microsoft Graph `Group.Read.All`, `User.Read.All`, " +
			"`PrivilegedEligibilitySchedule.Read.AzureADGroup`, `PrivilegedAssignmentSchedule.Read.AzureADGroup` and " +
			"`RoleManagementPolicy.Read.AzureADGroup` (the provider's write permissions include them).",
		Attributes: map[string]schema.Attribute{
			"cluster_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "The AKS cluster's resource ID.",
				Validators: []validator.String{clusterIDValidator()},
			},
			"id": computedString("The cluster's resource ID."),
			"role_assignments": computedMapOf("Role assignments at the cluster's scopes, keyed `{principal display name}/{role}/{scope_kind}` "+
				"(`:{node pool or namespace}` appended for those kinds). What `aks_role_binding` manages.", assignment),
			"inherited_role_assignments": computedMapOf("Role assignments above the cluster's resource group (subscription, management group) that apply to "+
				"it, keyed like `role_assignments`. Part of the audit; usually managed elsewhere.", assignment),
			"groups": computedMapOf("The groups involved, keyed by display name.", map[string]schema.Attribute{
				"object_id":          computedString("The group's object ID (the `aks_pim_group` import ID)."),
				"display_name":       computedString("The display name."),
				"description":        computedString("The description."),
				"mail_nickname":      computedString("The mail nickname."),
				"assignable_to_role": computedBool("Whether Entra roles can be assigned to the group."),
				"owners":             computedList("Object IDs of the owners."),
				"members":            computedList("Object IDs of the direct, permanent members (members through PIM are not listed)."),
				"member_names":       computedList("Display names of the direct members, in the order of `members`."),
				"eligibilities":      computedListOf("The group's live PIM eligibilities.", eligibilityAttributes()),
				"active_assignments": computedListOf("PIM assignments to the group in effect now (activations and assignments made through PIM).", map[string]schema.Attribute{
					"principal_id":           computedString("The active principal."),
					"principal_display_name": computedString("Its display name."),
					"access_id":              computedString("`member` or `owner`."),
					"assignment_type":        computedString("`activated` (an eligibility activated) or `assigned`."),
					"end_date_time":          computedString("When it ends (RFC 3339); null when permanent."),
				}),
				"approval_policy": schema.SingleNestedAttribute{
					Computed: true, Attributes: policySummaryAttributes(),
					MarkdownDescription: "The member policy's activation rules, when PIM governs the group (it has eligibilities or " +
						"active assignments); null otherwise.",
				},
			}),
			"eligibilities": computedMapOf("Every group's eligibilities in one map, keyed `{group}/{principal}/{access_id}` by display "+
				"names: what `aks_pim_eligibility` manages.", eligibilityAttributes()),
			"approval_policies": computedMapOf("The PIM policies of the groups PIM governs, keyed `{group}/{access_id}`: what `aks_pim_approval_policy` manages.",
				withAttributes(policySummaryAttributes(), map[string]schema.Attribute{
					"id":        computedString("`{group_id}/{access_id}`, the `aks_pim_approval_policy` import ID."),
					"group_id":  computedString("The group."),
					"access_id": computedString("`member` or `owner`."),
				})),
			"access": computedListOf("Who can do what: one entry per user or service principal, access family, place and path. "+
				"Families: `read` (read Kubernetes objects such as pods), `secrets` (read secrets), `admin` (write role bindings, "+
				"and so everything else), `node_login` (Entra ID SSH to the nodes). Judged from the roles' data actions, as AKS's "+
				"authorization does. Role assignments, the roles eligible or active through PIM for Azure resources (role "+
				"eligibility and assignment schedules) and PIM for groups are followed through group membership; each activation on "+
				"the path is named with its approvers.", map[string]schema.Attribute{
				"principal_id":           computedString("The user or service principal."),
				"principal_type":         computedString("`User` or `ServicePrincipal`."),
				"principal_display_name": computedString("Its display name."),
				"family":                 computedString("`read`, `secrets`, `admin` or `node_login`."),
				"where":                  computedString("`cluster`, `namespace/{name}` or `nodes`."),
				"standing":               computedBool("True when the access holds now without activation; false when a PIM activation is needed."),
				"via": computedString("`direct` (assigned to the principal), `member` (group membership), `active` (a time-bound " +
					"PIM activation or assignment on the path: of the role, through PIM for Azure resources, or of a group membership) " +
					"or `eligible` (a PIM eligibility on the path: for the role itself, or for a group that holds it)."),
				"path": computedList("The steps from the principal to the role, e.g. `member of aks-default`, `eligible member of " +
					"aks-admin (PIM)`, `Azure Kubernetes Service RBAC Admin at cluster`; a role eligible through PIM for Azure resources " +
					"is `eligible for Azure Kubernetes Service RBAC Admin at cluster (PIM)`, an active one `... at cluster (PIM, activated)`."),
				"role":  computedString("The role that grants the access."),
				"scope": computedString("The scope of the role assignment or PIM schedule that grants it, as ARM spells it."),
				"role_assignment_id": computedString("The role assignment that grants it; null for a role eligible through PIM for Azure " +
					"resources (no assignment exists until it is activated)."),
				"schedule_id": computedString("For access through PIM for Azure resources: the role eligibility schedule " +
					"(`via = \"eligible\"`; the `aks_pim_role_eligibility` import ID) or the time-bound role assignment schedule " +
					"(`via = \"active\"`); null otherwise."),
				"active_until": computedString("When the first time-bound PIM activation or assignment on the path ends (RFC 3339), for `via = \"active\"`."),
				"approval_required": computedBool("For eligible access: whether an activation on the path needs an approval (the role's " +
					"policy at the schedule's scope, and the policy of each group activated on the way)."),
				"approvers": computedList("For eligible access that needs approval: who may approve (approver users, members of approver " +
					"groups), of every activation on the path."),
			}),
			"import_blocks": computedString("Static `import` blocks for every object in `groups`, `role_assignments`, `approval_policies` and " +
				"`eligibilities`, for `terraform plan -generate-config-out` (which cannot generate configuration for import blocks " +
				"with `for_each`): write it to a file with `terraform output -raw`."),
			"timeouts": dataSourceTimeoutsAttribute(ctx, d.readTimeout),
		},
	}
}

func (d *clusterAccessDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m clusterAccessModel
	d.read(ctx, req, &m, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		id, err := rbac.ParseClusterID(m.ClusterID.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("cluster_id"), "Invalid AKS Cluster ID", err.Error())
			return
		}
		s, err := access.Discover(ctx, c, id)
		if err != nil {
			var nf *rbac.ClusterNotFoundError
			var sub *rbac.UnsupportedSubscriptionError
			if errors.As(err, &nf) || errors.As(err, &sub) {
				addClusterError(&resp.Diagnostics, path.Root("cluster_id"), "Read", "Cluster Access", fmt.Sprintf("by ID %q", m.ClusterID.ValueString()), err)
				return
			}
			addAPIError(&resp.Diagnostics, "Read", "Cluster Access", err, grantClusterAccessRead)
			return
		}
		clusterAccessFromSetup(&m, s)
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	})
}

const grantClusterAccessRead = `"Reader" on the cluster's resource group and node resource group, and the Microsoft Graph ` +
	`permissions Group.Read.All, User.Read.All, PrivilegedEligibilitySchedule.Read.AzureADGroup, ` +
	`PrivilegedAssignmentSchedule.Read.AzureADGroup and RoleManagementPolicy.Read.AzureADGroup`
