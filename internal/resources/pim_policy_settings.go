package resources

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// The settings of a PIM policy as Terraform attributes, shared by aks_pim_approval_policy (a group's policy)
// and aks_pim_role_policy (a role's at a scope): the model, and the conversion to and from the domain
// policy: expanding the plan into a pim.Policy, flattening what the service holds back into state with
// the prior spelling kept where it only changes case. The attributes are in pim_policy_settings_schema.go.

// policySettingsModel is what a PIM policy says, the same for a group's policy (aks_pim_approval_policy)
// and a role's at a scope (aks_pim_role_policy): both carry the same 17 rules (pim.Rules).
type policySettingsModel struct {
	RequireApproval               types.Bool   `tfsdk:"require_approval"`
	Approvers                     types.Object `tfsdk:"approvers"`
	ApproverJustificationRequired types.Bool   `tfsdk:"approver_justification_required"`
	ApprovalTimeoutDays           types.Int64  `tfsdk:"approval_timeout_days"`
	Activation                    types.Object `tfsdk:"activation"`
	EligibleAssignment            types.Object `tfsdk:"eligible_assignment"`
	ActiveAssignment              types.Object `tfsdk:"active_assignment"`
	Notifications                 types.Object `tfsdk:"notifications"`
}

type policyApproversModel struct {
	Groups types.Set `tfsdk:"groups"`
	Users  types.Set `tfsdk:"users"`
}

type policyActivationModel struct {
	MaximumDuration                 pimDurationValue `tfsdk:"maximum_duration"`
	RequireJustification            types.Bool       `tfsdk:"require_justification"`
	RequireMFA                      types.Bool       `tfsdk:"require_mfa"`
	RequireTicketInfo               types.Bool       `tfsdk:"require_ticket_info"`
	RequireConditionalAccessContext types.String     `tfsdk:"require_conditional_access_context"`
}

type policyEligibleModel struct {
	ExpirationRequired types.Bool       `tfsdk:"expiration_required"`
	MaximumDuration    pimDurationValue `tfsdk:"maximum_duration"`
}

type policyActiveModel struct {
	ExpirationRequired   types.Bool       `tfsdk:"expiration_required"`
	MaximumDuration      pimDurationValue `tfsdk:"maximum_duration"`
	RequireJustification types.Bool       `tfsdk:"require_justification"`
	RequireMFA           types.Bool       `tfsdk:"require_mfa"`
}

type policyNotificationsModel struct {
	EligibleAssignment types.Object `tfsdk:"eligible_assignment"`
	ActiveAssignment   types.Object `tfsdk:"active_assignment"`
	Activation         types.Object `tfsdk:"activation"`
}

type policyNotificationEventModel struct {
	Admin     types.Object `tfsdk:"admin"`
	Requestor types.Object `tfsdk:"requestor"`
	Approver  types.Object `tfsdk:"approver"`
}

type policyNotificationModel struct {
	Level                types.String `tfsdk:"level"`
	DefaultRecipients    types.Bool   `tfsdk:"default_recipients"`
	AdditionalRecipients types.Set    `tfsdk:"additional_recipients"`
}

var (
	policyApproversTypes  = map[string]attr.Type{"groups": types.SetType{ElemType: types.StringType}, "users": types.SetType{ElemType: types.StringType}}
	policyActivationTypes = map[string]attr.Type{
		"maximum_duration": pimDurationType{}, "require_justification": types.BoolType, "require_mfa": types.BoolType,
		"require_ticket_info": types.BoolType, "require_conditional_access_context": types.StringType,
	}
	// policyEligibleTypes is also the type of aks_pim_eligibility's policy_eligible_assignment, so the
	// policy's eligible_assignment can be assigned to it as is.
	policyEligibleTypes = map[string]attr.Type{"expiration_required": types.BoolType, "maximum_duration": pimDurationType{}}
	policyActiveTypes   = map[string]attr.Type{
		"expiration_required": types.BoolType, "maximum_duration": pimDurationType{}, "require_justification": types.BoolType, "require_mfa": types.BoolType,
	}
	policyNotificationTypes = map[string]attr.Type{
		"level": types.StringType, "default_recipients": types.BoolType, "additional_recipients": types.SetType{ElemType: types.StringType},
	}
	policyNotificationEventTypes = map[string]attr.Type{
		"admin": types.ObjectType{AttrTypes: policyNotificationTypes}, "requestor": types.ObjectType{AttrTypes: policyNotificationTypes},
		"approver": types.ObjectType{AttrTypes: policyNotificationTypes},
	}
	policyNotificationsTypes = map[string]attr.Type{
		"eligible_assignment": types.ObjectType{AttrTypes: policyNotificationEventTypes},
		"active_assignment":   types.ObjectType{AttrTypes: policyNotificationEventTypes},
		"activation":          types.ObjectType{AttrTypes: policyNotificationEventTypes},
	}
)

