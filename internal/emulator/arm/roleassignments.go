package arm

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

const (
	actRoleAssignmentRead   = "Microsoft.Authorization/roleAssignments/read"
	actRoleAssignmentWrite  = "Microsoft.Authorization/roleAssignments/write"
	actRoleAssignmentDelete = "Microsoft.Authorization/roleAssignments/delete"
)

var principalTypes = []string{"User", "Group", "ServicePrincipal", "ForeignGroup", "Device"}

func armTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

func assignmentID(a *RoleAssignment) string {
	prefix := a.Scope
	if prefix == "/" {
		prefix = ""
	}
	return prefix + "/providers/Microsoft.Authorization/roleAssignments/" + a.Name
}

// assignmentJSON renders a role assignment; createdBy is null in the answer to the PUT that created it.
func (s *Store) assignmentJSON(a *RoleAssignment, justCreated bool) map[string]any {
	var createdBy any = a.CreatedBy
	if justCreated || a.CreatedBy == "" {
		createdBy = nil
	}
	var updatedBy any = a.UpdatedBy
	if a.UpdatedBy == "" {
		updatedBy = nil
	}
	var desc any
	if a.Description != "" {
		desc = a.Description
	}
	return map[string]any{
		"id": assignmentID(a), "name": a.Name, "type": "Microsoft.Authorization/roleAssignments",
		"properties": map[string]any{
			"roleDefinitionId": s.assignmentDefinitionID(a), "principalId": a.PrincipalID,
			"principalType": a.PrincipalType, "scope": a.Scope, "condition": a.Condition, "conditionVersion": a.ConditionVersion,
			"createdOn": armTime(a.CreatedOn), "updatedOn": armTime(a.UpdatedOn), "createdBy": createdBy, "updatedBy": updatedBy,
			"delegatedManagedIdentityResourceId": nil, "description": desc,
		},
	}
}

// assignmentDefinitionID is the roleDefinitionId an assignment answers: at its subscription, or at the
// tenant level as the azure-rest-api-specs examples show it (the arm.role-definition-id variant).
func (s *Store) assignmentDefinitionID(a *RoleAssignment) string {
	if s.opt.TenantRoleDefinitionIDs {
		return definitionID("", a.RoleDefinitionID)
	}
	return definitionID(s.definitionPrefix(a.Scope), a.RoleDefinitionID)
}

func isGUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

func errAssignmentNotFound(name string) *apiError {
	return errorf(http.StatusNotFound, "RoleAssignmentNotFound", "The role assignment '%s' is not found.", name)
}

func (s *Store) getRoleAssignment(w http.ResponseWriter, r *http.Request, p router.Params) {
	scope, ok := s.authorizedAt(w, r, p, actRoleAssignmentRead, atScope)
	if !ok {
		return
	}
	s.mu.Lock()
	a, ok := s.assignments[strings.ToLower(p["roleAssignmentName"])]
	var m map[string]any
	if ok && strings.EqualFold(a.Scope, scope) && a.liveAt(s.opt.Now()) {
		m = s.assignmentJSON(a, false)
	}
	s.mu.Unlock()
	if m == nil {
		writeError(w, errAssignmentNotFound(p["roleAssignmentName"]))
		return
	}
	writeJSON(w, http.StatusOK, m)
}

type assignmentBody struct {
	Properties *struct {
		RoleDefinitionID string  `json:"roleDefinitionId"`
		PrincipalID      string  `json:"principalId"`
		PrincipalType    string  `json:"principalType"`
		Description      *string `json:"description"`
		Condition        *string `json:"condition"`
		ConditionVersion *string `json:"conditionVersion"`
	} `json:"properties"`
}

// roleGUIDFromID accepts /subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid} and
// /providers/Microsoft.Authorization/roleDefinitions/{guid}, case-insensitively.
func (s *Store) roleGUIDFromID(id string) (string, bool) {
	lower := strings.ToLower(id)
	const marker = "/providers/microsoft.authorization/roledefinitions/"
	i := strings.LastIndex(lower, marker)
	if i < 0 {
		return "", false
	}
	prefix := lower[:i]
	if prefix != "" && prefix != strings.ToLower(s.subscriptionScope()) {
		return "", false
	}
	guid := id[i+len(marker):]
	return guid, isGUID(guid)
}

