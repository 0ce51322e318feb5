package armpim

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
)

// apiError is an ARM error (error.code, error.message). Codes come from the sources in
// ../shared/reference (PIM for groups shares them with Azure resources); the emulator's own choices are
// noted where they are made and listed in UNCONFIRMED.md.
type apiError = arm.Error

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *apiError) { arm.WriteError(w, e.Status, e.Code, e.Message) }

func writeJSON(w http.ResponseWriter, status int, v any) { arm.WriteJSON(w, status, v) }

// errInvalid is a request PIM refuses for its shape. Real ARM gives no detail; the emulator appends its
// reason so that a failing test says why.
func errInvalid(detail string) *apiError {
	return errorf(http.StatusBadRequest, "InvalidRoleAssignmentRequest", "The role assignment request is invalid. %s", detail)
}

func errBadBody(detail string) *apiError {
	return errorf(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: %s", detail)
}

func errExists(status int) *apiError {
	return &apiError{Status: status, Code: "RoleAssignmentExists", Message: "The Role assignment already exists."}
}

func errDoesNotExist() *apiError {
	return errorf(http.StatusBadRequest, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
}

func errPolicy(failed []string) *apiError {
	b, _ := json.Marshal(failed)
	return errorf(http.StatusBadRequest, "RoleAssignmentRequestPolicyValidationFailed", "The following policy rules failed: %s", b)
}

func errTooShort(minimum string) *apiError {
	return errorf(http.StatusBadRequest, "ActiveDurationTooShort",
		"The role assignment cannot be removed or deactivated yet: it must have been active for at least %s.", minimum)
}

func errPending() *apiError {
	return errorf(http.StatusBadRequest, "PendingRoleAssignmentRequest", "There is already an existing pending Role assignment request.")
}

func errSubjectNotFound(id string) *apiError {
	return errorf(http.StatusBadRequest, "SubjectNotFound", "The subject '%s' was not found in the directory.", id)
}

func errRoleNotFound(id string) *apiError {
	return errorf(http.StatusBadRequest, "RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' does not exist.", id)
}

func errNotFound(code, what, name string) *apiError {
	return errorf(http.StatusNotFound, code, "The %s '%s' does not exist.", what, name)
}

func errFilter(raw string) *apiError {
	return errorf(http.StatusBadRequest, "InvalidFilter", "The filter '%s' is not supported.", raw)
}

func errInvalidRule(msg string) *apiError {
	return errorf(http.StatusBadRequest, "InvalidRoleManagementPolicyRule", "%s", msg)
}

// errRequestNotFound is the 404 of a request that never existed or was purged (RoleAssignmentRequestNotFound,
// as azurerm users report it for purged requests).
func errRequestNotFound(name string) *apiError {
	return errNotFound("RoleAssignmentRequestNotFound", "role assignment request", name)
}
