package resources

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

const pimGroupObject = "PIM Group"

// NewPIMGroupResource is aks_pim_group: an Entra security group meant to be governed by PIM for groups.
func NewPIMGroupResource() resource.Resource {
	return withIdentity(&pimGroupResource{resourceBase{typeName: "_pim_group",
		timeouts: timeoutDefaults{Create: 20 * time.Minute, Read: 5 * time.Minute, Update: 20 * time.Minute, Delete: 10 * time.Minute}}}, pimGroupIdentity)
}

var pimGroupIdentity = resourceIdentity{{"object_id", "The group's object ID."}}

type pimGroupResource struct{ resourceBase }

type pimGroupModel struct {
	resourceTimeouts
	ID                    types.String `tfsdk:"id"`
	ObjectID              types.String `tfsdk:"object_id"`
	DisplayName           types.String `tfsdk:"display_name"`
	Description           types.String `tfsdk:"description"`
	MailNickname          types.String `tfsdk:"mail_nickname"`
	AssignableToRole      types.Bool   `tfsdk:"assignable_to_role"`
	Owners                types.Set    `tfsdk:"owners"`
	Members               types.Set    `tfsdk:"members"`
	PreventDuplicateNames types.Bool   `tfsdk:"prevent_duplicate_names"`
	PIMOnboarded          types.Bool   `tfsdk:"pim_onboarded"`
}

func (r *pimGroupResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	assignable := defaultedBool("Whether Microsoft Entra roles can be assigned to the group. Fixed at creation: changing it "+
		"replaces the group. Needs `RoleManagement.ReadWrite.Directory`. Not needed for PIM for groups or Azure roles.", false)
	assignable.PlanModifiers = []planmodifier.Bool{boolplanmodifier.RequiresReplace()}
	mailNickname := keptString("The mail alias Graph requires even for security groups: up to 64 printable ASCII characters " +
		"without `@()\\[]\";:.<>,` or spaces. Derived from `display_name` at create time when not set (runs of other " +
		"characters become `-`), and then kept; it is how a create whose response was lost finds its group again.")
	mailNickname.Optional, mailNickname.Validators = true, []validator.String{mailNicknameValidator()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Microsoft Entra security group meant to be governed by PIM for groups: the `default`, `admin`, " +
			"`approver` and `node-access` groups of the AKS scenario.\n\n" +
			"There is no API call that enables PIM on a group: the first eligibility or policy change onboards it " +
			"(`pim_onboarded` reports it). Direct members are only managed when `members` is set, so that members activated " +
			"through PIM never show as drift. A create whose response was lost is recovered on the next apply: the group is " +
			"found by its mail nickname and adopted instead of duplicated.\n\n" +
			"Required Microsoft Graph application permissions: `Group.ReadWrite.All` (or `Group.Create` for groups the identity " +
			"then owns) and `RoleManagement.ReadWrite.Directory` for `assignable_to_role`. The PIM read permissions are needed " +
			"for what PIM knows about the group: `PrivilegedAssignmentSchedule.Read.AzureADGroup` to tell members activated " +
			"through PIM from direct ones, and for `pim_onboarded` also `PrivilegedEligibilitySchedule.Read.AzureADGroup` and " +
			"`RoleManagementPolicy.Read.AzureADGroup`. Without them the group still reads: `pim_onboarded` keeps its last " +
			"known value, `members` lists every member Graph reports, each with a warning naming the permission, and an update " +
			"that would remove a member fails instead of risking an activated one.\n\n" +
			"What each attribute costs on refresh, in Graph operations: the group's properties 1, `owners` 1, `members` 1 plus " +
			"the PIM assignment instances of its members (shared by all groups with the same members within one Terraform " +
			"run; 1 more when a member is new; none while PIM has not onboarded the group, which then has no PIM " +
			"assignments), `pim_onboarded` nothing once true, else 1 (the group's PIM policies, whose IDs " +
			"change at onboarding) or 3 the first time (after an import).",
		Attributes: map[string]schema.Attribute{
			"id":        keptString("The group's object ID (also the import ID)."),
			"object_id": keptString("The group's object ID, to use as `principal_id` or `group_id` elsewhere."),
			"display_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The group's display name. Display names need not be unique; see `prevent_duplicate_names`.",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
			},
			"description":        optionalStringAttribute("A description of the group.", stringvalidator.LengthBetween(1, 1024)),
			"mail_nickname":      mailNickname,
			"assignable_to_role": assignable,
			"owners": groupMembersAttribute("Object IDs of the group's owners (authoritative). Defaults to the identity Terraform runs as: "+
				"a group created by an application without owners cannot be administered later except by directory admins. "+
				"Owners administer the group; being an owner does not make anyone an approver (approvers are members of the "+
				"approver group).", setvalidator.SizeAtLeast(1)),
			"members": groupMembersAttribute("Object IDs of the group's direct, permanent members, such as `n01` in `default`. Authoritative " +
				"when set: other direct members are removed. When omitted, membership is not managed and this reports the " +
				"current direct members. Members holding their membership through PIM (activated or time-bound assignments) " +
				"are never listed, counted or removed."),
			"prevent_duplicate_names": defaultedBool("Fail the create when a group with the same display name already exists.", false),
			"pim_onboarded": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether PIM for groups has onboarded the group: it processed a request for it (an " +
					"eligibility or assignment) or its PIM policy was changed. Onboarding cannot be undone.",
				PlanModifiers: []planmodifier.Bool{keepTrue{}},
			},
			"timeouts": timeoutsAttribute(ctx, r.timeouts),
		},
	}
}

