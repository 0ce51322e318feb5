package directory

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// findUser returns the user with this object ID or UPN as seen by reads now (callers hold s.mu).
func (s *Store) findUser(idOrUPN string, now time.Time) *User {
	if u, ok := s.users[key(idOrUPN)]; ok && s.visible(u.CreatedAt, u.DeletedAt, now) {
		return u
	}
	for _, u := range s.users {
		if strings.EqualFold(u.UserPrincipalName, idOrUPN) && s.visible(u.CreatedAt, u.DeletedAt, now) {
			return u
		}
	}
	return nil
}

// writeEntity writes one object with its @odata.context, applying $select (or trimming to the default
// properties via trim when there is no $select).
func writeEntity(w http.ResponseWriter, r *http.Request, status int, set string, m map[string]any, trim func(map[string]any) map[string]any) {
	q, gerr := odata.ParseQuery(r)
	if gerr != nil {
		odata.WriteErr(w, r, gerr)
		return
	}
	ctx := set + "/$entity"
	if len(q.Select) > 0 {
		m = q.Apply(m)
		ctx = set + q.Projection() + "/$entity"
	} else if trim != nil {
		m = trim(m)
	}
	m["@odata.context"] = odata.Context(r, ctx)
	odata.WriteJSON(w, status, m)
}

// writeList filters, pages and writes a collection of JSON objects.
func writeList(w http.ResponseWriter, r *http.Request, set string, items []map[string]any, trim func(map[string]any) map[string]any) {
	q, gerr := odata.ParseQuery(r)
	if gerr != nil {
		odata.WriteErr(w, r, gerr)
		return
	}
	if gerr := checkAdvancedQuery(r, q); gerr != nil {
		odata.WriteErr(w, r, gerr)
		return
	}
	var matched []map[string]any
	for _, m := range items {
		if q.Filter.Match(m) {
			matched = append(matched, m)
		}
	}
	if strings.HasPrefix(strings.ToLower(q.OrderBy), "displayname") {
		desc := strings.HasSuffix(strings.ToLower(q.OrderBy), " desc")
		sort.SliceStable(matched, func(i, j int) bool {
			a, _ := matched[i]["displayName"].(string)
			b, _ := matched[j]["displayName"].(string)
			if desc {
				return strings.ToLower(a) > strings.ToLower(b)
			}
			return strings.ToLower(a) < strings.ToLower(b)
		})
	}
	page, next := odata.Page(r, q, matched, 100, 999)
	out := make([]map[string]any, 0, len(page))
	for _, m := range page {
		switch {
		case len(q.Select) > 0:
			m = q.Apply(m)
		case trim != nil:
			m = trim(m)
		}
		out = append(out, m)
	}
	ctx := set
	if len(q.Select) > 0 {
		ctx = set + q.Projection()
	}
	c := odata.Collection{Context: odata.Context(r, ctx), Value: out, NextLink: next}
	if q.Count {
		n := len(matched)
		c.Count = &n
	}
	odata.WriteJSON(w, http.StatusOK, c)
}

// checkAdvancedQuery enforces that advanced query capabilities need ConsistencyLevel: eventual.
func checkAdvancedQuery(r *http.Request, q odata.Query) *odata.Error {
	if strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual") {
		return nil
	}
	for _, p := range q.Filter {
		if p.Op == "ne" || p.Negate {
			return odata.NewError(http.StatusBadRequest, odata.CodeUnsupportedQuery,
				"Operator '"+p.Op+"' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information")
		}
	}
	if q.Count || q.Search != "" {
		return odata.NewError(http.StatusBadRequest, odata.CodeUnsupportedQuery, "$count and $search are only supported with the ConsistencyLevel:eventual header.")
	}
	return nil
}

