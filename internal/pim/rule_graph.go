package pim

import (
	"fmt"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// The @odata.type of each rule kind; Graph needs it to pick the derived type, a rule without it
// deserialises as the abstract base and loses every field.
var ruleODataType = map[RuleKind]string{
	RuleKindExpiration:            "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
	RuleKindEnablement:            "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
	RuleKindNotification:          "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
	RuleKindApproval:              "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
	RuleKindAuthenticationContext: "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
}

// ensure the SDK's rule interface is what we think it is at compile time.
var _ models.UnifiedRoleManagementPolicyRuleable = (*models.UnifiedRoleManagementPolicyExpirationRule)(nil)

// RulesFromGraph maps Graph's rule models (a policy's rules, any order) into Rules. Every one of the 17 rules
// must be present with its concrete type; anything else is an error, because guessing would mean writing a
// rule we did not read.
func RulesFromGraph(in []models.UnifiedRoleManagementPolicyRuleable) (Rules, error) {
	specs := make([]RuleSpec, 0, len(in))
	for _, m := range in {
		if m == nil || m.GetId() == nil {
			continue
		}
		d, ok := ruleDefOf(RuleID(*m.GetId()))
		if !ok {
			// Rules outside the catalogue (directory-role rules, future additions) are not ours to manage.
			continue
		}
		s, err := specFromModel(d, m)
		if err != nil {
			return Rules{}, err
		}
		specs = append(specs, s)
	}
	return NewRules(specs)
}

// RuleModel builds the full PATCH body of one rule as p implies it: @odata.type, id, target and every
// setting of the rule, so a PATCH never leaves a rule half-written.
func RuleModel(p Policy, id RuleID) (models.UnifiedRoleManagementPolicyRuleable, error) {
	d, ok := ruleDefOf(id)
	if !ok {
		return nil, fmt.Errorf("unknown policy rule %q", id)
	}
	return modelOf(specOf(p, d), d), nil
}

// RuleModels builds all 17 rules of p in Graph's order.
func RuleModels(p Policy) []models.UnifiedRoleManagementPolicyRuleable {
	out := make([]models.UnifiedRoleManagementPolicyRuleable, 0, len(ruleCatalog))
	for _, d := range ruleCatalog {
		out = append(out, modelOf(specOf(p, d), d))
	}
	return out
}

func ruleTarget(d ruleDef) models.UnifiedRoleManagementPolicyRuleTargetable {
	t := models.NewUnifiedRoleManagementPolicyRuleTarget()
	caller, level := d.scope.caller(), d.scope.level()
	t.SetCaller(&caller)
	t.SetLevel(&level)
	t.SetOperations([]models.UnifiedRoleManagementPolicyRuleTargetOperations{models.ALL_UNIFIEDROLEMANAGEMENTPOLICYRULETARGETOPERATIONS})
	t.SetInheritableSettings([]string{})
	t.SetEnforcedSettings([]string{})
	return t
}

// modelOf builds the SDK model of a rule. Durations go out as plain strings in the model's additional
// data: kiota's ISODuration writer turns P365D into P52W1D (see TestKiotaISODurationIsLossy).
func modelOf(s RuleSpec, d ruleDef) models.UnifiedRoleManagementPolicyRuleable {
	id := string(d.id)
	var rule models.UnifiedRoleManagementPolicyRuleable
	switch d.kind {
	case RuleKindExpiration:
		r := models.NewUnifiedRoleManagementPolicyExpirationRule()
		required := s.ExpirationRequired
		r.SetIsExpirationRequired(&required)
		if !s.MaximumDuration.IsZero() {
			r.SetAdditionalData(map[string]any{"maximumDuration": ptr(s.MaximumDuration.String())})
		}
		rule = r
	case RuleKindEnablement:
		r := models.NewUnifiedRoleManagementPolicyEnablementRule()
		enabled := []string{}
		for _, v := range []string{EnableJustification, EnableMFA, EnableTicketing} {
			for _, e := range s.EnabledRules {
				if e == v {
					enabled = append(enabled, v)
				}
			}
		}
		r.SetEnabledRules(enabled)
		rule = r
	case RuleKindNotification:
		r := models.NewUnifiedRoleManagementPolicyNotificationRule()
		r.SetNotificationType(ptr("Email"))
		r.SetRecipientType(ptr(d.recipient))
		r.SetNotificationLevel(ptr(s.NotificationLevel))
		def := s.DefaultRecipients
		r.SetIsDefaultRecipientsEnabled(&def)
		recipients := append([]string{}, s.Recipients...)
		r.SetNotificationRecipients(recipients)
		rule = r
	case RuleKindApproval:
		r := models.NewUnifiedRoleManagementPolicyApprovalRule()
		a := s.Approval
		settings := models.NewApprovalSettings()
		settings.SetIsApprovalRequired(ptr(a.Required))
		settings.SetIsApprovalRequiredForExtension(ptr(a.RequiredForExtension))
		settings.SetIsRequestorJustificationRequired(ptr(a.RequestorJustificationRequired))
		settings.SetApprovalMode(ptr(approvalModeSingleStage))
		stage := models.NewUnifiedApprovalStage()
		timeout, escalation := a.TimeoutDays, a.EscalationMinutes
		stage.SetApprovalStageTimeOutInDays(&timeout)
		stage.SetIsApproverJustificationRequired(ptr(a.ApproverJustificationRequired))
		stage.SetEscalationTimeInMinutes(&escalation)
		stage.SetIsEscalationEnabled(ptr(a.EscalationEnabled))
		approvers := []models.SubjectSetable{}
		for _, u := range a.ApproverUsers {
			su := models.NewSingleUser()
			su.SetUserId(ptr(u))
			approvers = append(approvers, su)
		}
		for _, g := range a.ApproverGroups {
			gm := models.NewGroupMembers()
			gm.SetGroupId(ptr(g))
			approvers = append(approvers, gm)
		}
		stage.SetPrimaryApprovers(approvers)
		stage.SetEscalationApprovers([]models.SubjectSetable{})
		settings.SetApprovalStages([]models.UnifiedApprovalStageable{stage})
		r.SetSetting(settings)
		rule = r
	case RuleKindAuthenticationContext:
		r := models.NewUnifiedRoleManagementPolicyAuthenticationContextRule()
		r.SetIsEnabled(ptr(s.AuthContextEnabled))
		if s.AuthContextEnabled {
			r.SetClaimValue(ptr(s.ClaimValue))
		} else {
			// An explicit null clears a context left over from an earlier setting.
			r.SetClaimValue(nil)
		}
		rule = r
	}
	rule.SetId(&id)
	rule.SetTarget(ruleTarget(d))
	return rule
}

// specFromModel reads one rule as Graph returned it.
func specFromModel(d ruleDef, m models.UnifiedRoleManagementPolicyRuleable) (RuleSpec, error) {
	s := RuleSpec{ID: d.id, Kind: d.kind}
	wrongType := func() error {
		got := "none"
		if t := m.GetOdataType(); t != nil {
			got = *t
		}
		return ruleError(d.id, "Graph returned @odata.type %s, want %s", got, ruleODataType[d.kind])
	}
	switch d.kind {
	case RuleKindExpiration:
		r, ok := m.(*models.UnifiedRoleManagementPolicyExpirationRule)
		if !ok {
			return s, wrongType()
		}
		s.ExpirationRequired = deref(r.GetIsExpirationRequired())
		s.MaximumDuration = durationFromISO(r.GetMaximumDuration())
	case RuleKindEnablement:
		r, ok := m.(*models.UnifiedRoleManagementPolicyEnablementRule)
		if !ok {
			return s, wrongType()
		}
		s.EnabledRules = r.GetEnabledRules()
	case RuleKindNotification:
		r, ok := m.(*models.UnifiedRoleManagementPolicyNotificationRule)
		if !ok {
			return s, wrongType()
		}
		s.NotificationLevel = deref(r.GetNotificationLevel())
		s.DefaultRecipients = deref(r.GetIsDefaultRecipientsEnabled())
		s.Recipients = r.GetNotificationRecipients()
	case RuleKindApproval:
		r, ok := m.(*models.UnifiedRoleManagementPolicyApprovalRule)
		if !ok {
			return s, wrongType()
		}
		if set := r.GetSetting(); set != nil {
			a := &s.Approval
			a.Required = deref(set.GetIsApprovalRequired())
			a.RequiredForExtension = deref(set.GetIsApprovalRequiredForExtension())
			a.RequestorJustificationRequired = deref(set.GetIsRequestorJustificationRequired())
			a.Mode = deref(set.GetApprovalMode())
			stages := set.GetApprovalStages()
			a.Stages = len(stages)
			if len(stages) > 0 && stages[0] != nil {
				st := stages[0]
				a.TimeoutDays = deref(st.GetApprovalStageTimeOutInDays())
				a.ApproverJustificationRequired = deref(st.GetIsApproverJustificationRequired())
				a.EscalationEnabled = deref(st.GetIsEscalationEnabled())
				a.EscalationMinutes = deref(st.GetEscalationTimeInMinutes())
				for _, ap := range st.GetPrimaryApprovers() {
					switch v := ap.(type) {
					case *models.SingleUser:
						a.ApproverUsers = append(a.ApproverUsers, deref(v.GetUserId()))
					case *models.GroupMembers:
						a.ApproverGroups = append(a.ApproverGroups, deref(v.GetGroupId()))
					case nil:
					default:
						// Approvers this resource cannot express (managers, connected organisations) are kept
						// as escalation-like entries so they show as a difference and are replaced on write.
						a.EscalationApprovers = append(a.EscalationApprovers, "primary:"+deref(v.GetOdataType()))
					}
				}
				for _, ap := range st.GetEscalationApprovers() {
					if ap != nil {
						a.EscalationApprovers = append(a.EscalationApprovers, deref(ap.GetOdataType()))
					}
				}
			}
		}
	case RuleKindAuthenticationContext:
		r, ok := m.(*models.UnifiedRoleManagementPolicyAuthenticationContextRule)
		if !ok {
			return s, wrongType()
		}
		s.AuthContextEnabled = deref(r.GetIsEnabled())
		s.ClaimValue = deref(r.GetClaimValue())
	}
	return s, nil
}
