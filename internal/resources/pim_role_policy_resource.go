package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

var _ scopeRoleResource = (*pimRolePolicyResource)(nil)

// NewPIMRolePolicyResource is aks_pim_role_policy: the PIM policy of one Azure role at one scope (PIM for
// Azure resources), with the settings of aks_pim_approval_policy.
func NewPIMRolePolicyResource() resource.Resource {
	return withIdentity(&pimRolePolicyResource{resourceBase{typeName: "_pim_role_policy", timeouts: policyTimeouts}}, pimRolePolicyIdentity)
}

// The identity is the import ID: its two parts are joined by "|" (both hold "/"), which identity's
// "/"-joined parts could not tell apart.
var pimRolePolicyIdentity = resourceIdentity{
	{"id", "The policy's ID, `{role_definition_id}|{scope}`."},
}

type pimRolePolicyResource struct{ resourceBase }

type pimRolePolicyModel struct {
	scopeRoleModel
	policySettingsModel
	resourceTimeouts
	ID types.String `tfsdk:"id"`
}

const rolePolicyObject = "PIM Role Policy"

const grantRolePolicy = `the Azure role "User Access Administrator" (or "Owner") at the scope or above: writing a role ` +
	`management policy needs Microsoft.Authorization/roleManagementPolicies/write`

var rolePolicySubject = policySubject{
	selfElevation: "a principal eligible for the role activates it by itself",
	notApprover:   "a principal eligible for the role at this scope, or a group it belongs to",
	activationEnd: "An activated role is a role assignment that AKS (and node login) checks when it authorizes each request, " +
		"so the access ends with the activation whatever token the user holds: short activations are meaningful here, unlike " +
		"group activations, whose group claim lives as long as the token.",
	eligibleResource: "aks_pim_role_eligibility",
	activeResource: "(`aks_pim_role_assignment` of this role at this scope; wire this object into its `policy_active_assignment` " +
		"so they are checked against it at plan time)",
}

func (r *pimRolePolicyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	own := map[string]schema.Attribute{
		"id":       keptString("`{role_definition_id}|{scope}`, also the import ID."),
		"timeouts": timeoutsAttribute(ctx, r.timeouts),
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The PIM policy of one Azure role at one scope (PIM for Azure resources), for instance " +
			"`Azure Kubernetes Service RBAC Admin` at a cluster or `Virtual Machine User Login` at its node resource group: whether " +
			"activating the role needs approval and by whom, how long an activation may last and what it requires, how long " +
			"eligible and active assignments may last, and who is notified. The settings, defaults and checks are those of " +
			"`aks_pim_approval_policy`; the scope and role are written as in `aks_role_binding`.\n\n" +
			"Every role has a policy at every scope, so this resource takes the existing one over: every attribute is optional " +
			"and defaults to Azure's documented default, so the state always says what Azure has, and a change made outside " +
			"Terraform shows up in the plan. The policy is looked up by role at the scope on every read (one request). The rules " +
			"that differ are written with one request and read back; a rule that does not persist is an error, not silent drift.\n\n" +
			"**Destroy** cannot delete the policy (Azure does not allow it): it writes back the policy as it was before the " +
			"resource took it over (Azure's defaults for that role and scope, which differ between tenants, e.g. in requiring MFA " +
			"on activation), recorded at create in the resource's private state; a policy brought in by `terraform import` gets " +
			"the defaults Azure documents. Activations then no longer need approval.\n\n" +
			"Required Azure permission: " + grantRolePolicy + ".",
		Attributes: withAttributes(scopeRoleAttributes("policy (the old scope's policy is reset)"),
			withAttributes(policySettingsAttributes(rolePolicySubject), own)),
	}
}

func (r *pimRolePolicyResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return scopeRoleConfigValidators()
}

