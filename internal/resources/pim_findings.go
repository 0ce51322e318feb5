package resources

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// The words users read about PIM policies and schedules. internal/pim reports findings and rejections
// in its own terms (check, rule, setting, value, limits); this file names the attribute that holds each
// setting and says what is wrong and what to do, in diag.go's style.

// addFindings adds each finding about a group's policy or schedules as a diagnostic on the attribute
// attrOf names (the resource as a whole when it names none).
func addFindings(diags *diag.Diagnostics, findings []pim.Finding, attrOf func(pim.Finding) path.Path) {
	addFindingsAbout(diags, findings, attrOf, groupFindingWords)
}

// addFindingsAbout is addFindings in the words w of what the policy governs.
func addFindingsAbout(diags *diag.Diagnostics, findings []pim.Finding, attrOf func(pim.Finding) path.Path, w findingWords) {
	for _, f := range findings {
		p := attrOf(f)
		summary, detail := w.text(f, p)
		switch {
		case f.Warning && len(p.Steps()) == 0:
			diags.AddWarning(summary, detail)
		case f.Warning:
			diags.AddAttributeWarning(p, summary, detail)
		case len(p.Steps()) == 0:
			diags.AddError(summary, detail)
		default:
			diags.AddAttributeError(p, summary, detail)
		}
	}
}

// attrPath turns "a.b.c" into a path ("" is the resource as a whole).
func attrPath(dotted string) path.Path {
	p := path.Empty()
	if dotted != "" {
		for _, step := range strings.Split(dotted, ".") {
			p = p.AtName(step)
		}
	}
	return p
}

// policyRuleAttribute is the attribute block of aks_pim_approval_policy each rule's settings live in.
var policyRuleAttribute = map[pim.RuleID]string{
	pim.RuleExpirationAdminEligibility:             "eligible_assignment",
	pim.RuleExpirationAdminAssignment:              "active_assignment",
	pim.RuleExpirationEndUserAssignment:            "activation",
	pim.RuleEnablementEndUserAssignment:            "activation",
	pim.RuleAuthenticationContextEndUserAssignment: "activation",
	pim.RuleNotificationAdminAdminEligibility:      "notifications.eligible_assignment.admin",
	pim.RuleNotificationRequestorAdminEligibility:  "notifications.eligible_assignment.requestor",
	pim.RuleNotificationApproverAdminEligibility:   "notifications.eligible_assignment.approver",
	pim.RuleNotificationAdminAdminAssignment:       "notifications.active_assignment.admin",
	pim.RuleNotificationRequestorAdminAssignment:   "notifications.active_assignment.requestor",
	pim.RuleNotificationApproverAdminAssignment:    "notifications.active_assignment.approver",
	pim.RuleNotificationAdminEndUserAssignment:     "notifications.activation.admin",
	pim.RuleNotificationRequestorEndUserAssignment: "notifications.activation.requestor",
	pim.RuleNotificationApproverEndUserAssignment:  "notifications.activation.approver",
}

// policySettingAttribute is the attribute holding a setting within its rule's block.
var policySettingAttribute = map[pim.Setting]string{
	pim.SettingMaximumDuration:        "maximum_duration",
	pim.SettingExpirationRequired:     "expiration_required",
	pim.SettingClaimValue:             "require_conditional_access_context",
	pim.SettingNotificationLevel:      "level",
	pim.SettingNotificationRecipients: "additional_recipients",
	pim.SettingApprovalRequired:       "require_approval",
	pim.SettingApprovers:              "approvers",
	pim.SettingApprovalTimeout:        "approval_timeout_days",
}

// policyFindingPath is the attribute of aks_pim_approval_policy holding a finding's setting.
func policyFindingPath(f pim.Finding) path.Path {
	setting := policySettingAttribute[f.Setting]
	if block := policyRuleAttribute[f.Rule]; block != "" && setting != "" {
		return attrPath(block + "." + setting)
	}
	return attrPath(setting)
}

// scheduleFindingPath is the attribute of a schedule resource (aks_pim_eligibility, the PIM role
// schedules) a finding is about: the schedule's fields; approver findings of the group's policy concern
// the eligible principal.
func scheduleFindingPath(f pim.Finding) path.Path {
	switch f.Setting {
	case pim.SettingDuration, pim.SettingStart:
		// A start too early for its duration is fixed on the duration, which counts from the start.
		return path.Root("duration")
	case pim.SettingEnd:
		return path.Root("end_date_time")
	case pim.SettingPermanent:
		return path.Root("permanent")
	case pim.SettingApprovers:
		return path.Root("principal_id")
	case pim.SettingJustification:
		return path.Root("justification")
	}
	return path.Empty()
}

