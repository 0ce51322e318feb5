package pim

import (
	"strings"
	"sync"
	"time"
)

// FakeDirectory is an in-memory Directory for this package's tests: permanent members and owners,
// nested groups, and time-bound relationships as PIM creates them.
type FakeDirectory struct {
	mu         sync.Mutex
	principals map[string]PrincipalKind
	names      map[string]string
	members    map[string]map[string]bool
	owners     map[string]map[string]bool
	timed      map[string]TimedRelationship // by schedule ID
}

// TimedRelationship is what SetTimedRelationship recorded.
type TimedRelationship struct {
	GroupID, PrincipalID, Access string
	Start, End                   time.Time
}

func NewFakeDirectory() *FakeDirectory {
	return &FakeDirectory{principals: map[string]PrincipalKind{}, names: map[string]string{},
		members: map[string]map[string]bool{}, owners: map[string]map[string]bool{},
		timed: map[string]TimedRelationship{}}
}

func (d *FakeDirectory) Add(id string, k PrincipalKind, name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.principals[strings.ToLower(id)] = k
	d.names[strings.ToLower(id)] = name
}

func (d *FakeDirectory) AddMember(groupID, principalID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	add(d.members, groupID, principalID)
}

func (d *FakeDirectory) AddOwner(groupID, principalID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	add(d.owners, groupID, principalID)
}

func add(m map[string]map[string]bool, g, p string) {
	g, p = strings.ToLower(g), strings.ToLower(p)
	if m[g] == nil {
		m[g] = map[string]bool{}
	}
	m[g][p] = true
}

// Timed returns the time-bound relationships currently recorded.
func (d *FakeDirectory) Timed() map[string]TimedRelationship {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]TimedRelationship{}
	for k, v := range d.timed {
		out[k] = v
	}
	return out
}

func (d *FakeDirectory) LookupPrincipal(id string) (PrincipalKind, string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	k, ok := d.principals[strings.ToLower(id)]
	return k, d.names[strings.ToLower(id)], ok
}

func (d *FakeDirectory) GroupExists(id string) bool {
	k, _, ok := d.LookupPrincipal(id)
	return ok && k == KindGroup
}

func (d *FakeDirectory) GroupDisplayName(id string) string {
	_, n, _ := d.LookupPrincipal(id)
	return n
}

// directMembers lists the members of g at time at, permanent and time-bound (access "member").
func (d *FakeDirectory) directMembers(g string, at time.Time) []string {
	var out []string
	for p := range d.members[g] {
		out = append(out, p)
	}
	for _, t := range d.timed {
		if strings.EqualFold(t.GroupID, g) && t.Access == "member" && !at.Before(t.Start) &&
			(t.End.IsZero() || at.Before(t.End)) {
			out = append(out, strings.ToLower(t.PrincipalID))
		}
	}
	return out
}

func (d *FakeDirectory) IsMember(groupID, principalID string, at time.Time) bool {
	for _, g := range d.MemberOf(principalID, at) {
		if strings.EqualFold(g, groupID) {
			return true
		}
	}
	return false
}

func (d *FakeDirectory) IsOwner(groupID, principalID string, at time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.owners[strings.ToLower(groupID)][strings.ToLower(principalID)]
}

func (d *FakeDirectory) MemberOf(principalID string, at time.Time) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	seen := map[string]bool{}
	frontier := []string{strings.ToLower(principalID)}
	for len(frontier) > 0 {
		p := frontier[0]
		frontier = frontier[1:]
		for g, k := range d.principals {
			if k != KindGroup || seen[g] {
				continue
			}
			for _, m := range d.directMembers(g, at) {
				if m == p {
					seen[g] = true
					frontier = append(frontier, g)
					break
				}
			}
		}
	}
	var out []string
	for g := range seen {
		out = append(out, g)
	}
	return out
}

func (d *FakeDirectory) SetTimedRelationship(groupID, principalID, access string, start, end time.Time, scheduleID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.timed[scheduleID] = TimedRelationship{GroupID: groupID, PrincipalID: principalID, Access: access, Start: start, End: end}
}

func (d *FakeDirectory) RemoveTimedRelationship(groupID, principalID, access, scheduleID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.timed, scheduleID)
}