// policySetValue builds a set of IDs or e-mail addresses, spelled as in prior (an earlier plan or state)
// where they match case-insensitively: Graph echoes them in lower case.
func policySetValue(values []string, prior types.Set) types.Set {
	var priorElems []string
	if !prior.IsNull() && !prior.IsUnknown() {
		for _, e := range prior.Elements() {
			if s, ok := e.(types.String); ok {
				priorElems = append(priorElems, s.ValueString())
			}
		}
	}
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		spelled := v
		for _, p := range priorElems {
			if strings.EqualFold(p, v) {
				spelled = p
			}
		}
		elems = append(elems, types.StringValue(spelled))
	}
	return types.SetValueMust(types.StringType, elems)
}

func policyNotificationObject(n pim.Notification, prior types.Set) types.Object {
	return types.ObjectValueMust(policyNotificationTypes, map[string]attr.Value{
		"level":                 types.StringValue(n.Level),
		"default_recipients":    types.BoolValue(n.DefaultRecipients),
		"additional_recipients": policySetValue(n.AdditionalRecipients, prior),
	})
}

func policyNotificationEventObject(e pim.NotificationEvent, prior map[string]types.Set) types.Object {
	return types.ObjectValueMust(policyNotificationEventTypes, map[string]attr.Value{
		"admin":     policyNotificationObject(e.Admin, prior["admin"]),
		"requestor": policyNotificationObject(e.Requestor, prior["requestor"]),
		"approver":  policyNotificationObject(e.Approver, prior["approver"]),
	})
}

func policyNotificationsObject(n pim.Notifications, prior map[string]map[string]types.Set) types.Object {
	return types.ObjectValueMust(policyNotificationsTypes, map[string]attr.Value{
		"eligible_assignment": policyNotificationEventObject(n.EligibleAssignment, prior["eligible_assignment"]),
		"active_assignment":   policyNotificationEventObject(n.ActiveAssignment, prior["active_assignment"]),
		"activation":          policyNotificationEventObject(n.Activation, prior["activation"]),
	})
}

func policyActivationObject(a pim.ActivationRules) types.Object {
	ca := types.StringNull()
	if a.ConditionalAccessContext != "" {
		ca = types.StringValue(a.ConditionalAccessContext)
	}
	return types.ObjectValueMust(policyActivationTypes, map[string]attr.Value{
		"maximum_duration":                   newPIMDuration(a.MaximumDuration),
		"require_justification":              types.BoolValue(a.RequireJustification),
		"require_mfa":                        types.BoolValue(a.RequireMFA),
		"require_ticket_info":                types.BoolValue(a.RequireTicketInfo),
		"require_conditional_access_context": ca,
	})
}

func policyEligibleObject(e pim.Expiry) types.Object {
	return types.ObjectValueMust(policyEligibleTypes, map[string]attr.Value{
		"expiration_required": types.BoolValue(e.ExpirationRequired),
		"maximum_duration":    newPIMDuration(e.MaximumDuration),
	})
}

func policyActiveObject(a pim.ActiveAssignmentRules) types.Object {
	return types.ObjectValueMust(policyActiveTypes, map[string]attr.Value{
		"expiration_required":   types.BoolValue(a.ExpirationRequired),
		"maximum_duration":      newPIMDuration(a.MaximumDuration),
		"require_justification": types.BoolValue(a.RequireJustification),
		"require_mfa":           types.BoolValue(a.RequireMFA),
	})
}

