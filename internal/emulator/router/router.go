// Package router matches request paths against route templates the way Graph and ARM do: literal
// segments compare case-insensitively, each path segment is percent-decoded on its own (so `%40` in a UPN
// or `%2F` inside a segment never splits it), and `{name...}` captures any number of segments (an ARM scope).
// The template doubles as the route label recorded in the emulator's statistics.
package router

import (
	"net/http"
	"net/url"
	"strings"
)

// Params are the captured wildcard values, decoded. Multi-segment captures are joined with "/" and
// start with "/" (an ARM scope such as "/subscriptions/x/resourceGroups/y"), or are "" when empty.
type Params map[string]string

// Handler answers a matched route.
type Handler func(w http.ResponseWriter, r *http.Request, p Params)

type route struct {
	method  string
	pattern string
	segs    []string
	h       Handler
}

// Router is an ordered list of routes; the first match wins.
type Router struct {
	routes []route
}

// Handle registers h for method (or "*" for any) and a template such as "/v1.0/groups/{id}/members/$ref".
func (rt *Router) Handle(method, pattern string, h Handler) {
	rt.routes = append(rt.routes, route{method: method, pattern: pattern, segs: split(pattern), h: h})
}

// Match finds the route for r. It returns the handler, its parameters and its label ("GET /v1.0/groups/{id}").
// When the path matches but not the method, methodNotAllowed is true.
func (rt *Router) Match(r *http.Request) (h Handler, p Params, label string, methodNotAllowed bool) {
	segs := Segments(r)
	for _, ro := range rt.routes {
		params := Params{}
		if !match(ro.segs, segs, params) {
			continue
		}
		if ro.method != "*" && ro.method != r.Method && (ro.method != http.MethodGet || r.Method != http.MethodHead) {
			methodNotAllowed = true
			continue
		}
		return ro.h, params, r.Method + " " + ro.pattern, false
	}
	return nil, nil, "", methodNotAllowed
}

// Segments returns the request path split on "/" with each segment percent-decoded separately.
func Segments(r *http.Request) []string {
	raw := r.URL.EscapedPath()
	parts := split(raw)
	for i, p := range parts {
		if d, err := url.PathUnescape(p); err == nil {
			parts[i] = d
		}
	}
	return parts
}

func split(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func match(pat, segs []string, params Params) bool {
	if len(pat) == 0 {
		return len(segs) == 0
	}
	head := pat[0]
	if strings.HasPrefix(head, "{") && strings.HasSuffix(head, "...}") {
		name := head[1 : len(head)-4]
		// Prefer the longest capture that still lets the rest match: scopes are prefixes.
		for n := len(segs); n >= 0; n-- {
			if match(pat[1:], segs[n:], params) {
				if n == 0 {
					params[name] = ""
				} else {
					params[name] = "/" + strings.Join(segs[:n], "/")
				}
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	if strings.HasPrefix(head, "{") && strings.HasSuffix(head, "}") {
		if segs[0] == "" {
			return false
		}
		if !match(pat[1:], segs[1:], params) {
			return false
		}
		params[head[1:len(head)-1]] = segs[0]
		return true
	}
	if !strings.EqualFold(head, segs[0]) {
		return false
	}
	return match(pat[1:], segs[1:], params)
}
