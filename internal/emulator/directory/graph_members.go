package directory

import (
	"net/http"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// relKind tells members from owners by the path, and whether the list is transitive.
func relKind(r *http.Request) (kind string, transitive bool) {
	p := strings.ToLower(r.URL.Path)
	switch {
	case strings.Contains(p, "/transitivemembers"):
		return KindMember, true
	case strings.Contains(p, "/owners"):
		return KindOwner, false
	}
	return KindMember, false
}

// objectJSON returns the polymorphic (@odata.type-carrying) representation of a principal (callers hold s.mu).
func (s *Store) objectJSON(id string) map[string]any {
	k := key(id)
	if u, ok := s.users[k]; ok {
		return userJSON(u, true)
	}
	if g, ok := s.groups[k]; ok {
		return groupJSON(g, true)
	}
	if sp, ok := s.sps[k]; ok {
		return spJSON(sp, s.opt.TenantID, true)
	}
	return nil
}

func (s *Store) listRelated(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !requireID(w, r, permReadGroups, p["id"]) {
		return
	}
	kind, transitive := relKind(r)
	g, now := s.lockGroup(w, r, p["id"])
	if g == nil {
		return
	}
	ids := s.related(g.ID, kind, now)
	if transitive {
		ids = s.transitiveMembers(g.ID, now)
	}
	items := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		if m := s.objectJSON(id); m != nil {
			items = append(items, m)
		}
	}
	s.mu.Unlock()
	// Users are listed with their default properties, as Graph does for directoryObject collections.
	writeList(w, r, "directoryObjects", items, func(m map[string]any) map[string]any {
		if m["@odata.type"] == TypeUser {
			return defaultUser(m)
		}
		return m
	})
}

func (s *Store) listRelatedRefs(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !require(w, r, permReadGroups) {
		return
	}
	kind, _ := relKind(r)
	g, now := s.lockGroup(w, r, p["id"])
	if g == nil {
		return
	}
	var refs []map[string]any
	for _, id := range s.related(g.ID, kind, now) {
		t := "User"
		if _, ok := s.groups[key(id)]; ok {
			t = "Group"
		} else if _, ok := s.sps[key(id)]; ok {
			t = "ServicePrincipal"
		}
		refs = append(refs, map[string]any{"@odata.id": "https://graph.microsoft.com/v2/" + s.opt.TenantID + "/directoryObjects/" + id + "/Microsoft.DirectoryServices." + t})
	}
	s.mu.Unlock()
	q, gerr := odata.ParseQuery(r)
	if gerr != nil {
		odata.WriteErr(w, r, gerr)
		return
	}
	page, next := odata.Page(r, q, refs, 100, 999)
	odata.WriteCollection(w, r, "directoryObjects", page, next)
}

// checkRelationshipWrite verifies the caller may change the group's members or owners (callers hold s.mu).
func (s *Store) checkRelationshipWrite(r *http.Request, g *Group, now time.Time) *odata.Error {
	perms := permWriteMembers
	if !s.canManageGroup(r, g, perms, now) {
		return odata.Forbidden()
	}
	if g.IsAssignableToRole != nil && *g.IsAssignableToRole && !allowed(r, permRoleAssign) {
		return odata.Forbidden()
	}
	return nil
}

func (s *Store) addRelated(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !require(w, r, permWriteOwnMembers) {
		return
	}
	kind, _ := relKind(r)
	var body struct {
		ID string `json:"@odata.id"`
	}
	if !odata.DecodeBody(w, r, &body) {
		return
	}
	if body.ID == "" {
		odata.WriteErr(w, r, odata.BadRequest("Missing or invalid reference: the '@odata.id' property is required."))
		return
	}
	memberID := refID(body.ID)
	if !validID(w, r, memberID) || !validID(w, r, p["id"]) {
		return
	}
	g, now := s.lockGroupForWrite(w, r, p["id"], func(g *Group, now time.Time) *odata.Error { return s.checkRelationshipWrite(r, g, now) })
	if g == nil {
		return
	}
	// A principal created a moment ago may not have replicated yet: Graph answers 404 (or 400) for it.
	if !s.principalVisible(memberID, now) {
		s.mu.Unlock()
		odata.WriteErr(w, r, s.missingReference(memberID))
		return
	}
	_, isGroup := s.groups[key(memberID)]
	switch {
	case strings.EqualFold(memberID, g.ID):
		s.mu.Unlock()
		odata.WriteErr(w, r, odata.BadRequest("An object cannot be added as a member or owner of itself."))
		return
	case kind == KindOwner && isGroup:
		s.mu.Unlock()
		odata.WriteErr(w, r, odata.BadRequest("Groups cannot be owners of a group."))
		return
	case s.liveRel(g.ID, memberID, kind) != nil || s.hasActiveTimed(g.ID, memberID, kind, now):
		s.mu.Unlock()
		odata.WriteErr(w, r, odata.BadRequest("One or more added object references already exist for the following modified properties: '"+kind+"s'."))
		return
	}
	s.relate(g.ID, kind, []string{memberID}, now)
	s.commit(w)
}

func (s *Store) hasActiveTimed(groupID, principalID, kind string, now time.Time) bool {
	for _, t := range s.timed {
		if t.Kind == kind && strings.EqualFold(t.GroupID, groupID) && strings.EqualFold(t.PrincipalID, principalID) && timedActive(t, now) {
			return true
		}
	}
	return false
}

// removeRelated answers both removal forms: /members/{id}/$ref and /members/$ref?@id=<url>.
func (s *Store) removeRelated(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !require(w, r, permWriteOwnMembers) {
		return
	}
	kind, _ := relKind(r)
	memberID := p["memberId"]
	if memberID == "" {
		ref := r.URL.Query().Get("@id")
		if ref == "" {
			ref = r.URL.Query().Get("$id")
		}
		if ref == "" {
			odata.WriteErr(w, r, odata.BadRequest("The '@id' query parameter is required to remove a reference."))
			return
		}
		memberID = refID(ref)
	}
	if !validID(w, r, p["id"]) {
		return
	}
	g, now := s.lockGroupForWrite(w, r, p["id"], func(g *Group, now time.Time) *odata.Error { return s.checkRelationshipWrite(r, g, now) })
	if g == nil {
		return
	}
	removed := false
	if rel := s.liveRel(g.ID, memberID, kind); rel != nil {
		t := now
		rel.RemovedAt = &t
		removed = true
	}
	// Active PIM memberships show up as members and can be removed through $ref too.
	for k, t := range s.timed {
		if t.Kind == kind && strings.EqualFold(t.GroupID, g.ID) && strings.EqualFold(t.PrincipalID, memberID) && timedActive(t, now) {
			delete(s.timed, k)
			removed = true
		}
	}
	s.mu.Unlock()
	if !removed {
		if s.opt.RemoveMissingIs400 {
			odata.WriteErr(w, r, odata.BadRequest("One or more removed object references do not exist for the following modified properties: '"+kind+"s'."))
			return
		}
		odata.WriteErr(w, r, odata.NotFound(memberID))
		return
	}
	s.Fire()
	odata.WriteNoContent(w)
}