func (s *Store) putRoleAssignment(w http.ResponseWriter, r *http.Request, p router.Params) {
	scope, ok := s.Resolved(w, p)
	if !ok {
		return
	}
	name := p["roleAssignmentName"]
	fullID := strings.TrimSuffix(scope, "/") + "/providers/Microsoft.Authorization/roleAssignments/" + name
	if scope == "/" {
		fullID = "/providers/Microsoft.Authorization/roleAssignments/" + name
	}
	if !isGUID(name) {
		writeError(w, errorf(http.StatusBadRequest, "InvalidRoleAssignmentId", "The role assignment ID '%s' is not valid. The role assignment ID must be a GUID.", name))
		return
	}
	if e := s.authorize(r, actRoleAssignmentWrite, scope, fullID); e != nil {
		writeError(w, e)
		return
	}
	var b assignmentBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.Properties == nil {
		writeError(w, errorf(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'properties' is required."))
		return
	}
	props := b.Properties
	roleGUID, ok := s.roleGUIDFromID(props.RoleDefinitionID)
	if !ok {
		writeError(w, errorf(http.StatusBadRequest, "InvalidRoleDefinitionId", "The role definition ID '%s' is not valid.", props.RoleDefinitionID))
		return
	}
	rd, ok := roleByID(roleGUID)
	if !ok {
		writeError(w, errorf(http.StatusBadRequest, "RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' does not exist.", roleGUID))
		return
	}
	if !isGUID(props.PrincipalID) {
		writeError(w, errorf(http.StatusBadRequest, "InvalidPrincipalId", "A valid principal ID must be provided for role assignment."))
		return
	}
	if props.PrincipalType != "" {
		valid := false
		for _, t := range principalTypes {
			if strings.EqualFold(t, props.PrincipalType) {
				props.PrincipalType, valid = t, true
			}
		}
		if !valid {
			writeError(w, errorf(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'Error converting value \"%s\" to type 'PrincipalType'.'", props.PrincipalType))
			return
		}
	}
	if props.Condition != nil && props.ConditionVersion != nil && *props.ConditionVersion != "2.0" {
		writeError(w, errorf(http.StatusBadRequest, "InvalidConditionVersion", "The condition version '%s' is not supported. Supported version is '2.0'.", *props.ConditionVersion))
		return
	}
	caller := callerID(r)
	now := s.opt.Now()

	// An existing assignment of that name may only have its description or condition changed.
	s.mu.Lock()
	if existing, ok := s.assignments[strings.ToLower(name)]; ok {
		if !strings.EqualFold(existing.Scope, scope) || !strings.EqualFold(existing.PrincipalID, props.PrincipalID) || !strings.EqualFold(existing.RoleDefinitionID, rd.ID) {
			s.mu.Unlock()
			writeError(w, errorf(http.StatusConflict, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated."))
			return
		}
		if props.Description != nil {
			existing.Description = *props.Description
		}
		existing.Condition, existing.ConditionVersion = props.Condition, props.ConditionVersion
		if existing.Condition != nil && existing.ConditionVersion == nil {
			v := "2.0"
			existing.ConditionVersion = &v
		}
		existing.UpdatedOn, existing.UpdatedBy = now, caller
		m := s.assignmentJSON(existing, false)
		s.mu.Unlock()
		s.Fire()
		writeJSON(w, http.StatusOK, m)
		return
	}
	s.mu.Unlock()

	// Principal lookup: skipped when principalType is given (the documented cure for replication delay).
	principalType := props.PrincipalType
	actual, found := "", false
	if s.opt.Directory != nil {
		actual, found = s.opt.Directory.PrincipalType(props.PrincipalID)
	}
	switch {
	case principalType == "" || !s.opt.PrincipalTypeSkipsLookup:
		if !found {
			writeError(w, errorf(http.StatusBadRequest, "PrincipalNotFound",
				"Principal %s does not exist in the directory %s. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
				strings.ReplaceAll(props.PrincipalID, "-", ""), s.opt.TenantID))
			return
		}
		if principalType == "" {
			principalType = actual
		}
	}
	if found && principalType != actual && (principalType != "ForeignGroup" || actual != "Group") {
		writeError(w, errorf(http.StatusBadRequest, "UnmatchedPrincipalType",
			"The PrincipalId '%s' has type '%s' , which is different from specified PrincipalType '%s'.", strings.ReplaceAll(props.PrincipalID, "-", ""), actual, principalType))
		return
	}

	s.mu.Lock()
	for _, a := range s.assignments {
		if a.liveAt(now) && strings.EqualFold(a.Scope, scope) && strings.EqualFold(a.PrincipalID, props.PrincipalID) && strings.EqualFold(a.RoleDefinitionID, rd.ID) {
			s.mu.Unlock()
			writeError(w, errorf(http.StatusConflict, "RoleAssignmentExists",
				"The role assignment already exists. The ID of the existing role assignment is %s.", strings.ReplaceAll(a.Name, "-", "")))
			return
		}
	}
	inSub := 0
	for _, a := range s.assignments {
		if isAncestorOrSelf(s.subscriptionScope(), a.Scope) {
			inSub++
		}
	}
	if inSub >= s.opt.MaxRoleAssignments {
		s.mu.Unlock()
		writeError(w, errorf(http.StatusBadRequest, "RoleAssignmentLimitExceeded", "No more role assignments can be created."))
		return
	}
	a := &RoleAssignment{
		Name: strings.ToLower(name), Scope: scope, RoleDefinitionID: rd.ID, PrincipalID: props.PrincipalID, PrincipalType: principalType,
		Condition: props.Condition, ConditionVersion: props.ConditionVersion, CreatedOn: now, UpdatedOn: now, CreatedBy: caller, UpdatedBy: caller,
	}
	if a.Condition != nil && a.ConditionVersion == nil {
		v := "2.0"
		a.ConditionVersion = &v
	}
	if props.Description != nil {
		a.Description = *props.Description
	}
	s.assignments[strings.ToLower(name)] = a
	m := s.assignmentJSON(a, true)
	s.mu.Unlock()
	s.Fire()
	writeJSON(w, http.StatusCreated, m)
}

func (s *Store) deleteRoleAssignment(w http.ResponseWriter, r *http.Request, p router.Params) {
	name := p["roleAssignmentName"]
	scope, ok := s.authorizedAt(w, r, p, actRoleAssignmentDelete, func(scope string) string {
		return strings.TrimSuffix(scope, "/") + "/providers/Microsoft.Authorization/roleAssignments/" + name
	})
	if !ok {
		return
	}
	s.mu.Lock()
	a, ok := s.assignments[strings.ToLower(name)]
	if !ok || !strings.EqualFold(a.Scope, scope) || !a.liveAt(s.opt.Now()) {
		s.mu.Unlock()
		// "The role assignment was already deleted or does not exist."
		w.WriteHeader(http.StatusNoContent)
		return
	}
	delete(s.assignments, strings.ToLower(name))
	m := s.assignmentJSON(a, false)
	s.mu.Unlock()
	s.Fire()
	writeJSON(w, http.StatusOK, m)
}

// listRoleAssignments supports no filter (at, above and below the scope), atScope() (at and above),
// principalId eq '{id}' (that principal only, at, above and below), assignedTo('{id}') (the principal and
// its groups), and atScope() combined with either of the last two.
func (s *Store) listRoleAssignments(w http.ResponseWriter, r *http.Request, p router.Params) {
	scope, ok := s.authorizedAt(w, r, p, actRoleAssignmentRead, atScope)
	if !ok {
		return
	}
	raw := r.URL.Query().Get("$filter")
	f, ok := parseARMFilter(raw)
	principal, hasPrincipal := f.eq["principalid"]
	assignedTo, hasAssignedTo := f.funcs["assignedto"]
	_, atScope := f.funcs["atscope"]
	if ok {
		known := len(f.eq)+len(f.funcs) == btoi(hasPrincipal)+btoi(hasAssignedTo)+btoi(atScope)
		ok = known && (!hasPrincipal || !hasAssignedTo) && (!hasPrincipal || isGUID(principal)) && (!hasAssignedTo || isGUID(assignedTo))
	}
	if !ok {
		writeError(w, errorf(http.StatusBadRequest, "UnsupportedQuery",
			"The filter '%s' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{value}' or assignedTo('{value}')'.", raw))
		return
	}
	var who map[string]bool
	switch {
	case hasPrincipal:
		who = map[string]bool{strings.ToLower(principal): true}
	case hasAssignedTo:
		who = s.principalsOf(assignedTo)
	}
	s.mu.Lock()
	var list []*RoleAssignment
	now := s.opt.Now()
	for _, a := range s.assignments {
		if !a.liveAt(now) {
			continue
		}
		if who != nil && !who[strings.ToLower(a.PrincipalID)] {
			continue
		}
		above := isAncestorOrSelf(a.Scope, scope)
		below := isAncestorOrSelf(scope, a.Scope)
		if above || (!atScope && below) {
			list = append(list, a)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Scope != list[j].Scope {
			return strings.ToLower(list[i].Scope) < strings.ToLower(list[j].Scope)
		}
		return list[i].Name < list[j].Name
	})
	offset := 0
	if tok := r.URL.Query().Get("$skipToken"); tok != "" {
		if b, err := base64.RawURLEncoding.DecodeString(tok); err == nil {
			offset, _ = strconv.Atoi(string(b))
		}
	}
	if offset > len(list) {
		offset = len(list)
	}
	end := offset + s.opt.RoleAssignmentPageSize
	if end > len(list) {
		end = len(list)
	}
	value := make([]any, 0, end-offset)
	for _, a := range list[offset:end] {
		value = append(value, s.assignmentJSON(a, false))
	}
	s.mu.Unlock()
	body := map[string]any{"value": value}
	if end < len(list) {
		q := url.Values{}
		q.Set("api-version", r.URL.Query().Get("api-version"))
		if raw != "" {
			q.Set("$filter", raw)
		}
		q.Set("$skipToken", base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
		body["nextLink"] = "https://" + r.Host + r.URL.EscapedPath() + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	}
	writeJSON(w, http.StatusOK, body)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Store) listPermissions(w http.ResponseWriter, r *http.Request, p router.Params) {
	scope, ok := s.Resolved(w, p)
	if !ok {
		return
	}
	// Any authenticated caller may read its own permissions.
	perms := s.EffectivePermissions(callerID(r), scope)
	value := make([]any, 0, len(perms))
	for _, pm := range perms {
		value = append(value, pm)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}
