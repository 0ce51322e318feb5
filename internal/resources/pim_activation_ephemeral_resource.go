package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/ephemeral/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

var (
	_ ephemeral.EphemeralResource                     = (*pimActivationEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure        = (*pimActivationEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose            = (*pimActivationEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*pimActivationEphemeralResource)(nil)
)

// activationOpenTimeout bounds Open, including the wait for approval when wait_for_approval is set.
const activationOpenTimeout = 15 * time.Minute

// activationPrivateKey is where Open leaves Close what it needs to end the activation.
const activationPrivateKey = "activation"

// NewPIMActivationEphemeralResource is the aks_pim_activation ephemeral resource: the caller activates
// its eligible membership (or ownership) of a group for the duration of a Terraform run.
func NewPIMActivationEphemeralResource() ephemeral.EphemeralResource {
	return &pimActivationEphemeralResource{ephemeralBase{typeName: "_pim_activation"}}
}

type pimActivationEphemeralResource struct{ ephemeralBase }

type pimActivationModel struct {
	GroupID           types.String     `tfsdk:"group_id"`
	AccessID          types.String     `tfsdk:"access_id"`
	Scope             types.String     `tfsdk:"scope"`
	Role              types.String     `tfsdk:"role"`
	RoleDefinitionID  types.String     `tfsdk:"role_definition_id"`
	Duration          pimDurationValue `tfsdk:"duration"`
	Justification     types.String     `tfsdk:"justification"`
	TicketNumber      types.String     `tfsdk:"ticket_number"`
	TicketSystem      types.String     `tfsdk:"ticket_system"`
	WaitForApproval   types.Bool       `tfsdk:"wait_for_approval"`
	DeactivateOnClose types.Bool       `tfsdk:"deactivate_on_close"`
	PrincipalID       types.String     `tfsdk:"principal_id"`
	RequestID         types.String     `tfsdk:"request_id"`
	ApprovalID        types.String     `tfsdk:"approval_id"`
	Status            types.String     `tfsdk:"status"`
	Active            types.Bool       `tfsdk:"active"`
	Reused            types.Bool       `tfsdk:"reused"`
	StartDateTime     types.String     `tfsdk:"start_date_time"`
	EndDateTime       types.String     `tfsdk:"end_date_time"`
	Timeouts          timeouts.Value   `tfsdk:"timeouts"`
}

// activationPrivate is the private data Open hands to Close.
type activationPrivate struct {
	GroupID    string `json:"group_id"`
	AccessID   string `json:"access_id"`
	RequestID  string `json:"request_id"`
	Deactivate bool   `json:"deactivate"`
	// Scope and RoleDefinitionID are set for an activation of an Azure role (pim_activation_role.go).
	Scope            string `json:"scope,omitempty"`
	RoleDefinitionID string `json:"role_definition_id,omitempty"`
}

func (r *pimActivationEphemeralResource) Schema(ctx context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Activates the eligible membership (or ownership) of a PIM-governed group **for the principal the " +
			"provider authenticates as**, for the duration of a Terraform run: the just-in-time step of the scenario " +
			"(`selfActivate`). Nothing is stored in state.\n\n" +
			"With `scope` and `role` (or `role_definition_id`) instead of `group_id`, it activates an eligible Azure role at " +
			"that scope (PIM for Azure resources, `aks_pim_role_eligibility`) with the same approval wait and close. An " +
			"activated role is a role assignment to the principal itself, so tools such as kubectl need no new token for it; " +
			"a group activation needs one (the group is a claim of the token).\n\n" +
			"When the group's policy requires approval the activation is `PendingApproval` until an approver decides; " +
			"`status` says so, and `wait_for_approval` makes the run wait (within `timeouts.open`). When the caller is " +
			"already active, or already waiting for approval, that activation is reported (`reused = true`) instead of " +
			"requesting a second one.\n\n" +
			"**Close:** at the end of the run the activation this resource requested is ended (`selfDeactivate`) when " +
			"`deactivate_on_close` is true. PIM does not let an activation end within its first five minutes: such an " +
			"activation, like one that is still pending approval, is left as it is and ends by itself at `end_date_time` " +
			"(a warning says so). Terraform opens ephemeral resources during both plan and apply, so a run may request " +
			"once and reuse that activation.\n\n" +
			"Access tokens issued while the activation is active stay valid for 60 to 90 minutes whatever its end: " +
			"durations under an hour buy nothing for tools such as kubectl.\n\n" +
			"Needs a principal that can activate for itself: a user (for example with Azure CLI authentication) or a " +
			"service principal eligible for the group, with `PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup`.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				MarkdownDescription: "Object ID of the group whose membership (or ownership) to activate. Exactly one of `group_id` and `scope` is set.",
				Optional:            true,
				Validators:          []validator.String{objectIDValidator()},
			},
			"scope": schema.StringAttribute{
				MarkdownDescription: "The scope of an eligible Azure role to activate (a cluster, a namespace `{cluster}/namespaces/{name}`, a " +
					"node resource group, ...), with `role` or `role_definition_id`.",
				Optional:   true,
				Validators: []validator.String{scopeValidator()},
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "The name of the eligible role to activate at `scope`, e.g. `Azure Kubernetes Service RBAC Admin`.",
				Optional:            true, Computed: true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"role_definition_id": schema.StringAttribute{
				MarkdownDescription: "The role definition ID of the eligible role to activate at `scope` (instead of `role`).",
				Optional:            true, Computed: true,
				Validators: []validator.String{roleDefinitionIDValidator()},
			},
			"access_id": schema.StringAttribute{
				MarkdownDescription: "`member` (the default) or `owner`, with `group_id`.",
				Optional:            true, Computed: true,
				Validators: []validator.String{stringvalidator.OneOf(pim.AccessIDs...)},
			},
			"duration": schema.StringAttribute{
				MarkdownDescription: "How long the activation lasts, an ISO-8601 duration such as `PT1H` (at least `PT5M`, at most the " +
					"group policy's `activation.maximum_duration`, `PT8H` by default).",
				CustomType: pimDurationType{},
				Required:   true,
			},
			"justification": schema.StringAttribute{
				MarkdownDescription: "Why the access is needed; required by the default policy.",
				Optional:            true,
			},
			"ticket_number": schema.StringAttribute{
				MarkdownDescription: "Ticket number, when the policy requires ticket information.",
				Optional:            true,
			},
			"ticket_system": schema.StringAttribute{
				MarkdownDescription: "Ticket system of `ticket_number`.",
				Optional:            true,
			},
			"wait_for_approval": schema.BoolAttribute{
				MarkdownDescription: "Wait until the activation is approved and provisioned (or denied, which is an error), within " +
					"`timeouts.open`. Default `false`: report `PendingApproval` and carry on.",
				Optional: true,
			},
			"deactivate_on_close": schema.BoolAttribute{
				MarkdownDescription: "End the activation this resource requested when Terraform closes it. Default `true`.",
				Optional:            true,
			},
			"principal_id": schema.StringAttribute{
				MarkdownDescription: "Object ID of the principal that activated (the provider's identity).",
				Computed:            true,
			},
			"request_id": schema.StringAttribute{
				MarkdownDescription: "ID of the assignment schedule request.",
				Computed:            true,
			},
			"approval_id": schema.StringAttribute{
				MarkdownDescription: "ID of the approval approvers decide on (empty when no approval is needed).",
				Computed:            true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Status of the request: `Provisioned` (active), `PendingApproval`, `Denied`, ...",
				Computed:            true,
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Whether the principal holds the access now.",
				Computed:            true,
			},
			"reused": schema.BoolAttribute{
				MarkdownDescription: "Whether an activation that already existed is reported (then Close leaves it alone).",
				Computed:            true,
			},
			"start_date_time": schema.StringAttribute{
				MarkdownDescription: "Start of the activation (RFC 3339).",
				Computed:            true,
			},
			"end_date_time": schema.StringAttribute{
				MarkdownDescription: "End of the activation (RFC 3339), when it ends by itself.",
				Computed:            true,
			},
			"timeouts": ephemeralTimeoutsAttribute(ctx, fmt.Sprintf("How long opening may take, including the wait for approval. Default %s.", activationOpenTimeout)),
		},
	}
}

