package armpim

import (
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// listFilter is a $filter of the schedule, instance and request lists (2020-10-01 descriptions):
// atScope() keeps objects at or above the scope; without it, objects at, above and below it are listed.
// principalId eq '{id}' keeps that principal's; assignedTo('{id}') and asTarget() keep those of the
// principal (or the caller) and of the groups it is a member of; roleDefinitionId eq '{id}' one role;
// for requests, status eq '{s}', asRequestor() (created by the caller) and asApprover() (awaiting the
// caller's decision). Clauses combine with `and`.
type listFilter struct {
	atScope     bool
	principal   string
	who         map[string]bool // nil: anyone
	roleID      string
	status      string
	asRequestor bool
	asApprover  bool
}

// parseListFilter reads raw for a list of requests (requests = true) or of schedules and instances.
func (e *Engine) parseListFilter(raw string, requests bool, c reqctx.Caller, now time.Time) (listFilter, *apiError) {
	var f listFilter
	pf, ok := arm.ParseFilter(raw)
	if !ok {
		return f, errFilter(raw)
	}
	for name, v := range pf.Funcs {
		switch {
		case name == "atscope" && v == "":
			f.atScope = true
		case name == "astarget" && v == "":
			f.who = e.principalAndGroups(c.ObjectID, now)
		case name == "assignedto" && guidPattern.MatchString(v):
			f.who = e.principalAndGroups(v, now)
		case requests && name == "asrequestor" && v == "":
			f.asRequestor = true
		case requests && name == "asapprover" && v == "":
			f.asApprover = true
		default:
			return f, errFilter(raw)
		}
	}
	for name, v := range pf.Eq {
		switch {
		case name == "principalid" && guidPattern.MatchString(v):
			f.principal = strings.ToLower(v)
		case name == "roledefinitionid":
			if m := roleDefPattern.FindStringSubmatch(v); m != nil {
				f.roleID = strings.ToLower(m[1])
			} else if guidPattern.MatchString(v) {
				f.roleID = strings.ToLower(v)
			} else {
				return f, errFilter(raw)
			}
		case requests && name == "status":
			f.status = v
		default:
			return f, errFilter(raw)
		}
	}
	if f.principal != "" && f.who != nil {
		return f, errFilter(raw)
	}
	return f, nil
}

func (e *Engine) principalAndGroups(id string, now time.Time) map[string]bool {
	who := map[string]bool{strings.ToLower(id): true}
	for _, g := range e.dir.MemberOf(id, now) {
		who[strings.ToLower(g)] = true
	}
	return who
}

// personal reports whether the filter limits the list to the caller's own objects, which any signed-in
// user may read without a role at the scope.
func (f listFilter) personal() bool { return f.who != nil || f.asRequestor || f.asApprover }

// matches reports whether an object at objScope about t passes the filter for a list at scope.
func (f listFilter) matches(scope string, t target) bool {
	if !above(t.Scope, scope) && (f.atScope || !below(scope, t.Scope)) {
		return false
	}
	if f.principal != "" && t.PrincipalID != f.principal {
		return false
	}
	if f.who != nil && !f.who[t.PrincipalID] {
		return false
	}
	return f.roleID == "" || t.RoleID == f.roleID
}

// above reports whether scope a contains (or is) scope b.
func above(a, b string) bool {
	a, b = strings.ToLower(strings.TrimRight(a, "/")), strings.ToLower(strings.TrimRight(b, "/"))
	return a == "" || a == b || strings.HasPrefix(b, a+"/")
}

// below reports whether scope b is scope a or inside it.
func below(a, b string) bool { return above(a, b) }
