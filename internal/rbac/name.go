package rbac

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// assignmentNameSpace is the UUIDv5 namespace of deterministic role-assignment names. Changing it would
// change every name the provider derives, so it is fixed forever.
var assignmentNameSpace = uuid.MustParse("5b0f5e8e-6c3a-4d55-9a1f-7e2f3c2b9a41")

// AssignmentName derives the role assignment's name (a GUID) from what the assignment is: its scope,
// role definition and principal. A create that is retried or interrupted and re-applied therefore PUTs the
// same name, which ARM treats as an idempotent update instead of a second assignment. The inputs are
// normalised first (scope keywords and aliases, role definition ID form, case), so the role given by name
// or by any form of ID, and any spelling of the scope, give the same name.
func AssignmentName(scope, roleDefinitionID, principalID string) (string, error) {
	sc, err := NormalizeScope(scope)
	if err != nil {
		return "", err
	}
	role, err := RoleDefinitionGUID(roleDefinitionID)
	if err != nil {
		return "", err
	}
	if !IsGUID(principalID) {
		return "", fmt.Errorf("principal ID %q is not a GUID", principalID)
	}
	key := strings.ToLower(sc.ID) + "\n" + role + "\n" + strings.ToLower(principalID)
	return uuid.NewSHA1(assignmentNameSpace, []byte(key)).String(), nil
}
