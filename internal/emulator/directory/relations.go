package directory

import (
	"sort"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
)

// Relationship kinds.
const (
	KindMember = "member"
	KindOwner  = "owner"
)

func timedKey(scheduleID, kind string) string { return strings.ToLower(scheduleID) + "|" + kind }

// relVisible reports whether a direct relationship is seen by reads at now (replication applies).
func (s *Store) relVisible(r *Relationship, now time.Time) bool {
	return s.visible(r.AddedAt, r.RemovedAt, now)
}

// timedActive reports whether a time-bound relationship is in effect at now.
func timedActive(t *Timed, now time.Time) bool {
	return !now.Before(t.Start) && (t.End.IsZero() || now.Before(t.End))
}

// liveRel returns the live direct relationship, if any (callers hold s.mu).
func (s *Store) liveRel(groupID, principalID, kind string) *Relationship {
	for _, r := range s.rels {
		if r.RemovedAt == nil && r.Kind == kind && strings.EqualFold(r.GroupID, groupID) && strings.EqualFold(r.PrincipalID, principalID) {
			return r
		}
	}
	return nil
}

// related returns the principals related to groupID by kind as seen by reads at now: visible direct
// relationships and active time-bound ones, deduplicated, in the order they were added (callers hold s.mu).
func (s *Store) related(groupID, kind string, now time.Time) []string {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if k := key(id); !seen[k] && s.principalVisible(id, now) {
			seen[k] = true
			out = append(out, id)
		}
	}
	for _, r := range s.rels {
		if r.Kind == kind && strings.EqualFold(r.GroupID, groupID) && s.relVisible(r, now) {
			add(r.PrincipalID)
		}
	}
	var timed []*Timed
	for _, t := range s.timed {
		if t.Kind == kind && strings.EqualFold(t.GroupID, groupID) && timedActive(t, now) {
			timed = append(timed, t)
		}
	}
	sort.Slice(timed, func(i, j int) bool { return timed[i].Start.Before(timed[j].Start) })
	for _, t := range timed {
		add(t.PrincipalID)
	}
	return out
}

// isRelated reports whether principalID is directly (or time-bound) related to groupID at now.
func (s *Store) isRelated(groupID, principalID, kind string, now time.Time) bool {
	for _, id := range s.related(groupID, kind, now) {
		if strings.EqualFold(id, principalID) {
			return true
		}
	}
	return false
}

// groupsOf returns the groups principalID is a direct or time-bound member of at now (callers hold s.mu).
func (s *Store) groupsOf(principalID string, now time.Time) []string {
	seen := map[string]bool{}
	var out []string
	add := func(g string) {
		if k := key(g); !seen[k] {
			if grp, ok := s.groups[k]; ok && s.visible(grp.CreatedAt, grp.DeletedAt, now) {
				seen[k] = true
				out = append(out, grp.ID)
			}
		}
	}
	for _, r := range s.rels {
		if r.Kind == KindMember && strings.EqualFold(r.PrincipalID, principalID) && s.relVisible(r, now) {
			add(r.GroupID)
		}
	}
	for _, t := range s.timed {
		if t.Kind == KindMember && strings.EqualFold(t.PrincipalID, principalID) && timedActive(t, now) {
			add(t.GroupID)
		}
	}
	return out
}

// transitiveGroups returns every group principalID is a member of at now, following nested groups.
func (s *Store) transitiveGroups(principalID string, now time.Time) []string {
	seen := map[string]bool{}
	var out []string
	queue := []string{principalID}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, g := range s.groupsOf(cur, now) {
			if k := key(g); !seen[k] {
				seen[k] = true
				out = append(out, g)
				queue = append(queue, g)
			}
		}
	}
	return out
}

// transitiveMembers returns every principal that is a member of groupID at now, nested groups expanded.
func (s *Store) transitiveMembers(groupID string, now time.Time) []string {
	seen := map[string]bool{key(groupID): true}
	var out []string
	queue := []string{groupID}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, m := range s.related(cur, KindMember, now) {
			if k := key(m); !seen[k] {
				seen[k] = true
				out = append(out, m)
				if _, isGroup := s.groups[k]; isGroup {
					queue = append(queue, m)
				}
			}
		}
	}
	return out
}

