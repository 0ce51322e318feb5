package arm

import (
	"fmt"
	"net/http"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reply"
)

// apiError is an ARM error (ErrorResponse shape: error.code, error.message).
type apiError = Error

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// writeError writes the ARM error body.
func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, map[string]any{"error": map[string]any{"code": e.Code, "message": e.Message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	reply.JSON(w, status, v, "Content-Type", "application/json; charset=utf-8", "Cache-Control", "no-cache", "Pragma", "no-cache", "Expires", "-1")
}

// Common errors with real ARM wording.
func errSubscriptionNotFound(sub string) *apiError {
	return errorf(http.StatusNotFound, "SubscriptionNotFound", "The subscription '%s' could not be found.", sub)
}

func errResourceGroupNotFound(rg string) *apiError {
	return errorf(http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", rg)
}

func errResourceNotFound(typ, name, rg string) *apiError {
	return errorf(http.StatusNotFound, "ResourceNotFound",
		"The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", typ, name, rg)
}