func (r *pimActivationEphemeralResource) ConfigValidators(context.Context) []ephemeral.ConfigValidator {
	return append([]ephemeral.ConfigValidator{activationTicketValidator{}}, roleActivationValidators()...)
}

// activationTicketValidator: a ticket system needs a ticket number.
type activationTicketValidator struct{}

func (activationTicketValidator) Description(context.Context) string {
	return "ticket_system requires ticket_number"
}

func (v activationTicketValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (activationTicketValidator) ValidateEphemeralResource(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	var number, system types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("ticket_number"), &number)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("ticket_system"), &system)...)
	if number.IsNull() && !system.IsNull() && !system.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("ticket_system"), "Ticket System Without Ticket Number",
			"ticket_system was set without ticket_number. Set ticket_number too, or remove ticket_system.")
	}
}

func (r *pimActivationEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m pimActivationModel
	limit := func() (timeoutFunc, time.Duration) { return m.Timeouts.Open, activationOpenTimeout }
	r.run(ctx, req.Config.Get, &m, limit, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		if !m.Scope.IsNull() {
			r.openRole(ctx, c, m, resp)
			return
		}
		m.Role, m.RoleDefinitionID = types.StringNull(), types.StringNull()
		access := pim.AccessMember
		if !m.AccessID.IsNull() {
			access = pim.AccessID(m.AccessID.ValueString())
		}
		m.AccessID = types.StringValue(string(access))
		openActivation(ctx, c, groupActivator(c, pim.ActivationSpec{
			GroupID: m.GroupID.ValueString(), AccessID: access, Duration: m.Duration.Duration(),
			Justification: m.Justification.ValueString(), TicketNumber: m.TicketNumber.ValueString(), TicketSystem: m.TicketSystem.ValueString(),
		}), m, resp)
	})
}