// --- pim.Directory ---

var _ pim.Directory = (*Store)(nil)

// LookupPrincipal returns the kind and display name of a visible user, group or service principal.
func (s *Store) LookupPrincipal(id string) (pim.PrincipalKind, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Now()
	k := key(id)
	if u, ok := s.users[k]; ok && s.visible(u.CreatedAt, u.DeletedAt, now) {
		return pim.KindUser, u.DisplayName, true
	}
	if g, ok := s.groups[k]; ok && s.visible(g.CreatedAt, g.DeletedAt, now) {
		return pim.KindGroup, g.DisplayName, true
	}
	if sp, ok := s.sps[k]; ok && s.visible(sp.CreatedAt, sp.DeletedAt, now) {
		return pim.KindServicePrincipal, sp.DisplayName, true
	}
	return "", "", false
}

// GroupExists reports whether a group is visible now.
func (s *Store) GroupExists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key(id)]
	return ok && s.visible(g.CreatedAt, g.DeletedAt, s.opt.Now())
}

// GroupDisplayName returns a group's display name ("" when unknown).
func (s *Store) GroupDisplayName(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.groups[key(id)]; ok {
		return g.DisplayName
	}
	return ""
}

// IsMember reports whether principalID is a member of groupID at time at, directly, through nested groups
// or through an active time-bound membership.
func (s *Store) IsMember(groupID, principalID string, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.transitiveGroups(principalID, at) {
		if strings.EqualFold(g, groupID) {
			return true
		}
	}
	return false
}

// IsOwner reports whether principalID is an owner of groupID at time at (direct or time-bound).
func (s *Store) IsOwner(groupID, principalID string, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isRelated(groupID, principalID, KindOwner, at)
}

// MemberOf returns every group principalID is a member of at time at (transitively).
func (s *Store) MemberOf(principalID string, at time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transitiveGroups(principalID, at)
}

// SetTimedRelationship makes principalID a member or owner of groupID from start until end.
func (s *Store) SetTimedRelationship(groupID, principalID, access string, start, end time.Time, scheduleID string) {
	kind := KindMember
	if strings.EqualFold(access, KindOwner) {
		kind = KindOwner
	}
	s.mu.Lock()
	s.timed[timedKey(scheduleID, kind)] = &Timed{GroupID: groupID, PrincipalID: principalID, Kind: kind, Start: start, End: end, ScheduleID: scheduleID}
	s.unlockChanged()
}

// RemoveTimedRelationship ends the time-bound relationship created for scheduleID.
func (s *Store) RemoveTimedRelationship(groupID, principalID, access, scheduleID string) {
	kind := KindMember
	if strings.EqualFold(access, KindOwner) {
		kind = KindOwner
	}
	s.mu.Lock()
	_, ok := s.timed[timedKey(scheduleID, kind)]
	delete(s.timed, timedKey(scheduleID, kind))
	s.mu.Unlock()
	if ok {
		s.Fire()
	}
}

// --- arm.Directory ---

// PrincipalType returns the ARM principalType of a visible principal: User, Group or ServicePrincipal.
func (s *Store) PrincipalType(id string) (string, bool) {
	kind, _, ok := s.LookupPrincipal(id)
	switch kind {
	case pim.KindUser:
		return "User", ok
	case pim.KindGroup:
		return "Group", ok
	case pim.KindServicePrincipal:
		return "ServicePrincipal", ok
	}
	return "", false
}

// principalVisible reports whether a user, group or SP is visible at now (callers hold s.mu).
func (s *Store) principalVisible(id string, now time.Time) bool {
	k := key(id)
	if u, ok := s.users[k]; ok {
		return s.visible(u.CreatedAt, u.DeletedAt, now)
	}
	if g, ok := s.groups[k]; ok {
		return s.visible(g.CreatedAt, g.DeletedAt, now)
	}
	if sp, ok := s.sps[k]; ok {
		return s.visible(sp.CreatedAt, sp.DeletedAt, now)
	}
	return false
}
