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
	p, err := idsParse(s, "schedule ID", "_", "{groupId}", "{member|owner}", "{guid}")
	if err != nil {
		return ScheduleID{}, err
	}
	return ScheduleID{GroupID: p[0], AccessID: AccessID(p[1]), Suffix: p[2]}, nil
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

// ParseEligibilityKey parses "{groupId}/{principalId}/{member|owner}". Eligibilities and active
// assignments share the form, so its errors name neither; the caller sets Kind.
func ParseEligibilityKey(s string) (EligibilityKey, error) {
	p, err := idsParse(s, "import ID", "/", "{groupId}", "{principalId}", "{member|owner}")
	if err != nil {
		return EligibilityKey{}, err
	}
	return EligibilityKey{GroupID: p[0], PrincipalID: p[1], AccessID: AccessID(p[2])}, nil
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
	p, err := idsParse(s, "policy import ID", "/", "{groupId}", "{member|owner}")
	if err != nil {
		return PolicyKey{}, err
	}
	return PolicyKey{GroupID: p[0], AccessID: AccessID(p[1])}, nil
}

// idsGUIDParts name the GUID parts of the IDs, for errors.
var idsGUIDParts = map[string]string{"{groupId}": "group ID", "{principalId}": "principal ID", "{guid}": "schedule GUID"}

// idsParse splits s, a what, at sep into the parts form names ("{member|owner}" is an access ID, the
// others GUIDs) and checks each; it returns the parts, access IDs in Graph's lower case.
func idsParse(s, what, sep string, form ...string) ([]string, error) {
	parts := strings.Split(s, sep)
	if len(parts) != len(form) {
		return nil, fmt.Errorf("%s %q does not have the form %s", what, s, strings.Join(form, sep))
	}
	for i, name := range form {
		if name == "{member|owner}" {
			access, err := ParseAccessID(parts[i])
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", what, s, err)
			}
			parts[i] = string(access)
		} else if err := idsGUID(parts[i]); err != nil {
			return nil, fmt.Errorf("%s %q: %s: %w", what, s, idsGUIDParts[name], err)
		}
	}
	return parts, nil
}

// idsGUID accepts only the 36-character hyphenated form Graph uses for object IDs (uuid.Parse also takes
// braces, URNs and bare hex, which would let two spellings of one ID into state).
func idsGUID(s string) error {
	if len(s) != 36 {
		return fmt.Errorf("%q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s)
	}
	if _, err := uuid.Parse(s); err != nil {
		return fmt.Errorf("%q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s)
	}
	return nil
}

// IsObjectID reports whether s is an object ID in Graph's GUID form.
func IsObjectID(s string) bool {
	return idsGUID(s) == nil
}

// SameObjectID compares two object IDs the way Entra does: case-insensitively.
func SameObjectID(a, b string) bool { return strings.EqualFold(a, b) }