// policyStrings returns the elements of a known set; known is false when the set or an element is
// unknown (a value from a resource not yet created).
func policyStrings(s types.Set) (out []string, known bool) {
	if s.IsUnknown() {
		return nil, false
	}
	if s.IsNull() {
		return nil, true
	}
	for _, e := range s.Elements() {
		v, ok := e.(types.String)
		if !ok || v.IsUnknown() {
			return nil, false
		}
		out = append(out, v.ValueString())
	}
	return out, true
}

// policyExpand turns the model into the domain policy. known is false when some value is not known yet
// (plan time with references to resources not yet created); checks that need the whole policy skip then.
// Null values (never the case after defaults are applied) take Azure's defaults.
func policyExpand(ctx context.Context, m policySettingsModel) (p pim.Policy, known bool, diags diag.Diagnostics) {
	p = pim.DefaultPolicy()
	known = true
	boolOf := func(v types.Bool, into *bool) {
		switch {
		case v.IsUnknown():
			known = false
		case !v.IsNull():
			*into = v.ValueBool()
		}
	}
	durOf := func(v pimDurationValue, into *pim.Duration) {
		switch {
		case v.IsUnknown():
			known = false
		case !v.IsNull():
			*into = v.Duration()
		}
	}
	objOf := func(o types.Object, target any) bool {
		if o.IsUnknown() {
			known = false
			return false
		}
		if o.IsNull() {
			return false
		}
		diags.Append(o.As(ctx, target, basetypes.ObjectAsOptions{})...)
		return !diags.HasError()
	}

	boolOf(m.RequireApproval, &p.Approval.Required)
	boolOf(m.ApproverJustificationRequired, &p.Approval.ApproverJustificationRequired)
	switch {
	case m.ApprovalTimeoutDays.IsUnknown():
		known = false
	case !m.ApprovalTimeoutDays.IsNull():
		p.Approval.TimeoutDays = int32(m.ApprovalTimeoutDays.ValueInt64())
	}
	var ap policyApproversModel
	if objOf(m.Approvers, &ap) {
		var ok bool
		if p.Approval.ApproverGroups, ok = policyStrings(ap.Groups); !ok {
			known = false
		}
		if p.Approval.ApproverUsers, ok = policyStrings(ap.Users); !ok {
			known = false
		}
	}
	var act policyActivationModel
	if objOf(m.Activation, &act) {
		durOf(act.MaximumDuration, &p.Activation.MaximumDuration)
		boolOf(act.RequireJustification, &p.Activation.RequireJustification)
		boolOf(act.RequireMFA, &p.Activation.RequireMFA)
		boolOf(act.RequireTicketInfo, &p.Activation.RequireTicketInfo)
		if act.RequireConditionalAccessContext.IsUnknown() {
			known = false
		}
		p.Activation.ConditionalAccessContext = act.RequireConditionalAccessContext.ValueString()
	}
	var el policyEligibleModel
	if objOf(m.EligibleAssignment, &el) {
		boolOf(el.ExpirationRequired, &p.EligibleAssignment.ExpirationRequired)
		durOf(el.MaximumDuration, &p.EligibleAssignment.MaximumDuration)
	}
	var ac policyActiveModel
	if objOf(m.ActiveAssignment, &ac) {
		boolOf(ac.ExpirationRequired, &p.ActiveAssignment.ExpirationRequired)
		durOf(ac.MaximumDuration, &p.ActiveAssignment.MaximumDuration)
		boolOf(ac.RequireJustification, &p.ActiveAssignment.RequireJustification)
		boolOf(ac.RequireMFA, &p.ActiveAssignment.RequireMFA)
	}
	var ns policyNotificationsModel
	if objOf(m.Notifications, &ns) {
		for _, ev := range []struct {
			o    types.Object
			into *pim.NotificationEvent
		}{{ns.EligibleAssignment, &p.Notifications.EligibleAssignment}, {ns.ActiveAssignment, &p.Notifications.ActiveAssignment}, {ns.Activation, &p.Notifications.Activation}} {
			var em policyNotificationEventModel
			if !objOf(ev.o, &em) {
				continue
			}
			for _, rc := range []struct {
				o    types.Object
				into *pim.Notification
			}{{em.Admin, &ev.into.Admin}, {em.Requestor, &ev.into.Requestor}, {em.Approver, &ev.into.Approver}} {
				var nm policyNotificationModel
				if !objOf(rc.o, &nm) {
					continue
				}
				switch {
				case nm.Level.IsUnknown():
					known = false
				case !nm.Level.IsNull():
					rc.into.Level = nm.Level.ValueString()
				}
				boolOf(nm.DefaultRecipients, &rc.into.DefaultRecipients)
				var ok bool
				if rc.into.AdditionalRecipients, ok = policyStrings(nm.AdditionalRecipients); !ok {
					known = false
				}
			}
		}
	}
	return p, known, diags
}

