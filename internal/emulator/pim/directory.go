// Package pim emulates Microsoft Graph PIM for Groups: eligibility and assignment schedule requests,
// schedules and instances, approvals, and the role management policies of groups. It keeps its own state
// and reaches the directory (users, groups, memberships) only through the Directory interface, which the
// emulator's directory store implements.
package pim

import "time"

// PrincipalKind is the directory object type of a principal.
type PrincipalKind string

const (
	KindUser             PrincipalKind = "user"
	KindGroup            PrincipalKind = "group"
	KindServicePrincipal PrincipalKind = "servicePrincipal"
)

// Directory is what the PIM engine needs from the directory store. Implementations apply the emulator's
// replication delay: an object created less than the delay ago is not yet visible to lookups.
type Directory interface {
	// LookupPrincipal returns the kind and display name of a user, group or service principal.
	LookupPrincipal(id string) (kind PrincipalKind, displayName string, ok bool)
	// GroupExists reports whether a group exists and is visible.
	GroupExists(id string) bool
	// GroupDisplayName returns a group's display name ("" when unknown).
	GroupDisplayName(id string) string
	// IsMember reports whether principalID is a member of groupID at time at: directly, through nested
	// groups, or through an active time-bound (PIM) membership that has not ended.
	IsMember(groupID, principalID string, at time.Time) bool
	// MemberOf returns the IDs of every group principalID is a member of at time at (transitively,
	// including time-bound memberships). Used to find eligibilities held through a group.
	MemberOf(principalID string, at time.Time) []string
	// SetTimedRelationship makes principalID a member (access "member") or owner (access "owner") of
	// groupID from start until end (end zero = no end). PIM calls it when an assignment becomes active;
	// the principal then appears in /groups/{id}/members (or /owners) until end passes on the clock.
	SetTimedRelationship(groupID, principalID, access string, start, end time.Time, scheduleID string)
	// RemoveTimedRelationship ends the time-bound relationship created for scheduleID, if any.
	RemoveTimedRelationship(groupID, principalID, access, scheduleID string)
}

// OwnerChecker is optionally implemented by a Directory. A signed-in user (delegated token) may
// administer PIM for a group (admin* requests, policy changes) only as one of its owners, since the
// emulator models no directory roles; without this interface such calls are refused.
type OwnerChecker interface {
	IsOwner(groupID, principalID string, at time.Time) bool
}
