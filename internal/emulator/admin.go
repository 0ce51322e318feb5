package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// admin serves the control API under /_emulator/ (no authentication: loopback only, like the emulator).
func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_emulator/"), "/")
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if v != nil {
			_ = json.NewEncoder(w).Encode(v)
		}
	}
	fail := func(status int, msg string) { reply(status, map[string]string{"error": msg}) }
	switch {
	case path == "stats" && r.Method == http.MethodGet:
		reply(http.StatusOK, s.Stats())
	case path == "stats/reset" && r.Method == http.MethodPost:
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	case path == "clock" && r.Method == http.MethodGet:
		reply(http.StatusOK, map[string]any{"now": s.Now(), "offset": s.clock.Offset().String()})
	case path == "clock" && r.Method == http.MethodPost:
		var body struct {
			Advance string `json:"advance"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			fail(http.StatusBadRequest, "body must be {\"advance\":\"PT2H\"}")
			return
		}
		d, err := ParseDuration(body.Advance)
		if err != nil || d < 0 {
			fail(http.StatusBadRequest, fmt.Sprintf("invalid advance %q: want an ISO-8601 duration such as PT2H or P1DT30M, or a Go duration", body.Advance))
			return
		}
		s.AdvanceClock(d)
		reply(http.StatusOK, map[string]any{"now": s.Now(), "offset": s.clock.Offset().String()})
	case path == "state" && r.Method == http.MethodGet:
		b, err := s.stateJSON()
		if err != nil {
			fail(http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	case path == "variants" && r.Method == http.MethodGet:
		reply(http.StatusOK, map[string]any{"spec": s.variants.Spec(), "choices": s.variants.Choices()})
	case path == "faults" && r.Method == http.MethodGet:
		reply(http.StatusOK, s.currentFaults())
	case path == "faults" && r.Method == http.MethodPost:
		var f Faults
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			fail(http.StatusBadRequest, err.Error())
			return
		}
		s.SetFaults(f)
		reply(http.StatusOK, s.currentFaults())
	case path == "replication-delay" && r.Method == http.MethodPost:
		var body struct {
			Delay string `json:"delay"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			fail(http.StatusBadRequest, err.Error())
			return
		}
		d, err := ParseDuration(body.Delay)
		if err != nil {
			fail(http.StatusBadRequest, err.Error())
			return
		}
		s.SetReplicationDelay(d)
		w.WriteHeader(http.StatusNoContent)
	case path == "nodes" && r.Method == http.MethodGet:
		reply(http.StatusOK, s.nodesJSON())
	case path == "fixtures" && r.Method == http.MethodGet:
		reply(http.StatusOK, s.Fixtures())
	case path == "federated-token" && r.Method == http.MethodPost:
		var body struct {
			Subject  string `json:"subject"`
			Audience string `json:"audience"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		tok, err := s.MintFederatedToken(body.Subject, body.Audience)
		if err != nil {
			fail(http.StatusInternalServerError, err.Error())
			return
		}
		reply(http.StatusOK, map[string]string{"token": tok})
	default:
		fail(http.StatusNotFound, "unknown admin endpoint "+r.Method+" /_emulator/"+path)
	}
}

// ParseDuration accepts an ISO-8601 duration of weeks, days and time ("PT2H", "P1DT30M", "P2W"), as PIM
// does, or a Go duration ("90m").
func ParseDuration(s string) (time.Duration, error) {
	if d, err := pimcore.ParseDuration(s, true); err == nil {
		return d, nil
	}
	return time.ParseDuration(strings.TrimSpace(s))
}
