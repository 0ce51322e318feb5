// Package odata holds the Microsoft Graph wire helpers shared by the emulator's Graph handlers (directory
// and PIM): JSON responses with Graph's headers, the Graph error body, query options ($filter, $select,
// $top, $skiptoken) and collection paging with absolute @odata.nextLink URLs.
package odata

import (
	"encoding/json"
	"net/http"
	"strings"
)

// ContentType is what real Graph sends on JSON responses; clients strip the parameters.
const ContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// ServiceRoot returns the absolute Graph service root of the request ("https://host:port/v1.0"), used for
// @odata.context and @odata.nextLink so that clients following links stay on the emulator.
func ServiceRoot(r *http.Request) string {
	version := "v1.0"
	if p := strings.TrimPrefix(r.URL.Path, "/"); strings.HasPrefix(p, "beta/") {
		version = "beta"
	}
	return "https://" + r.Host + "/" + version
}

// Context returns an @odata.context value such as "https://host/v1.0/$metadata#groups/$entity".
func Context(r *http.Request, fragment string) string {
	return ServiceRoot(r) + "/$metadata#" + fragment
}

// WriteJSON writes v as a Graph JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		WriteError(w, nil, http.StatusInternalServerError, "InternalServerError", "Unable to serialize the response: "+err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("OData-Version", "4.0")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteNoContent answers 204, as Graph does for PATCH, DELETE, $ref writes and actions such as cancel.
func WriteNoContent(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}

// Collection is a Graph collection response page.
type Collection struct {
	Context  string `json:"@odata.context,omitempty"`
	Count    *int   `json:"@odata.count,omitempty"`
	NextLink string `json:"@odata.nextLink,omitempty"`
	Value    any    `json:"value"`
}

// WriteCollection writes one page of a collection. items must marshal to a JSON array (nil becomes []).
func WriteCollection(w http.ResponseWriter, r *http.Request, contextFragment string, items any, nextLink string) {
	if items == nil {
		items = []any{}
	}
	c := Collection{Value: items, NextLink: nextLink}
	if contextFragment != "" {
		c.Context = Context(r, contextFragment)
	}
	WriteJSON(w, http.StatusOK, c)
}

// DecodeBody decodes the JSON request body into v (the front door has already undone gzip). On failure it
// writes Graph's 400 and returns false.
func DecodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		WriteError(w, r, http.StatusBadRequest, CodeBadRequest, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return false
	}
	return true
}

// ToMap converts a typed value into its JSON object form (for $select and $filter evaluation).
func ToMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil
	}
	return m
}
