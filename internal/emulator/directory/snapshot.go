package directory

import (
	"sort"
	"strings"
	"time"
)

// Snapshot is a deep copy of the directory for test assertions.
type Snapshot struct {
	Users             []User
	Groups            []GroupSnapshot
	ServicePrincipals []ServicePrincipal
}

// GroupSnapshot is a group with its relationships as effective at the snapshot time.
type GroupSnapshot struct {
	Group
	Members, Owners []string
	Timed           []Timed
}

// Snapshot copies the directory; relationships are those effective at now (deleted objects included).
func (s *Store) Snapshot(now time.Time) Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out Snapshot
	for _, u := range s.users {
		cp := *u
		cp.Password = ""
		out.Users = append(out.Users, cp)
	}
	for _, g := range s.groups {
		gs := GroupSnapshot{Group: *g}
		gs.GroupTypes = append([]string(nil), g.GroupTypes...)
		gs.Members = s.related(g.ID, KindMember, now)
		gs.Owners = s.related(g.ID, KindOwner, now)
		for _, t := range s.timed {
			if strings.EqualFold(t.GroupID, g.ID) {
				gs.Timed = append(gs.Timed, *t)
			}
		}
		sort.Slice(gs.Timed, func(i, j int) bool { return gs.Timed[i].Start.Before(gs.Timed[j].Start) })
		out.Groups = append(out.Groups, gs)
	}
	for _, sp := range s.sps {
		cp := *sp
		cp.AppRoles = copyScopes(sp.AppRoles)
		out.ServicePrincipals = append(out.ServicePrincipals, cp)
	}
	sort.Slice(out.Users, func(i, j int) bool { return out.Users[i].UserPrincipalName < out.Users[j].UserPrincipalName })
	sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].ID < out.Groups[j].ID })
	sort.Slice(out.ServicePrincipals, func(i, j int) bool { return out.ServicePrincipals[i].ID < out.ServicePrincipals[j].ID })
	return out
}

// UpdateApplication changes an app registration in place.
func (s *Store) UpdateApplication(appID string, fn func(*App)) {
	s.mu.Lock()
	if a, ok := s.apps[key(appID)]; ok {
		fn(a)
	}
	s.unlockChanged()
}
