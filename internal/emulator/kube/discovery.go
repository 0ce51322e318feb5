package kube

import (
	"net/http"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
)

// apiGroup is a served API group (besides the core group) and its resources.
type apiGroup struct {
	Name      string
	Resources []map[string]any
}

var apiGroups = []apiGroup{
	{Name: "authentication.k8s.io", Resources: []map[string]any{
		{"name": "selfsubjectreviews", "singularName": "selfsubjectreview", "namespaced": false, "kind": "SelfSubjectReview", "verbs": []string{"create"}},
	}},
	{Name: "authorization.k8s.io", Resources: []map[string]any{
		{"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview", "namespaced": false, "kind": "SelfSubjectAccessReview", "verbs": []string{"create"}},
	}},
	// Served by every cluster; kubectl resolves `auth can-i create rolebindings` through it (the admin
	// families' question). Only the reviews are answered; the objects themselves are not emulated.
	{Name: "rbac.authorization.k8s.io", Resources: []map[string]any{
		{"name": "rolebindings", "singularName": "rolebinding", "namespaced": true, "kind": "RoleBinding", "verbs": readVerbs},
		{"name": "roles", "singularName": "role", "namespaced": true, "kind": "Role", "verbs": readVerbs},
		{"name": "clusterrolebindings", "singularName": "clusterrolebinding", "namespaced": false, "kind": "ClusterRoleBinding", "verbs": readVerbs},
		{"name": "clusterroles", "singularName": "clusterrole", "namespaced": false, "kind": "ClusterRole", "verbs": readVerbs},
	}},
}

// serveDiscovery answers /version, /api, /apis, /api/v1 and /apis/{group}[/{version}]. kubectl asks for
// aggregated discovery first and accepts this plain form.
func (cs *clusterServer) serveDiscovery(w http.ResponseWriter, r *http.Request, c arm.Cluster) bool {
	p := strings.TrimSuffix(r.URL.Path, "/")
	switch p {
	case "/version":
		writeJSON(w, http.StatusOK, versionInfo(c.KubernetesVersion))
	case "/api":
		writeJSON(w, http.StatusOK, map[string]any{"kind": "APIVersions", "versions": []string{"v1"},
			"serverAddressByClientCIDRs": []any{map[string]any{"clientCIDR": "0.0.0.0/0", "serverAddress": c.FQDN() + ":443"}}})
	case "/api/v1":
		var list []map[string]any
		for _, res := range coreResources {
			e := map[string]any{"name": res.Name, "singularName": res.Singular, "namespaced": res.Namespaced, "kind": res.Kind, "verbs": readVerbs}
			if len(res.ShortNames) > 0 {
				e["shortNames"] = res.ShortNames
			}
			if res.Name == "pods" {
				e["categories"] = []string{"all"}
			}
			list = append(list, e)
		}
		writeJSON(w, http.StatusOK, map[string]any{"kind": "APIResourceList", "groupVersion": "v1", "resources": list})
	case "/apis":
		var groups []any
		for _, g := range apiGroups {
			groups = append(groups, groupJSON(g))
		}
		writeJSON(w, http.StatusOK, map[string]any{"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
	default:
		for _, g := range apiGroups {
			switch p {
			case "/apis/" + g.Name:
				m := groupJSON(g)
				m["kind"], m["apiVersion"] = "APIGroup", "v1"
				writeJSON(w, http.StatusOK, m)
				return true
			case "/apis/" + g.Name + "/v1":
				writeJSON(w, http.StatusOK, map[string]any{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": g.Name + "/v1", "resources": g.Resources})
				return true
			}
		}
		return false
	}
	return true
}

func groupJSON(g apiGroup) map[string]any {
	v := map[string]any{"groupVersion": g.Name + "/v1", "version": "v1"}
	return map[string]any{"name": g.Name, "versions": []any{v}, "preferredVersion": v}
}

// versionInfo is /version for a cluster's Kubernetes version ("1.31.2").
func versionInfo(v string) map[string]any {
	major, rest, _ := strings.Cut(v, ".")
	minor, _, _ := strings.Cut(rest, ".")
	goVersion := map[string]string{"29": "go1.21.13", "30": "go1.22.12", "31": "go1.22.12", "32": "go1.23.8", "33": "go1.24.2"}[minor]
	if goVersion == "" {
		goVersion = "go1.24.2"
	}
	return map[string]any{
		"major": major, "minor": minor, "gitVersion": "v" + v, "gitCommit": "aks-emulated", "gitTreeState": "clean",
		"buildDate": "2025-04-01T00:00:00Z", "goVersion": goVersion, "compiler": "gc", "platform": "linux/amd64",
	}
}