// roleFindings are the findings about a role's policy that apply to it: a group's warning about
// activations shorter than the token lifetime does not (the role is checked on every request).
func roleFindings(fs []pim.Finding) []pim.Finding {
	out := fs[:0:0]
	for _, f := range fs {
		if f.Check != pim.CheckShorterThanTokens {
			out = append(out, f)
		}
	}
	return out
}

func (r *pimRolePolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m pimRolePolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateScopeRole(m.scopeRoleModel, &resp.Diagnostics)
	p, known, diags := policyExpand(ctx, m.policySettingsModel)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() || !known {
		return // values from resources not yet created: ModifyPlan checks once they are known
	}
	addFindingsAbout(&resp.Diagnostics, roleFindings(p.Validate(pim.PolicyContext{})), policyFindingPath, roleFindingWords)
}

// ModifyPlan derives the scope and role as aks_role_binding does, replaces the resource when they change
// (another role or scope is another policy), completes the checks ValidateConfig could not make, and
// warns when an approver is eligible for the role at the scope: read only when the approvers change, so a
// plan with no change costs no request.
func (r *pimRolePolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	plan, config, state, ok := planned(ctx, req, readModel[pimRolePolicyModel], &resp.Diagnostics)
	if !ok {
		return
	}
	var refs objectRefs
	priorSettings := policySettingsModel{}
	var prior *scopeRoleModel
	if state != nil {
		priorSettings, prior = state.policySettingsModel, &state.scopeRoleModel
	}
	refs.addApprovers(ctx, plan.policySettingsModel, priorSettings)
	refs.check(ctx, r.client, &resp.Diagnostics)

	replace, fresh, ok := planScopeRole(ctx, r.client, &plan.scopeRoleModel, config.scopeRoleModel, prior, func() path.Paths { return nil }, &resp.Diagnostics)
	if !ok {
		return
	}
	if fresh {
		plan.ID = types.StringUnknown()
		if known(plan.Scope) && known(plan.RoleDefinitionID) {
			plan.ID = types.StringValue(armpim.PolicyKey{Scope: plan.Scope.ValueString(), RoleDefinitionID: plan.RoleDefinitionID.ValueString()}.String())
		}
	}
	resp.RequiresReplace = append(resp.RequiresReplace, replace...)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)

	p, isKnown, diags := policyExpand(ctx, plan.policySettingsModel)
	if diags.HasError() || !isKnown {
		return
	}
	if _, configKnown, _ := policyExpand(ctx, config.policySettingsModel); !configKnown {
		addFindingsAbout(&resp.Diagnostics, roleFindings(p.Validate(pim.PolicyContext{})), policyFindingPath, roleFindingWords)
	}
	if r.client == nil || !p.Approval.Required || !known(plan.Scope) || !known(plan.RoleDefinitionID) {
		return
	}
	if !fresh && state.Approvers.Equal(plan.Approvers) && state.RequireApproval.Equal(plan.RequireApproval) {
		return
	}
	key := armpim.PolicyKey{Scope: plan.Scope.ValueString(), RoleDefinitionID: plan.RoleDefinitionID.ValueString()}
	pc, err := armpim.PolicyDirectoryContext(ctx, r.client, key, p)
	if err != nil {
		// Advisory: a scope not created yet, or a read permission missing, must not block the plan.
		tflog.Debug(ctx, "skipping the self-approval check of the role policy", map[string]any{"error": err.Error()})
		return
	}
	addFindingsAbout(&resp.Diagnostics, p.ApproverConflicts(pc), policyFindingPath, roleFindingWords)
}