// groupMembersAttribute is owners or members: object IDs, kept through plans when not configured.
func groupMembersAttribute(description string, validators ...validator.Set) schema.SetAttribute {
	return schema.SetAttribute{
		MarkdownDescription: description, Optional: true, Computed: true, ElementType: types.StringType,
		Validators:    append(validators, setvalidator.ValueStringsAre(objectIDValidator())),
		PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
	}
}

func (r *pimGroupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	plan, config, state, ok := planned(ctx, req, readModel[pimGroupModel], &resp.Diagnostics)
	if !ok {
		return
	}
	creating := state == nil
	if creating && config.MailNickname.IsNull() && known(plan.DisplayName) {
		plan.MailNickname = types.StringValue(pim.DeriveMailNickname(plan.DisplayName.ValueString()))
	}
	if r.client == nil {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	caller, err := r.client.CallerObjectID(ctx)
	if err != nil {
		tflog.Debug(ctx, "caller object ID unknown at plan time", map[string]any{"error": err.Error()})
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	if creating && config.Owners.IsNull() {
		plan.Owners = types.SetValueMust(types.StringType, []attr.Value{types.StringValue(caller)})
	}
	if !config.Owners.IsNull() && !config.Owners.IsUnknown() {
		var owners []string
		resp.Diagnostics.Append(config.Owners.ElementsAs(ctx, &owners, false)...)
		if !slices.ContainsFunc(owners, func(o string) bool { return strings.EqualFold(o, caller) }) {
			resp.Diagnostics.AddAttributeWarning(path.Root("owners"), "Terraform's Identity Is Not an Owner",
				fmt.Sprintf("The identity Terraform runs as (%s) is not among the owners. It can only go on managing the group "+
					"with the Microsoft Graph permission Group.ReadWrite.All; with Group.Create alone, later updates and the "+
					"destroy will be denied. Add it to owners unless it has Group.ReadWrite.All.", caller))
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *pimGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config pimGroupModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	r.run(ctx, opCreate, req.Plan.Get, &plan, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		spec := pimGroupSpec(ctx, plan, !config.Members.IsNull(), &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		g, adopted, err := pim.CreateGroup(ctx, c, spec, pim.GroupCreateOptions{PreventDuplicateNames: plan.PreventDuplicateNames.ValueBool()})
		if err != nil {
			if g != nil && g.ID != "" {
				// The group exists but a later step failed: keep it in state (tainted) so it is not orphaned.
				plan.ID, plan.ObjectID = types.StringValue(g.ID), types.StringValue(g.ID)
				plan.MailNickname = types.StringValue(spec.Nickname())
				if !known(plan.Owners) {
					plan.Owners = types.SetNull(types.StringType)
				}
				if !known(plan.Members) {
					plan.Members = types.SetNull(types.StringType)
				}
				plan.PIMOnboarded = types.BoolValue(false)
				resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
				resp.Diagnostics.Append(resp.Private.SetKey(ctx, pimGroupUnverifiedKey, []byte(strconv.Quote(c.Now().UTC().Format(time.RFC3339))))...)
			}
			addPIMGroupCreateError(&resp.Diagnostics, spec, err)
			return
		}
		if adopted {
			resp.Diagnostics.AddWarning("Existing Group Adopted", fmt.Sprintf(
				"Group %s (mail nickname %q) already existed, matched this configuration and is owned by Terraform's identity, so it "+
					"was adopted instead of creating a duplicate: an earlier create probably lost its response.", g.ID, spec.Nickname()))
		}
		tflog.Info(ctx, "created group", map[string]any{"id": g.ID, "adopted": adopted})
		pimGroupReadWarnings(&resp.Diagnostics, "Create", g)
		resp.Diagnostics.Append(pimGroupKeepBaseline(ctx, resp.Private, nil, g)...)
		// The group read back: role bindings for it need not ask Graph whether it exists.
		rbac.RememberPrincipal(c, rbac.PrincipalGroup, g.ID)
		resp.Diagnostics.Append(resp.State.Set(ctx, pimGroupState(ctx, plan, g, true, &resp.Diagnostics))...)
	})
}

func (r *pimGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pimGroupModel
	r.run(ctx, opRead, req.State.Get, &state, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		opts := pimGroupReadOptions(ctx, state, req.Private, &resp.Diagnostics)
		var g *pim.GroupRead
		var err error
		if createdAt, unverified := pimGroupUnverifiedSince(ctx, req.Private); unverified {
			g, err = pim.ReadGroupCreatedAt(ctx, c, state.ID.ValueString(), opts, createdAt)
			if err == nil {
				resp.Diagnostics.Append(resp.Private.SetKey(ctx, pimGroupUnverifiedKey, nil)...)
			}
		} else {
			g, err = pim.ReadGroup(ctx, c, state.ID.ValueString(), opts)
		}
		if errors.Is(err, pim.ErrGroupNotFound) {
			tflog.Warn(ctx, "group no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
			resp.State.RemoveResource(ctx)
			return
		}
		if err != nil {
			addAPIError(&resp.Diagnostics, "Read", pimGroupObject, err, grantGroupRead)
			return
		}
		pimGroupReadWarnings(&resp.Diagnostics, "Read", g)
		resp.Diagnostics.Append(pimGroupKeepBaseline(ctx, resp.Private, opts.PolicyBaseline, g)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, pimGroupState(ctx, state, g, true, &resp.Diagnostics))...)
	})
}

func (r *pimGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config pimGroupModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	r.run(ctx, opUpdate, req.Plan.Get, &plan, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		managed := !config.Members.IsNull()
		spec := pimGroupSpec(ctx, plan, managed, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		readOpts := pimGroupReadOptions(ctx, state, req.Private, &resp.Diagnostics)
		g, err := pim.UpdateGroup(ctx, c, state.ID.ValueString(), spec, pim.GroupUpdateOptions{Onboarding: readOpts.Onboarding, PolicyBaseline: readOpts.PolicyBaseline})
		if err != nil {
			grant := grantGroupWrite
			if plan.AssignableToRole.ValueBool() {
				grant = grantRoleAssignableGroup
			}
			addAPIError(&resp.Diagnostics, "Update", pimGroupObject, err, grant)
			return
		}
		plan.ID, plan.ObjectID = state.ID, state.ObjectID
		pimGroupReadWarnings(&resp.Diagnostics, "Update", g)
		resp.Diagnostics.Append(pimGroupKeepBaseline(ctx, resp.Private, readOpts.PolicyBaseline, g)...)
		// Unmanaged members were planned as the prior state; the next refresh reports any change.
		resp.Diagnostics.Append(resp.State.Set(ctx, pimGroupState(ctx, plan, g, managed || !known(plan.Members), &resp.Diagnostics))...)
	})
}

func (r *pimGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state pimGroupModel
	r.run(ctx, opDelete, req.State.Get, &state, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		if err := pim.DeleteGroup(ctx, c, state.ID.ValueString()); err != nil {
			addAPIError(&resp.Diagnostics, "Delete", pimGroupObject, err, grantGroupWrite)
		}
	})
}

func (r *pimGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimPrefix(req.ID, "/groups/")
	if !pim.IsObjectID(id) {
		addImportIDError(&resp.Diagnostics, pimGroupObject, req.ID, "a group object ID",
			"Use the group's object ID (a GUID), e.g. from `az ad group show --group <name> --query id`.", nil)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("prevent_duplicate_names"), false)...)
}

// pimGroupSpec turns a plan into the domain spec.
func pimGroupSpec(ctx context.Context, m pimGroupModel, manageMembers bool, diags *diag.Diagnostics) pim.GroupSpec {
	spec := pim.GroupSpec{
		DisplayName:      m.DisplayName.ValueString(),
		Description:      m.Description.ValueString(),
		MailNickname:     m.MailNickname.ValueString(),
		AssignableToRole: m.AssignableToRole.ValueBool(),
		ManageMembers:    manageMembers,
	}
	if known(m.Owners) {
		diags.Append(m.Owners.ElementsAs(ctx, &spec.Owners, false)...)
	}
	if manageMembers && known(m.Members) {
		diags.Append(m.Members.ElementsAs(ctx, &spec.Members, false)...)
	}
	return spec
}

// pimGroupState is prev updated with what Graph reported. ID sets keep prev's spelling of an ID that
// Graph reports in another case, so that case alone never shows as a change.
func pimGroupState(ctx context.Context, prev pimGroupModel, g *pim.GroupRead, withMembers bool, diags *diag.Diagnostics) pimGroupModel {
	m := prev
	m.ID = types.StringValue(g.ID)
	m.ObjectID = types.StringValue(g.ID)
	m.DisplayName = types.StringValue(g.DisplayName)
	m.Description = optionalString(g.Description)
	m.MailNickname = types.StringValue(g.MailNickname)
	m.AssignableToRole = types.BoolValue(g.AssignableToRole)
	m.Owners = idSet(ctx, prev.Owners, g.Owners, diags)
	if len(g.Owners) == 0 {
		// A group without owners (made by an application) reads as null, not as an empty set that
		// generated configuration would write out and the owners validator refuse.
		m.Owners = types.SetNull(types.StringType)
	}
	if withMembers {
		m.Members = idSet(ctx, prev.Members, g.Members, diags)
	}
	if m.PreventDuplicateNames.IsNull() || m.PreventDuplicateNames.IsUnknown() {
		m.PreventDuplicateNames = types.BoolValue(false)
	}
	m.PIMOnboarded = types.BoolValue(g.PIMOnboarded)
	return m
}

// idSet builds a set of object IDs, spelling each as prev does when prev has it in another case.
func idSet(ctx context.Context, prev types.Set, ids []string, diags *diag.Diagnostics) types.Set {
	spelling := map[string]string{}
	if known(prev) {
		var old []string
		diags.Append(prev.ElementsAs(ctx, &old, false)...)
		for _, o := range old {
			spelling[strings.ToLower(o)] = o
		}
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if s, ok := spelling[strings.ToLower(id)]; ok {
			id = s
		}
		out = append(out, id)
	}
	v, ds := types.SetValueFrom(ctx, types.StringType, out)
	diags.Append(ds...)
	return v
}

func addPIMGroupCreateError(diags *diag.Diagnostics, spec pim.GroupSpec, err error) {
	var exists *pim.GroupExistsError
	var dup *pim.DuplicateGroupNameError
	var unknown *pim.GroupCreateUnknownError
	var members *pim.MembershipError
	switch {
	case errors.As(err, &exists):
		ids := make([]string, len(exists.Groups))
		for i, g := range exists.Groups {
			ids[i] = g.ID
		}
		diags.AddAttributeError(path.Root("mail_nickname"), errorSummary("Create", pimGroupObject), errorDetail(
			fmt.Sprintf("A group with mail nickname %q already exists (%s). It differs from this configuration or is not owned by "+
				"Terraform's identity, so the provider does not adopt it.", exists.MailNickname, strings.Join(ids, ", ")),
			fmt.Sprintf("If it is the group this resource should manage, import it:\n\n  terraform import <resource address> %s\n\n"+
				"or add an import block with id = %q. Otherwise set a different mail_nickname (or display_name).", ids[0], ids[0]),
			err))
	case errors.As(err, &dup):
		diags.AddAttributeError(path.Root("display_name"), errorSummary("Create", pimGroupObject), errorDetail(
			fmt.Sprintf("prevent_duplicate_names is set and groups named %q already exist: %s.", dup.DisplayName, strings.Join(dup.IDs, ", ")),
			fmt.Sprintf("Choose another display_name, import the existing group (terraform import <resource address> %s), or unset prevent_duplicate_names.", dup.IDs[0]),
			err))
	case errors.As(err, &unknown):
		diags.AddError(errorSummary("Create", pimGroupObject), errorDetail(
			fmt.Sprintf("The request to create the group failed without an answer, and no group with mail nickname %q appeared within %s. "+
				"The group may or may not have been created.", unknown.MailNickname, unknown.Waited.Round(time.Second)),
			"Run apply again: before creating, the provider looks the group up by its mail nickname and adopts it if the lost "+
				"request created it, so no duplicate is left behind.",
			unknown.Err))
	case errors.As(err, &members):
		addAPIError(diags, "Create", pimGroupObject, err, grantGroupWrite+" (adding owners and members also needs User.Read.All or Directory.Read.All)")
	default:
		grant := grantGroupWrite
		if spec.AssignableToRole {
			grant = grantRoleAssignableGroup
		}
		addAPIError(diags, "Create", pimGroupObject, err, grant)
	}
}

// pimGroupUnverifiedKey marks, in private state, a group whose create was cut off before the group read
// back (an interrupted or timed-out apply keeps it in state, tainted). Its value is the create time: a
// refresh soon after may not see the group yet and must not take that 404 for a deletion.
const pimGroupUnverifiedKey = "created_unverified_at"

// privateGetter is the part of the framework's private state both requests and responses offer.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

func pimGroupUnverifiedSince(ctx context.Context, p privateGetter) (time.Time, bool) {
	raw, d := p.GetKey(ctx, pimGroupUnverifiedKey)
	if d.HasError() || len(raw) == 0 {
		return time.Time{}, false
	}
	s, err := strconv.Unquote(string(raw))
	if err != nil {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}