// findingWords are the words findings use for what a policy governs: a group (groupFindingWords) or a
// role at a scope (roleFindingWords).
type findingWords struct {
	policy      string // whose policy: "the group's PIM policy"
	service     string // the API that would refuse: "Graph"
	eligibleFor string // "this group"
	// policyResource is the resource that holds the policy.
	policyResource string
	// schedule is what the schedule checked is, when not an eligibility: "active assignment".
	schedule string
}

// scheduleWords names the schedule findings are about, as a noun and a title.
func (w findingWords) scheduleWords() (noun, title string) {
	if w.schedule == "" {
		return "eligibility", "Eligibility"
	}
	words := strings.Fields(w.schedule)
	for i, s := range words {
		words[i] = upperFirst(s)
	}
	return w.schedule, strings.Join(words, " ")
}

var (
	groupFindingWords = findingWords{policy: "the group's PIM policy", service: "Graph", eligibleFor: "this group",
		policyResource: "aks_pim_approval_policy"}
	roleFindingWords = findingWords{policy: "the role's PIM policy at this scope", service: "ARM", eligibleFor: "this role at this scope",
		policyResource: "aks_pim_role_policy"}
	// groupAssignmentWords are the group's words for its active assignments (aks_pim_assignment).
	groupAssignmentWords = findingWords{policy: "the group's PIM policy", service: "Graph", eligibleFor: "this group",
		policyResource: "aks_pim_approval_policy", schedule: "active assignment"}
)

// scheduleFix is what to do when a schedule (noun: eligibility, active assignment) breaks its policy's
// expiration rule: shorten it, or change the policy through its block (eligible_assignment,
// active_assignment) and wire that into the schedule's policy_{block}.
func (w findingWords) scheduleFix(noun, block string) string {
	return fmt.Sprintf("Shorten the %s, or change %s first: in %s set %s.expiration_required = false or a longer "+
		"%s.maximum_duration (and wire it into this resource's policy_%s so the order is right).", noun, w.policy, w.policyResource, block, block, block)
}

// findingText is the summary and detail of a finding about a group's policy or schedule, on the
// attribute at p.
func findingText(f pim.Finding, p path.Path) (string, string) { return groupFindingWords.text(f, p) }

