package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

var (
	_ resource.Resource                     = (*roleBindingResource)(nil)
	_ resource.ResourceWithConfigure        = (*roleBindingResource)(nil)
	_ resource.ResourceWithConfigValidators = (*roleBindingResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*roleBindingResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*roleBindingResource)(nil)
	_ resource.ResourceWithImportState      = (*roleBindingResource)(nil)
)

const roleBindingObject = "Role Binding"

var roleBindingTimeouts = timeoutDefaults{Create: 15 * time.Minute, Read: 5 * time.Minute, Update: 10 * time.Minute, Delete: 10 * time.Minute}

// NewRoleBindingResource is aks_role_binding: an Azure RBAC role assignment for a principal at a scope
// derived from an AKS cluster (or an explicit scope).
func NewRoleBindingResource() resource.Resource { return &roleBindingResource{} }

type roleBindingResource struct{ resourceBase }

type roleBindingModel struct {
	ID               types.String   `tfsdk:"id"`
	Name             types.String   `tfsdk:"name"`
	Scope            types.String   `tfsdk:"scope"`
	ClusterID        types.String   `tfsdk:"cluster_id"`
	ScopeKind        types.String   `tfsdk:"scope_kind"`
	NodePool         types.String   `tfsdk:"node_pool"`
	Namespace        types.String   `tfsdk:"namespace"`
	Role             types.String   `tfsdk:"role"`
	RoleDefinitionID types.String   `tfsdk:"role_definition_id"`
	PrincipalID      types.String   `tfsdk:"principal_id"`
	PrincipalType    types.String   `tfsdk:"principal_type"`
	Description      types.String   `tfsdk:"description"`
	Condition        types.String   `tfsdk:"condition"`
	ConditionVersion types.String   `tfsdk:"condition_version"`
	Timeouts         timeouts.Value `tfsdk:"timeouts"`
}

func (r *roleBindingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role_binding"
}

func (r *roleBindingResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Azure RBAC role assignment that gives a principal (usually an `aks_pim_group`) a role at a scope " +
			"derived from an AKS cluster: the cluster, its resource group, its node resource group, one node pool, or one Kubernetes " +
			"namespace; or at an explicit `scope`.\n\n" +
			"The assignment's name is a GUID derived from scope, role and principal, so an interrupted or retried create never " +
			"leaves a second assignment behind. `principal_type` (default `Group`) is sent to Azure so that a group created moments " +
			"earlier does not fail with `PrincipalNotFound`; that error is still retried for a bounded time (provider setting " +
			"`principal_not_found_retry_timeout`, default 5 minutes). Role names are resolved once per provider run.\n\n" +
			"Required Azure permission: `Microsoft.Authorization/roleAssignments/write` and `/delete` at the scope, e.g. the " +
			"`Role Based Access Control Administrator` or `User Access Administrator` role.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The role assignment's resource ID, `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`.",
			},
			"name": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The role assignment's name: a GUID derived from scope, role definition and principal.",
			},
			"scope": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "An explicit scope (management group, subscription, resource group or resource ID). Conflicts with " +
					"`cluster_id`; when `cluster_id` is used, this is the derived scope. A node pool scope written `/nodepools/` is sent " +
					"as `/agentPools/`. Changing the scope replaces the assignment.",
				Validators: []validator.String{scopeValidator()},
			},
			"cluster_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The AKS cluster the scope is derived from (requires `scope_kind`). Computed from an explicit " +
					"`scope` below a cluster.",
				Validators: []validator.String{clusterIDValidator()},
			},
			"scope_kind": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Which scope of `cluster_id`: `cluster`, `resource_group` (the cluster's), `node_resource_group` " +
					"(where the nodes live; for VM login roles), `node_pool` (with `node_pool`) or `namespace` (with `namespace`).",
				Validators: []validator.String{stringvalidator.OneOf(rbac.ScopeKinds()...)},
			},
			"node_pool": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The node pool, for `scope_kind = \"node_pool\"`.",
				Validators:          []validator.String{nodePoolNameValidator()},
			},
			"namespace": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The Kubernetes namespace, for `scope_kind = \"namespace\"` (Azure RBAC for Kubernetes " +
					"authorization honours namespace-scoped assignments of the `Azure Kubernetes Service RBAC ...` roles).",
				Validators: []validator.String{namespaceValidator()},
			},
			"role": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The role's name, e.g. `Azure Kubernetes Service RBAC Reader`. Exactly one of `role` and " +
					"`role_definition_id` is set; the other is computed. Changing the role replaces the assignment.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"role_definition_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The role definition ID, `/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{guid}` " +
					"(the tenant-level form `/providers/...` is accepted too; IDs compare by GUID).",
				Validators: []validator.String{roleDefinitionIDValidator()},
			},
			"principal_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The object ID of the user, group or service principal. Changing it replaces the assignment.",
				Validators:          []validator.String{objectIDValidator()},
			},
			"principal_type": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(rbac.PrincipalGroup),
				MarkdownDescription: "`User`, `Group` (default) or `ServicePrincipal`: the kind of `principal_id`. It must match the " +
					"principal; sending it lets Azure accept principals that have not replicated yet. Changing it replaces the assignment.",
				Validators: []validator.String{stringvalidator.OneOf(rbac.PrincipalTypes()...)},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "A description of the assignment. Updated in place.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"condition": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "An ABAC condition limiting the assignment. Updated in place.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"condition_version": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The condition language version; `2.0` (the only one Azure accepts) when `condition` is set.",
				Validators: []validator.String{
					stringvalidator.OneOf("2.0"),
					stringvalidator.AlsoRequires(path.MatchRoot("condition")),
				},
			},
			"timeouts": timeoutsAttribute(ctx, roleBindingTimeouts),
		},
	}
}

