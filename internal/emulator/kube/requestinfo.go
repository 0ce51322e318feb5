package kube

import (
	"net/http"
	"strings"
)

// attributes are what an authorizer is asked about a request: a resource request (verb, API group,
// resource, subresource, namespace, name) or a non-resource one (verb, path), as Kubernetes derives them
// from the URL and method.
type attributes struct {
	ResourceRequest bool
	Verb            string
	Group, Version  string
	Resource        string
	Subresource     string
	Namespace, Name string
	Path            string
}

// requestAttributes parses a request the way the API server's request-info resolver does, for the paths
// this server knows: /api/v1/... and /apis/{group}/{version}/..., optionally namespaced.
func requestAttributes(r *http.Request) attributes {
	a := attributes{Path: r.URL.Path, Verb: strings.ToLower(r.Method)}
	if a.Verb == "head" {
		a.Verb = "get"
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var rest []string
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		a.Version, rest = parts[1], parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		a.Group, a.Version, rest = parts[1], parts[2], parts[3:]
	default:
		return a // discovery, /version, /healthz...: a non-resource request
	}
	a.ResourceRequest = true
	if rest[0] == "namespaces" && len(rest) >= 3 {
		a.Namespace, rest = rest[1], rest[2:]
	}
	a.Resource = rest[0]
	if len(rest) >= 2 {
		a.Name = rest[1]
	}
	if len(rest) >= 3 {
		a.Subresource = strings.Join(rest[2:], "/")
	}
	if a.Resource == "namespaces" && a.Name != "" && a.Namespace == "" {
		a.Namespace = a.Name // a namespace is authorized as within itself
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		a.Verb = "get"
		if a.Name == "" {
			a.Verb = "list"
			if w := r.URL.Query().Get("watch"); w == "true" || w == "1" {
				a.Verb = "watch"
			}
		}
	case http.MethodPost:
		a.Verb = "create"
	case http.MethodPut:
		a.Verb = "update"
	case http.MethodPatch:
		a.Verb = "patch"
	case http.MethodDelete:
		a.Verb = "delete"
		if a.Name == "" {
			a.Verb = "deletecollection"
		}
	}
	return a
}

// qualifiedResource is the resource as Kubernetes messages name it: "secrets", "deployments.apps".
func (a attributes) qualifiedResource() string {
	if a.Group == "" {
		return a.Resource
	}
	return a.Resource + "." + a.Group
}

// describe is the request in a few words for the decision log: "list secrets in kube-system".
func (a attributes) describe() string {
	if !a.ResourceRequest {
		return a.Verb + " " + a.Path
	}
	s := a.Verb + " " + a.qualifiedResource()
	if a.Subresource != "" {
		s += "/" + a.Subresource
	}
	if a.Name != "" {
		s += " " + a.Name
	}
	if a.Namespace != "" && a.Resource != "namespaces" {
		s += " in " + a.Namespace
	} else if a.Namespace == "" {
		s += " (cluster-wide)"
	}
	return s
}
