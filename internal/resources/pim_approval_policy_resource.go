package resources

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

var _ resource.ResourceWithValidateConfig = (*pimApprovalPolicyResource)(nil)

// NewPIMApprovalPolicyResource is the aks_pim_approval_policy resource: the PIM policy of one group for
// member or owner access.
func NewPIMApprovalPolicyResource() resource.Resource {
	return withIdentity(&pimApprovalPolicyResource{resourceBase{typeName: "_pim_approval_policy", timeouts: policyTimeouts}}, pimApprovalPolicyIdentity)
}

var pimApprovalPolicyIdentity = resourceIdentity{
	{"group_id", "Object ID of the PIM-governed group."},
	{"access_id", "`member` or `owner`: whose activation the policy governs."},
}

type pimApprovalPolicyResource struct{ resourceBase }

type pimApprovalPolicyModel struct {
	policySettingsModel
	resourceTimeouts
	ID       types.String `tfsdk:"id"`
	GroupID  types.String `tfsdk:"group_id"`
	AccessID types.String `tfsdk:"access_id"`
}

const policyObject = "PIM Approval Policy"

// grantPolicy is what the provider's identity needs to read and write group policies.
const grantPolicy = "the Microsoft Graph application permission RoleManagementPolicy.ReadWrite.AzureADGroup (admin consent required)"

// policyTimeouts are those of both policy resources.
var policyTimeouts = timeoutDefaults{Create: 10 * time.Minute, Read: 5 * time.Minute, Update: 10 * time.Minute, Delete: 10 * time.Minute}

func (r *pimApprovalPolicyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The PIM policy of one Entra group for `member` (or `owner`) access: whether activation needs approval " +
			"and by whom, how long an activation may last and what it requires, how long eligible and active assignments may last, " +
			"and who is notified.\n\n" +
			"Every attribute is optional and defaults to Azure's documented default for a group, so the state always says what " +
			"Azure has, and an attribute changed outside Terraform shows up in the plan. The policy is looked up by group and access " +
			"ID on every read (its Graph ID changes when the group is onboarded to PIM). Each rule that differs is written with " +
			"its own request and read back; a rule that does not persist is an error, not silent drift.\n\n" +
			"**Destroy** cannot delete the policy (Azure does not allow it): it resets every rule this resource manages to " +
			"Azure's defaults. Activations then no longer need approval.",
		Attributes: withAttributes(policySettingsAttributes(groupPolicySubject), map[string]schema.Attribute{
			"id": keptString("`{group_id}/{access_id}`, also the import ID."),
			"group_id": replacingObjectID("Object ID of the group whose policy this is. Changing it moves the resource to another group " +
				"(the old group's policy is reset)."),
			"access_id": accessIDAttribute("`member` (the default) or `owner`: which relationship's policy. The two are separate policies."),
			"timeouts":  timeoutsAttribute(ctx, r.timeouts),
		}),
	}
}

func (r *pimApprovalPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m pimApprovalPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, known, diags := policyExpand(ctx, m.policySettingsModel)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() || !known {
		// Values from resources not yet created: ModifyPlan checks once they are known.
		return
	}
	addFindings(&resp.Diagnostics, p.Validate(pim.PolicyContext{GovernedGroupID: m.GroupID.ValueString()}), policyFindingPath)
}

// ModifyPlan completes the checks of ValidateConfig: the whole policy when the configuration was not yet
// known at validation, and the warnings that need the directory (an approver group containing a principal
// eligible for the governed group), read only when the approvers change so plans with no change cost no
// request.
func (r *pimApprovalPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	plan, config, state, ok := planned(ctx, req, readModel[pimApprovalPolicyModel], &resp.Diagnostics)
	if !ok {
		return
	}
	var prior pimApprovalPolicyModel
	if state != nil {
		prior = *state
	}
	var refs objectRefs
	refs.add(path.Root("group_id"), plan.GroupID, prior.GroupID, pim.KindGroup)
	refs.addApprovers(ctx, plan.policySettingsModel, prior.policySettingsModel)
	refs.check(ctx, r.client, &resp.Diagnostics)

	p, known, diags := policyExpand(ctx, plan.policySettingsModel)
	if diags.HasError() || !known || plan.GroupID.IsUnknown() || plan.AccessID.IsUnknown() {
		return
	}
	if _, configKnown, _ := policyExpand(ctx, config.policySettingsModel); !configKnown || config.GroupID.IsUnknown() {
		addFindings(&resp.Diagnostics, p.Validate(pim.PolicyContext{GovernedGroupID: plan.GroupID.ValueString()}), policyFindingPath)
	}
	if r.client == nil || !p.Approval.Required {
		return
	}
	if state != nil && prior.Approvers.Equal(plan.Approvers) && prior.RequireApproval.Equal(plan.RequireApproval) {
		return
	}
	key := pim.PolicyKey{GroupID: plan.GroupID.ValueString(), AccessID: pim.AccessID(plan.AccessID.ValueString())}
	pc, err := pim.PolicyDirectoryContext(ctx, r.client, key, p)
	if err != nil {
		// The check is advisory: a group not created yet, or a read permission missing, must not block the plan.
		tflog.Debug(ctx, "skipping the self-approval check of the PIM policy", map[string]any{"error": err.Error()})
		return
	}
	// The governed-group case is reported with the rest of the validation.
	pc.GovernedGroupID = ""
	addFindings(&resp.Diagnostics, p.ApproverConflicts(pc), policyFindingPath)
}

