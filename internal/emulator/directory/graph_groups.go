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

// lockGroup locks s.mu and returns the group named id as reads see it now, and the time; without one it
// answers 404, unlocks, and returns nil.
func (s *Store) lockGroup(w http.ResponseWriter, r *http.Request, id string) (*Group, time.Time) {
	return s.lockFound(w, r, id, s.findGroup, nil)
}

// lockGroupForWrite locks s.mu and returns the live group named id and the time, when check lets the
// caller write it; otherwise it answers the error (404 for a group it cannot see), unlocks, and returns nil.
func (s *Store) lockGroupForWrite(w http.ResponseWriter, r *http.Request, id string, check func(*Group, time.Time) *odata.Error) (*Group, time.Time) {
	return s.lockFound(w, r, id, s.writableGroup, check)
}

func (s *Store) lockFound(w http.ResponseWriter, r *http.Request, id string, find func(string, time.Time) *Group,
	check func(*Group, time.Time) *odata.Error) (*Group, time.Time) {
	s.mu.Lock()
	now := s.opt.Now()
	g := find(id, now)
	err := odata.NotFound(id)
	if g != nil {
		err = nil
		if check != nil {
			err = check(g, now)
		}
	}
	if err != nil {
		s.mu.Unlock()
		odata.WriteErr(w, r, err)
		return nil, now
	}
	return g, now
}

// relate makes each of ids a member or owner (kind) of groupID as of now (callers hold s.mu).
func (s *Store) relate(groupID, kind string, ids []string, now time.Time) {
	for _, id := range ids {
		s.rels = append(s.rels, &Relationship{GroupID: groupID, PrincipalID: id, Kind: kind, AddedAt: now})
	}
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
	if !requireID(w, r, permReadGroups, p["id"]) {
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
		return nil, invalidGroupValue(p)
	}
	return &t, nil
}

func invalidGroupValue(p string) *odata.Error {
	return odata.BadRequest("Invalid value specified for property '" + p + "' of resource 'Group'.")
}

// groupFields are the typed properties of a group body (nil: absent or null).
type groupFields struct {
	displayName, mailNickname, description, visibility *string
	mailEnabled, securityEnabled, assignable           *bool
	groupTypes, owners, members                        []string
}

// fields decodes the typed properties of the body; the first one of another type is Graph's 400.
func (in groupInput) fields() (f groupFields, err *odata.Error) {
	for _, str := range []struct {
		p   string
		dst **string
	}{{"displayName", &f.displayName}, {"mailNickname", &f.mailNickname}, {"description", &f.description}, {"visibility", &f.visibility}} {
		if *str.dst, err = in.str(str.p); err != nil {
			return f, err
		}
	}
	for _, b := range []struct {
		p   string
		dst **bool
	}{{"mailEnabled", &f.mailEnabled}, {"securityEnabled", &f.securityEnabled}, {"isAssignableToRole", &f.assignable}} {
		if *b.dst, err = in.boolean(b.p); err != nil {
			return f, err
		}
	}
	for _, l := range []struct {
		p   string
		dst *[]string
	}{{"groupTypes", &f.groupTypes}, {"owners@odata.bind", &f.owners}, {"members@odata.bind", &f.members}} {
		if *l.dst, err = in.list(l.p); err != nil {
			return f, err
		}
	}
	return f, nil
}

