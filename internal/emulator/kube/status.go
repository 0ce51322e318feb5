package kube

import (
	"net/http"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reply"
)

// writeJSON writes v with the API server's JSON content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	reply.JSON(w, status, v, "Content-Type", "application/json", "Cache-Control", "no-cache, private")
}

// writeStatus writes a v1 Status failure, the body of every API error; kubectl prints
// "Error from server (<reason>): <message>", and for 401 "You must be logged in to the server".
func writeStatus(w http.ResponseWriter, code int, reason, message string, details map[string]any) {
	s := map[string]any{
		"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": message, "reason": reason, "code": code,
	}
	if len(details) > 0 {
		s["details"] = details
	}
	writeJSON(w, code, s)
}

func writeUnauthorized(w http.ResponseWriter) {
	writeStatus(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized", nil)
}

func writeNotFound(w http.ResponseWriter) {
	writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource", nil)
}

func writeForbidden(w http.ResponseWriter, u user, a attributes, reason string) {
	var details map[string]any
	if a.ResourceRequest {
		details = map[string]any{"kind": a.Resource}
		if a.Name != "" {
			details["name"] = a.Name
		}
		if a.Group != "" {
			details["group"] = a.Group
		}
	}
	writeStatus(w, http.StatusForbidden, "Forbidden", forbiddenMessage(u, a, reason), details)
}