// policyPriorOf collects the sets of a plan or state so flatten can keep their spelling.
func policyPriorOf(ctx context.Context, m policySettingsModel) (approvers policyApproversModel, notif map[string]map[string]types.Set) {
	notif = map[string]map[string]types.Set{}
	if !m.Approvers.IsNull() && !m.Approvers.IsUnknown() {
		_ = m.Approvers.As(ctx, &approvers, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})
	}
	if m.Notifications.IsNull() || m.Notifications.IsUnknown() {
		return approvers, notif
	}
	var ns policyNotificationsModel
	if m.Notifications.As(ctx, &ns, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true}).HasError() {
		return approvers, notif
	}
	for name, o := range map[string]types.Object{"eligible_assignment": ns.EligibleAssignment, "active_assignment": ns.ActiveAssignment, "activation": ns.Activation} {
		var em policyNotificationEventModel
		if o.IsNull() || o.IsUnknown() || o.As(ctx, &em, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true}).HasError() {
			continue
		}
		notif[name] = map[string]types.Set{}
		for rname, ro := range map[string]types.Object{"admin": em.Admin, "requestor": em.Requestor, "approver": em.Approver} {
			var nm policyNotificationModel
			if ro.IsNull() || ro.IsUnknown() || ro.As(ctx, &nm, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true}).HasError() {
				continue
			}
			notif[name][rname] = nm.AdditionalRecipients
		}
	}
	return approvers, notif
}

// policyFlatten writes the policy Graph has into m, keeping prior's spelling of equal IDs, addresses and
// durations (prior is the plan after a write, the state on refresh).
func policyFlatten(ctx context.Context, p pim.Policy, prior policySettingsModel, m *policySettingsModel) {
	approvers, notif := policyPriorOf(ctx, prior)
	m.RequireApproval = types.BoolValue(p.Approval.Required)
	m.Approvers = types.ObjectValueMust(policyApproversTypes, map[string]attr.Value{
		"groups": policySetValue(p.Approval.ApproverGroups, approvers.Groups),
		"users":  policySetValue(p.Approval.ApproverUsers, approvers.Users),
	})
	m.ApproverJustificationRequired = types.BoolValue(p.Approval.ApproverJustificationRequired)
	m.ApprovalTimeoutDays = types.Int64Value(int64(p.Approval.TimeoutDays))
	m.Activation = policyActivationObject(p.Activation)
	m.EligibleAssignment = policyEligibleObject(p.EligibleAssignment)
	m.ActiveAssignment = policyActiveObject(p.ActiveAssignment)
	m.Notifications = policyNotificationsObject(p.Notifications, notif)
}

// wiredExpiry reads the expiration rule of a wired policy object (eligible_assignment or
// active_assignment of a policy resource), as a schedule resource has it wired in; ok is false while its values are not known.
func wiredExpiry(o types.Object) (pim.Expiry, bool) {
	if o.IsNull() || o.IsUnknown() {
		return pim.Expiry{}, false
	}
	a := o.Attributes()
	required, ok1 := a["expiration_required"].(types.Bool)
	maximum, ok2 := a["maximum_duration"].(pimDurationValue)
	if !ok1 || !ok2 || required.IsUnknown() || maximum.IsUnknown() {
		return pim.Expiry{}, false
	}
	return pim.Expiry{ExpirationRequired: required.ValueBool(), MaximumDuration: maximum.Duration()}, true
}