// write makes the role's policy at the scope say what plan says, and returns the state to record.
func (r *pimRolePolicyResource) write(ctx context.Context, c *clients.Client, verb string, plan, config pimRolePolicyModel, diags *diag.Diagnostics, record func(pim.Policy)) (pimRolePolicyModel, bool) {
	planner := scopeRolePlanner{c: c, diags: diags, apply: true}
	planner.settle(ctx, &plan.scopeRoleModel, config.scopeRoleModel)
	if diags.HasError() {
		return plan, false
	}
	key := armpim.PolicyKey{Scope: plan.Scope.ValueString(), RoleDefinitionID: plan.RoleDefinitionID.ValueString()}
	target := rolePolicy(c, key, nil)
	if record != nil {
		before, err := target.read(ctx)
		if err != nil {
			target.explain(diags, verb, err)
			return plan, false
		}
		record(before)
	}
	settings, ok := target.write(ctx, verb, plan.policySettingsModel, diags)
	plan.ID, plan.policySettingsModel = types.StringValue(key.String()), settings
	return plan, ok
}

// rolePolicy is the policy of key as aks_pim_role_policy manages it; destroy writes back before (nil:
// the defaults package pim knows).
func rolePolicy(c *clients.Client, key armpim.PolicyKey, before *pim.Policy) policyTarget {
	return policyTarget{id: key.String(), object: rolePolicyObject, notFound: armpim.ErrPolicyNotFound, resetTo: "what it was before",
		explain: func(diags *diag.Diagnostics, verb string, err error) { rolePolicyAPIError(diags, verb, key, err) },
		read: func(ctx context.Context) (pim.Policy, error) {
			ps, err := armpim.ReadPolicy(ctx, c, key)
			return ps.Rules.Policy(), err
		},
		apply: func(ctx context.Context, desired pim.Policy) (pim.Policy, string, int, error) {
			ps, written, err := armpim.ApplyPolicy(ctx, c, key, desired)
			return ps.Rules.Policy(), ps.PolicyID, len(written), err
		},
		reset: func(ctx context.Context) (int, error) {
			_, written, err := armpim.ResetPolicy(ctx, c, key, before)
			return len(written), err
		},
	}
}

// rolePolicyAPIError explains a failed policy operation, naming the rules when some are at fault.
func rolePolicyAPIError(diags *diag.Diagnostics, verb string, key armpim.PolicyKey, err error) {
	var notPersisted *armpim.RulesNotPersistedError
	var ruleErr *armpim.RuleWriteError
	switch {
	case errors.Is(err, armpim.ErrPolicyNotFound):
		diags.AddAttributeError(path.Root("scope"), errorSummary(verb, rolePolicyObject), errorDetail(
			fmt.Sprintf("ARM has no PIM policy for role %s at %s.", key.RoleDefinitionID, key.Scope),
			"Check that the scope exists (a cluster, resource group or node pool not yet created has no policy) and that the role "+
				"definition is assignable there.",
			err))
	case errors.As(err, &notPersisted):
		diags.AddError(errorSummary(verb, rolePolicyObject), errorDetail(
			"ARM accepted the policy changes but some rules do not read back as written, so the policy is not what the configuration says.",
			"Run apply again; if the same rules keep failing, another process (the portal, a script) may be changing them at the same time.",
			err))
	case errors.As(err, &ruleErr) && !clients.IsPermissionDenied(err):
		diags.AddError(errorSummary(verb, rolePolicyObject), errorDetail(
			fmt.Sprintf("ARM refused the policy rules %v of role %s at %s.", ruleErr.Rules, key.RoleDefinitionID, key.Scope),
			"Check the settings that map to these rules; the error below says what ARM objects to.",
			err))
	default:
		addAPIError(diags, verb, rolePolicyObject, err, grantRolePolicy)
	}
}

// rolePolicyBeforeKey is the private-state key of the policy as it was before the resource took it over,
// which destroy writes back: a role's default policy is not the same everywhere (some tenants' require
// MFA on activation), so the defaults package pim knows are only the fallback, for imported policies.
const rolePolicyBeforeKey = "policy_before"

func (r *pimRolePolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.save(ctx, opCreate, req.Plan, req.Config, &resp.State, &resp.Diagnostics, func(before pim.Policy) {
		if b, err := json.Marshal(before); err == nil {
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, rolePolicyBeforeKey, b)...)
		}
	})
}

