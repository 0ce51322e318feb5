package kube

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
)

type resourceAttributes struct {
	Namespace   string `json:"namespace,omitempty"`
	Verb        string `json:"verb,omitempty"`
	Group       string `json:"group,omitempty"`
	Version     string `json:"version,omitempty"`
	Resource    string `json:"resource,omitempty"`
	Subresource string `json:"subresource,omitempty"`
	Name        string `json:"name,omitempty"`
}

type nonResourceAttributes struct {
	Path string `json:"path,omitempty"`
	Verb string `json:"verb,omitempty"`
}

// reviewSpec is the spec of a SelfSubjectAccessReview.
type reviewSpec struct {
	ResourceAttributes    *resourceAttributes    `json:"resourceAttributes,omitempty"`
	NonResourceAttributes *nonResourceAttributes `json:"nonResourceAttributes,omitempty"`
}

func (s reviewSpec) attributes() attributes {
	if ra := s.ResourceAttributes; ra != nil {
		a := attributes{ResourceRequest: true, Verb: ra.Verb, Group: ra.Group, Version: ra.Version, Resource: ra.Resource,
			Subresource: ra.Subresource, Namespace: ra.Namespace, Name: ra.Name}
		if a.Resource == "namespaces" && a.Name != "" && a.Namespace == "" {
			a.Namespace = a.Name
		}
		return a
	}
	na := s.NonResourceAttributes
	return attributes{Verb: na.Verb, Path: na.Path}
}

// isProtobuf reports whether the request body is protobuf, and respondProtobuf whether the answer should
// be (kubectl >= 1.32 sends and accepts protobuf for the reviews, and does not fall back to JSON).
func isProtobuf(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), protobufContentType)
}

func respondProtobuf(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if accept == "" || accept == "*/*" {
		return isProtobuf(r)
	}
	pb, js := strings.Index(accept, protobufContentType), strings.Index(accept, "application/json")
	return pb >= 0 && (js < 0 || pb < js)
}

func writeProtobuf(w http.ResponseWriter, status int, apiVersion, kind string, raw []byte) {
	w.Header().Set("Content-Type", protobufContentType)
	w.Header().Set("Cache-Control", "no-cache, private")
	w.WriteHeader(status)
	_, _ = w.Write(wrapProtobuf(apiVersion, kind, raw))
}

// accessReview answers a SelfSubjectAccessReview (`kubectl auth can-i`): the caller's own access to the
// attributes asked, decided by the same authorizers as a real request.
func (cs *clusterServer) accessReview(w http.ResponseWriter, r *http.Request, c arm.Cluster, u user) {
	const apiVersion, kind = "authorization.k8s.io/v1", "SelfSubjectAccessReview"
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error(), nil)
		return
	}
	var spec reviewSpec
	if isProtobuf(r) {
		av, k, raw, err := unwrapProtobuf(body)
		if err == nil && (av != apiVersion || k != kind) {
			err = errUnexpectedKind(av, k)
		}
		if err == nil {
			spec, err = decodeAccessReviewSpec(raw)
		}
		if err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error(), nil)
			return
		}
	} else {
		var in struct {
			Spec reviewSpec `json:"spec"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", "error decoding SelfSubjectAccessReview: "+err.Error(), nil)
			return
		}
		spec = in.Spec
	}
	if (spec.ResourceAttributes == nil) == (spec.NonResourceAttributes == nil) {
		writeStatus(w, http.StatusUnprocessableEntity, "Invalid", `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`, nil)
		return
	}
	encoding := "JSON"
	if isProtobuf(r) {
		encoding = "protobuf"
	}
	cs.m.logf("azemu: kube %s: SelfSubjectAccessReview from %s as %s (%s)", cs.name, u.Name, encoding, r.UserAgent())
	d := cs.authorize(c, u, spec.attributes())
	if respondProtobuf(r) {
		writeProtobuf(w, http.StatusCreated, apiVersion, kind, encodeAccessReview(spec, d))
		return
	}
	status := map[string]any{"allowed": d.Allowed}
	if d.Denied {
		status["denied"] = true
	}
	if d.Reason != "" {
		status["reason"] = d.Reason
	}
	writeJSON(w, http.StatusCreated, map[string]any{"kind": kind, "apiVersion": apiVersion,
		"metadata": map[string]any{"creationTimestamp": nil}, "spec": spec, "status": status})
}

// selfReview answers a SelfSubjectReview (`kubectl auth whoami`): the user as the API server sees it.
func (cs *clusterServer) selfReview(w http.ResponseWriter, r *http.Request, u user) {
	const apiVersion, kind = "authentication.k8s.io/v1", "SelfSubjectReview"
	if respondProtobuf(r) {
		writeProtobuf(w, http.StatusCreated, apiVersion, kind, encodeSelfReview(u))
		return
	}
	info := map[string]any{"username": u.Name, "groups": u.Groups}
	if extra := userExtra(u); len(extra) > 0 {
		info["extra"] = extra
	}
	writeJSON(w, http.StatusCreated, map[string]any{"kind": kind, "apiVersion": apiVersion,
		"metadata": map[string]any{"creationTimestamp": nil}, "status": map[string]any{"userInfo": info}})
}

// userExtra is what guard adds to an Entra user: its object ID, which authorization needs.
func userExtra(u user) map[string][]string {
	if u.OID == "" {
		return nil
	}
	return map[string][]string{"oid": {u.OID}}
}

type kindError struct{ apiVersion, kind string }

func (e kindError) Error() string {
	return "the body is a " + e.kind + " of " + e.apiVersion + ", not a SelfSubjectAccessReview of authorization.k8s.io/v1"
}

func errUnexpectedKind(apiVersion, kind string) error { return kindError{apiVersion, kind} }
