package kube

import (
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// ServeHTTP is the API server: authentication (401), authorization (403 with the authorizers' reason),
// then discovery, the self reviews and the read-only resources.
func (cs *clusterServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, ok := cs.cluster()
	if !ok {
		writeStatus(w, http.StatusServiceUnavailable, "ServiceUnavailable", "the cluster no longer exists", nil)
		return
	}
	u, ok := cs.authenticate(r, c)
	if !ok {
		writeUnauthorized(w)
		return
	}
	a := requestAttributes(r)
	if d := cs.authorize(c, u, a); !d.Allowed {
		writeForbidden(w, u, a, d.Reason)
		return
	}
	if !a.ResourceRequest {
		switch {
		case cs.serveDiscovery(w, r, c):
		case a.Path == "/healthz" || a.Path == "/livez" || a.Path == "/readyz":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "ok")
		default:
			writeNotFound(w)
		}
		return
	}
	switch {
	case a.Version != "v1":
		writeNotFound(w)
	case a.Group == "authorization.k8s.io" && a.Resource == "selfsubjectaccessreviews" && a.Verb == "create" && a.Name == "":
		cs.accessReview(w, r, c, u)
	case a.Group == "authentication.k8s.io" && a.Resource == "selfsubjectreviews" && a.Verb == "create" && a.Name == "":
		cs.selfReview(w, r, u)
	case a.Group == "":
		cs.serveResource(w, r, a)
	default:
		writeNotFound(w)
	}
}

// serveResource answers get and list of the core resources, as JSON or as the Table kubectl asks for.
func (cs *clusterServer) serveResource(w http.ResponseWriter, r *http.Request, a attributes) {
	res, ok := coreResource(a.Resource)
	if !ok || a.Subresource != "" || (!res.Namespaced && a.Namespace != "" && a.Resource != "namespaces") {
		writeNotFound(w)
		return
	}
	if a.Verb != "get" && a.Verb != "list" {
		writeStatus(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource", nil)
		return
	}
	var items []object
	for _, o := range cs.world.objects[res.Name] {
		if res.Namespaced && a.Namespace != "" && o.Namespace != a.Namespace {
			continue
		}
		if a.Name != "" && o.Name != a.Name {
			continue
		}
		items = append(items, o)
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].Namespace != items[j].Namespace {
			return items[i].Namespace < items[j].Namespace
		}
		return items[i].Name < items[j].Name
	})
	if a.Name != "" && len(items) == 0 {
		writeStatus(w, http.StatusNotFound, "NotFound", res.Name+" \""+a.Name+"\" not found", map[string]any{"name": a.Name, "kind": res.Name})
		return
	}
	now := cs.m.opt.Now()
	if wantsTable(r.Header.Get("Accept")) {
		writeJSON(w, http.StatusOK, table(res, items, r.URL.Query().Get("includeObject"), now))
		return
	}
	if a.Name != "" {
		writeJSON(w, http.StatusOK, full(res, items[0]))
		return
	}
	list := make([]any, 0, len(items))
	for _, o := range items {
		list = append(list, o.Body)
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": res.Kind + "List", "apiVersion": "v1", "metadata": map[string]any{"resourceVersion": "1042"}, "items": list})
}

// wantsTable reports whether the Accept header asks for a meta.k8s.io Table (kubectl get does).
func wantsTable(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		if strings.Contains(part, "as=Table") && strings.Contains(part, "application/json") {
			return true
		}
	}
	return false
}

func full(res resource, o object) map[string]any {
	m := map[string]any{"kind": res.Kind, "apiVersion": "v1"}
	for k, v := range o.Body {
		m[k] = v
	}
	return m
}

// table renders objects as a meta.k8s.io/v1 Table; each row carries the object's metadata
// (includeObject=Metadata, the default), the whole object (Object) or nothing (None).
func table(res resource, items []object, include string, now time.Time) map[string]any {
	cols := make([]any, 0, len(res.Columns))
	for _, c := range res.Columns {
		cols = append(cols, map[string]any{"name": c.Name, "type": c.Type, "format": c.Format, "description": c.Description, "priority": c.Priority})
	}
	rows := make([]any, 0, len(items))
	for _, o := range items {
		row := map[string]any{"cells": res.Cells(o, now)}
		switch include {
		case "None":
		case "Object":
			row["object"] = full(res, o)
		default:
			row["object"] = map[string]any{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o.Body["metadata"]}
		}
		rows = append(rows, row)
	}
	return map[string]any{"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": map[string]any{"resourceVersion": "1042"},
		"columnDefinitions": cols, "rows": rows}
}
