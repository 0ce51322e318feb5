package arm

import (
	"fmt"
	"sort"
	"strings"
)

// Subject is who a data-plane authorization decision is about (the AKS Kubernetes API, node SSH).
type Subject struct {
	ObjectID string
	UPN      string // for the explanation only
	// Groups are the group object IDs to evaluate with when GroupsFromCredential is set: the groups a
	// token or certificate carried when it was issued. Otherwise the subject's memberships are read
	// live from the directory, transitively and with active PIM memberships, as ARM does for its callers.
	Groups               []string
	GroupsFromCredential bool
}

// Decision is the outcome of Decide, with what it was based on, for the data plane's log.
type Decision struct {
	Allowed bool
	Subject Subject
	Groups  []string // the groups evaluated (live or from the credential), sorted
	Action  string
	Data    bool
	Scope   string
	// Assignment is the first role assignment (by scope depth, then name) whose role grants the action;
	// nil when denied.
	Assignment *RoleAssignment
	RoleName   string
}

// Decide evaluates action (a data action when data is true) at scope for sub, with the same role
// assignments and evaluation ARM's own authorization and permissions API use.
func (s *Store) Decide(sub Subject, scope, action string, data bool) Decision {
	who := map[string]bool{strings.ToLower(sub.ObjectID): true}
	var groups []string
	if sub.GroupsFromCredential {
		groups = append(groups, sub.Groups...)
	} else if s.opt.Directory != nil {
		groups = s.opt.Directory.MemberOf(sub.ObjectID, s.opt.Now())
	}
	for _, g := range groups {
		who[strings.ToLower(g)] = true
	}
	sort.Strings(groups)
	d := Decision{Subject: sub, Groups: groups, Action: action, Data: data, Scope: scope}
	for _, a := range s.applicable(who, scope) {
		rd, ok := roleByID(a.RoleDefinitionID)
		if !ok {
			continue
		}
		for _, p := range rd.Permissions {
			if p.Allows(action, data) {
				d.Allowed, d.Assignment, d.RoleName = true, &a, rd.RoleName
				return d
			}
		}
	}
	return d
}

// String explains the decision in one line: subject, groups and where they came from, action, scope and
// the matching assignment.
func (d Decision) String() string {
	who := d.Subject.ObjectID
	if d.Subject.UPN != "" {
		who = d.Subject.UPN + " (" + d.Subject.ObjectID + ")"
	}
	source := "live"
	if d.Subject.GroupsFromCredential {
		source = "from credential"
	}
	verdict := "denied: no role assignment at or above the scope grants it"
	if d.Allowed {
		verdict = fmt.Sprintf("allowed by role assignment %s (%s) to %s at %s", d.Assignment.Name, d.RoleName, d.Assignment.PrincipalID, d.Assignment.Scope)
	}
	return fmt.Sprintf("subject %s groups[%s]=%v action %s scope %s: %s", who, source, d.Groups, d.Action, d.Scope, verdict)
}