func (r *roleBindingResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("scope"), path.MatchRoot("cluster_id")),
		resourcevalidator.RequiredTogether(path.MatchRoot("cluster_id"), path.MatchRoot("scope_kind")),
		resourcevalidator.ExactlyOneOf(path.MatchRoot("role"), path.MatchRoot("role_definition_id")),
	}
}

// ValidateConfig checks the companions of scope_kind and warns about the /nodepools/ spelling.
func (r *roleBindingResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m roleBindingModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if known(m.ScopeKind) {
		kind := rbac.ScopeKind(m.ScopeKind.ValueString())
		companion := func(attr string, v types.String, wantKind rbac.ScopeKind) {
			switch {
			case kind == wantKind && v.IsNull():
				// On scope_kind: the absent attribute has no line Terraform could point at.
				resp.Diagnostics.AddAttributeError(path.Root("scope_kind"), "Missing Required Attribute",
					fmt.Sprintf("scope_kind = %q needs %s: the scope is derived from it.", wantKind, attr))
			case kind != wantKind && !v.IsNull():
				resp.Diagnostics.AddAttributeError(path.Root(attr), "Invalid Attribute Combination",
					fmt.Sprintf("%s is only used with scope_kind = %q, but scope_kind is %q. Remove %s or change scope_kind.", attr, wantKind, kind, attr))
			}
		}
		companion("node_pool", m.NodePool, rbac.ScopeNodePool)
		companion("namespace", m.Namespace, rbac.ScopeNamespace)
	} else if m.ScopeKind.IsNull() {
		for attr, v := range map[string]types.String{"node_pool": m.NodePool, "namespace": m.Namespace} {
			if !v.IsNull() {
				resp.Diagnostics.AddAttributeError(path.Root(attr), "Invalid Attribute Combination",
					fmt.Sprintf("%s is only used together with cluster_id and scope_kind.", attr))
			}
		}
	}
	if known(m.Scope) {
		if sc, err := rbac.NormalizeScope(m.Scope.ValueString()); err == nil && sc.Rewritten {
			resp.Diagnostics.AddAttributeWarning(path.Root("scope"), "Node Pool Scope Normalised",
				fmt.Sprintf("Azure names node pools `agentPools` in resource IDs; the scope is sent as %q. Write it that way, or use "+
					"cluster_id with scope_kind = \"node_pool\", to match what Azure reports.", sc.ID))
		}
	}
}

