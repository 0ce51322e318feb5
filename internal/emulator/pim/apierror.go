package pim

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
)

// apiError is a Graph error the engine answers with: HTTP status, error code and message.
type apiError = odata.Error

// The codes and messages below are the ones observed on real PIM for Groups (reference §4.8) unless a
// comment says the choice is the emulator's own.
func errInvalidRequest(detail string) *apiError {
	// Real Graph gives no detail; the emulator keeps the observed message and appends its reason so that
	// a failing test says why.
	msg := "The role assignment request is invalid."
	if detail != "" {
		msg += " " + detail
	}
	return &apiError{Status: http.StatusBadRequest, Code: "InvalidRoleAssignmentRequest", Message: msg}
}

func errExists(status int) *apiError {
	return &apiError{Status: status, Code: "RoleAssignmentExists", Message: "The Role assignment already exists."}
}

func errDoesNotExist(status int) *apiError {
	return &apiError{Status: status, Code: "RoleAssignmentDoesNotExist", Message: "The Role assignment does not exist."}
}

func errPolicy(failed []string) *apiError {
	b, _ := json.Marshal(failed)
	return &apiError{
		Status:  http.StatusBadRequest,
		Code:    "RoleAssignmentRequestPolicyValidationFailed",
		Message: "The following policy rules failed: " + string(b),
	}
}

func errTooShort(minAge string) *apiError {
	return &apiError{
		Status: http.StatusBadRequest,
		Code:   "ActiveDurationTooShort",
		Message: "The role assignment cannot be removed or deactivated yet: it must have been active for at least " +
			minAge + ".",
	}
}

func errPending() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "PendingRoleAssignmentRequest",
		Message: "There is already an existing pending Role assignment request."}
}

func errSubjectNotFound(id string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "SubjectNotFound",
		Message: fmt.Sprintf("The subject '%s' was not found.", id)}
}

func errGroupNotFound(id string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "ResourceNotFound",
		Message: fmt.Sprintf("The resource '%s' was not found.", id)}
}

func errNotFound(what, id string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "ResourceNotFound",
		Message: fmt.Sprintf("The %s '%s' was not found.", what, id)}
}

func errForbidden(msg string) *apiError {
	if msg == "" {
		msg = "Insufficient privileges to complete the operation."
	}
	return &apiError{Status: http.StatusForbidden, Code: "Authorization_RequestDenied", Message: msg}
}

func errBadRequest(code, msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: msg}
}

func errConflict(msg string) *apiError {
	return &apiError{Status: http.StatusConflict, Code: "Conflict", Message: msg}
}

func errInvalidRule(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "InvalidPolicyRule", Message: msg}
}