// text is the summary and detail of a finding about the attribute at p.
func (w findingWords) text(f pim.Finding, p path.Path) (string, string) {
	attr := p.String()
	switch f.Check {
	case pim.CheckApprovalWithoutApprovers:
		return "Approval Required Without Approvers", "require_approval is true but approvers lists no group and no user, so " +
			"nobody could approve an activation (PIM would fall back to directory administrators). Add at least one entry " +
			"to approvers.groups or approvers.users, or set require_approval = false."
	case pim.CheckApproversWithoutApproval:
		return "Approvers Without Approval", "approvers are set but require_approval is false, so activations are granted " +
			"without anyone approving them. Set require_approval = true if the approvers should decide."
	case pim.CheckNotObjectID:
		return "Invalid Approver ID", fmt.Sprintf("approver %q is not an object ID (GUID); use the group's or user's object ID.", f.Value)
	case pim.CheckOutOfRange:
		if f.Setting == pim.SettingApprovalTimeout {
			return "Approval Timeout Out of Range", fmt.Sprintf("%s is %s; it must be between %s and %s days.", attr, f.Value, f.Min, f.Max)
		}
		return durationLabel(f) + " Out of Range", fmt.Sprintf("%s is %s; PIM accepts between %s and %s.", attr, f.Value, f.Min, f.Max)
	case pim.CheckMissing:
		if f.Rule == pim.RuleEnablementAdminAssignment {
			return "Justification Required by Policy", fmt.Sprintf("%s (rule %s) requires a justification for active "+
				"assignments; %s would reject this one with RoleAssignmentRequestPolicyValidationFailed [\"JustificationRule\"]. "+
				"Set justification, or set active_assignment.require_justification = false in %s.", upperFirst(w.policy), f.Rule,
				w.service, w.policyResource)
		}
		if f.Rule == pim.RuleExpirationEndUserAssignment {
			return "Activation Maximum Duration Missing", fmt.Sprintf("activations are always time-bound, so %s needs a value such as PT8H.", attr)
		}
		block := policyRuleAttribute[f.Rule]
		return "Maximum Duration Required", fmt.Sprintf("%s.expiration_required is true, so %s must say how long assignments "+
			"may last (for example P180D); %s rejects the policy otherwise (\"The policy is invalid\").", block, attr, w.service)
	case pim.CheckShorterThanTokens:
		return "Activation Shorter Than Token Lifetime", fmt.Sprintf("%s is %s, under one hour. Access tokens live 60 to 90 "+
			"minutes and cannot be revoked, so kubectl and kubelogin keep the elevated access for that long after the "+
			"activation ends. Use at least %s unless the shorter window is only a formality.", attr, f.Value, f.Min)
	case pim.CheckConflictsWithMFA:
		return "Conditional Access Context Conflicts With MFA", "PIM does not accept require_mfa together with a Conditional " +
			"Access authentication context on activation: the context's Conditional Access policy is where MFA is required. " +
			"Set activation.require_mfa = false or remove " + attr + "."
	case pim.CheckNotAuthContext:
		return "Invalid Authentication Context", fmt.Sprintf("%q is not an authentication context ID; they are c1 to c99.", f.Value)
	case pim.CheckNotWholeMinutes:
		return "Duration Not in Whole Minutes", fmt.Sprintf("%s is %s; PIM policy durations must be whole minutes (for example "+
			"PT8H, PT90M or P180D), because the seconds would not read back from Microsoft Graph and the policy would show a "+
			"change on every plan.", attr, f.Value)
	case pim.CheckNotOneOf:
		return "Invalid Notification Level", fmt.Sprintf("%q is not one of %s.", f.Value, strings.Join(f.Allowed, ", "))
	case pim.CheckNotEmailAddress:
		return "Invalid E-mail Address", fmt.Sprintf("%q is not an e-mail address.", f.Value)
	case pim.CheckApproverIsGovernedGroup, pim.CheckApproverIsEligible, pim.CheckEligibleInApproverGroup:
		return "Approvers Can Approve Their Own Elevation", selfApprovalText(f, w) + " Whoever activates could then approve " +
			"their own request and others'. That is acceptable in a test, not in production: use a separate approver group " +
			"whose members are not eligible."
	case pim.CheckScheduleForm:
		_, title := w.scheduleWords()
		return "Invalid " + title + " Schedule", "Set exactly one of duration (such as P180D), end_date_time (RFC 3339) or permanent = true."
	case pim.CheckEndBeforeStart:
		_, title := w.scheduleWords()
		return title + " Ends Before It Starts", fmt.Sprintf("end_date_time %s is not after start_date_time %s.", f.Value, f.Min)
	case pim.CheckTooShort:
		noun, title := w.scheduleWords()
		switch f.Setting {
		case pim.SettingEnd:
			return title + " Too Short", fmt.Sprintf("end_date_time %s leaves less than five minutes of %s; PIM "+
				"rejects schedules shorter than five minutes.", f.Value, noun)
		case pim.SettingStart:
			return title + " Too Short", fmt.Sprintf("start_date_time plus duration ends at %s, less than five minutes from "+
				"now; the duration counts from start_date_time.", f.Value)
		}
		return title + " Too Short", fmt.Sprintf("duration %s is under five minutes; PIM rejects schedules shorter than five minutes.", f.Value)
	case pim.CheckPermanentNotAllowed:
		noun, title, block := scheduleNoun(f.Rule)
		return "Permanent " + title + " Not Allowed by Policy", fmt.Sprintf("%s (rule %s) requires %ss "+
			"to expire, within %s; %s would reject a permanent %s with RoleAssignmentRequestPolicyValidationFailed "+
			"[\"ExpirationRule\"]. %s", upperFirst(w.policy), f.Rule, noun, f.Max, w.service, noun, w.scheduleFix(noun, block))
	case pim.CheckExceedsPolicy:
		noun, title, block := scheduleNoun(f.Rule)
		return title + " Longer Than Policy Allows", fmt.Sprintf("The %s would last %s but %s "+
			"(rule %s) allows at most %s; %s would reject it with RoleAssignmentRequestPolicyValidationFailed "+
			"[\"ExpirationRule\"]. %s", noun, f.Value, w.policy, f.Rule, f.Max, w.service, w.scheduleFix(noun, block))
	}
	return "Invalid Configuration", fmt.Sprintf("%s: %s.", attr, f.Error())
}

// durationLabel names the duration a finding is about, for a summary.
func durationLabel(f pim.Finding) string {
	if f.Rule == pim.RuleExpirationEndUserAssignment {
		return "Activation Maximum Duration"
	}
	return "Maximum Duration"
}

