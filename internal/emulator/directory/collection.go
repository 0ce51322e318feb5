package directory

import (
	"net/http"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// lived is a directory object with a lifetime: when it was created, when deleted (nil: live) and its ID,
// which orders objects created at the same instant.
type lived interface {
	lifetime() (created time.Time, deleted *time.Time, id string)
}

func (u *User) lifetime() (time.Time, *time.Time, string)  { return u.CreatedAt, u.DeletedAt, u.ID }
func (g *Group) lifetime() (time.Time, *time.Time, string) { return g.CreatedAt, g.DeletedAt, g.ID }
func (sp *ServicePrincipal) lifetime() (time.Time, *time.Time, string) {
	return sp.CreatedAt, sp.DeletedAt, sp.ID
}

// visibleObjects returns the objects of all that replication lets a reader see now, oldest first
// (callers hold s.mu).
func visibleObjects[T lived](s *Store, all map[string]T, now time.Time) []T {
	var out []T
	for _, o := range all {
		if created, deleted, _ := o.lifetime(); s.visible(created, deleted, now) {
			out = append(out, o)
		}
	}
	sortByCreation(out, func(o T) (time.Time, string) { created, _, id := o.lifetime(); return created, id })
	return out
}

// collection serves the list and $count of one kind of object (users, groups, servicePrincipals).
type collection[T lived] struct {
	set   string   // the entity set, as in @odata.context
	perms []string // any one of them lets the caller read
	all   func(*Store) map[string]T
	// render is an object's JSON for the request; trim projects it when $select is absent.
	render func(*Store, *http.Request, T) map[string]any
	trim   func(map[string]any) map[string]any
}

func (c collection[T]) list(s *Store) router.Handler {
	return func(w http.ResponseWriter, r *http.Request, _ router.Params) {
		if !require(w, r, c.perms) {
			return
		}
		s.mu.Lock()
		objs := visibleObjects(s, c.all(s), s.opt.Now())
		items := make([]map[string]any, 0, len(objs))
		for _, o := range objs {
			items = append(items, c.render(s, r, o))
		}
		s.mu.Unlock()
		writeList(w, r, c.set, items, c.trim)
	}
}

// route serves the collection's list and $count under prefix (/v1.0, /beta).
func (c collection[T]) route(rt *router.Router, prefix string, s *Store) {
	rt.Handle("GET", prefix+"/"+c.set, c.list(s))
	rt.Handle("GET", prefix+"/"+c.set+"/$count", c.count(s))
}

func (c collection[T]) count(s *Store) router.Handler {
	return func(w http.ResponseWriter, r *http.Request, _ router.Params) {
		if !require(w, r, c.perms) {
			return
		}
		s.mu.Lock()
		n := len(visibleObjects(s, c.all(s), s.opt.Now()))
		s.mu.Unlock()
		writeCount(w, r, n)
	}
}

var (
	usersCollection = collection[*User]{
		set: "users", perms: permReadUsers, all: func(s *Store) map[string]*User { return s.users },
		render: func(_ *Store, _ *http.Request, u *User) map[string]any { return userJSON(u, false) }, trim: defaultUser,
	}
	groupsCollection = collection[*Group]{
		set: "groups", perms: permReadGroups, all: func(s *Store) map[string]*Group { return s.groups },
		render: func(s *Store, r *http.Request, g *Group) map[string]any {
			return s.withExtras(r, g, groupJSON(g, false))
		},
	}
	servicePrincipalsCollection = collection[*ServicePrincipal]{
		set: "servicePrincipals", perms: permReadSPs, all: func(s *Store) map[string]*ServicePrincipal { return s.sps },
		render: func(s *Store, _ *http.Request, sp *ServicePrincipal) map[string]any {
			return spJSON(sp, s.opt.TenantID, false)
		},
	}
)
