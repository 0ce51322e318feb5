// Package armpim is the domain of PIM for Azure resources at AKS scopes: eligible and active role
// assignment schedules (made with AdminAssign, AdminUpdate and AdminRemove requests, read by schedule,
// never by request), self activation and deactivation of an eligible role with its approval, and the
// role management policy of one role at one scope, mapped to and from the rule model PIM for groups
// uses (package pim). Scopes and role definition IDs are package rbac's.
//
// It knows nothing about Terraform: callers get plain Go values and typed errors.
package armpim

import (
	"fmt"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// Kind tells eligible schedules (a role a principal may activate) from active ones (a role it holds).
type Kind int

const (
	Eligible Kind = iota
	Active
)

func (k Kind) String() string {
	if k == Eligible {
		return "eligibility"
	}
	return "active assignment"
}

// level is the rule level of k's requests in a role management policy: Eligibility or Assignment.
func (k Kind) level() string {
	if k == Eligible {
		return "Eligibility"
	}
	return "Assignment"
}

// ResourceType is the ARM resource type of k's schedules: roleEligibilitySchedules or roleAssignmentSchedules.
func (k Kind) ResourceType() string { return k.typeName("Schedules") }

// typeName is the ARM resource type of k's objects with the given suffix ("Schedules", ...).
func (k Kind) typeName(suffix string) string {
	if k == Eligible {
		return "roleEligibility" + suffix
	}
	return "roleAssignment" + suffix
}

// Target is what a schedule is about: a role, at a scope, for a principal.
type Target struct {
	// Scope in any accepted spelling (rbac.NormalizeScope); compare with rbac.SameScope.
	Scope string
	// RoleDefinitionID in any form rbac.RoleDefinitionGUID accepts; compare with rbac.SameRoleDefinition.
	RoleDefinitionID string
	PrincipalID      string
}

// Same reports whether two targets name the same role at the same scope for the same principal.
func (t Target) Same(o Target) bool {
	return rbac.SameScope(t.Scope, o.Scope) && rbac.SameRoleDefinition(t.RoleDefinitionID, o.RoleDefinitionID) &&
		strings.EqualFold(t.PrincipalID, o.PrincipalID)
}

func (t Target) String() string {
	return fmt.Sprintf("principal %s, role %s, scope %s", t.PrincipalID, t.RoleDefinitionID, t.Scope)
}

// Spec is a schedule as configured, with the audit fields of the request that makes it.
type Spec struct {
	Kind Kind
	Target
	Schedule         pim.Schedule
	Justification    string
	TicketNumber     string
	TicketSystem     string
	Condition        string
	ConditionVersion string
}

// Schedule is a role eligibility or assignment schedule as ARM reports it.
type Schedule struct {
	Kind Kind
	// ID is the schedule's resource ID, {scope}/providers/Microsoft.Authorization/role…Schedules/{name}.
	ID   string
	Name string
	Target
	PrincipalType string
	Status        string
	// Start and End are when the schedule holds; End is zero for a permanent one.
	Start time.Time
	End   time.Time
	// MemberType is Direct for the principal's own schedule (Group or Inherited when listed for a member
	// of a group, or below the scope it was made at).
	MemberType string
	// AssignmentType is Assigned (by an administrator) or Activated (an activation), for active schedules.
	AssignmentType   string
	Condition        string
	ConditionVersion string
	// RequestID is the resource ID of the request that created (or last updated) the schedule.
	RequestID string
}

// Permanent reports whether the schedule has no end.
func (s Schedule) Permanent() bool { return s.End.IsZero() }

// ended reports whether the schedule no longer holds at now.
func (s Schedule) ended(now time.Time) bool { return !s.End.IsZero() && !now.Before(s.End) }

// Matches reports whether the schedule is what spec asks for, within tolerance: the same target and an
// end where spec puts it (an existing schedule a lost create made is adopted only when it matches).
func (s Schedule) Matches(spec Spec, tolerance time.Duration) bool {
	if s.Kind != spec.Kind || !s.Same(spec.Target) {
		return false
	}
	near := func(a, b time.Time) bool { d := a.Sub(b); return d <= tolerance && d >= -tolerance }
	switch sch := spec.Schedule; {
	case sch.Permanent:
		return s.Permanent()
	case s.Permanent():
		return false
	case !sch.Duration.IsZero():
		return near(s.End.Add(-sch.Duration.Std()), s.Start)
	default:
		return near(s.End, sch.End)
	}
}