// groupActivator activates the caller's eligible membership (or ownership) of a group.
func groupActivator(c *clients.Client, spec pim.ActivationSpec) activator {
	of := func(a pim.ActivationRequest) activation {
		return activation{requestID: a.RequestID, approvalID: a.ApprovalID, status: a.Status, start: a.Start, end: a.End}
	}
	return activator{object: "PIM Activation", what: "group " + spec.GroupID, approvers: "a member of the group's approver group",
		readGrant: "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup (or ...Read.AzureADGroup)",
		open: func(ctx context.Context) (activation, bool, error) {
			a, reused, err := activationOpen(ctx, c, spec)
			return of(a), reused, err
		},
		refused: func(err error) string { return activationErrorDetail(spec, err) },
		wait: func(ctx context.Context, requestID string) (activation, error) {
			a, err := pim.WaitActivation(ctx, c, requestID, pim.ActivationRequest.IsProvisioned)
			return of(a), err
		},
		// The request tells the window requested; the membership PIM made tells the one that holds.
		held: func(ctx context.Context, a *activation) {
			me, _ := c.CallerObjectID(ctx)
			if got, err := pim.AssignmentInstances(ctx, c, spec.GroupID, me); err == nil && len(got) > 0 {
				a.start, a.end = got[0].Start, got[0].End
			}
		},
		private: activationPrivate{GroupID: spec.GroupID, AccessID: string(spec.AccessID)},
	}
}

// activationOpen requests the activation, or finds the one the caller already has (active, or pending
// approval) when PIM answers that it exists.
func activationOpen(ctx context.Context, c *clients.Client, spec pim.ActivationSpec) (pim.ActivationRequest, bool, error) {
	a, err := pim.SelfActivate(ctx, c, spec)
	var exists *pim.ActivationExistsError
	if !errors.As(err, &exists) {
		return a, false, err
	}
	mine, lerr := pim.MyActivationRequests(ctx, c, spec.GroupID)
	if lerr != nil {
		return a, false, err
	}
	var best *pim.ActivationRequest
	for i := range mine {
		r := &mine[i]
		if r.AccessID != spec.AccessID || !strings.EqualFold(r.Action, "selfActivate") {
			continue
		}
		if !r.IsPendingApproval() && !r.IsProvisioned() {
			continue
		}
		if r.IsProvisioned() && !r.End.IsZero() && !r.End.After(c.Now()) {
			continue
		}
		if best == nil || r.Created.After(best.Created) {
			best = r
		}
	}
	if best == nil {
		return a, false, err
	}
	return *best, true, nil
}

