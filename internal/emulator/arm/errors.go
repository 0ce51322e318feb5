package arm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// apiError is an ARM error (ErrorResponse shape: error.code, error.message).
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// writeError writes the ARM error body.
func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, map[string]any{"error": map[string]any{"code": e.Code, "message": e.Message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Expires", "-1")
	w.WriteHeader(status)
	_, _ = w.Write(b)
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

// budgets models the remaining-request headers of ARM's token buckets (per principal and subscription:
// reads 250 refilling 25/s, writes and deletes 200 refilling 10/s). They only feed headers; throttling
// itself is the fault injector's job.
type budgets struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	level float64
	last  time.Time
}

func newBudgets() *budgets { return &budgets{buckets: map[string]*bucket{}} }

func (b *budgets) take(principal, kind string) int {
	size, refill := 250.0, 25.0
	if kind != "reads" {
		size, refill = 200.0, 10.0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k := principal + "|" + kind
	bk, ok := b.buckets[k]
	now := time.Now()
	if !ok {
		bk = &bucket{level: size, last: now}
		b.buckets[k] = bk
	}
	bk.level += now.Sub(bk.last).Seconds() * refill
	if bk.level > size {
		bk.level = size
	}
	bk.last = now
	if bk.level >= 1 {
		bk.level--
	}
	return int(bk.level)
}

// rateLimitHeaders sets the x-ms-ratelimit-remaining-* headers of a response.
func (s *Store) rateLimitHeaders(w http.ResponseWriter, r *http.Request, principal string) {
	kind := "reads"
	switch r.Method {
	case http.MethodPut, http.MethodPatch, http.MethodPost:
		kind = "writes"
	case http.MethodDelete:
		kind = "deletes"
	}
	left := s.budget.take(principal, kind)
	h := w.Header()
	h.Set("x-ms-ratelimit-remaining-subscription-"+kind, fmt.Sprint(left))
	h.Set("x-ms-ratelimit-remaining-subscription-global-"+kind, fmt.Sprint(left*15))
	if strings.HasPrefix(strings.ToLower(r.URL.Path), "/providers/") {
		h.Set("x-ms-ratelimit-remaining-tenant-"+kind, fmt.Sprint(left))
	}
}
