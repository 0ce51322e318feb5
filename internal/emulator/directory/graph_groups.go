package directory

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// writableGroupProps are the group properties POST/PATCH accept; others are rejected as Graph does.
var writableGroupProps = map[string]bool{
	"displayName": true, "description": true, "mailEnabled": true, "mailNickname": true, "securityEnabled": true,
	"groupTypes": true, "isAssignableToRole": true, "visibility": true, "classification": true,
	"owners@odata.bind": true, "members@odata.bind": true, "preferredLanguage": true, "theme": true,
	"membershipRule": true, "membershipRuleProcessingState": true, "preferredDataLocation": true,
}

// findGroup returns a group as seen by reads now (callers hold s.mu).
func (s *Store) findGroup(id string, now time.Time) *Group {
	if g, ok := s.groups[key(id)]; ok && s.visible(g.CreatedAt, g.DeletedAt, now) {
		return g
	}
	return nil
}

// writableGroup returns a group a write can act on: visible to the replica that serves the request and
// not deleted (callers hold s.mu).
func (s *Store) writableGroup(id string, now time.Time) *Group {
	if g := s.findGroup(id, now); g != nil && live(g.DeletedAt) {
		return g
	}
	return nil
}

// lockGroupForWrite locks s.mu and returns the live group named id and the time, when check lets the
// caller write it; otherwise it answers the error (404 for a group it cannot see), unlocks, and returns nil.
func (s *Store) lockGroupForWrite(w http.ResponseWriter, r *http.Request, id string, check func(*Group, time.Time) *odata.Error) (*Group, time.Time) {
	s.mu.Lock()
	now := s.opt.Now()
	g := s.writableGroup(id, now)
	err := odata.NotFound(id)
	if g != nil {
		err = check(g, now)
	}
	if err != nil {
		s.mu.Unlock()
		odata.WriteErr(w, r, err)
		return nil, now
	}
	return g, now
}

// managerCheck is lockGroupForWrite's check for changing or deleting the group itself.
func (s *Store) managerCheck(r *http.Request) func(*Group, time.Time) *odata.Error {
	return func(g *Group, now time.Time) *odata.Error {
		if !s.canManageGroup(r, g, permWriteGroup, now) {
			return odata.Forbidden()
		}
		return nil
	}
}

// canManageGroup: Group.ReadWrite.All / Directory.ReadWrite.All, or an application with Group.Create that
// owns the group (groups it created with itself as owner stay manageable). Delegated callers must also
// own the group, as the emulator models no directory roles (callers hold s.mu).
func (s *Store) canManageGroup(r *http.Request, g *Group, perms []string, now time.Time) bool {
	c := caller(r)
	owner := s.isRelated(g.ID, c.ObjectID, KindOwner, now)
	if c.IsApp {
		return c.HasPermission(perms...) || (c.HasPermission("Group.Create") && owner)
	}
	return c.HasPermission(perms...) && owner
}

func (s *Store) getGroup(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !require(w, r, permReadGroups) {
		return
	}
	if !isGUID(p["id"]) {
		odata.WriteErr(w, r, invalidID(p["id"]))
		return
	}
	s.mu.Lock()
	g := s.findGroup(p["id"], s.opt.Now())
	var m map[string]any
	if g != nil {
		m = s.withExtras(r, g, groupJSON(g, false))
	}
	s.mu.Unlock()
	if m == nil {
		odata.WriteErr(w, r, odata.NotFound(p["id"]))
		return
	}
	writeEntity(w, r, http.StatusOK, "groups", m, nil)
}

// groupInput is the decoded writable part of a group body.
type groupInput struct {
	raw map[string]json.RawMessage
}

func (in groupInput) has(p string) bool { _, ok := in.raw[p]; return ok }

func (in groupInput) str(p string) (*string, *odata.Error) { return inputValue[string](in, p) }

func (in groupInput) boolean(p string) (*bool, *odata.Error) { return inputValue[bool](in, p) }

func (in groupInput) list(p string) ([]string, *odata.Error) {
	l, err := inputValue[[]string](in, p)
	if l == nil {
		return nil, err
	}
	return *l, err
}

// inputValue decodes property p as a T: nil when absent or null, Graph's 400 when of another type.
func inputValue[T any](in groupInput, p string) (*T, *odata.Error) {
	v, ok := in.raw[p]
	if !ok || string(v) == "null" {
		return nil, nil
	}
	var t T
	if json.Unmarshal(v, &t) != nil {
		return nil, odata.BadRequest("Invalid value specified for property '" + p + "' of resource 'Group'.")
	}
	return &t, nil
}

func decodeGroupInput(w http.ResponseWriter, r *http.Request) (groupInput, bool) {
	raw, ok := rawProps(w, r)
	if !ok {
		return groupInput{}, false
	}
	for k := range raw {
		if strings.HasPrefix(k, "@odata.") || acceptedGroupProp(r, k) {
			continue
		}
		odata.WriteErr(w, r, odata.BadRequest("Property '"+k+"' does not exist on type 'microsoft.graph.group'. Make sure to only use property names that are defined by the type or mark the type as open type."))
		return groupInput{}, false
	}
	return groupInput{raw: raw}, true
}