// activationErrorDetail explains a refused activation in the user's terms.
func activationErrorDetail(spec pim.ActivationSpec, err error) string {
	var pe *pim.PolicyRejectedError
	switch {
	case errors.As(err, &pe):
		return errorDetail(fmt.Sprintf("The PIM policy of group %s rejected the activation: %s.", spec.GroupID, strings.Join(pe.Names(), ", ")),
			rejectionAdvice(pe, activationAdvice), err)
	case clients.IsPermissionDenied(err):
		return errorDetail(fmt.Sprintf("The provider's identity may not activate for group %s.", spec.GroupID),
			"Activation is a call the principal makes for itself: authenticate as the eligible user (for example use_cli) or "+
				"grant the eligible service principal PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup.", err)
	}
	return apiErrorDetail("Open", "PIM Activation", err, "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup")
}

func (r *pimActivationEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, activationPrivateKey)
	resp.Diagnostics.Append(diags...)
	if len(raw) == 0 || resp.Diagnostics.HasError() {
		return
	}
	var p activationPrivate
	if err := json.Unmarshal(raw, &p); err != nil || !p.Deactivate {
		return
	}
	c := r.requireClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cl := groupActivationCloser(c, p)
	if p.Scope != "" {
		cl = roleActivationCloser(c, p)
	}
	closeActivation(ctx, cl, p.RequestID, resp)
}

// groupActivationCloser ends the group activation Open requested.
func groupActivationCloser(c *clients.Client, p activationPrivate) activationCloser {
	return activationCloser{what: "group " + p.GroupID,
		read: func(ctx context.Context) (bool, string, time.Time, error) {
			a, err := pim.ReadActivation(ctx, c, p.RequestID)
			return a.IsProvisioned(), a.Status, a.End, err
		},
		deactivate: func(ctx context.Context) (bool, error) {
			_, err := pim.SelfDeactivate(ctx, c, p.GroupID, pim.AccessID(p.AccessID))
			var tooNew *pim.ActivationTooNewError
			if errors.Is(err, pim.ErrNotActive) {
				return false, nil
			}
			return errors.As(err, &tooNew), err
		},
	}
}

// activationCloser ends one kind of activation (a group's, or a role's at a scope) for Close.
type activationCloser struct {
	what string
	// read reports whether the activation is provisioned, its status and its end.
	read func(ctx context.Context) (provisioned bool, status string, end time.Time, err error)
	// deactivate ends it; tooNew when PIM refuses within the first minutes; nil when there is none.
	deactivate func(ctx context.Context) (tooNew bool, err error)
}

// closeActivation ends the activation Open requested when it is active, and says why it could not.
func closeActivation(ctx context.Context, cl activationCloser, requestID string, resp *ephemeral.CloseResponse) {
	provisioned, status, end, err := cl.read(ctx)
	if err != nil {
		resp.Diagnostics.AddWarning("PIM Activation Left Active",
			fmt.Sprintf("Could not read activation request %s to end it; it ends by itself at its end time.\n\nOriginal Error: %s", requestID, originalError(err)))
		return
	}
	if !provisioned {
		// Pending approval (or already over): nothing to end; an approver may still approve it.
		tflog.Info(ctx, "PIM activation not active at close; left as is", map[string]any{"request_id": requestID, "status": status})
		return
	}
	tooNew, err := cl.deactivate(ctx)
	switch {
	case err == nil:
		tflog.Info(ctx, "PIM activation ended", map[string]any{"of": cl.what, "request_id": requestID})
	case tooNew:
		until := "its end time"
		if !end.IsZero() {
			until = end.UTC().Format(time.RFC3339)
		}
		resp.Diagnostics.AddWarning("PIM Activation Left Active Until It Expires",
			fmt.Sprintf("PIM does not let an activation end within its first five minutes, so the activation of %s "+
				"(request %s) stays active until %s.", cl.what, requestID, until))
	default:
		resp.Diagnostics.AddWarning("PIM Activation Left Active",
			fmt.Sprintf("Ending the activation of %s failed; it ends by itself at its end time.\n\nOriginal Error: %s", cl.what, originalError(err)))
	}
}