func (s *Store) getMe(w http.ResponseWriter, r *http.Request, _ router.Params) {
	c := caller(r)
	if c.IsApp {
		odata.WriteError(w, r, http.StatusBadRequest, "BadRequest", "/me request is only valid with delegated authentication flow.")
		return
	}
	if !require(w, r, permMe) {
		return
	}
	s.mu.Lock()
	u := s.findUser(c.ObjectID, s.opt.Now())
	var m map[string]any
	if u != nil {
		m = userJSON(u, false)
	}
	s.mu.Unlock()
	if m == nil {
		odata.WriteErr(w, r, odata.NotFound(c.ObjectID))
		return
	}
	writeEntity(w, r, http.StatusOK, "users", m, defaultUser)
}

func (s *Store) getUser(w http.ResponseWriter, r *http.Request, p router.Params) {
	c := caller(r)
	self := !c.IsApp && (strings.EqualFold(p["id"], c.ObjectID) || strings.EqualFold(p["id"], c.UPN))
	if (!self || !allowed(r, permMe)) && !require(w, r, permReadUsers) {
		return
	}
	s.mu.Lock()
	u := s.findUser(p["id"], s.opt.Now())
	var m map[string]any
	if u != nil {
		m = userJSON(u, false)
	}
	s.mu.Unlock()
	if m == nil {
		odata.WriteErr(w, r, odata.NotFound(p["id"]))
		return
	}
	writeEntity(w, r, http.StatusOK, "users", m, defaultUser)
}

func writeCount(w http.ResponseWriter, r *http.Request, n int) {
	if !strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual") {
		odata.WriteErr(w, r, odata.NewError(http.StatusBadRequest, odata.CodeUnsupportedQuery, "Count is not currently supported without the ConsistencyLevel:eventual header."))
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(strconv.Itoa(n)))
}

// createUserBody is the subset of the user resource POST /users accepts.
type createUserBody struct {
	AccountEnabled    *bool   `json:"accountEnabled"`
	DisplayName       *string `json:"displayName"`
	MailNickname      *string `json:"mailNickname"`
	UserPrincipalName *string `json:"userPrincipalName"`
	GivenName         string  `json:"givenName"`
	Surname           string  `json:"surname"`
	JobTitle          string  `json:"jobTitle"`
	PasswordProfile   *struct {
		Password                      string `json:"password"`
		ForceChangePasswordNextSignIn bool   `json:"forceChangePasswordNextSignIn"`
	} `json:"passwordProfile"`
}

func (s *Store) createUser(w http.ResponseWriter, r *http.Request, _ router.Params) {
	if !require(w, r, permWriteUsers) {
		return
	}
	var b createUserBody
	if !odata.DecodeBody(w, r, &b) {
		return
	}
	missing := func(prop string) {
		odata.WriteErr(w, r, odata.BadRequest("Property '"+prop+"' is required when creating the entity."))
	}
	switch {
	case b.AccountEnabled == nil:
		missing("accountEnabled")
		return
	case b.DisplayName == nil || *b.DisplayName == "":
		missing("displayName")
		return
	case b.MailNickname == nil || *b.MailNickname == "":
		missing("mailNickname")
		return
	case b.UserPrincipalName == nil || *b.UserPrincipalName == "":
		missing("userPrincipalName")
		return
	case b.PasswordProfile == nil || b.PasswordProfile.Password == "":
		missing("passwordProfile")
		return
	}
	_, domain, _ := strings.Cut(*b.UserPrincipalName, "@")
	if !strings.EqualFold(domain, s.opt.Domain) {
		odata.WriteErr(w, r, odata.BadRequest("The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."))
		return
	}
	s.mu.Lock()
	for _, u := range s.users {
		if u.DeletedAt == nil && strings.EqualFold(u.UserPrincipalName, *b.UserPrincipalName) {
			s.mu.Unlock()
			odata.WriteErr(w, r, odata.BadRequest("Another object with the same value for property userPrincipalName already exists."))
			return
		}
	}
	u := &User{
		ID: s.newID(), UserPrincipalName: *b.UserPrincipalName, DisplayName: *b.DisplayName, MailNickname: *b.MailNickname,
		GivenName: b.GivenName, Surname: b.Surname, JobTitle: b.JobTitle, AccountEnabled: *b.AccountEnabled,
		Password: b.PasswordProfile.Password, CreatedAt: s.opt.Now(),
	}
	s.users[key(u.ID)] = u
	m := userJSON(u, false)
	s.unlockChanged()
	w.Header().Set("Location", "https://graph.microsoft.com/v2/"+s.opt.TenantID+"/directoryObjects/"+u.ID+"/Microsoft.DirectoryServices.User")
	writeEntity(w, r, http.StatusCreated, "users", m, defaultUser)
}

