package armpim

import (
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// namer is optionally implemented by the Directory: display names for expandedProperties.
type namer interface {
	LookupPrincipal(id string) (kind pim.PrincipalKind, displayName string, ok bool)
}

func armTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return armTime(*t)
}

func strOrNil(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// scopeType is the expandedProperties type of a scope.
func scopeType(scope string) string {
	segs := strings.Split(strings.Trim(scope, "/"), "/")
	switch {
	case scope == "/":
		return "tenant"
	case len(segs) == 2:
		return "subscription"
	case len(segs) == 4:
		return "resourcegroup"
	}
	return "resource"
}

func (e *Engine) scopeJSON(scope string) map[string]any {
	name := scope[strings.LastIndex(scope, "/")+1:]
	return map[string]any{"id": scope, "displayName": name, "type": scopeType(scope)}
}

func (e *Engine) roleDefID(scope, roleID string) string {
	return e.arm.RoleDefinitionIDAt(scope, roleID)
}

func (e *Engine) roleJSON(scope, roleID string) map[string]any {
	rd, _ := arm.RoleByID(roleID)
	return map[string]any{"id": e.roleDefID(scope, roleID), "displayName": rd.RoleName, "type": "BuiltInRole"}
}

func (e *Engine) principalJSON(id, typ string) map[string]any {
	name := ""
	if n, ok := e.dir.(namer); ok {
		_, name, _ = n.LookupPrincipal(id)
	}
	return map[string]any{"id": id, "displayName": name, "email": nil, "type": typ}
}

func (e *Engine) expanded(t target) map[string]any {
	return map[string]any{"scope": e.scopeJSON(t.Scope), "roleDefinition": e.roleJSON(t.Scope, t.RoleID),
		"principal": e.principalJSON(t.PrincipalID, t.PrincipalType)}
}

// scheduleRef is how a request or another schedule refers to a schedule: its resource ID, or the bare
// name in the documented-example variant.
func (e *Engine) scheduleRef(k pimcore.Kind, scope, name string) any {
	if name == "" {
		return nil
	}
	if e.cfg.TargetScheduleAsName {
		return name
	}
	return objectID(scope, typeName(k, "Schedules"), name)
}

func (e *Engine) approvalRef(name string) any {
	if name == "" {
		return nil
	}
	if e.cfg.ApprovalIDAsName {
		return name
	}
	return "/providers/Microsoft.Authorization/roleAssignmentApprovals/" + name
}

func scheduleInfoJSON(r *request) any {
	if !r.HasSchedule {
		return nil
	}
	exp := map[string]any{"type": r.Expiration.Type, "endDateTime": timeOrNil(r.Expiration.End), "duration": nil}
	if r.Expiration.Duration != "" {
		exp["duration"] = r.Expiration.Duration
	}
	return map[string]any{"startDateTime": armTime(r.Start), "expiration": exp}
}

func (e *Engine) requestJSON(r *request) map[string]any {
	typ := typeName(r.Kind, "ScheduleRequests")
	props := map[string]any{
		"scope": r.Scope, "roleDefinitionId": e.roleDefID(r.Scope, r.RoleID), "principalId": r.PrincipalID,
		"principalType": r.PrincipalType, "requestType": r.RequestType, "status": r.Status,
		"approvalId": e.approvalRef(r.ApprovalName), "scheduleInfo": scheduleInfoJSON(r),
		"ticketInfo":    map[string]any{"ticketNumber": strOrNil(r.TicketNumber), "ticketSystem": strOrNil(r.TicketSystem)},
		"justification": strOrNil(r.Justification), "requestorId": r.RequestorID, "createdOn": armTime(r.Created),
		"condition": strOrNil(r.Condition), "conditionVersion": strOrNil(r.ConditionVersion),
		"expandedProperties": e.expanded(r.target),
	}
	prefix := "targetRoleEligibilitySchedule"
	if r.Kind == pimcore.Assignment {
		prefix = "targetRoleAssignmentSchedule"
		props["linkedRoleEligibilityScheduleId"] = e.scheduleRef(pimcore.Eligibility, r.Scope, r.LinkedEligible)
	}
	props[prefix+"Id"] = e.scheduleRef(r.Kind, r.Scope, r.TargetSchedule)
	props[prefix+"InstanceId"] = nil
	if r.TargetInstance != "" {
		props[prefix+"InstanceId"] = objectID(r.Scope, typeName(r.Kind, "ScheduleInstances"), r.TargetInstance)
	}
	return map[string]any{"id": objectID(r.Scope, typ, r.Name), "name": r.Name, "type": "Microsoft.Authorization/" + typ,
		"properties": props}
}

// scheduleProps are the properties schedules and instances share.
func (e *Engine) scheduleProps(s *schedule) map[string]any {
	props := map[string]any{
		"scope": s.Scope, "roleDefinitionId": e.roleDefID(s.Scope, s.RoleID), "principalId": s.PrincipalID,
		"principalType": s.PrincipalType, "status": "Provisioned", "startDateTime": armTime(s.Start),
		"endDateTime": timeOrNil(s.End), "memberType": s.MemberType, "createdOn": armTime(s.Created),
		"condition": strOrNil(s.Condition), "conditionVersion": strOrNil(s.ConditionVersion),
		"expandedProperties": e.expanded(s.target),
	}
	if s.Kind == pimcore.Assignment {
		props["assignmentType"] = s.AssignmentType
		props["linkedRoleEligibilityScheduleId"] = e.scheduleRef(pimcore.Eligibility, s.Scope, s.LinkedEligible)
	}
	return props
}

func (e *Engine) scheduleJSON(s *schedule) map[string]any {
	props := e.scheduleProps(s)
	props["updatedOn"] = armTime(s.Updated)
	reqType := typeName(s.Kind, "ScheduleRequests")
	props[strings.TrimSuffix(reqType, "s")+"Id"] = objectID(s.Scope, reqType, s.RequestName)
	typ := typeName(s.Kind, "Schedules")
	return map[string]any{"id": objectID(s.Scope, typ, s.Name), "name": s.Name, "type": "Microsoft.Authorization/" + typ, "properties": props}
}

func (e *Engine) instanceJSON(s *schedule) map[string]any {
	props := e.scheduleProps(s)
	props[typeName(s.Kind, "ScheduleId")] = objectID(s.Scope, typeName(s.Kind, "Schedules"), s.Name)
	if s.Kind == pimcore.Assignment {
		props["originRoleAssignmentId"] = objectID(s.Scope, "roleAssignments", s.Instance)
		props["linkedRoleEligibilityScheduleInstanceId"] = nil
	}
	typ := typeName(s.Kind, "ScheduleInstances")
	return map[string]any{"id": objectID(s.Scope, typ, s.Instance), "name": s.Instance, "type": "Microsoft.Authorization/" + typ, "properties": props}
}
