package arm

import (
	"net/http"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// Role definitions are readable by every signed-in principal of the tenant (they describe, they do not
// grant), so the definition routes do not check Microsoft.Authorization/roleDefinitions/read.

// definitionPrefix returns the ID prefix built-in definitions carry when read at scope: the subscription
// for scopes inside it, nothing at the root.
func (s *Store) definitionPrefix(scope string) string {
	if normalizeScope(scope) == "/" {
		return ""
	}
	return s.subscriptionScope()
}

func definitionID(prefix, guid string) string {
	return prefix + "/providers/Microsoft.Authorization/roleDefinitions/" + guid
}

func roleDefJSON(rd RoleDefinition, prefix string) map[string]any {
	perms := make([]Permission, 0, len(rd.Permissions))
	for _, p := range rd.Permissions {
		perms = append(perms, clonePermission(p))
	}
	return map[string]any{
		"id": definitionID(prefix, rd.ID), "name": rd.ID, "type": "Microsoft.Authorization/roleDefinitions",
		"properties": map[string]any{
			"roleName": rd.RoleName, "type": "BuiltInRole", "description": rd.Description, "assignableScopes": []string{"/"},
			"permissions": perms, "createdOn": "2018-08-01T00:00:00.0000000Z", "updatedOn": "2024-06-01T00:00:00.0000000Z",
			"createdBy": nil, "updatedBy": nil,
		},
	}
}

// armFilter is a parsed Microsoft.Authorization $filter: `and`-ed clauses of `name eq 'value'` or
// function calls such as atScope() and assignedTo('id').
type armFilter struct {
	eq    map[string]string // lower-cased property -> value
	funcs map[string]string // lower-cased function -> argument ("" when none)
}

func parseARMFilter(raw string) (armFilter, bool) {
	f := armFilter{eq: map[string]string{}, funcs: map[string]string{}}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return f, true
	}
	for _, clause := range splitAnd(raw) {
		clause = strings.TrimSpace(clause)
		// Clients often parenthesise clauses: "(principalId eq 'x') and atScope()".
		for len(clause) > 1 && clause[0] == '(' && clause[len(clause)-1] == ')' && balanced(clause[1:len(clause)-1]) {
			clause = strings.TrimSpace(clause[1 : len(clause)-1])
		}
		if i := strings.Index(clause, "("); i > 0 && strings.HasSuffix(clause, ")") && !strings.Contains(clause[:i], " ") {
			arg := strings.TrimSpace(clause[i+1 : len(clause)-1])
			if arg != "" {
				if !strings.HasPrefix(arg, "'") || !strings.HasSuffix(arg, "'") || len(arg) < 2 {
					return f, false
				}
				arg = strings.ReplaceAll(arg[1:len(arg)-1], "''", "'")
			}
			f.funcs[strings.ToLower(clause[:i])] = arg
			continue
		}
		parts := strings.SplitN(clause, " ", 3)
		if len(parts) != 3 || !strings.EqualFold(parts[1], "eq") {
			return f, false
		}
		v := strings.TrimSpace(parts[2])
		if !strings.HasPrefix(v, "'") || !strings.HasSuffix(v, "'") || len(v) < 2 {
			return f, false
		}
		f.eq[strings.ToLower(parts[0])] = strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	return f, true
}

// balanced reports whether every parenthesis in s (outside quotes) is closed in order.
func balanced(s string) bool {
	depth, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			inQuote = !inQuote
		case inQuote:
		case s[i] == '(':
			depth++
		case s[i] == ')':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// splitAnd splits on " and " outside quotes, case-insensitively.
func splitAnd(s string) []string {
	var out []string
	inQuote, start := false, 0
	lower := strings.ToLower(s)
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			inQuote = !inQuote
			continue
		}
		if !inQuote && strings.HasPrefix(lower[i:], " and ") {
			out = append(out, s[start:i])
			start = i + 5
			i += 4
		}
	}
	return append(out, s[start:])
}

func (s *Store) listRoleDefinitions(w http.ResponseWriter, r *http.Request, p router.Params) {
	scope, ok := s.Resolved(w, p)
	if !ok {
		return
	}
	raw := r.URL.Query().Get("$filter")
	f, ok := parseARMFilter(raw)
	if ok {
		for k := range f.eq {
			if k != "rolename" && k != "type" {
				ok = false
			}
		}
		for k := range f.funcs {
			if k != "atscopeandbelow" {
				ok = false
			}
		}
	}
	if !ok {
		writeError(w, errorf(http.StatusBadRequest, "UnsupportedQuery", "The filter '%s' is not supported. Supported filters are 'roleName eq '{value}'', 'type eq 'BuiltInRole'|'CustomRole'' and 'atScopeAndBelow()'.", raw))
		return
	}
	value := []any{}
	for _, rd := range builtInRoles {
		if n, ok := f.eq["rolename"]; ok && !strings.EqualFold(n, rd.RoleName) {
			continue
		}
		if t, ok := f.eq["type"]; ok && !strings.EqualFold(t, "BuiltInRole") {
			continue
		}
		value = append(value, roleDefJSON(rd, s.definitionPrefix(scope)))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

func (s *Store) getRoleDefinition(w http.ResponseWriter, r *http.Request, p router.Params) {
	scope, ok := s.Resolved(w, p)
	if !ok {
		return
	}
	rd, ok := roleByID(p["roleDefinitionId"])
	if !ok {
		writeError(w, errorf(http.StatusNotFound, "RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' does not exist.", p["roleDefinitionId"]))
		return
	}
	writeJSON(w, http.StatusOK, roleDefJSON(rd, s.definitionPrefix(scope)))
}