func (s *Store) deleteUser(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !require(w, r, permWriteUsers) {
		return
	}
	s.mu.Lock()
	now := s.opt.Now()
	u := s.findUser(p["id"], now)
	if u == nil || u.DeletedAt != nil {
		s.mu.Unlock()
		odata.WriteErr(w, r, odata.NotFound(p["id"]))
		return
	}
	s.deleteObject(w, &u.DeletedAt, u.ID, now)
}

// deleteObject marks the object id deleted at now, ends its relationships and answers 204 (callers hold
// s.mu, which it releases).
func (s *Store) deleteObject(w http.ResponseWriter, deletedAt **time.Time, id string, now time.Time) {
	*deletedAt = &now
	s.endRelationshipsOf(id, now)
	s.commit(w)
}

// endRelationshipsOf removes every direct relationship of a deleted object (callers hold s.mu).
func (s *Store) endRelationshipsOf(id string, now time.Time) {
	for _, rel := range s.rels {
		if rel.RemovedAt == nil && (strings.EqualFold(rel.PrincipalID, id) || strings.EqualFold(rel.GroupID, id)) {
			t := now
			rel.RemovedAt = &t
		}
	}
	for k, t := range s.timed {
		if strings.EqualFold(t.PrincipalID, id) || strings.EqualFold(t.GroupID, id) {
			delete(s.timed, k)
		}
	}
}

func (s *Store) userMemberOf(w http.ResponseWriter, r *http.Request, p router.Params) {
	c := caller(r)
	self := !c.IsApp && strings.EqualFold(p["id"], c.ObjectID)
	if (!self || !allowed(r, permMe)) && !require(w, r, permReadUsers) {
		return
	}
	s.writeMemberOf(w, r, p["id"], func(now time.Time) (string, bool) {
		if u := s.findUser(p["id"], now); u != nil {
			return u.ID, true
		}
		return "", false
	})
}

// writeMemberOf answers memberOf (or transitiveMemberOf) of the object id as resolve finds it at now
// (callers have checked the permissions).
func (s *Store) writeMemberOf(w http.ResponseWriter, r *http.Request, id string, resolve func(now time.Time) (string, bool)) {
	s.mu.Lock()
	now := s.opt.Now()
	oid, ok := resolve(now)
	if !ok {
		s.mu.Unlock()
		odata.WriteErr(w, r, odata.NotFound(id))
		return
	}
	ids := s.groupsOf(oid, now)
	if isTransitive(r) {
		ids = s.transitiveGroups(oid, now)
	}
	items := make([]map[string]any, 0, len(ids))
	for _, gid := range ids {
		items = append(items, groupJSON(s.groups[key(gid)], true))
	}
	s.mu.Unlock()
	writeList(w, r, "directoryObjects", items, nil)
}

// isTransitive reports whether r asks for transitiveMemberOf rather than memberOf.
func isTransitive(r *http.Request) bool {
	return strings.HasSuffix(strings.ToLower(r.URL.Path), "transitivememberof")
}

func sortByCreation[T any](items []T, k func(T) (time.Time, string)) {
	sort.Slice(items, func(i, j int) bool {
		ti, ii := k(items[i])
		tj, ij := k(items[j])
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return ii < ij
	})
}

// rawProps decodes a JSON object body into raw properties, writing 400 on failure.
func rawProps(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if !odata.DecodeBody(w, r, &m) {
		return nil, false
	}
	if m == nil {
		odata.WriteErr(w, r, odata.BadRequest("Empty Payload. JSON content expected."))
		return nil, false
	}
	return m, true
}
