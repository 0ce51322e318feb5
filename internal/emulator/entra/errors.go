package entra

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reply"
)

// oauthError is the OAuth2 error body of Entra's token endpoint, which MSAL surfaces verbatim.
type oauthError struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	ErrorCodes    []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
}

func writeOAuthError(w http.ResponseWriter, status int, code string, aadsts int, message string) {
	trace, corr := uuid.NewString(), uuid.NewString()
	ts := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	writeJSON(w, status, oauthError{
		Error:         code,
		Description:   fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", aadsts, message, trace, corr, ts),
		ErrorCodes:    []int{aadsts},
		Timestamp:     ts,
		TraceID:       trace,
		CorrelationID: corr,
		ErrorURI:      "https://login.microsoftonline.com/error?code=" + strconv.Itoa(aadsts),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	reply.JSON(w, status, v, "Content-Type", "application/json; charset=utf-8", "Cache-Control", "no-store, no-cache")
}

// grantError carries an OAuth error out of the grant handlers.
type grantError struct {
	status int
	code   string
	aadsts int
	msg    string
}

func (e *grantError) Error() string { return fmt.Sprintf("AADSTS%d: %s", e.aadsts, e.msg) }

func errMissingParam(name string) *grantError {
	return &grantError{http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: '" + name + "'."}
}
