package pim

import (
	"hash/fnv"
	"math/rand"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// Graph writes date-times with seven fractional digits in UTC.
const graphTime = "2006-01-02T15:04:05.0000000Z"

// neverModified is the sentinel real PIM reports as modifiedDateTime of a schedule never modified.
const neverModified = "0001-01-01T08:00:00Z"

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(graphTime)
}

func strOrNil(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func emptyToNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func odataType(name string) string { return "#microsoft.graph." + name }

// requestContext is the @odata.context fragment of a request entity.
func requestFragment(k pimcore.Kind) string {
	return "identityGovernance/privilegedAccess/group/" + string(k) + "ScheduleRequests/$entity"
}

func (e *Engine) renderRequest(r *request) map[string]any {
	createdBy := map[string]any{"user": map[string]any{"id": r.CreatedBy.ID, "displayName": nil}}
	if r.CreatedBy.IsApp && e.cfg.AppCreatedBy == "application" {
		// UNCONFIRMED (reference §10.3 #8): an application caller is reported under "application".
		createdBy = map[string]any{"application": map[string]any{"id": r.CreatedBy.ID, "displayName": nil}}
	}
	exp := map[string]any{"type": r.Expiration.Type, "endDateTime": timeOrNil(r.Expiration.End),
		"duration": emptyToNil(r.Expiration.Duration)}
	var approvalID any
	if r.ApprovalID != "" {
		approvalID = r.ApprovalID
	}
	m := map[string]any{
		"id":                r.ID,
		"status":            r.Status,
		"createdDateTime":   r.Created.Format(graphTime),
		"completedDateTime": timeOrNil(r.Completed),
		"approvalId":        approvalID,
		"customData":        strOrNil(r.CustomData),
		"createdBy":         createdBy,
		"action":            r.Action,
		"isValidationOnly":  r.IsValidationOnly,
		"justification":     strOrNil(r.Justification),
		"scheduleInfo": map[string]any{
			"startDateTime": r.Start.Format(graphTime),
			"recurrence":    nil,
			"expiration":    exp,
		},
		"ticketInfo":       map[string]any{"ticketNumber": strOrNil(r.TicketNumber), "ticketSystem": strOrNil(r.TicketSystem)},
		"accessId":         r.AccessID,
		"principalId":      r.PrincipalID,
		"groupId":          r.GroupID,
		"targetScheduleId": r.TargetScheduleID,
	}
	if r.Action == actAdminRemove && r.Status == pimcore.StatusRevoked {
		// A removal reads back without the schedule it ended (the adminRemove example of
		// api-reference/v1.0/api/privilegedaccessgroup-post-eligibilityschedulerequests.md).
		m["completedDateTime"], m["scheduleInfo"], m["targetScheduleId"] = nil, nil, nil
	}
	return m
}

func (e *Engine) renderSchedule(s *schedule) map[string]any {
	exp := map[string]any{"type": s.Expiration.Type, "endDateTime": timeOrNil(s.Expiration.End),
		"duration": emptyToNil(s.Expiration.Duration)}
	if s.Expiration.Type == "afterDuration" && e.cfg.SchedulesReportDateTime {
		exp = map[string]any{"type": "afterDateTime", "endDateTime": timeOrNil(s.End), "duration": nil}
	}
	m := map[string]any{
		"id":               s.ID,
		"createdUsing":     s.CreatedUsing,
		"createdDateTime":  s.Created.Format(graphTime),
		"modifiedDateTime": neverModified,
		"status":           pimcore.StatusProvisioned,
		"scheduleInfo": map[string]any{
			"startDateTime": s.Start.Format(graphTime),
			"recurrence":    nil,
			"expiration":    exp,
		},
		"accessId":    s.AccessID,
		"principalId": s.PrincipalID,
		"groupId":     s.GroupID,
		"memberType":  e.enum(s.MemberType),
	}
	if s.Kind == pimcore.Assignment {
		m["assignmentType"] = e.enum(s.AssignmentType)
	}
	return m
}

// renderInstance renders the instance of an active schedule; its ID is the schedule's.
func (e *Engine) renderInstance(s *schedule) map[string]any {
	start := s.Start
	m := map[string]any{
		"id":            s.ID,
		"principalId":   s.PrincipalID,
		"accessId":      s.AccessID,
		"groupId":       s.GroupID,
		"memberType":    e.enum(s.MemberType),
		"startDateTime": timeOrNil(&start),
		"endDateTime":   timeOrNil(s.End),
	}
	if s.Kind == pimcore.Assignment {
		m["assignmentType"] = e.enum(s.AssignmentType)
		m["assignmentScheduleId"] = s.ID
	} else {
		m["eligibilityScheduleId"] = s.ID
	}
	return m
}

// renderPrincipal renders a directory object for $expand and the principal/group navigations.
func (e *Engine) renderPrincipal(id string) map[string]any {
	k, name, ok := e.dir.LookupPrincipal(id)
	if !ok {
		return nil
	}
	return map[string]any{"@odata.type": odataType(string(k)), "id": id, "displayName": name}
}

func (e *Engine) renderApproval(r *request, viewer string, now time.Time) map[string]any {
	stages := make([]map[string]any, 0, len(r.Stages))
	for _, st := range r.Stages {
		stages = append(stages, e.renderStage(st, viewer, now))
	}
	return map[string]any{"@odata.type": odataType("approval"), "id": r.ApprovalID, "stages": stages}
}

func (e *Engine) renderStage(st *pimcore.Stage, viewer string, now time.Time) map[string]any {
	var reviewedBy any
	if st.ReviewedBy != "" {
		_, name, _ := e.dir.LookupPrincipal(st.ReviewedBy)
		reviewedBy = map[string]any{"id": st.ReviewedBy, "displayName": emptyToNil(name)}
	}
	return map[string]any{
		"id":               st.ID,
		"displayName":      nil,
		"reviewedDateTime": timeOrNil(st.ReviewedAt),
		"reviewResult":     st.ReviewResult,
		"status":           st.Status,
		"assignedToMe":     st.Status == pimcore.StageInProgress && e.isApprover(st, viewer, now),
		"justification":    st.Justification,
		"reviewedBy":       reviewedBy,
	}
}

func (e *Engine) renderTarget(t pimcore.Target) map[string]any {
	return map[string]any{"caller": t.Caller, "operations": t.Operations, "level": t.Level,
		"inheritableSettings": t.InheritableSettings, "enforcedSettings": t.EnforcedSettings}
}

func (e *Engine) renderSubjects(ss []pimcore.Approver) []map[string]any {
	out := make([]map[string]any, 0, len(ss))
	for _, s := range ss {
		if s.Group {
			out = append(out, map[string]any{"@odata.type": odataType(subjectGroupMembers), "groupId": s.ID,
				"description": emptyToNil(e.dir.GroupDisplayName(s.ID))})
			continue
		}
		_, name, _ := e.dir.LookupPrincipal(s.ID)
		out = append(out, map[string]any{"@odata.type": odataType(subjectSingleUser), "userId": s.ID, "description": emptyToNil(name)})
	}
	return out
}

// renderRule always carries @odata.type: without it the SDK deserialises the abstract base and drops
// every field.
func (e *Engine) renderRule(r rule) map[string]any {
	m := map[string]any{"@odata.type": odataType(ruleType(r.Kind)), "id": r.ID, "target": e.renderTarget(r.Target)}
	switch r.Kind {
	case pimcore.RuleExpiration:
		m["isExpirationRequired"] = r.IsExpirationRequired
		m["maximumDuration"] = emptyToNil(r.MaximumDuration)
	case pimcore.RuleEnablement:
		m["enabledRules"] = pimcore.NonNil(r.EnabledRules)
	case pimcore.RuleAuthenticationContext:
		m["isEnabled"] = r.IsEnabled
		m["claimValue"] = strOrNil(r.ClaimValue)
	case pimcore.RuleNotification:
		m["notificationType"] = r.NotificationType
		m["recipientType"] = r.RecipientType
		m["notificationLevel"] = r.NotificationLevel
		m["isDefaultRecipientsEnabled"] = r.IsDefaultRecipientsEnabled
		m["notificationRecipients"] = pimcore.NonNil(r.NotificationRecipients)
	case pimcore.RuleApproval:
		s := r.Setting
		stages := make([]map[string]any, 0, len(s.ApprovalStages))
		for _, st := range s.ApprovalStages {
			stages = append(stages, map[string]any{
				"approvalStageTimeOutInDays":      st.TimeoutDays,
				"isApproverJustificationRequired": st.ApproverJustificationRequired,
				"escalationTimeInMinutes":         st.EscalationMinutes,
				"isEscalationEnabled":             st.EscalationEnabled,
				"primaryApprovers":                e.renderSubjects(st.Primary),
				"escalationApprovers":             e.renderSubjects(st.Escalation),
			})
		}
		m["setting"] = map[string]any{
			"isApprovalRequired":               s.IsApprovalRequired,
			"isApprovalRequiredForExtension":   s.IsApprovalRequiredForExtension,
			"isRequestorJustificationRequired": s.IsRequestorJustificationRequired,
			"approvalMode":                     s.ApprovalMode,
			"approvalStages":                   stages,
		}
	}
	return m
}

func (e *Engine) renderRules(rs []rule) []map[string]any {
	out := make([]map[string]any, 0, len(rs))
	for _, r := range rs {
		out = append(out, e.renderRule(r))
	}
	return out
}

// renderPolicy renders a policy with the navigations of expand ("rules", "effectiveRules" or "*", each
// with an optional nested $select). An expanded collection carries its own @odata.context, as the list
// example of PIM-for-groups policies shows (rules@odata.context, with the nested projection).
func (e *Engine) renderPolicy(c *call, p policyView, expand string) map[string]any {
	lastBy := map[string]any{"displayName": nil, "id": nil}
	if p.LastModifiedBy != "" {
		_, name, _ := e.dir.LookupPrincipal(p.LastModifiedBy)
		lastBy = map[string]any{"displayName": emptyToNil(name), "id": p.LastModifiedBy}
	}
	m := map[string]any{
		"id":                    p.ID(),
		"displayName":           "Group",
		"description":           "Group",
		"isOrganizationDefault": false,
		"scopeId":               p.GroupID,
		"scopeType":             "Group",
		"lastModifiedDateTime":  timeOrNil(p.LastModified),
		"lastModifiedBy":        lastBy,
	}
	for _, it := range odata.ParseExpand(expand) {
		for _, nav := range []string{"rules", "effectiveRules"} {
			if !strings.EqualFold(it.Name, nav) && it.Name != "*" {
				continue
			}
			sel := odata.Query{Select: it.Select, OmitUnselectedID: e.cfg.SelectOmitsID}
			rules := e.renderRules(e.orderedRules(p))
			for i := range rules {
				rules[i] = sel.Apply(rules[i])
			}
			m[nav] = rules
			proj := ""
			if len(it.Select) > 0 {
				proj = "(" + strings.Join(it.Select, ",") + ")"
			}
			m[nav+"@odata.context"] = odata.Context(c.r, "policies/roleManagementPolicies('"+p.ID()+"')/"+nav+proj)
		}
	}
	return m
}

// orderedRules returns the policy's rules in the order of the pim.rule-order variant: as stored, or an
// order of the policy's own (stable for the policy, different between policies).
func (e *Engine) orderedRules(p policyView) []rule {
	rs := append([]rule(nil), p.Rules...)
	if e.cfg.RuleOrder == "varies" {
		h := fnv.New64a()
		_, _ = h.Write([]byte(strings.ToLower(p.ID())))
		rand.New(rand.NewSource(int64(h.Sum64()))).Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
	}
	return rs
}

func (e *Engine) renderPolicyAssignment(p policyView) map[string]any {
	return map[string]any{
		"id":               p.AssignmentID(),
		"policyId":         p.ID(),
		"scopeId":          p.GroupID,
		"scopeType":        "Group",
		"roleDefinitionId": p.AccessID,
	}
}

// enum spells a memberType or assignmentType value as the pim.enum-case variant says.
func (e *Engine) enum(v string) string {
	if e.cfg.EnumCase == "capitalised" && v != "" {
		return strings.ToUpper(v[:1]) + v[1:]
	}
	return v
}

// expandNames returns the lower-cased navigation names of $expand.
func expandNames(s string) map[string]bool {
	out := map[string]bool{}
	for _, it := range odata.ParseExpand(s) {
		out[strings.ToLower(it.Name)] = true
	}
	return out
}
