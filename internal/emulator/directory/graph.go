package directory

import (
	"net/http"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// buildRoutes serves every directory route under /v1.0 and under /beta: peer tooling (the azuread
// provider, Graph PowerShell) manages groups and memberships through beta, which real Graph serves.
func (s *Store) buildRoutes() *router.Router {
	rt := &router.Router{}
	for _, v := range []string{"/v1.0", "/beta"} {
		rt.Handle("POST", v+"/$batch", s.batch)
		rt.Handle("GET", v+"/me", s.getMe)
		usersCollection.route(rt, v, s)
		groupsCollection.route(rt, v, s)
		// What users and groups both answer: create, read, delete, and the groups they are in.
		for _, o := range []struct {
			set                        string
			create, get, del, memberOf router.Handler
		}{
			{"users", s.createUser, s.getUser, s.deleteUser, s.userMemberOf},
			{"groups", s.createGroup, s.getGroup, s.deleteGroup, s.groupMemberOf},
		} {
			rt.Handle("POST", v+"/"+o.set, o.create)
			rt.Handle("GET", v+"/"+o.set+"/{id}", o.get)
			rt.Handle("DELETE", v+"/"+o.set+"/{id}", o.del)
			rt.Handle("GET", v+"/"+o.set+"/{id}/memberOf", o.memberOf)
			rt.Handle("GET", v+"/"+o.set+"/{id}/transitiveMemberOf", o.memberOf)
		}
		rt.Handle("POST", v+"/users/{id}/revokeSignInSessions", s.revokeSignInSessions)
		rt.Handle("POST", v+"/me/revokeSignInSessions", s.revokeSignInSessions)
		rt.Handle("PATCH", v+"/groups/{id}", s.patchGroup)
		for _, kind := range []string{"members", "owners"} {
			rt.Handle("GET", v+"/groups/{id}/"+kind, s.listRelated)
			rt.Handle("GET", v+"/groups/{id}/"+kind+"/$ref", s.listRelatedRefs)
			rt.Handle("POST", v+"/groups/{id}/"+kind+"/$ref", s.addRelated)
			rt.Handle("DELETE", v+"/groups/{id}/"+kind+"/$ref", s.removeRelated)
			rt.Handle("DELETE", v+"/groups/{id}/"+kind+"/{memberId}/$ref", s.removeRelated)
		}
		rt.Handle("GET", v+"/groups/{id}/transitiveMembers", s.listRelated)
		rt.Handle("GET", v+"/directoryObjects/{id}", s.getDirectoryObject)
		rt.Handle("POST", v+"/directoryObjects/getByIds", s.getByIDs)
		rt.Handle("GET", v+"/servicePrincipals", servicePrincipalsCollection.list(s))
		rt.Handle("GET", v+"/servicePrincipals/{id}", s.getServicePrincipal)
	}
	return rt
}

// isBeta reports whether r came through Graph's beta endpoint.
func isBeta(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(r.URL.Path), "/beta/")
}

// ServeHTTP answers the directory's Graph routes and $batch.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = odata.WithSelectOmitsID(r, s.opt.SelectOmitsID)
	// servicePrincipals(appId='...') is a key-as-segment form the template router does not model.
	segs := router.Segments(r)
	if len(segs) == 2 && r.Method == http.MethodGet && strings.HasPrefix(strings.ToLower(segs[1]), "serviceprincipals(appid=") {
		reqctx.SetRoute(r.Context(), "GET /v1.0/servicePrincipals(appId='{appId}')")
		appID := strings.TrimSuffix(segs[1][len("servicePrincipals(appId="):], ")")
		s.getServicePrincipalByAppID(w, r, strings.Trim(appID, "'"))
		return
	}
	h, p, label, notAllowed := s.rt.Match(r)
	if h == nil {
		if notAllowed {
			reqctx.SetRoute(r.Context(), r.Method+" /v1.0/(method not allowed)")
			odata.WriteError(w, r, http.StatusMethodNotAllowed, "Request_BadRequest", "The request method is not supported for this resource.")
			return
		}
		reqctx.SetRoute(r.Context(), r.Method+" /v1.0/(unknown)")
		odata.WriteError(w, r, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+lastSegment(segs)+"'.")
		return
	}
	reqctx.SetRoute(r.Context(), label)
	h(w, r, p)
}

func lastSegment(segs []string) string {
	if len(segs) == 0 {
		return ""
	}
	return segs[len(segs)-1]
}

// refID extracts the object ID from an @odata.id / @odata.bind / @id URL of any host and form:
// .../directoryObjects/{id}, .../users/{id}, .../directoryObjects('{id}'), or a bare ID.
func refID(ref string) string {
	ref = strings.TrimSpace(ref)
	if i := strings.IndexAny(ref, "?#"); i >= 0 {
		ref = ref[:i]
	}
	ref = strings.TrimRight(ref, "/")
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	if i := strings.Index(ref, "('"); i >= 0 && strings.HasSuffix(ref, "')") {
		ref = ref[i+2 : len(ref)-2]
	}
	return ref
}

// isGUID reports whether s has the 8-4-4-4-12 hex shape of a directory object ID.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

func invalidID(id string) *odata.Error {
	return odata.BadRequest("Invalid object identifier '" + id + "'.")
}
