package arm

import (
	"net/http"
	"sort"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// principalsOf returns the principal and every group it is a member of now (transitively, with active
// time-bound memberships), lower-cased.
func (s *Store) principalsOf(principalID string) map[string]bool {
	ids := map[string]bool{strings.ToLower(principalID): true}
	if s.opt.Directory != nil {
		for _, g := range s.opt.Directory.MemberOf(principalID, s.opt.Now()) {
			ids[strings.ToLower(g)] = true
		}
	}
	return ids
}

// applicable returns the role assignments that apply at scope to any of who (lower-case object IDs: a
// principal and its groups): at the scope or above it, ordered by scope depth then name.
func (s *Store) applicable(who map[string]bool, scope string) []RoleAssignment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []RoleAssignment
	now := s.opt.Now()
	for _, a := range s.assignments {
		if a.liveAt(now) && who[strings.ToLower(a.PrincipalID)] && isAncestorOrSelf(a.Scope, scope) {
			out = append(out, *a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Scope) != len(out[j].Scope) {
			return len(out[i].Scope) < len(out[j].Scope)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// EffectivePermissions returns one permission entry per role assignment that applies to principalID at
// scope, as the permissions API reports them.
func (s *Store) EffectivePermissions(principalID, scope string) []Permission {
	var out []Permission
	for _, a := range s.applicable(s.principalsOf(principalID), scope) {
		if rd, ok := roleByID(a.RoleDefinitionID); ok {
			for _, p := range rd.Permissions {
				out = append(out, clonePermission(p))
			}
		}
	}
	return out
}

// Can reports whether principalID may perform the control-plane action at scope.
func (s *Store) Can(principalID, scope, action string) bool {
	return Evaluate(s.EffectivePermissions(principalID, scope), action, false)
}

// CanData reports whether principalID holds the data action at scope (what AKS Azure RBAC checks).
func (s *Store) CanData(principalID, scope, action string) bool {
	return Evaluate(s.EffectivePermissions(principalID, scope), action, true)
}

func clonePermission(p Permission) Permission {
	cp := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return append([]string{}, l...)
	}
	return Permission{Actions: cp(p.Actions), NotActions: cp(p.NotActions), DataActions: cp(p.DataActions), NotDataActions: cp(p.NotDataActions)}
}

// authorize checks the caller of r for action at scope and returns ARM's AuthorizationFailed when denied.
// messageScope is the scope quoted in the message (for writes, the full ID of the object written).
func (s *Store) authorize(r *http.Request, action, scope, messageScope string) *apiError {
	c, ok := reqctx.CallerFrom(r.Context())
	if !ok {
		return errorf(http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
	}
	if s.Can(c.ObjectID, scope, action) {
		return nil
	}
	client := c.ObjectID
	if c.UPN != "" {
		client = c.UPN
	}
	return AuthorizationFailed(client, c.ObjectID, action, messageScope)
}

func callerID(r *http.Request) string {
	c, _ := reqctx.CallerFrom(r.Context())
	return c.ObjectID
}