// scheduleNoun names the schedules an expiration rule bounds, as a noun, a title and the policy's block.
func scheduleNoun(rule pim.RuleID) (noun, title, block string) {
	if rule == pim.RuleExpirationAdminAssignment {
		return "active assignment", "Active Assignment", "active_assignment"
	}
	return "eligibility", "Eligibility", "eligible_assignment"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func selfApprovalText(f pim.Finding, w findingWords) string {
	id := func(i int) string {
		if i < len(f.IDs) {
			return f.IDs[i]
		}
		return "?"
	}
	switch f.Check {
	case pim.CheckApproverIsGovernedGroup:
		return fmt.Sprintf("The approver group %s is the group this policy governs, so its (activated) members approve activations into it.", id(0))
	case pim.CheckApproverIsEligible:
		return fmt.Sprintf("The approver %s is itself eligible for %s.", id(0), w.eligibleFor)
	}
	return fmt.Sprintf("The eligible principal %s is a member of the approver group %s.", id(1), id(0))
}

// activationAdvice, roleActivationAdvice and eligibilityAdvice say what to change for each check a
// group activation, a role activation or an eligibility request failed; {rule} is the policy rule
// holding the setting.
var (
	activationAdvice = map[string]string{
		pim.FailedExpiration:    "The activation is longer than the policy allows (rule {rule}, activation.maximum_duration): ask for a shorter duration.",
		pim.FailedJustification: "The policy requires a justification to activate (rule {rule}): set justification.",
		pim.FailedTicketing:     "The policy requires ticket information to activate (rule {rule}): set ticket_number and ticket_system.",
		pim.FailedMFA: "The policy requires multi-factor authentication to activate (rule {rule}): sign in with MFA (for example " +
			"az login, then use the Azure CLI credential).",
		pim.FailedEligibility: "The signed-in principal is not eligible for this access to the group, directly or through a group: " +
			"check its aks_pim_eligibility.",
	}
	roleActivationAdvice = map[string]string{
		pim.FailedEligibility: "The principal is not eligible for this role at exactly this scope (aks_pim_role_eligibility, directly " +
			"or through a group).",
		pim.FailedExpiration:    "The duration is longer than the role policy's activation maximum (rule {rule}).",
		pim.FailedJustification: "The role's policy requires a justification to activate (rule {rule}): set justification.",
		pim.FailedTicketing:     "The role's policy requires ticket information to activate (rule {rule}): set ticket_number and ticket_system.",
		pim.FailedMFA:           "The role's policy requires multi-factor authentication to activate (rule {rule}): sign in with MFA (az login) first.",
	}
	eligibilityAdvice = map[string]string{
		pim.FailedExpiration: "The policy requires eligibilities to expire within eligible_assignment.maximum_duration (rule {rule}): " +
			"set a shorter duration or end_date_time, or allow it in the group's aks_pim_approval_policy " +
			"(eligible_assignment.expiration_required = false or a longer maximum_duration) and wire policy_eligible_assignment " +
			"so the check runs at plan time.",
		pim.FailedJustification: "The policy requires a justification for eligibility assignments (rule {rule}): set justification.",
		pim.FailedTicketing:     "The policy requires ticket information (rule {rule}): set ticket_number and ticket_system.",
		pim.FailedMFA: "The policy requires multi-factor authentication (rule {rule}), which an application cannot satisfy; " +
			"change the rule in the portal.",
	}
)

// assignmentAdvice says what to change for each check an active assignment request failed.
var assignmentAdvice = map[string]string{
	pim.FailedExpiration: "The policy requires active assignments to expire within active_assignment.maximum_duration (rule {rule}): " +
		"set a shorter duration or end_date_time, or allow it in the group's aks_pim_approval_policy " +
		"(active_assignment.expiration_required = false or a longer maximum_duration) and wire policy_active_assignment " +
		"so the check runs at plan time.",
	pim.FailedJustification: "The policy requires a justification for active assignments (rule {rule}): set justification.",
	pim.FailedTicketing:     "The policy requires ticket information (rule {rule}): set ticket_number and ticket_system.",
	pim.FailedMFA: "The policy requires multi-factor authentication for active assignments (rule {rule}), which an " +
		"application cannot satisfy: set active_assignment.require_mfa = false in the group's aks_pim_approval_policy.",
}

// rejectionAdvice joins the advice for each failed check of pe.
func rejectionAdvice(pe *pim.PolicyRejectedError, advice map[string]string) string {
	out := make([]string, 0, len(pe.Failed))
	for _, f := range pe.Failed {
		a, ok := advice[f.Name]
		if !ok {
			a = "Check the PIM policy for the rule " + f.Name + "."
		}
		out = append(out, strings.ReplaceAll(a, "{rule}", string(f.Rule)))
	}
	return strings.Join(out, " ")
}