func (r *roleBindingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, config roleBindingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	var state *roleBindingModel
	if !req.State.Raw.IsNull() {
		state = &roleBindingModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	p := roleBindingPlanner{c: r.client, diags: &resp.Diagnostics}

	plan.Scope = p.scope(ctx, config, state)
	roleBindingDeriveInputs(&plan, config, state)
	plan.Role, plan.RoleDefinitionID = p.role(ctx, config, state)
	plan.ConditionVersion = roleBindingConditionVersion(config, state)
	if resp.Diagnostics.HasError() {
		return
	}

	var replace path.Paths
	if state != nil {
		if !known(plan.Scope) || !rbac.SameScope(state.Scope.ValueString(), plan.Scope.ValueString()) {
			replace = append(replace, path.Root("scope"))
		}
		if !known(plan.RoleDefinitionID) || !rbac.SameRoleDefinition(state.RoleDefinitionID.ValueString(), plan.RoleDefinitionID.ValueString()) {
			replace = append(replace, path.Root("role_definition_id"))
		}
		if !known(plan.PrincipalID) || !strings.EqualFold(state.PrincipalID.ValueString(), plan.PrincipalID.ValueString()) {
			replace = append(replace, path.Root("principal_id"))
		}
		if !plan.PrincipalType.Equal(state.PrincipalType) {
			replace = append(replace, path.Root("principal_type"))
		}
	}
	if state == nil || len(replace) > 0 {
		plan.ID = types.StringUnknown()
		plan.Name = types.StringUnknown()
		if known(plan.Scope) && known(plan.RoleDefinitionID) && known(plan.PrincipalID) {
			if n, err := rbac.AssignmentName(plan.Scope.ValueString(), plan.RoleDefinitionID.ValueString(), plan.PrincipalID.ValueString()); err == nil {
				plan.Name = types.StringValue(n)
			}
		}
		p.warnDataPlaneRole(ctx, plan)
	}
	resp.RequiresReplace = append(resp.RequiresReplace, replace...)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *roleBindingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config roleBindingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	c := r.requireClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts.Create, roleBindingTimeouts.Create, &resp.Diagnostics)
	defer cancel()

	// Values the plan could not know yet (inputs unknown at plan time) are settled now.
	p := roleBindingPlanner{c: c, diags: &resp.Diagnostics, apply: true}
	if !known(plan.Scope) {
		plan.Scope = p.scope(ctx, config, nil)
		roleBindingDeriveInputs(&plan, config, nil)
	}
	if !known(plan.Role) || !known(plan.RoleDefinitionID) {
		plan.Role, plan.RoleDefinitionID = p.role(ctx, config, nil)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	spec := roleBindingSpec(plan)
	a, err := rbac.CreateAssignment(ctx, c, spec)
	if err != nil {
		addRoleBindingCreateError(&resp.Diagnostics, c, spec, err)
		return
	}
	tflog.Info(ctx, "created role assignment", map[string]any{"id": a.ID})
	plan.ID = types.StringValue(a.ID)
	plan.Name = types.StringValue(a.Name)
	if !known(plan.ConditionVersion) {
		plan.ConditionVersion = optionalString(a.ConditionVersion)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *roleBindingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state roleBindingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	c := r.requireClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts.Read, roleBindingTimeouts.Read, &resp.Diagnostics)
	defer cancel()

	a, err := rbac.GetAssignment(ctx, c, state.ID.ValueString())
	if rbac.IsAssignmentGone(err) {
		tflog.Warn(ctx, "role assignment no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Read", roleBindingObject, err, grantRoleAssignmentRead)
		return
	}
	// The ID and scope keep the spelling they were created (or imported) with, which names the same
	// assignment as ARM's spelling; an import therefore reads back what the configuration says.
	stateRID, _ := rbac.ParseRoleAssignmentID(state.ID.ValueString())
	if armRID, err := rbac.ParseRoleAssignmentID(a.ID); err == nil && !stateRID.Same(armRID) {
		state.ID, stateRID = types.StringValue(a.ID), armRID
	}
	state.Name = types.StringValue(a.Name)
	seen := a.Scope
	if stateRID.WireScope != "" && rbac.SameScope(stateRID.WireScope, a.Scope) {
		seen = stateRID.WireScope
	}
	if !rbac.SameScope(state.Scope.ValueString(), seen) {
		state.Scope = types.StringValue(seen)
	}
	if !rbac.SameRoleDefinition(state.RoleDefinitionID.ValueString(), a.RoleDefinitionID) {
		state.RoleDefinitionID = types.StringValue(a.RoleDefinitionID)
		state.Role = types.StringNull()
	}
	if !known(state.Role) {
		rd, err := rbac.ResolveRoleByID(ctx, c, a.RoleDefinitionID)
		if err != nil {
			addAPIError(&resp.Diagnostics, "Read", roleBindingObject, fmt.Errorf("resolving the name of role definition %s: %w", a.RoleDefinitionID, err), grantRoleDefinitionRead)
			return
		}
		state.Role = types.StringValue(rd.Name)
	}
	if !strings.EqualFold(state.PrincipalID.ValueString(), a.PrincipalID) {
		state.PrincipalID = types.StringValue(a.PrincipalID)
	}
	if a.PrincipalType != "" {
		state.PrincipalType = types.StringValue(a.PrincipalType)
	}
	state.Description = optionalString(a.Description)
	state.Condition = optionalString(a.Condition)
	state.ConditionVersion = types.StringNull()
	if a.Condition != "" {
		state.ConditionVersion = optionalString(a.ConditionVersion)
	}
	imported, ds := req.Private.GetKey(ctx, roleBindingImportedKey)
	resp.Diagnostics.Append(ds...)
	if len(imported) > 0 {
		roleBindingDeriveImported(ctx, c, &state)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, roleBindingImportedKey, nil)...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *roleBindingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state roleBindingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	c := r.requireClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts.Update, roleBindingTimeouts.Update, &resp.Diagnostics)
	defer cancel()

	plan.ID, plan.Name = state.ID, state.Name
	if !plan.Description.Equal(state.Description) || !plan.Condition.Equal(state.Condition) || !plan.ConditionVersion.Equal(state.ConditionVersion) {
		if _, err := rbac.UpdateAssignment(ctx, c, state.ID.ValueString(), roleBindingSpec(plan)); err != nil {
			addAPIError(&resp.Diagnostics, "Update", roleBindingObject, err, grantRoleAssignmentWrite)
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *roleBindingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state roleBindingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	c := r.requireClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts.Delete, roleBindingTimeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if err := rbac.DeleteAssignment(ctx, c, state.ID.ValueString()); err != nil {
		addAPIError(&resp.Diagnostics, "Delete", roleBindingObject, err, grantRoleAssignmentWrite)
	}
}

func (r *roleBindingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, err := rbac.ParseRoleAssignmentID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("Import", roleBindingObject), errorDetail(
			fmt.Sprintf("%q is not a role assignment ID.", req.ID),
			"Use the assignment's resource ID, {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}, e.g. from "+
				"`az role assignment list --scope <scope> --query \"[].id\"`.",
			err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.WireString())...)
	// The first read after an import fills in the derived inputs (cluster_id, scope_kind, ...) that a
	// configuration would give, so that importing into that configuration plans no change.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, roleBindingImportedKey, []byte("true"))...)
}

// roleBindingImportedKey marks, in private state, a binding that was just imported.
const roleBindingImportedKey = "imported"

// roleBindingPlanner computes the derived values of a binding. At plan time a lookup that fails for a
// reason other than bad input leaves the value unknown (it is computed again at apply); at apply time
// (apply = true) every failure is an error.
type roleBindingPlanner struct {
	c     *clients.Client
	diags *diag.Diagnostics
	apply bool
	facts *rbac.ClusterFacts
}

// scope returns the binding's scope: the configured one, or the one derived from cluster_id. When the
// state's scope is the same scope spelt differently, the state's spelling is kept (no diff).
func (p *roleBindingPlanner) scope(ctx context.Context, config roleBindingModel, state *roleBindingModel) types.String {
	keepState := func(s string) types.String {
		if state != nil && rbac.SameScope(state.Scope.ValueString(), s) {
			return state.Scope
		}
		return types.StringValue(s)
	}
	if !config.Scope.IsNull() {
		if config.Scope.IsUnknown() {
			return types.StringUnknown()
		}
		return config.Scope
	}
	if !known(config.ClusterID) || !known(config.ScopeKind) || config.NodePool.IsUnknown() || config.Namespace.IsUnknown() {
		return types.StringUnknown()
	}
	cluster, err := rbac.ParseClusterID(config.ClusterID.ValueString())
	if err != nil {
		p.diags.AddAttributeError(path.Root("cluster_id"), "Invalid AKS Cluster ID", err.Error())
		return types.StringUnknown()
	}
	kind := rbac.ScopeKind(config.ScopeKind.ValueString())
	// Unchanged inputs give the state's scope without asking Azure again.
	if state != nil && known(state.Scope) && state.ClusterID.Equal(config.ClusterID) && state.ScopeKind.Equal(config.ScopeKind) &&
		state.NodePool.Equal(config.NodePool) && state.Namespace.Equal(config.Namespace) {
		return state.Scope
	}
	// Built on the cluster ID as written: ARM echoes the spelling it is given, so the scope reads back
	// (and imports) as this same string.
	spec := rbac.ScopeSpec{Kind: kind, Cluster: cluster, ClusterRaw: config.ClusterID.ValueString(),
		NodePool: config.NodePool.ValueString(), Namespace: config.Namespace.ValueString()}
	if kind == rbac.ScopeNodeResourceGroup {
		facts := p.cluster(ctx, cluster, path.Root("cluster_id"))
		if facts == nil {
			return types.StringUnknown()
		}
		spec.NodeResourceGroup = facts.NodeResourceGroup
	}
	s, err := rbac.BuildScope(spec)
	if err != nil {
		p.diags.AddAttributeError(path.Root("scope_kind"), "Invalid Scope", err.Error())
		return types.StringUnknown()
	}
	if kind == rbac.ScopeNodePool {
		if facts := p.cluster(ctx, cluster, path.Root("cluster_id")); facts != nil && !facts.HasNodePool(spec.NodePool) {
			p.diags.AddAttributeWarning(path.Root("node_pool"), "Node Pool Not Found",
				fmt.Sprintf("Cluster %s has no node pool %q (it has %s). Azure accepts the assignment, but it grants nothing until such a pool exists.",
					cluster.Name, spec.NodePool, roleBindingPoolNames(facts)))
		}
	}
	return keepState(s)
}

// cluster reads the cluster's facts (cached per provider instance). A missing cluster is an error on
// attr; other failures are errors at apply time and leave the value unknown at plan time.
func (p *roleBindingPlanner) cluster(ctx context.Context, id rbac.ClusterID, attr path.Path) *rbac.ClusterFacts {
	if p.facts != nil && p.facts.ID.Equal(id) {
		return p.facts
	}
	if p.c == nil {
		return nil
	}
	f, err := rbac.GetCluster(ctx, p.c, id)
	if err != nil {
		var nf *rbac.ClusterNotFoundError
		var sub *rbac.UnsupportedSubscriptionError
		if p.apply || errors.As(err, &nf) || errors.As(err, &sub) {
			addClusterError(p.diags, attr, "Read", "AKS Cluster", fmt.Sprintf("by ID %q", id.String()), err)
		} else {
			tflog.Warn(ctx, "cluster not readable at plan time; its scope is computed at apply", map[string]any{"cluster": id.String(), "error": err.Error()})
		}
		return nil
	}
	p.facts = f
	return f
}

// role returns the role name and role definition ID: the configured one, and the other resolved
// through the per-instance cache (or kept from state when it names the same role).
func (p *roleBindingPlanner) role(ctx context.Context, config roleBindingModel, state *roleBindingModel) (name, id types.String) {
	switch {
	case known(config.RoleDefinitionID):
		id = config.RoleDefinitionID
		if state != nil && known(state.Role) && rbac.SameRoleDefinition(state.RoleDefinitionID.ValueString(), id.ValueString()) {
			return state.Role, id
		}
		if p.c == nil {
			return types.StringUnknown(), id
		}
		rd, err := rbac.ResolveRoleByID(ctx, p.c, id.ValueString())
		if err != nil {
			var nf *rbac.RoleDefinitionNotFoundError
			if p.apply || errors.As(err, &nf) {
				p.diags.AddAttributeError(path.Root("role_definition_id"), errorSummary("Resolve", "Role Definition"), errorDetail(
					fmt.Sprintf("The role definition %s could not be read.", id.ValueString()),
					"Check the ID: `az role definition list --query \"[].{name:roleName, id:id}\"` lists the roles visible in the subscription.",
					err))
			}
			return types.StringUnknown(), id
		}
		return types.StringValue(rd.Name), id
	case known(config.Role):
		name = config.Role
		if state != nil && known(state.RoleDefinitionID) && strings.EqualFold(state.Role.ValueString(), name.ValueString()) {
			return name, state.RoleDefinitionID
		}
		if p.c == nil {
			return name, types.StringUnknown()
		}
		rd, err := rbac.ResolveRoleByName(ctx, p.c, name.ValueString())
		if err != nil {
			p.roleNameError(name.ValueString(), err)
			return name, types.StringUnknown()
		}
		if state != nil && rbac.SameRoleDefinition(state.RoleDefinitionID.ValueString(), rd.ID) {
			return name, state.RoleDefinitionID
		}
		return name, types.StringValue(rd.ID)
	default:
		return types.StringUnknown(), types.StringUnknown()
	}
}

func (p *roleBindingPlanner) roleNameError(name string, err error) {
	var nf *rbac.RoleNotFoundError
	var amb *rbac.AmbiguousRoleError
	switch {
	case errors.As(err, &nf):
		p.diags.AddAttributeError(path.Root("role"), errorSummary("Resolve", "Role"), errorDetail(
			fmt.Sprintf("No role named %q exists in the subscription (role names are matched exactly, ignoring case).", name),
			"List the available names with `az role definition list --query \"[].roleName\" -o tsv`, e.g. "+
				"\"Azure Kubernetes Service RBAC Reader\" or \"Virtual Machine User Login\"; or set role_definition_id instead.",
			err))
	case errors.As(err, &amb):
		p.diags.AddAttributeError(path.Root("role"), errorSummary("Resolve", "Role"), errorDetail(
			fmt.Sprintf("Several roles are named %q: %s.", name, strings.Join(amb.IDs, ", ")),
			"Set role_definition_id to the one you mean instead of role.",
			err))
	case p.apply:
		addAttributeAPIError(p.diags, path.Root("role"), "Resolve", "Role", err, grantRoleDefinitionRead)
	}
}

// warnDataPlaneRole warns when a Kubernetes data-plane role is bound on a cluster whose Azure RBAC for
// Kubernetes authorization is off: the binding would grant nothing. Only when the cluster is knowable.
func (p *roleBindingPlanner) warnDataPlaneRole(ctx context.Context, plan roleBindingModel) {
	if !rbac.IsKubernetesDataPlaneRole(plan.Role.ValueString(), plan.RoleDefinitionID.ValueString()) || !known(plan.Scope) || p.c == nil {
		return
	}
	sc, err := rbac.NormalizeScope(plan.Scope.ValueString())
	if err != nil || sc.Cluster == nil {
		return
	}
	f, err := rbac.GetCluster(ctx, p.c, *sc.Cluster)
	if err != nil {
		return // the cluster may be created in the same apply; nothing to say yet
	}
	if !f.AzureRBACEnabled {
		p.diags.AddAttributeWarning(path.Root("role"), "Kubernetes Role Without Azure RBAC",
			fmt.Sprintf("%q is a Kubernetes data-plane role, but cluster %s does not use Azure RBAC for Kubernetes authorization "+
				"(aadProfile.enableAzureRBAC is false), so this binding grants nothing inside the cluster. Enable Azure RBAC on the "+
				"cluster, or bind a Kubernetes RoleBinding instead.", plan.Role.ValueString(), f.ID.Name))
	}
}

// roleBindingDeriveInputs fills cluster_id, scope_kind, node_pool and namespace where the
// configuration leaves them null: from the state when the scope has not changed (an explicit scope, or
// an imported binding), otherwise from the scope itself, so that they are never unknown after apply.
func roleBindingDeriveInputs(m *roleBindingModel, config roleBindingModel, state *roleBindingModel) {
	var cluster, kind, pool, ns string
	if known(m.Scope) {
		if sc, err := rbac.NormalizeScope(m.Scope.ValueString()); err == nil && sc.Cluster != nil {
			cluster, kind, pool, ns = sc.ClusterRaw, string(sc.Kind()), sc.NodePool, sc.Namespace
		}
	}
	if !config.ClusterID.IsNull() {
		// Derived from a configured cluster: the kind and cluster are configured; only the companions
		// the kind does not use are computed, and they are null.
		cluster, kind = "", ""
	}
	sameScope := state != nil && known(m.Scope) && known(state.Scope) && rbac.SameScope(state.Scope.ValueString(), m.Scope.ValueString())
	set := func(dst *types.String, cfg, prev types.String, derived string) {
		switch {
		case !cfg.IsNull():
			*dst = cfg
		case !known(m.Scope):
			*dst = types.StringUnknown()
		case sameScope && !prev.IsUnknown():
			*dst = prev
		default:
			*dst = optionalString(derived)
		}
	}
	var prev roleBindingModel
	if state != nil {
		prev = *state
	}
	set(&m.ClusterID, config.ClusterID, prev.ClusterID, cluster)
	set(&m.ScopeKind, config.ScopeKind, prev.ScopeKind, kind)
	set(&m.NodePool, config.NodePool, prev.NodePool, pool)
	set(&m.Namespace, config.Namespace, prev.Namespace, ns)
}

// roleBindingDeriveImported fills the derived inputs of a just-imported binding from its scope: the
// cluster, node pool and namespace scopes name their cluster; a resource group is matched against the
// subscription's clusters (their resource group, or their node resource group). Best effort: what cannot
// be told stays null.
func roleBindingDeriveImported(ctx context.Context, c *clients.Client, m *roleBindingModel) {
	sc, err := rbac.NormalizeScope(m.Scope.ValueString())
	if err != nil || !m.ClusterID.IsNull() {
		return
	}
	switch {
	case sc.Cluster != nil:
		m.ClusterID = types.StringValue(sc.ClusterRaw)
		m.ScopeKind = optionalString(string(sc.Kind()))
		m.NodePool = optionalString(sc.NodePool)
		m.Namespace = optionalString(sc.Namespace)
	case sc.Level == rbac.LevelResourceGroup:
		parts := strings.Split(strings.TrimPrefix(sc.ID, "/"), "/")
		raw, kind, ok, err := rbac.ClusterOfResourceGroup(ctx, c, parts[1], parts[3])
		if err != nil {
			tflog.Warn(ctx, "could not match the imported scope to a cluster", map[string]any{"scope": sc.ID, "error": err.Error()})
			return
		}
		if ok {
			m.ClusterID = types.StringValue(raw)
			m.ScopeKind = types.StringValue(string(kind))
		}
	}
}

// roleBindingConditionVersion: "2.0" with a condition unless configured, null without one.
func roleBindingConditionVersion(config roleBindingModel, state *roleBindingModel) types.String {
	switch {
	case !config.ConditionVersion.IsNull():
		return config.ConditionVersion
	case config.Condition.IsUnknown():
		return types.StringUnknown()
	case config.Condition.IsNull():
		return types.StringNull()
	case state != nil && known(state.ConditionVersion):
		return state.ConditionVersion
	default:
		return types.StringValue("2.0")
	}
}

func roleBindingSpec(m roleBindingModel) rbac.AssignmentSpec {
	return rbac.AssignmentSpec{
		Scope:            m.Scope.ValueString(),
		RoleDefinitionID: m.RoleDefinitionID.ValueString(),
		PrincipalID:      m.PrincipalID.ValueString(),
		PrincipalType:    m.PrincipalType.ValueString(),
		Description:      m.Description.ValueString(),
		Condition:        m.Condition.ValueString(),
		ConditionVersion: m.ConditionVersion.ValueString(),
	}
}

// addRoleBindingCreateError explains the create failures a user can act on.
func addRoleBindingCreateError(diags *diag.Diagnostics, c *clients.Client, spec rbac.AssignmentSpec, err error) {
	var exists *rbac.ExistingAssignmentError
	var pnf *rbac.PrincipalNotFoundError
	switch {
	case errors.As(err, &exists):
		what := fmt.Sprintf("Principal %s already holds this role at scope %s through another role assignment", spec.PrincipalID, spec.Scope)
		next := "Remove the duplicate from the configuration, or find the existing assignment with " +
			"`az role assignment list --scope <scope> --assignee <principal>` and import it."
		if exists.ID != "" {
			what += ": " + exists.ID
			next = fmt.Sprintf("To manage the existing assignment with Terraform, import it:\n\n"+
				"  terraform import <resource address> '%s'\n\nor add an import block:\n\n"+
				"  import {\n    to = <resource address>\n    id = %q\n  }\n\n"+
				"Otherwise remove the duplicate binding from the configuration, or delete the other assignment.", exists.ID, exists.ID)
		}
		diags.AddError(errorSummary("Create", roleBindingObject), errorDetail(what+".", next, exists.Err))
	case errors.As(err, &pnf):
		diags.AddAttributeError(path.Root("principal_id"), errorSummary("Create", roleBindingObject), errorDetail(
			fmt.Sprintf("Azure did not find principal %s (principal_type %q) in tenant %s, and kept not finding it for %s.",
				pnf.PrincipalID, pnf.PrincipalType, c.TenantID, pnf.Waited.Round(time.Second)),
			"Check that principal_id is the object ID of a principal in this tenant, and that principal_type matches what it is "+
				"(User, Group or ServicePrincipal): a mismatched type fails the same way. If the principal was created moments ago, "+
				"directory replication can take a few minutes: run apply again, or raise the provider setting "+
				"principal_not_found_retry_timeout (AKS_PRINCIPAL_NOT_FOUND_RETRY_TIMEOUT).",
			pnf.Err))
	default:
		addAPIError(diags, "Create", roleBindingObject, err, grantRoleAssignmentWrite)
	}
}

func roleBindingPoolNames(f *rbac.ClusterFacts) string {
	if len(f.NodePools) == 0 {
		return "none"
	}
	names := make([]string, len(f.NodePools))
	for i, np := range f.NodePools {
		names[i] = fmt.Sprintf("%q", np.Name)
	}
	return strings.Join(names, ", ")
}