// save is Create and Update: the plan written to Azure, the result recorded in state.
func (r *pimRolePolicyResource) save(ctx context.Context, o op, p tfsdk.Plan, cfg tfsdk.Config, st *tfsdk.State, diags *diag.Diagnostics, record func(pim.Policy)) {
	var plan, config pimRolePolicyModel
	diags.Append(cfg.Get(ctx, &config)...)
	r.run(ctx, o, p.Get, &plan, diags, func(ctx context.Context, c *clients.Client) {
		if out, ok := r.write(ctx, c, o.verb(), plan, config, diags, record); ok {
			diags.Append(st.Set(ctx, &out)...)
		}
	})
}

func (r *pimRolePolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pimRolePolicyModel
	r.run(ctx, opRead, req.State.Get, &state, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		key := armpim.PolicyKey{Scope: state.Scope.ValueString(), RoleDefinitionID: state.RoleDefinitionID.ValueString()}
		if key.Scope == "" || key.RoleDefinitionID == "" {
			k, err := armpim.ParsePolicyKey(state.ID.ValueString())
			if err != nil {
				resp.Diagnostics.AddError(errorSummary("Read", rolePolicyObject), errorDetail(
					fmt.Sprintf("The state holds neither scope and role_definition_id nor a valid ID (%q).", state.ID.ValueString()),
					"Import the policy again with {role_definition_id}|{scope}.", err))
				return
			}
			key = k
		}
		settings, found, ok := rolePolicy(c, key, nil).readSettings(ctx, state.policySettingsModel, &resp.Diagnostics)
		if !found {
			if ok {
				resp.State.RemoveResource(ctx)
			}
			return
		}
		out := state
		out.ID, out.policySettingsModel = types.StringValue(key.String()), settings
		if state.Scope.IsNull() {
			// Just imported: the scope and role as the import ID spells them, the cluster inputs derived from
			// the scope and the role's name resolved, as a configuration would give them.
			out.Scope, out.RoleDefinitionID, out.Role = types.StringValue(key.Scope), types.StringValue(key.RoleDefinitionID), types.StringNull()
			deriveImportedScope(ctx, c, &out.scopeRoleModel)
			if !resolveRoleName(ctx, c, rolePolicyObject, &out.scopeRoleModel, key.RoleDefinitionID, &resp.Diagnostics) {
				return
			}
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
	})
}

func (r *pimRolePolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.save(ctx, opUpdate, req.Plan, req.Config, &resp.State, &resp.Diagnostics, nil)
}

// Delete writes back the policy as it was before Create (or, imported, Azure's defaults as package pim
// knows them): a role's policy cannot be deleted.
func (r *pimRolePolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state pimRolePolicyModel
	r.run(ctx, opDelete, req.State.Get, &state, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		key := armpim.PolicyKey{Scope: state.Scope.ValueString(), RoleDefinitionID: state.RoleDefinitionID.ValueString()}
		var before *pim.Policy
		if b, ds := req.Private.GetKey(ctx, rolePolicyBeforeKey); !ds.HasError() && len(b) > 0 {
			var p pim.Policy
			if err := json.Unmarshal(b, &p); err == nil {
				before = &p
			} else {
				tflog.Warn(ctx, "unreadable record of the policy before; resetting to the defaults", map[string]any{"error": err.Error()})
			}
		}
		rolePolicy(c, key, before).resetPolicy(ctx, &resp.Diagnostics)
	})
}

// ImportState takes {role_definition_id}|{scope}; Read fills in the rest.
func (r *pimRolePolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	key, err := armpim.ParsePolicyKey(req.ID)
	if err != nil {
		addImportIDError(&resp.Diagnostics, rolePolicyObject, req.ID, "a role policy import ID",
			"Use {role_definition_id}|{scope}, for example /subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/"+
				"3498e952-d568-435e-9b2c-8d77e338d7f7|/subscriptions/<id>/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1.", err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), key.String())...)
}