// groupPolicy is the policy of key as aks_pim_approval_policy manages it.
func groupPolicy(c *clients.Client, key pim.PolicyKey) policyTarget {
	return policyTarget{id: key.String(), object: policyObject, notFound: pim.ErrPolicyNotFound, resetTo: "Azure defaults",
		explain: func(diags *diag.Diagnostics, verb string, err error) { policyAPIError(diags, verb, key, err) },
		read: func(ctx context.Context) (pim.Policy, error) {
			ps, err := pim.ReadPolicy(ctx, c, key)
			return ps.Rules.Policy(), err
		},
		apply: func(ctx context.Context, desired pim.Policy) (pim.Policy, string, int, error) {
			ps, written, err := pim.ApplyPolicy(ctx, c, key, desired)
			return ps.Rules.Policy(), ps.PolicyID, len(written), err
		},
		reset: func(ctx context.Context) (int, error) {
			_, written, err := pim.ResetPolicy(ctx, c, key)
			return len(written), err
		},
	}
}

// policyAPIError explains a failed policy operation, naming the rule when one rule is at fault.
func policyAPIError(diags *diag.Diagnostics, verb string, key pim.PolicyKey, err error) {
	var notPersisted *pim.RulesNotPersistedError
	var ruleErr *pim.RuleWriteError
	switch {
	case errors.Is(err, pim.ErrPolicyNotFound):
		diags.AddAttributeError(path.Root("group_id"), errorSummary(verb, policyObject), errorDetail(
			fmt.Sprintf("Graph has no %s policy for group %s.", key.AccessID, key.GroupID),
			"Check that group_id is the object ID of an existing security or Microsoft 365 group (dynamic and on-premises-synced groups cannot use PIM).",
			err))
	case errors.As(err, &notPersisted):
		diags.AddError(errorSummary(verb, policyObject), errorDetail(
			"Graph accepted the policy changes but some rules do not read back as written, so the policy is not what the configuration says.",
			"Run apply again; if the same rules keep failing, another process (the portal, a script) may be changing them at the same time.",
			err))
	case errors.As(err, &ruleErr) && !clients.IsPermissionDenied(err):
		diags.AddError(errorSummary(verb, policyObject), errorDetail(
			fmt.Sprintf("Graph refused the write of policy rule %s of group %s.", ruleErr.Rule, key.GroupID),
			"Check the settings that map to this rule; the error below says what Graph objects to.",
			err))
	default:
		addAPIError(diags, verb, policyObject, err, grantPolicy)
	}
}

func (r *pimApprovalPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.save(ctx, opCreate, req.Plan, &resp.State, &resp.Diagnostics)
}

func (r *pimApprovalPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.save(ctx, opUpdate, req.Plan, &resp.State, &resp.Diagnostics)
}

// save is Create and Update: the plan written to Graph, the result recorded in state.
func (r *pimApprovalPolicyResource) save(ctx context.Context, o op, p tfsdk.Plan, st *tfsdk.State, diags *diag.Diagnostics) {
	var plan pimApprovalPolicyModel
	r.run(ctx, o, p.Get, &plan, diags, func(ctx context.Context, c *clients.Client) {
		key := pim.PolicyKey{GroupID: plan.GroupID.ValueString(), AccessID: pim.AccessID(plan.AccessID.ValueString())}
		if settings, ok := groupPolicy(c, key).write(ctx, o.verb(), plan.policySettingsModel, diags); ok {
			plan.ID, plan.policySettingsModel = types.StringValue(key.String()), settings
			diags.Append(st.Set(ctx, plan)...)
		}
	})
}

func (r *pimApprovalPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pimApprovalPolicyModel
	r.run(ctx, opRead, req.State.Get, &state, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		key, err := pim.ParsePolicyKey(state.ID.ValueString())
		if err != nil {
			key = pim.PolicyKey{GroupID: state.GroupID.ValueString(), AccessID: pim.AccessID(state.AccessID.ValueString())}
		}
		settings, found, ok := groupPolicy(c, key).readSettings(ctx, state.policySettingsModel, &resp.Diagnostics)
		if !found {
			if ok {
				resp.State.RemoveResource(ctx)
			}
			return
		}
		state.ID, state.policySettingsModel = types.StringValue(key.String()), settings
		if state.GroupID.IsNull() || !pim.SameObjectID(state.GroupID.ValueString(), key.GroupID) {
			state.GroupID = types.StringValue(key.GroupID)
		}
		state.AccessID = types.StringValue(string(key.AccessID))
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	})
}

// Delete resets the managed rules to Azure's defaults: a group's policy cannot be deleted.
func (r *pimApprovalPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state pimApprovalPolicyModel
	r.run(ctx, opDelete, req.State.Get, &state, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		key := pim.PolicyKey{GroupID: state.GroupID.ValueString(), AccessID: pim.AccessID(state.AccessID.ValueString())}
		groupPolicy(c, key).resetPolicy(ctx, &resp.Diagnostics)
	})
}

func (r *pimApprovalPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	key, err := pim.ParsePolicyKey(req.ID)
	if err != nil {
		addImportIDError(&resp.Diagnostics, policyObject, req.ID, "a policy import ID",
			"Use {group_id}/{access_id}, for example 0f9a8b7c-1234-4abc-9def-0123456789ab/member.", err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), key.String())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("group_id"), key.GroupID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("access_id"), string(key.AccessID))...)
}
