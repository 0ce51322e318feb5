package pim

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// AccessID is the relationship a PIM-for-groups eligibility or policy is about.
type AccessID string

const (
	AccessMember AccessID = "member"
	AccessOwner  AccessID = "owner"
)

// AccessIDs lists the valid access IDs, for validators and messages.
var AccessIDs = []string{string(AccessMember), string(AccessOwner)}

// ParseAccessID accepts member or owner in any case (Graph documents PascalCase in places) and returns the
// lower-case form Graph emits.
func ParseAccessID(s string) (AccessID, error) {
	switch strings.ToLower(s) {
	case string(AccessMember):
		return AccessMember, nil
	case string(AccessOwner):
		return AccessOwner, nil
	}
	return "", fmt.Errorf("access ID %q is neither %q nor %q", s, AccessMember, AccessOwner)
}

// ScheduleID identifies an eligibility (or assignment) schedule: Graph's targetScheduleId,
// "{groupId}_{member|owner}_{guid}". It is the resource ID of aks_pim_eligibility because it names the
// schedule, which lives as long as the eligibility, unlike the request, which Graph purges after ~45 days.
type ScheduleID struct {
	GroupID  string
	AccessID AccessID
	// Suffix is the GUID Graph appends (the ID of the request that created the schedule).
	Suffix string
}

// String formats the ID as Graph does.
func (id ScheduleID) String() string {
	return id.GroupID + "_" + string(id.AccessID) + "_" + id.Suffix
}

// ParseScheduleID parses "{groupId}_{member|owner}_{guid}". GUIDs keep the case they were given in (Graph
// treats them case-insensitively; compare them with SameObjectID).
func ParseScheduleID(s string) (ScheduleID, error) {
	parts := strings.Split(s, "_")
	if len(parts) != 3 {
		return ScheduleID{}, fmt.Errorf("schedule ID %q does not have the form {groupId}_{member|owner}_{guid}", s)
	}
	group, err := idsGUID(parts[0])
	if err != nil {
		return ScheduleID{}, fmt.Errorf("schedule ID %q: group ID: %w", s, err)
	}
	access, err := ParseAccessID(parts[1])
	if err != nil {
		return ScheduleID{}, fmt.Errorf("schedule ID %q: %w", s, err)
	}
	suffix, err := idsGUID(parts[2])
	if err != nil {
		return ScheduleID{}, fmt.Errorf("schedule ID %q: schedule GUID: %w", s, err)
	}
	return ScheduleID{GroupID: group, AccessID: access, Suffix: suffix}, nil
}

// EligibilityKey names an eligibility (or active assignment, by Kind) by what it is about rather than by
// its schedule: the second import form "{groupId}/{principalId}/{accessId}". There is at most one
// eligibility, and one administrator's active assignment, per key.
type EligibilityKey struct {
	Kind        GroupScheduleKind
	GroupID     string
	PrincipalID string
	AccessID    AccessID
}

// String formats the key as the import ID.
func (k EligibilityKey) String() string {
	return k.GroupID + "/" + k.PrincipalID + "/" + string(k.AccessID)
}

// ParseEligibilityKey parses "{groupId}/{principalId}/{member|owner}".
func ParseEligibilityKey(s string) (EligibilityKey, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return EligibilityKey{}, fmt.Errorf("eligibility import ID %q does not have the form {groupId}/{principalId}/{member|owner}", s)
	}
	group, err := idsGUID(parts[0])
	if err != nil {
		return EligibilityKey{}, fmt.Errorf("eligibility import ID %q: group ID: %w", s, err)
	}
	principal, err := idsGUID(parts[1])
	if err != nil {
		return EligibilityKey{}, fmt.Errorf("eligibility import ID %q: principal ID: %w", s, err)
	}
	access, err := ParseAccessID(parts[2])
	if err != nil {
		return EligibilityKey{}, fmt.Errorf("eligibility import ID %q: %w", s, err)
	}
	return EligibilityKey{GroupID: group, PrincipalID: principal, AccessID: access}, nil
}

// PolicyKey names the PIM policy of one group for one access ID: "{groupId}/{member|owner}". Graph's own
// policy ID cannot serve as identity because it changes when the group is onboarded.
type PolicyKey struct {
	GroupID  string
	AccessID AccessID
}

// String formats the key as the resource and import ID.
func (k PolicyKey) String() string { return k.GroupID + "/" + string(k.AccessID) }

// ParsePolicyKey parses "{groupId}/{member|owner}".
func ParsePolicyKey(s string) (PolicyKey, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 2 {
		return PolicyKey{}, fmt.Errorf("policy import ID %q does not have the form {groupId}/{member|owner}", s)
	}
	group, err := idsGUID(parts[0])
	if err != nil {
		return PolicyKey{}, fmt.Errorf("policy import ID %q: group ID: %w", s, err)
	}
	access, err := ParseAccessID(parts[1])
	if err != nil {
		return PolicyKey{}, fmt.Errorf("policy import ID %q: %w", s, err)
	}
	return PolicyKey{GroupID: group, AccessID: access}, nil
}

// idsGUID accepts only the 36-character hyphenated form Graph uses for object IDs (uuid.Parse also takes
// braces, URNs and bare hex, which would let two spellings of one ID into state).
func idsGUID(s string) (string, error) {
	if len(s) != 36 {
		return "", fmt.Errorf("%q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s)
	}
	if _, err := uuid.Parse(s); err != nil {
		return "", fmt.Errorf("%q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s)
	}
	return s, nil
}

// IsObjectID reports whether s is an object ID in Graph's GUID form.
func IsObjectID(s string) bool {
	_, err := idsGUID(s)
	return err == nil
}

// SameObjectID compares two object IDs the way Entra does: case-insensitively.
func SameObjectID(a, b string) bool { return strings.EqualFold(a, b) }
