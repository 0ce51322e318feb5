package resources

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// The attributes of a PIM policy's settings (policySettingsModel), with their defaults (Azure's, from
// pim.DefaultPolicy) and descriptions in the words of what the policy governs.

// policySubject is what a policy governs, in the words of its attributes' descriptions.
type policySubject struct {
	// selfElevation: who elevates themselves when approval is off.
	selfElevation string
	// notApprover: whom approvers must not include.
	notApprover string
	// activationEnd: what the access does when an activation ends (activation.maximum_duration).
	activationEnd string
	// eligibleResource: the resource whose schedules eligible_assignment bounds (its policy_eligible_assignment
	// takes the object); activeResource: which active assignments active_assignment bounds.
	eligibleResource, activeResource string
}

var groupPolicySubject = policySubject{
	selfElevation: "members of an eligible group can elevate themselves",
	notApprover:   "the governed group, or a group the eligible principal belongs to",
	activationEnd: "Under `PT1H` draws a warning: access tokens live 60 to 90 minutes and cannot be revoked, so kubectl keeps " +
		"the access that long anyway.",
	eligibleResource: "aks_pim_eligibility",
	activeResource:   "an administrator makes",
}

// policySettingsAttributes are the attributes of policySettingsModel, described for subject s.
func policySettingsAttributes(s policySubject) map[string]schema.Attribute {
	def := pim.DefaultPolicy()
	empty := setdefault.StaticValue(types.SetValueMust(types.StringType, nil))
	approvers := func(description string) schema.SetAttribute {
		return schema.SetAttribute{MarkdownDescription: description, ElementType: types.StringType, Optional: true, Computed: true, Default: empty,
			Validators: []validator.Set{setvalidator.ValueStringsAre(objectIDValidator())}}
	}
	notification := func(who, what string) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			MarkdownDescription: fmt.Sprintf("E-mail notifications to %s %s.", who, what),
			Optional:            true, Computed: true,
			Default: objectdefault.StaticValue(policyNotificationObject(def.Notifications.Activation.Admin, types.SetNull(types.StringType))),
			Attributes: map[string]schema.Attribute{
				"level": schema.StringAttribute{
					MarkdownDescription: "Which e-mails are sent: `All`, `Critical` (only those needing action) or `None`. Default `All`.",
					Optional:            true, Computed: true, Default: stringdefault.StaticString(pim.NotificationAll),
					Validators: []validator.String{stringvalidator.OneOf(pim.NotificationLevels...)},
				},
				"default_recipients": defaultedBool("Whether the default recipients of this notification receive it. Default `true`.", true),
				"additional_recipients": schema.SetAttribute{
					MarkdownDescription: "Further e-mail addresses that receive it. Default none.",
					ElementType:         types.StringType, Optional: true, Computed: true, Default: empty,
					Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(pimEmailPattern, "must be an e-mail address"))},
				},
			},
		}
	}
	event := func(what string, e pim.NotificationEvent) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			MarkdownDescription: "Notifications " + what + ", by recipient.",
			Optional:            true, Computed: true,
			Default: objectdefault.StaticValue(policyNotificationEventObject(e, nil)),
			Attributes: map[string]schema.Attribute{
				"admin":     notification("administrators", what),
				"requestor": notification("the requestor (or assignee)", what),
				"approver":  notification("approvers", what),
			},
		}
	}
	return map[string]schema.Attribute{
		"require_approval": defaultedBool("Whether activating needs an approver's decision. Default `false`. When `true`, `approvers` must "+
			"name at least one group or user; otherwise "+s.selfElevation+".", def.Approval.Required),
		"approvers": schema.SingleNestedAttribute{
			MarkdownDescription: "Who approves activations. Members (not owners) of an approver group can approve. Do not name " +
				s.notApprover + ": whoever is activated could then approve their own request (the plan warns about it). Default: nobody.",
			Optional: true, Computed: true,
			Default: objectdefault.StaticValue(types.ObjectValueMust(policyApproversTypes, map[string]attr.Value{
				"groups": types.SetValueMust(types.StringType, nil), "users": types.SetValueMust(types.StringType, nil),
			})),
			Attributes: map[string]schema.Attribute{
				"groups": approvers("Object IDs of approver groups."),
				"users":  approvers("Object IDs of approver users."),
			},
		},
		"approver_justification_required": defaultedBool("Whether an approver must justify the decision. Default `true`.", def.Approval.ApproverJustificationRequired),
		"approval_timeout_days": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("Days a request waits for a decision before it expires, %d to %d. Default `%d`.",
				pim.PolicyApprovalTimeoutMin, pim.PolicyApprovalTimeoutMax, pim.DefaultApprovalTimeoutDays),
			Optional: true, Computed: true, Default: int64default.StaticInt64(pim.DefaultApprovalTimeoutDays),
			Validators: []validator.Int64{int64validator.Between(pim.PolicyApprovalTimeoutMin, pim.PolicyApprovalTimeoutMax)},
		},
		"activation": schema.SingleNestedAttribute{
			MarkdownDescription: "What an activation may last and requires.",
			Optional:            true, Computed: true,
			Default: objectdefault.StaticValue(policyActivationObject(def.Activation)),
			Attributes: map[string]schema.Attribute{
				"maximum_duration": defaultedDuration(fmt.Sprintf("Longest activation, an ISO-8601 duration in whole minutes from %s to %s (`PT30M`, `PT4H`, `P1D`). Default `%s`. ",
					pim.PolicyActivationMin, pim.PolicyActivationMax, pim.DefaultActivationMaximum)+s.activationEnd, pim.DefaultActivationMaximum),
				"require_justification": defaultedBool("Whether the requester must justify an activation. Default `true`.", def.Activation.RequireJustification),
				"require_mfa": defaultedBool("Whether activation requires multi-factor authentication. Default `false`. Conflicts with "+
					"`require_conditional_access_context`.", def.Activation.RequireMFA),
				"require_ticket_info": defaultedBool("Whether the requester must give ticket information. Default `false`.", def.Activation.RequireTicketInfo),
				"require_conditional_access_context": optionalStringAttribute("Conditional Access authentication context (`c1` to `c99`) whose "+
					"policy the requester must satisfy. Default none. Conflicts with `require_mfa`: put the MFA requirement in that Conditional Access policy.",
					stringvalidator.RegexMatches(pimAuthContextPattern, "must be an authentication context ID, c1 to c99")),
			},
		},
		"eligible_assignment": schema.SingleNestedAttribute{
			MarkdownDescription: "How long eligibilities (`" + s.eligibleResource + "`) may last. Wire this object into `" +
				s.eligibleResource + ".policy_eligible_assignment` so eligibilities are checked against it at plan time.",
			Optional: true, Computed: true,
			Default: objectdefault.StaticValue(policyEligibleObject(def.EligibleAssignment)),
			Attributes: map[string]schema.Attribute{
				"expiration_required": defaultedBool("Whether eligibilities must expire. Default `true`: permanent eligibilities are rejected.",
					def.EligibleAssignment.ExpirationRequired),
				"maximum_duration": defaultedDuration(fmt.Sprintf("Longest eligibility when expiration is required, an ISO-8601 duration in whole minutes up to %s. Default `%s`.",
					pim.PolicyAssignmentMax, pim.DefaultEligibleMaximum), pim.DefaultEligibleMaximum),
			},
		},
		"active_assignment": schema.SingleNestedAttribute{
			MarkdownDescription: "Rules for active (standing) assignments " + s.activeResource + ". Ticket information is not " +
				"offered here: the API rejects it for this rule.",
			Optional: true, Computed: true,
			Default: objectdefault.StaticValue(policyActiveObject(def.ActiveAssignment)),
			Attributes: map[string]schema.Attribute{
				"expiration_required": defaultedBool("Whether active assignments must expire. Default `true`.", def.ActiveAssignment.ExpirationRequired),
				"maximum_duration": defaultedDuration(fmt.Sprintf("Longest active assignment, an ISO-8601 duration in whole minutes up to %s. Default `%s`.",
					pim.PolicyAssignmentMax, pim.DefaultActiveMaximum), pim.DefaultActiveMaximum),
				"require_justification": defaultedBool("Whether an active assignment needs a justification. Default `true`.", def.ActiveAssignment.RequireJustification),
				"require_mfa":           defaultedBool("Whether an active assignment needs multi-factor authentication. Default `false`.", def.ActiveAssignment.RequireMFA),
			},
		},
		"notifications": schema.SingleNestedAttribute{
			MarkdownDescription: "E-mail notifications per event and recipient type. Defaults: every notification on, level `All`, " +
				"default recipients, no additional recipients.",
			Optional: true, Computed: true,
			Default: objectdefault.StaticValue(policyNotificationsObject(def.Notifications, nil)),
			Attributes: map[string]schema.Attribute{
				"eligible_assignment": event("when a principal is made eligible", def.Notifications.EligibleAssignment),
				"active_assignment":   event("when a principal is assigned actively", def.Notifications.ActiveAssignment),
				"activation":          event("when an eligible principal activates", def.Notifications.Activation),
			},
		},
	}
}
