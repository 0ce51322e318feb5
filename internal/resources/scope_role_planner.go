package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// How the objects with a scope and role (scope_role.go) derive what the configuration leaves open: the
// scope from cluster_id and scope_kind, the role name or ID from the other, and the derived inputs of an
// imported object. Lookups go through the provider instance's caches.

// scopeRolePlanner computes the derived values of an object's scope and role. At plan time a lookup that fails for a
// reason other than bad input leaves the value unknown (it is computed again at apply); at apply time
// (apply = true) every failure is an error.
type scopeRolePlanner struct {
	c     *clients.Client
	diags *diag.Diagnostics
	apply bool
	facts *rbac.ClusterFacts
}

// scope returns the binding's scope: the configured one, or the one derived from cluster_id. When the
// state's scope is the same scope spelt differently, the state's spelling is kept (no diff).
func (p *scopeRolePlanner) scope(ctx context.Context, config scopeRoleModel, state *scopeRoleModel) types.String {
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
func (p *scopeRolePlanner) cluster(ctx context.Context, id rbac.ClusterID, attr path.Path) *rbac.ClusterFacts {
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
func (p *scopeRolePlanner) role(ctx context.Context, config scopeRoleModel, state *scopeRoleModel) (name, id types.String) {
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

func (p *scopeRolePlanner) roleNameError(name string, err error) {
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
func (p *scopeRolePlanner) warnDataPlaneRole(ctx context.Context, plan scopeRoleModel) {
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

// deriveScopeInputs fills cluster_id, scope_kind, node_pool and namespace where the
// configuration leaves them null: from the state when the scope has not changed (an explicit scope, or
// an imported binding), otherwise from the scope itself, so that they are never unknown after apply.
func deriveScopeInputs(m *scopeRoleModel, config scopeRoleModel, state *scopeRoleModel) {
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
	var prev scopeRoleModel
	if state != nil {
		prev = *state
	}
	set(&m.ClusterID, config.ClusterID, prev.ClusterID, cluster)
	set(&m.ScopeKind, config.ScopeKind, prev.ScopeKind, kind)
	set(&m.NodePool, config.NodePool, prev.NodePool, pool)
	set(&m.Namespace, config.Namespace, prev.Namespace, ns)
}

// deriveImportedScope fills the derived inputs of a just-imported object from its scope: the
// cluster, node pool and namespace scopes name their cluster; a resource group is matched against the
// subscription's clusters (their resource group, or their node resource group). Best effort: what cannot
// be told stays null.
func deriveImportedScope(ctx context.Context, c *clients.Client, m *scopeRoleModel) {
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

// plan derives the planned scope, its inputs and the role from the configuration (and the state, nil
// on create).
func (p *scopeRolePlanner) plan(ctx context.Context, plan *scopeRoleModel, config scopeRoleModel, state *scopeRoleModel) {
	plan.Scope = p.scope(ctx, config, state)
	deriveScopeInputs(plan, config, state)
	plan.Role, plan.RoleDefinitionID = p.role(ctx, config, state)
}

// settle computes at apply time the scope and role the plan could not know (inputs unknown at plan time).
func (p *scopeRolePlanner) settle(ctx context.Context, plan *scopeRoleModel, config scopeRoleModel) {
	if !known(plan.Scope) {
		plan.Scope = p.scope(ctx, config, nil)
		deriveScopeInputs(plan, config, nil)
	}
	if !known(plan.Role) || !known(plan.RoleDefinitionID) {
		plan.Role, plan.RoleDefinitionID = p.role(ctx, config, nil)
	}
}

// replacements are the attributes whose change replaces the object: another scope, role or principal
// (compared the way ARM compares them, so a respelling is none).
func replacements(plan, state scopeRoleModel, planPrincipal, statePrincipal types.String) path.Paths {
	var out path.Paths
	if !known(plan.Scope) || !rbac.SameScope(state.Scope.ValueString(), plan.Scope.ValueString()) {
		out = append(out, path.Root("scope"))
	}
	if !known(plan.RoleDefinitionID) || !rbac.SameRoleDefinition(state.RoleDefinitionID.ValueString(), plan.RoleDefinitionID.ValueString()) {
		out = append(out, path.Root("role_definition_id"))
	}
	if !known(planPrincipal) || !strings.EqualFold(statePrincipal.ValueString(), planPrincipal.ValueString()) {
		out = append(out, path.Root("principal_id"))
	}
	return out
}
