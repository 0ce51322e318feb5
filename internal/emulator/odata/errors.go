package odata

import (
	"errors"
	"net/http"
	"time"
)

// Graph error codes used across the emulator.
const (
	CodeBadRequest         = "Request_BadRequest"
	CodeNotFound           = "Request_ResourceNotFound"
	CodeUnsupportedQuery   = "Request_UnsupportedQuery"
	CodeDenied             = "Authorization_RequestDenied"
	CodeInvalidToken       = "InvalidAuthenticationToken"
	CodeTooManyRequests    = "TooManyRequests"
	CodeServiceUnavailable = "serviceNotAvailable"
)

// MessageDenied is real Graph's text for a caller lacking the required permission.
const MessageDenied = "Insufficient privileges to complete the operation."

// Error is a Graph error that a handler can return and have written by WriteErr.
type Error struct {
	Status  int
	Code    string
	Message string
	Target  string
	Details []ErrorDetail
}

// ErrorDetail is one entry of error.details.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf-style constructors for the common cases.

// NewError returns a Graph error with the given status, code and message.
func NewError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// NotFound is Graph's 404 for a directory object ID that does not resolve.
func NotFound(id string) *Error {
	return NewError(http.StatusNotFound, CodeNotFound,
		"Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
}

// BadRequest is Graph's generic 400.
func BadRequest(message string) *Error {
	return NewError(http.StatusBadRequest, CodeBadRequest, message)
}

// Forbidden is Graph's 403 for missing permissions.
func Forbidden() *Error {
	return NewError(http.StatusForbidden, CodeDenied, MessageDenied)
}

// body mirrors the Graph error JSON; message is always present because msgraph-sdk-go dereferences it.
type body struct {
	Error bodyError `json:"error"`
}

type bodyError struct {
	Code       string        `json:"code"`
	Message    string        `json:"message"`
	Target     string        `json:"target,omitempty"`
	Details    []ErrorDetail `json:"details,omitempty"`
	InnerError innerError    `json:"innerError"`
}

type innerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

// WriteError writes the Graph error body. r may be nil; the request IDs are taken from the response
// headers the front door has already set.
func WriteError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	writeErrorBody(w, &Error{Status: status, Code: code, Message: message})
}

// WriteErr writes err as a Graph error: *Error keeps its status, anything else is a 500.
func WriteErr(w http.ResponseWriter, r *http.Request, err error) {
	var ge *Error
	if !errors.As(err, &ge) {
		ge = NewError(http.StatusInternalServerError, "InternalServerError", err.Error())
	}
	writeErrorBody(w, ge)
}

func writeErrorBody(w http.ResponseWriter, e *Error) {
	h := w.Header()
	reqID := h.Get("request-id")
	clientReqID := h.Get("client-request-id")
	if clientReqID == "" {
		clientReqID = reqID
	}
	b := body{Error: bodyError{
		Code:    e.Code,
		Message: e.Message,
		Target:  e.Target,
		Details: e.Details,
		// Real Graph omits the zone designator here.
		InnerError: innerError{Date: time.Now().UTC().Format("2006-01-02T15:04:05"), RequestID: reqID, ClientRequestID: clientReqID},
	}}
	WriteJSON(w, e.Status, b)
}
