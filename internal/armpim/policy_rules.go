package armpim

import (
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// The ARM mapping of pim's rule model: a role's policy at a scope has the same 17 rules as a group's,
// with ARM's shapes (ruleType instead of @odata.type, approvers as UserSet{id, userType}). What the rules
// mean, their defaults and their comparison are package pim's.

var ruleTypeOf = map[pim.RuleKind]armauthorization.RoleManagementPolicyRuleType{
	pim.RuleKindExpiration:            armauthorization.RoleManagementPolicyRuleTypeRoleManagementPolicyExpirationRule,
	pim.RuleKindEnablement:            armauthorization.RoleManagementPolicyRuleTypeRoleManagementPolicyEnablementRule,
	pim.RuleKindNotification:          armauthorization.RoleManagementPolicyRuleTypeRoleManagementPolicyNotificationRule,
	pim.RuleKindApproval:              armauthorization.RoleManagementPolicyRuleTypeRoleManagementPolicyApprovalRule,
	pim.RuleKindAuthenticationContext: armauthorization.RoleManagementPolicyRuleTypeRoleManagementPolicyAuthenticationContextRule,
}

// RulesFromARM maps a policy's rules (any order) into pim.Rules; every one of the 17 must be there with
// its own type.
func RulesFromARM(in []armauthorization.RoleManagementPolicyRuleClassification) (pim.Rules, error) {
	var specs []pim.RuleSpec
	for _, m := range in {
		if m == nil {
			continue
		}
		base := m.GetRoleManagementPolicyRule()
		id, ok := pim.RuleIDFromString(val(base.ID))
		if !ok {
			continue // a rule outside the catalogue is not ours to manage
		}
		s, err := specFromARM(id, m)
		if err != nil {
			return pim.Rules{}, err
		}
		specs = append(specs, s)
	}
	return pim.NewRules(specs)
}

func specFromARM(id pim.RuleID, m armauthorization.RoleManagementPolicyRuleClassification) (pim.RuleSpec, error) {
	kind, _ := id.Kind()
	s := pim.RuleSpec{ID: id, Kind: kind}
	wrong := fmt.Errorf("policy rule %s: ARM answered a %T, not a %s", id, m, ruleTypeOf[kind])
	switch r := m.(type) {
	case *armauthorization.RoleManagementPolicyExpirationRule:
		if kind != pim.RuleKindExpiration {
			return s, wrong
		}
		s.ExpirationRequired = val(r.IsExpirationRequired)
		if d := val(r.MaximumDuration); d != "" {
			var err error
			if s.MaximumDuration, err = pim.ParseDuration(d); err != nil {
				return s, fmt.Errorf("policy rule %s: maximumDuration %q: %w", id, d, err)
			}
		}
	case *armauthorization.RoleManagementPolicyEnablementRule:
		if kind != pim.RuleKindEnablement {
			return s, wrong
		}
		for _, e := range r.EnabledRules {
			s.EnabledRules = append(s.EnabledRules, string(val(e)))
		}
	case *armauthorization.RoleManagementPolicyNotificationRule:
		if kind != pim.RuleKindNotification {
			return s, wrong
		}
		s.NotificationLevel, s.DefaultRecipients = string(val(r.NotificationLevel)), val(r.IsDefaultRecipientsEnabled)
		for _, rc := range r.NotificationRecipients {
			s.Recipients = append(s.Recipients, val(rc))
		}
	case *armauthorization.RoleManagementPolicyAuthenticationContextRule:
		if kind != pim.RuleKindAuthenticationContext {
			return s, wrong
		}
		s.AuthContextEnabled, s.ClaimValue = val(r.IsEnabled), val(r.ClaimValue)
	case *armauthorization.RoleManagementPolicyApprovalRule:
		if kind != pim.RuleKindApproval {
			return s, wrong
		}
		s.Approval = approvalFromARM(r.Setting)
	default:
		return s, wrong
	}
	return s, nil
}

func approvalFromARM(set *armauthorization.ApprovalSettings) pim.ApprovalSpec {
	var a pim.ApprovalSpec
	if set == nil {
		return a
	}
	a.Required, a.RequiredForExtension = val(set.IsApprovalRequired), val(set.IsApprovalRequiredForExtension)
	a.RequestorJustificationRequired, a.Mode, a.Stages = val(set.IsRequestorJustificationRequired), string(val(set.ApprovalMode)), len(set.ApprovalStages)
	if len(set.ApprovalStages) == 0 || set.ApprovalStages[0] == nil {
		return a
	}
	st := set.ApprovalStages[0]
	a.TimeoutDays, a.ApproverJustificationRequired = val(st.ApprovalStageTimeOutInDays), val(st.IsApproverJustificationRequired)
	a.EscalationEnabled, a.EscalationMinutes = val(st.IsEscalationEnabled), val(st.EscalationTimeInMinutes)
	for _, u := range st.PrimaryApprovers {
		if u == nil {
			continue
		}
		if strings.EqualFold(string(val(u.UserType)), string(armauthorization.UserTypeGroup)) {
			a.ApproverGroups = append(a.ApproverGroups, val(u.ID))
		} else {
			a.ApproverUsers = append(a.ApproverUsers, val(u.ID))
		}
	}
	for _, u := range st.EscalationApprovers {
		if u != nil {
			a.EscalationApprovers = append(a.EscalationApprovers, val(u.ID))
		}
	}
	return a
}

// RuleToARM builds the full body of one rule as p implies it: ID, type, target and every setting, so a
// PATCH never leaves a rule half-written.
func RuleToARM(p pim.Policy, id pim.RuleID) (armauthorization.RoleManagementPolicyRuleClassification, error) {
	s, ok := pim.RuleSpecOf(p, id)
	if !ok {
		return nil, fmt.Errorf("unknown policy rule %q", id)
	}
	caller, level, recipient := id.Target()
	target := &armauthorization.RoleManagementPolicyRuleTarget{Caller: to.Ptr(caller), Level: to.Ptr(level), Operations: []*string{to.Ptr("All")}}
	rid, typ := to.Ptr(string(id)), to.Ptr(ruleTypeOf[s.Kind])
	switch s.Kind {
	case pim.RuleKindExpiration:
		r := &armauthorization.RoleManagementPolicyExpirationRule{ID: rid, RuleType: typ, Target: target, IsExpirationRequired: to.Ptr(s.ExpirationRequired)}
		if !s.MaximumDuration.IsZero() {
			r.MaximumDuration = to.Ptr(s.MaximumDuration.String())
		}
		return r, nil
	case pim.RuleKindEnablement:
		r := &armauthorization.RoleManagementPolicyEnablementRule{ID: rid, RuleType: typ, Target: target, EnabledRules: []*armauthorization.EnablementRules{}}
		for _, e := range s.EnabledRules {
			r.EnabledRules = append(r.EnabledRules, to.Ptr(armauthorization.EnablementRules(e)))
		}
		return r, nil
	case pim.RuleKindNotification:
		r := &armauthorization.RoleManagementPolicyNotificationRule{ID: rid, RuleType: typ, Target: target,
			NotificationType: to.Ptr(armauthorization.NotificationDeliveryMechanismEmail), RecipientType: to.Ptr(armauthorization.RecipientType(recipient)),
			NotificationLevel: to.Ptr(armauthorization.NotificationLevel(s.NotificationLevel)), IsDefaultRecipientsEnabled: to.Ptr(s.DefaultRecipients),
			NotificationRecipients: []*string{}}
		for _, rc := range s.Recipients {
			r.NotificationRecipients = append(r.NotificationRecipients, to.Ptr(rc))
		}
		return r, nil
	case pim.RuleKindAuthenticationContext:
		return &armauthorization.RoleManagementPolicyAuthenticationContextRule{ID: rid, RuleType: typ, Target: target,
			IsEnabled: to.Ptr(s.AuthContextEnabled), ClaimValue: optional(s.ClaimValue)}, nil
	default:
		return &armauthorization.RoleManagementPolicyApprovalRule{ID: rid, RuleType: typ, Target: target, Setting: approvalToARM(s.Approval)}, nil
	}
}

func approvalToARM(a pim.ApprovalSpec) *armauthorization.ApprovalSettings {
	mode := a.Mode
	if mode == "" {
		mode = string(armauthorization.ApprovalModeSingleStage)
	}
	stage := &armauthorization.ApprovalStage{ApprovalStageTimeOutInDays: to.Ptr(a.TimeoutDays), IsApproverJustificationRequired: to.Ptr(a.ApproverJustificationRequired),
		IsEscalationEnabled: to.Ptr(a.EscalationEnabled), EscalationTimeInMinutes: to.Ptr(a.EscalationMinutes),
		PrimaryApprovers: []*armauthorization.UserSet{}, EscalationApprovers: []*armauthorization.UserSet{}}
	for _, u := range a.ApproverUsers {
		stage.PrimaryApprovers = append(stage.PrimaryApprovers, &armauthorization.UserSet{ID: to.Ptr(u), UserType: to.Ptr(armauthorization.UserTypeUser), IsBackup: to.Ptr(false)})
	}
	for _, g := range a.ApproverGroups {
		stage.PrimaryApprovers = append(stage.PrimaryApprovers, &armauthorization.UserSet{ID: to.Ptr(g), UserType: to.Ptr(armauthorization.UserTypeGroup), IsBackup: to.Ptr(false)})
	}
	return &armauthorization.ApprovalSettings{IsApprovalRequired: to.Ptr(a.Required), IsApprovalRequiredForExtension: to.Ptr(a.RequiredForExtension),
		IsRequestorJustificationRequired: to.Ptr(a.RequestorJustificationRequired), ApprovalMode: to.Ptr(armauthorization.ApprovalMode(mode)),
		ApprovalStages: []*armauthorization.ApprovalStage{stage}}
}
