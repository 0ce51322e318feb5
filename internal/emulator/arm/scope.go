package arm

import (
	"strings"
)

// scopeInfo is a parsed ARM scope: "/", a subscription, a resource group, or a resource (with optional
// child segments such as agentPools/{pool} or the AKS namespaces/{ns} pseudo-resource).
type scopeInfo struct {
	Subscription  string
	ResourceGroup string
	Namespace     string // resource provider, e.g. Microsoft.ContainerService
	Type          string // top-level resource type, e.g. managedClusters
	Name          string // top-level resource name
	Children      []string
	Invalid       bool
}

// parseScope splits a scope path case-insensitively.
func parseScope(scope string) scopeInfo {
	var si scopeInfo
	segs := strings.Split(strings.Trim(scope, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		return si
	}
	if len(segs) < 2 || !strings.EqualFold(segs[0], "subscriptions") {
		si.Invalid = true
		return si
	}
	si.Subscription = segs[1]
	rest := segs[2:]
	if len(rest) == 0 {
		return si
	}
	if len(rest) < 2 || !strings.EqualFold(rest[0], "resourceGroups") {
		si.Invalid = true
		return si
	}
	si.ResourceGroup = rest[1]
	rest = rest[2:]
	if len(rest) == 0 {
		return si
	}
	if len(rest) < 4 || !strings.EqualFold(rest[0], "providers") {
		si.Invalid = true
		return si
	}
	si.Namespace, si.Type, si.Name = rest[1], rest[2], rest[3]
	si.Children = rest[4:]
	if len(si.Children)%2 != 0 {
		si.Invalid = true
	}
	return si
}

// isAncestorOrSelf reports whether scope a contains (or equals) scope b, segment-wise and case-insensitively.
func isAncestorOrSelf(a, b string) bool {
	a = strings.ToLower(strings.TrimRight(a, "/"))
	b = strings.ToLower(strings.TrimRight(b, "/"))
	if a == "" {
		return true
	}
	return b == a || strings.HasPrefix(b, a+"/")
}

// normalizeScope trims trailing slashes and maps "" to "/".
func normalizeScope(s string) string {
	s = strings.TrimRight(s, "/")
	if s == "" {
		return "/"
	}
	return s
}
