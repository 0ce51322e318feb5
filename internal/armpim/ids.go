package armpim

import (
	"fmt"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

const authzInfix = "/providers/Microsoft.Authorization/"

// ScheduleID names a role eligibility or assignment schedule:
// {scope}/providers/Microsoft.Authorization/roleEligibilitySchedules/{guid} (or roleAssignmentSchedules).
// It is the resource ID of aks_pim_role_eligibility and aks_pim_role_assignment: the schedule lives as
// long as the access, unlike the request that made it, which PIM purges after about 45 days.
type ScheduleID struct {
	Kind Kind
	// Scope is normalised; WireScope keeps the spelling the ID was written with (ARM echoes it).
	Scope     string
	WireScope string
	Name      string
}

// String is the ID as written.
func (id ScheduleID) String() string {
	return objectID(id.WireScope, id.Kind.typeName("Schedules"), id.Name)
}

// objectID is the resource ID of an object of type typ called name at scope.
func objectID(scope, typ, name string) string {
	return strings.TrimSuffix(scope, "/") + authzInfix + typ + "/" + name
}

// ParseScheduleID parses a schedule's resource ID, case-insensitively; the name must be a GUID.
func ParseScheduleID(s string) (ScheduleID, error) {
	lower := strings.ToLower(s)
	for _, k := range []Kind{Eligible, Active} {
		infix := strings.ToLower(authzInfix + k.typeName("Schedules") + "/")
		i := strings.LastIndex(lower, infix)
		if i < 0 {
			continue
		}
		name := s[i+len(infix):]
		if !rbac.IsGUID(name) {
			return ScheduleID{}, fmt.Errorf("schedule ID %q: the name %q is not a GUID", s, name)
		}
		raw := s[:i]
		if raw == "" {
			raw = "/"
		}
		sc, err := rbac.NormalizeScope(raw)
		if err != nil {
			return ScheduleID{}, fmt.Errorf("schedule ID %q: %w", s, err)
		}
		return ScheduleID{Kind: k, Scope: sc.ID, WireScope: sc.Wire, Name: strings.ToLower(name)}, nil
	}
	return ScheduleID{}, fmt.Errorf("%q is not a schedule ID: expected {scope}%sroleEligibilitySchedules/{guid} or {scope}%sroleAssignmentSchedules/{guid}", s, authzInfix, authzInfix)
}

// scheduleRef reads a reference to a schedule as ARM writes it in a request (targetRoleEligibilityScheduleId,
// linkedRoleEligibilityScheduleId): the full resource ID, or the bare name the API examples show, which is
// then a schedule of kind k at scope.
func scheduleRef(k Kind, scope, ref string) (ScheduleID, error) {
	if rbac.IsGUID(ref) {
		sc, err := rbac.NormalizeScope(scope)
		if err != nil {
			return ScheduleID{}, err
		}
		return ScheduleID{Kind: k, Scope: sc.ID, WireScope: sc.Wire, Name: strings.ToLower(ref)}, nil
	}
	return ParseScheduleID(ref)
}