// tooManyReferences is Graph's 400 for a body binding more than 20 owners and members.
func (f groupFields) tooManyReferences() *odata.Error {
	if len(f.owners)+len(f.members) > 20 {
		return odata.BadRequest("The number of references in the request payload exceeded the maximum allowed of 20.")
	}
	return nil
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

// bindAll resolves the owners and members a group body binds (callers hold s.mu).
func (s *Store) bindAll(f groupFields, now time.Time) (ownerIDs, memberIDs []string, err *odata.Error) {
	if ownerIDs, err = s.bindRefs(f.owners, now); err == nil {
		memberIDs, err = s.bindRefs(f.members, now)
	}
	return ownerIDs, memberIDs, err
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
	f, ferr := in.fields()
	if ferr != nil {
		fail(ferr)
		return
	}
	switch {
	case f.displayName == nil || *f.displayName == "":
		fail(invalidGroupValue("displayName"))
		return
	case f.mailEnabled == nil:
		fail(odata.BadRequest("A value is required for property 'mailEnabled' of resource 'Group'."))
		return
	case f.securityEnabled == nil:
		fail(odata.BadRequest("A value is required for property 'securityEnabled' of resource 'Group'."))
		return
	case f.mailNickname == nil || !validMailNickname(*f.mailNickname):
		fail(invalidGroupValue("mailNickname"))
		return
	}
	unified := false
	for _, t := range f.groupTypes {
		if strings.EqualFold(t, "Unified") {
			unified = true
		}
	}
	if *f.mailEnabled && !unified {
		fail(odata.BadRequest("The service does not currently support writes of mail-enabled groups. Please ensure that the mail-enablement property is unset or set to false."))
		return
	}
	if f.assignable != nil && *f.assignable {
		if !allowed(r, permRoleAssign) {
			odata.WriteErr(w, r, odata.Forbidden())
			return
		}
		if !*f.securityEnabled {
			fail(odata.BadRequest("IsAssignableToRole can only be set on security enabled groups."))
			return
		}
	}
	if err := f.tooManyReferences(); err != nil {
		fail(err)
		return
	}
	s.mu.Lock()
	now := s.opt.Now()
	ownerIDs, memberIDs, err := s.bindAll(f, now)
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
			if g.DeletedAt == nil && strings.EqualFold(g.MailNickname, *f.mailNickname) {
				s.mu.Unlock()
				fail(odata.BadRequest("Another object with the same value for property f.mailNickname already exists."))
				return
			}
		}
	}
	groupTypes := f.groupTypes
	if groupTypes == nil {
		groupTypes = []string{}
	}
	g := &Group{
		ID: s.newID(), DisplayName: *f.displayName, Description: f.description, MailNickname: *f.mailNickname,
		MailEnabled: *f.mailEnabled, SecurityEnabled: *f.securityEnabled, GroupTypes: groupTypes,
		IsAssignableToRole: f.assignable, Visibility: f.visibility, CreatedAt: now,
	}
	g.SecurityIdentifier = securityIdentifier(g.ID)
	setExtraProps(g, in)
	s.groups[key(g.ID)] = g
	s.relate(g.ID, KindOwner, ownerIDs, now)
	s.relate(g.ID, KindMember, memberIDs, now)
	m := s.withExtras(r, g, groupJSON(g, false))
	m["@odata.id"] = s.groupODataID(g) // as in the example of api-reference/v1.0/api/group-post-groups.md
	s.unlockChanged()
	w.Header().Set("Location", s.groupODataID(g))
	writeEntity(w, r, http.StatusCreated, "groups", m, nil)
}

func (s *Store) patchGroup(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !requireID(w, r, permWriteOwnGroup, p["id"]) {
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
	f, err := in.fields()
	switch {
	case err != nil:
	case in.has("displayName") && (f.displayName == nil || *f.displayName == ""):
		err = invalidGroupValue("displayName")
	case in.has("mailNickname") && (f.mailNickname == nil || !validMailNickname(*f.mailNickname)):
		err = invalidGroupValue("mailNickname")
	default:
		err = f.tooManyReferences()
	}
	if err != nil {
		fail(err)
		return
	}
	g, now := s.lockGroupForWrite(w, r, p["id"], s.managerCheck(r))
	if g == nil {
		return
	}
	ownerIDs, memberIDs, err := s.bindAll(f, now)
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
	if f.displayName != nil {
		g.DisplayName = *f.displayName
	}
	if in.has("description") {
		g.Description = f.description
		if f.description != nil && *f.description == "" {
			g.Description = nil
		}
	}
	if f.mailNickname != nil {
		g.MailNickname = *f.mailNickname
	}
	if in.has("visibility") {
		g.Visibility = f.visibility
	}
	if f.securityEnabled != nil {
		g.SecurityEnabled = *f.securityEnabled
	}
	setExtraProps(g, in)
	s.relate(g.ID, KindOwner, ownerIDs, now)
	s.relate(g.ID, KindMember, memberIDs, now)
	s.commit(w)
}

func (s *Store) deleteGroup(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !requireID(w, r, permWriteOwnGroup, p["id"]) {
		return
	}
	g, now := s.lockGroupForWrite(w, r, p["id"], s.managerCheck(r))
	if g == nil {
		return
	}
	// Security groups are deleted permanently (no deletedItems); replication keeps them visible a while.
	s.deleteObject(w, &g.DeletedAt, g.ID, now)
}
