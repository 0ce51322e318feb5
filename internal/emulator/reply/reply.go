// Package reply writes the JSON answers of the emulated services (ARM, the token service, the AKS API
// servers), each with the headers its service sends: one marshalling and one failure path for all.
package reply

import (
	"encoding/json"
	"net/http"
)

// JSON writes v as the body of a status answer, with the headers given as name, value pairs. A v that
// does not marshal is a plain 500.
func JSON(w http.ResponseWriter, status int, v any, headers ...string) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for i := 0; i+1 < len(headers); i += 2 {
		w.Header().Set(headers[i], headers[i+1])
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
