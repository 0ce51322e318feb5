package reliability

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
)

// world is the part of an emulator snapshot the provider manages, in a form two worlds can be compared
// in: live groups with their direct relationships, role assignments, PIM schedules and the policies of
// live groups. Object IDs are replaced by names (group display names, user principal names, "admin" for
// the provider's identity) so that worlds of different emulators compare; a duplicate object shows as
// a repeated entry, an orphan as an extra one.
type world struct {
	Groups          []string
	RoleAssignments []string
	Eligibilities   []string
	Assignments     []string
	Policies        []string // one entry per rule of each policy of a live group
	Approvals       []string // the policies that require approval (group/access)
}

// worldOf normalises a snapshot.
func worldOf(s emulator.Snapshot) world {
	names := map[string]string{}
	for _, u := range s.Users {
		names[strings.ToLower(u.ID)] = u.UserPrincipalName
	}
	for _, sp := range s.ServicePrincipals {
		names[strings.ToLower(sp.ID)] = "sp:" + sp.DisplayName
	}
	live := map[string]bool{}
	for _, g := range s.Groups {
		if !g.Deleted {
			names[strings.ToLower(g.ID)] = "group:" + g.DisplayName
			live[strings.ToLower(g.ID)] = true
		}
	}
	name := func(id string) string {
		if n, ok := names[strings.ToLower(id)]; ok {
			return n
		}
		return "unknown:" + id
	}
	rename := func(text string) string {
		for id, n := range names {
			text = replaceFold(text, id, n)
		}
		return text
	}
	var w world
	for _, g := range s.Groups {
		if g.Deleted {
			continue
		}
		w.Groups = append(w.Groups, fmt.Sprintf("%s nick=%s desc=%q owners=%v members=%v",
			g.DisplayName, g.MailNickname, g.Description, sortedNames(g.Owners, name), sortedNames(g.Members, name)))
	}
	for _, a := range s.RoleAssignments {
		w.RoleAssignments = append(w.RoleAssignments, fmt.Sprintf("%s @ %s -> %s (%s) %q",
			a.RoleName, strings.ToLower(a.Scope), name(a.PrincipalID), a.PrincipalType, rename(a.Description)))
	}
	sched := func(x []pim.ScheduleSummary) []string {
		var out []string
		for _, sc := range x {
			// A schedule of a deleted group grants nothing and cannot be removed any more (PIM refuses
			// requests on a group that does not exist); like the group's policies it is not part of the
			// world.
			if !live[strings.ToLower(sc.GroupID)] {
				continue
			}
			length := "permanent"
			if sc.End != nil {
				length = sc.End.Sub(sc.Start).Round(time.Hour).String()
			}
			out = append(out, fmt.Sprintf("%s %s of %s (%s %s) %s", name(sc.PrincipalID), sc.AccessID, name(sc.GroupID),
				sc.MemberType, sc.AssignmentType, length))
		}
		return out
	}
	w.Eligibilities = sched(s.PIM.EligibilitySchedules)
	w.Assignments = sched(s.PIM.AssignmentSchedules)
	for _, p := range s.PIM.Policies {
		if !live[strings.ToLower(p.GroupID)] {
			continue
		}
		// One entry per rule, its content hashed: a diff names the rule that changed without quoting
		// seventeen JSON documents.
		for id, raw := range p.Rules {
			body := rename(string(raw))
			sum := sha256.Sum256([]byte(body))
			entry := fmt.Sprintf("%s/%s %s=%x", name(p.GroupID), p.AccessID, id, sum[:4])
			if id == "Approval_EndUser_Assignment" && strings.Contains(body, `"isApprovalRequired":true`) {
				w.Approvals = append(w.Approvals, fmt.Sprintf("%s/%s", name(p.GroupID), p.AccessID))
			}
			w.Policies = append(w.Policies, entry)
		}
	}
	for _, l := range [][]string{w.Groups, w.RoleAssignments, w.Eligibilities, w.Assignments, w.Policies, w.Approvals} {
		sort.Strings(l)
	}
	return w
}

func sortedNames(ids []string, name func(string) string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, name(id))
	}
	sort.Strings(out)
	return out
}

// replaceFold replaces every case-insensitive occurrence of old (an ID) in s.
func replaceFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	lower, lowOld := strings.ToLower(s), strings.ToLower(old)
	var b strings.Builder
	for {
		i := strings.Index(lower, lowOld)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}

// duplicates lists the entries of w that appear more than once: the same group name, the same role at the
// same scope for the same principal, the same eligibility twice.
func (w world) duplicates() []string {
	var out []string
	count := func(kind string, keys []string) {
		seen := map[string]int{}
		for _, k := range keys {
			seen[k]++
		}
		for k, n := range seen {
			if n > 1 {
				out = append(out, fmt.Sprintf("%s %q x%d", kind, k, n))
			}
		}
	}
	var groupNames []string
	for _, g := range w.Groups {
		groupNames = append(groupNames, strings.SplitN(g, " ", 2)[0])
	}
	count("group", groupNames)
	count("role assignment", w.RoleAssignments)
	count("eligibility", w.Eligibilities)
	count("assignment", w.Assignments)
	sort.Strings(out)
	return out
}