// validMailNickname applies Graph's rule: 1-64 ASCII characters, none of @()\[]";:.<>, or space.
func validMailNickname(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if c > 127 || strings.ContainsRune("@()\\[]\";:.<>, ", c) {
			return false
		}
	}
	return true
}

// bindRefs resolves @odata.bind URLs to visible principals (callers hold s.mu).
func (s *Store) bindRefs(refs []string, now time.Time) ([]string, *odata.Error) {
	var ids []string
	for _, ref := range refs {
		id := refID(ref)
		if !isGUID(id) {
			return nil, invalidID(id)
		}
		if !s.principalVisible(id, now) {
			return nil, s.missingReference(id)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (s *Store) createGroup(w http.ResponseWriter, r *http.Request, _ router.Params) {
	if !require(w, r, permCreateGroup) {
		return
	}
	in, ok := decodeGroupInput(w, r)
	if !ok {
		return
	}
	fail := func(e *odata.Error) { odata.WriteErr(w, r, e) }
	displayName, e1 := in.str("displayName")
	mailNickname, e2 := in.str("mailNickname")
	description, e3 := in.str("description")
	visibility, e4 := in.str("visibility")
	mailEnabled, e5 := in.boolean("mailEnabled")
	securityEnabled, e6 := in.boolean("securityEnabled")
	assignable, e7 := in.boolean("isAssignableToRole")
	groupTypes, e8 := in.list("groupTypes")
	owners, e9 := in.list("owners@odata.bind")
	members, e10 := in.list("members@odata.bind")
	for _, e := range []*odata.Error{e1, e2, e3, e4, e5, e6, e7, e8, e9, e10} {
		if e != nil {
			fail(e)
			return
		}
	}
	switch {
	case displayName == nil || *displayName == "":
		fail(odata.BadRequest("Invalid value specified for property 'displayName' of resource 'Group'."))
		return
	case mailEnabled == nil:
		fail(odata.BadRequest("A value is required for property 'mailEnabled' of resource 'Group'."))
		return
	case securityEnabled == nil:
		fail(odata.BadRequest("A value is required for property 'securityEnabled' of resource 'Group'."))
		return
	case mailNickname == nil || !validMailNickname(*mailNickname):
		fail(odata.BadRequest("Invalid value specified for property 'mailNickname' of resource 'Group'."))
		return
	}
	unified := false
	for _, t := range groupTypes {
		if strings.EqualFold(t, "Unified") {
			unified = true
		}
	}
	if *mailEnabled && !unified {
		fail(odata.BadRequest("The service does not currently support writes of mail-enabled groups. Please ensure that the mail-enablement property is unset or set to false."))
		return
	}
	if assignable != nil && *assignable {
		if !allowed(r, permRoleAssign) {
			odata.WriteErr(w, r, odata.Forbidden())
			return
		}
		if !*securityEnabled {
			fail(odata.BadRequest("IsAssignableToRole can only be set on security enabled groups."))
			return
		}
	}
	if len(owners)+len(members) > 20 {
		fail(odata.BadRequest("The number of references in the request payload exceeded the maximum allowed of 20."))
		return
	}
	s.mu.Lock()
	now := s.opt.Now()
	ownerIDs, err := s.bindRefs(owners, now)
	if err == nil {
		var memberIDs []string
		memberIDs, err = s.bindRefs(members, now)
		members = memberIDs
	}
	if err != nil {
		s.mu.Unlock()
		fail(err)
		return
	}
	for _, id := range ownerIDs {
		if _, isGroup := s.groups[key(id)]; isGroup {
			s.mu.Unlock()
			fail(odata.BadRequest("Groups cannot be owners of a group."))
			return
		}
	}
	if unified {
		for _, g := range s.groups {
			if g.DeletedAt == nil && strings.EqualFold(g.MailNickname, *mailNickname) {
				s.mu.Unlock()
				fail(odata.BadRequest("Another object with the same value for property mailNickname already exists."))
				return
			}
		}
	}
	if groupTypes == nil {
		groupTypes = []string{}
	}
	g := &Group{
		ID: s.newID(), DisplayName: *displayName, Description: description, MailNickname: *mailNickname,
		MailEnabled: *mailEnabled, SecurityEnabled: *securityEnabled, GroupTypes: groupTypes,
		IsAssignableToRole: assignable, Visibility: visibility, CreatedAt: now,
	}
	g.SecurityIdentifier = securityIdentifier(g.ID)
	setExtraProps(g, in)
	s.groups[key(g.ID)] = g
	for _, id := range ownerIDs {
		s.rels = append(s.rels, &Relationship{GroupID: g.ID, PrincipalID: id, Kind: KindOwner, AddedAt: now})
	}
	for _, id := range members {
		s.rels = append(s.rels, &Relationship{GroupID: g.ID, PrincipalID: id, Kind: KindMember, AddedAt: now})
	}
	m := s.withExtras(r, g, groupJSON(g, false))
	m["@odata.id"] = s.groupODataID(g) // as in the example of api-reference/v1.0/api/group-post-groups.md
	s.mu.Unlock()
	s.Fire()
	w.Header().Set("Location", s.groupODataID(g))
	writeEntity(w, r, http.StatusCreated, "groups", m, nil)
}

func (s *Store) patchGroup(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !allowed(r, append(append([]string{}, permWriteGroup...), "Group.Create")) {
		odata.WriteErr(w, r, odata.Forbidden())
		return
	}
	if !isGUID(p["id"]) {
		odata.WriteErr(w, r, invalidID(p["id"]))
		return
	}
	in, ok := decodeGroupInput(w, r)
	if !ok {
		return
	}
	fail := func(e *odata.Error) { odata.WriteErr(w, r, e) }
	for _, ro := range []string{"isAssignableToRole", "groupTypes", "mailEnabled"} {
		if in.has(ro) {
			fail(odata.BadRequest("Property '" + ro + "' is read-only and cannot be set."))
			return
		}
	}
	displayName, e1 := in.str("displayName")
	mailNickname, e2 := in.str("mailNickname")
	description, e3 := in.str("description")
	visibility, e4 := in.str("visibility")
	securityEnabled, e5 := in.boolean("securityEnabled")
	owners, e6 := in.list("owners@odata.bind")
	members, e7 := in.list("members@odata.bind")
	for _, e := range []*odata.Error{e1, e2, e3, e4, e5, e6, e7} {
		if e != nil {
			fail(e)
			return
		}
	}
	if in.has("displayName") && (displayName == nil || *displayName == "") {
		fail(odata.BadRequest("Invalid value specified for property 'displayName' of resource 'Group'."))
		return
	}
	if in.has("mailNickname") && (mailNickname == nil || !validMailNickname(*mailNickname)) {
		fail(odata.BadRequest("Invalid value specified for property 'mailNickname' of resource 'Group'."))
		return
	}
	if len(owners)+len(members) > 20 {
		fail(odata.BadRequest("The number of references in the request payload exceeded the maximum allowed of 20."))
		return
	}
	g, now := s.lockGroupForWrite(w, r, p["id"], s.managerCheck(r))
	if g == nil {
		return
	}
	ownerIDs, err := s.bindRefs(owners, now)
	var memberIDs []string
	if err == nil {
		memberIDs, err = s.bindRefs(members, now)
	}
	if err == nil {
		for _, id := range memberIDs {
			if s.liveRel(g.ID, id, KindMember) != nil {
				err = odata.BadRequest("One or more added object references already exist for the following modified properties: 'members'.")
			}
		}
		for _, id := range ownerIDs {
			if s.liveRel(g.ID, id, KindOwner) != nil {
				err = odata.BadRequest("One or more added object references already exist for the following modified properties: 'owners'.")
			}
		}
	}
	if err != nil {
		s.mu.Unlock()
		fail(err)
		return
	}
	if displayName != nil {
		g.DisplayName = *displayName
	}
	if in.has("description") {
		g.Description = description
		if description != nil && *description == "" {
			g.Description = nil
		}
	}
	if mailNickname != nil {
		g.MailNickname = *mailNickname
	}
	if in.has("visibility") {
		g.Visibility = visibility
	}
	if securityEnabled != nil {
		g.SecurityEnabled = *securityEnabled
	}
	setExtraProps(g, in)
	for _, id := range ownerIDs {
		s.rels = append(s.rels, &Relationship{GroupID: g.ID, PrincipalID: id, Kind: KindOwner, AddedAt: now})
	}
	for _, id := range memberIDs {
		s.rels = append(s.rels, &Relationship{GroupID: g.ID, PrincipalID: id, Kind: KindMember, AddedAt: now})
	}
	s.mu.Unlock()
	s.Fire()
	odata.WriteNoContent(w)
}

func (s *Store) deleteGroup(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !allowed(r, append(append([]string{}, permWriteGroup...), "Group.Create")) {
		odata.WriteErr(w, r, odata.Forbidden())
		return
	}
	if !isGUID(p["id"]) {
		odata.WriteErr(w, r, invalidID(p["id"]))
		return
	}
	g, now := s.lockGroupForWrite(w, r, p["id"], s.managerCheck(r))
	if g == nil {
		return
	}
	// Security groups are deleted permanently (no deletedItems); replication keeps them visible a while.
	g.DeletedAt = &now
	s.endRelationshipsOf(g.ID, now)
	s.mu.Unlock()
	s.Fire()
	odata.WriteNoContent(w)
}
