package kube

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
)

// AccessNotAllowed is the reason AKS's Azure RBAC webhook gives for a denied request; kubectl prints it
// after the Forbidden message, and `kubectl auth can-i` after "no - ".
const AccessNotAllowed = "User does not have access to the resource in Azure. Update role assignment to allow access."

// decision is an authorizer's answer, as a SubjectAccessReview status carries it.
type decision struct {
	Allowed bool
	Denied  bool // an explicit deny (Azure RBAC), as opposed to no opinion
	Reason  string
}

// clusterScopedDataAction maps a verb to the action segment of an AKS data action, as guard does.
func actionOf(verb string) string {
	switch verb {
	case "get", "list", "watch":
		return "read"
	case "create", "update", "patch":
		return "write"
	case "delete", "deletecollection":
		return "delete"
	case "bind", "escalate", "use", "impersonate":
		return verb + "/action"
	case "*":
		return "*"
	}
	return verb
}

// dataAction returns the Azure data action and scope guard checks for a request on a cluster:
// Microsoft.ContainerService/managedClusters/[<group>/]<resource>/<action> at the cluster, or at
// <cluster>/namespaces/<ns> for a namespaced request.
func dataAction(clusterID string, a attributes) (action, scope string) {
	const prefix = "Microsoft.ContainerService/managedClusters"
	if !a.ResourceRequest {
		return path.Join(prefix, a.Path, actionOf(a.Verb)), clusterID
	}
	what := path.Join(a.Resource, actionOf(a.Verb))
	if a.Resource == "pods" && a.Subresource == "exec" {
		what = "pods/exec/action"
	}
	action = path.Join(prefix, a.Group, what)
	scope = clusterID
	if a.Namespace != "" {
		scope = clusterID + "/namespaces/" + a.Namespace
	}
	return action, scope
}

// basicAccess is what Kubernetes' default RBAC grants every authenticated user: discovery and health
// (system:discovery, system:public-info-viewer) and the self reviews (system:basic-user).
func basicAccess(a attributes) bool {
	if !a.ResourceRequest {
		p := a.Path
		return a.Verb == "get" && (p == "/api" || p == "/apis" || p == "/version" || p == "/healthz" || p == "/livez" || p == "/readyz" ||
			strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/apis/") || strings.HasPrefix(p, "/openapi/"))
	}
	if a.Verb != "create" {
		return false
	}
	switch a.Group + "/" + a.Resource {
	case "authorization.k8s.io/selfsubjectaccessreviews", "authorization.k8s.io/selfsubjectrulesreviews",
		"authentication.k8s.io/selfsubjectreviews":
		return true
	}
	return false
}

// authorize decides a request in the order of AKS's authorizers: Kubernetes RBAC (the defaults every
// user has, the local admin, and the cluster-admin binding of the cluster's admin groups), then, on a
// cluster with Azure RBAC, the Azure RBAC webhook against the role assignments as they are now, for the
// token's oid and groups. Each webhook decision is explained in the log.
func (cs *clusterServer) authorize(c arm.Cluster, u user, a attributes) decision {
	if u.Masters || basicAccess(a) {
		return decision{Allowed: true}
	}
	for _, g := range u.AADGroups {
		if slices.ContainsFunc(c.AdminGroupObjectIDs, func(id string) bool { return strings.EqualFold(id, g) }) {
			return decision{Allowed: true, Reason: "RBAC: allowed by ClusterRoleBinding \"aks-cluster-admin-binding-aad\" of ClusterRole \"cluster-admin\" to Group \"" + g + "\""}
		}
	}
	if !c.AzureRBAC || u.OID == "" {
		// No Kubernetes role binding is seeded, so Kubernetes RBAC has no opinion: forbidden, no reason.
		return decision{}
	}
	action, scope := dataAction(cs.clusterID, a)
	key := cacheKey(append([]string{u.OID}, u.AADGroups...), action, scope)
	if d, layer, ok := cs.cache.get(key, cs.m.opt.Now()); ok {
		cs.m.logf("azemu: kube %s: %s %s: %s %s (oid %s): cached decision (%s)", cs.name, verdict(d), a.describe(), action, u.Name, u.OID, layer)
		return d
	}
	// The groups are the token's (read from the directory on overage, as guard reads Graph); the role
	// assignments are read now.
	ad := cs.m.opt.ARM.Decide(arm.Subject{ObjectID: u.OID, UPN: u.Name, Groups: u.AADGroups, GroupsFromCredential: true}, scope, action, true)
	d := decision{Allowed: ad.Allowed, Denied: !ad.Allowed, Reason: AccessNotAllowed}
	if ad.Allowed {
		d.Reason = fmt.Sprintf("Access allowed by Azure RBAC Role Assignment %s of Role %s to user %s", ad.Assignment.Name, ad.RoleName, u.Name)
	}
	note := ""
	if u.Overage {
		note = " (token with groups overage: groups read from the directory)"
	}
	cs.m.logf("azemu: kube %s: %s %s: %s%s", cs.name, verdict(d), a.describe(), ad, note)
	cs.cache.put(key, d, cs.m.opt.Now())
	return d
}

func verdict(d decision) string {
	if d.Allowed {
		return "ALLOW"
	}
	return "DENY"
}

// forbiddenMessage is the API server's message for a refused request, with the authorizers' reason.
func forbiddenMessage(u user, a attributes, reason string) string {
	var msg string
	if !a.ResourceRequest {
		msg = fmt.Sprintf("forbidden: User %q cannot %s path %q", u.Name, a.Verb, a.Path)
	} else {
		res := a.Resource
		if a.Subresource != "" {
			res += "/" + a.Subresource
		}
		msg = a.qualifiedResource()
		if a.Name != "" {
			msg += fmt.Sprintf(" %q", a.Name)
		}
		msg += fmt.Sprintf(" is forbidden: User %q cannot %s resource %q in API group %q", u.Name, a.Verb, res, a.Group)
		if a.Namespace != "" {
			msg += fmt.Sprintf(" in the namespace %q", a.Namespace)
		} else {
			msg += " at the cluster scope"
		}
	}
	if reason != "" {
		msg += ": " + reason
	}
	return msg
}
