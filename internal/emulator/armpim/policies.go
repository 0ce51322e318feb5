package armpim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// Every role has a policy at every scope (rules from defaultRules until someone changes them). Its name
// is a GUID derived from scope and role, so it is stable across restarts; the policy assignment that ties
// it to the role is named {policy}_{role}, as in the examples.

const (
	actPolicyRead            = "Microsoft.Authorization/roleManagementPolicies/read"
	actPolicyWrite           = "Microsoft.Authorization/roleManagementPolicies/write"
	actPolicyAssignmentRead  = "Microsoft.Authorization/roleManagementPolicyAssignments/read"
	actPolicyAssignmentWrite = "Microsoft.Authorization/roleManagementPolicyAssignments/write"
)

var policyNamespace = uuid.MustParse("0c3d8f2e-5b7a-4e61-9d2c-8a4f1e6b3c95")

func policyKey(scope, roleID string) string {
	return strings.ToLower(scope) + "|" + strings.ToLower(roleID)
}

// policyAt returns the policy of a role at a scope: the stored one, or the defaults. The caller holds e.mu.
func (e *Engine) policyAt(scope, roleID string) *policy {
	if p := e.st.Policies[policyKey(scope, roleID)]; p != nil {
		return p
	}
	return &policy{Name: uuid.NewSHA1(policyNamespace, []byte(policyKey(scope, roleID))).String(), Scope: scope,
		RoleID: strings.ToLower(roleID), Rules: e.defaultRules()}
}

// policiesAt returns the policies of every role at scope, in the catalogue's order.
func (e *Engine) policiesAt(scope string) []*policy {
	roles := arm.BuiltInRoles()
	out := make([]*policy, 0, len(roles))
	for _, rd := range roles {
		out = append(out, e.policyAt(scope, rd.ID))
	}
	return out
}

func (e *Engine) policyByName(scope, name string) *policy {
	for _, p := range e.policiesAt(scope) {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

func rulesJSON(p *policy) []any {
	rules := make([]any, 0, len(p.Rules))
	for _, r := range p.Rules {
		rules = append(rules, ruleJSON(r))
	}
	return rules
}

func (e *Engine) policyJSON(p *policy) map[string]any {
	rules := rulesJSON(p)
	var modified any
	if p.LastModified != nil {
		modified = armTime(*p.LastModified)
	}
	return map[string]any{
		"id": objectID(p.Scope, "roleManagementPolicies", p.Name), "name": p.Name, "type": "Microsoft.Authorization/RoleManagementPolicies",
		"properties": map[string]any{
			"scope": p.Scope, "displayName": nil, "description": nil, "isOrganizationDefault": false,
			"lastModifiedBy": e.modifierJSON(p), "lastModifiedDateTime": modified,
			"rules": rules, "effectiveRules": rules,
			"policyProperties": map[string]any{"scope": e.scopeJSON(p.Scope)},
		},
	}
}

func (e *Engine) modifierJSON(p *policy) map[string]any {
	if p.LastModifiedBy == "" {
		return map[string]any{"id": nil, "displayName": nil, "type": nil, "email": nil}
	}
	return map[string]any{"id": p.LastModifiedBy, "displayName": nil, "type": nil, "email": nil}
}

func (e *Engine) policyAssignmentJSON(p *policy) map[string]any {
	name := p.Name + "_" + p.RoleID
	rules := rulesJSON(p)
	policyID := objectID(p.Scope, "roleManagementPolicies", p.Name)
	var modified any
	if p.LastModified != nil {
		modified = armTime(*p.LastModified)
	}
	return map[string]any{
		"id": objectID(p.Scope, "roleManagementPolicyAssignments", name), "name": name,
		"type": "Microsoft.Authorization/RoleManagementPolicyAssignment",
		"properties": map[string]any{
			"scope": p.Scope, "roleDefinitionId": e.roleDefID(p.Scope, p.RoleID), "policyId": policyID, "effectiveRules": rules,
			"policyAssignmentProperties": map[string]any{
				"scope": e.scopeJSON(p.Scope), "roleDefinition": e.roleJSON(p.Scope, p.RoleID),
				"policy": map[string]any{"id": policyID, "lastModifiedBy": e.modifierJSON(p), "lastModifiedDateTime": modified},
			},
		},
	}
}

// roleFilter reads the one filter the policy lists accept, roleDefinitionId eq '{id}' (used by the PIM
// REST how-to; the 2020-10-01 definitions declare no $filter). "" means every role.
func roleFilter(raw string) (string, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return "", nil
	}
	f, ok := arm.ParseFilter(raw)
	id, has := f.Eq["roledefinitionid"]
	if !ok || !has || len(f.Eq) != 1 || len(f.Funcs) != 0 {
		return "", errFilter(raw)
	}
	if m := roleDefPattern.FindStringSubmatch(id); m != nil {
		return strings.ToLower(m[1]), nil
	}
	if guidPattern.MatchString(id) {
		return strings.ToLower(id), nil
	}
	return "", errFilter(raw)
}

func (e *Engine) listPolicyCollection(w http.ResponseWriter, r *http.Request, p router.Params, action string, render func(*policy) map[string]any) {
	role, aerr := roleFilter(r.URL.Query().Get("$filter"))
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	scope, ok := e.authorized(w, r, p, action, "")
	if !ok {
		return
	}
	e.mu.Lock()
	value := []any{}
	for _, pol := range e.policiesAt(scope) {
		if role == "" || pol.RoleID == role {
			value = append(value, render(pol))
		}
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

func (e *Engine) listPolicies(w http.ResponseWriter, r *http.Request, p router.Params) {
	e.listPolicyCollection(w, r, p, actPolicyRead, e.policyJSON)
}

func (e *Engine) listPolicyAssignments(w http.ResponseWriter, r *http.Request, p router.Params) {
	e.listPolicyCollection(w, r, p, actPolicyAssignmentRead, e.policyAssignmentJSON)
}

func (e *Engine) getPolicy(w http.ResponseWriter, r *http.Request, p router.Params) {
	e.getPolicyObject(w, r, p, actPolicyRead, e.policyByName, e.policyJSON, "RoleManagementPolicyNotFound", "role management policy")
}

// getPolicyObject answers the GET of a policy or a policy assignment.
func (e *Engine) getPolicyObject(w http.ResponseWriter, r *http.Request, p router.Params, action string,
	find func(scope, name string) *policy, render func(*policy) map[string]any, code, what string) {
	scope, ok := e.authorized(w, r, p, action, "")
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	pol := find(scope, p["name"])
	if pol == nil {
		writeError(w, errNotFound(code, what, p["name"]))
		return
	}
	writeJSON(w, http.StatusOK, render(pol))
}

// patchPolicy merges the rules of the body into the policy and answers the whole policy.
func (e *Engine) patchPolicy(w http.ResponseWriter, r *http.Request, p router.Params) {
	scope, ok := e.authorized(w, r, p, actPolicyWrite, "roleManagementPolicies")
	if !ok {
		return
	}
	body, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	pol := e.policyByName(scope, p["name"])
	if pol == nil {
		e.mu.Unlock()
		writeError(w, errNotFound("RoleManagementPolicyNotFound", "role management policy", p["name"]))
		return
	}
	next := *pol
	next.Rules = make([]rule, len(pol.Rules))
	for i, rl := range pol.Rules {
		next.Rules[i] = rl.Clone()
	}
	if aerr := e.patchRules(next.Rules, body); aerr != nil {
		e.mu.Unlock()
		writeError(w, aerr)
		return
	}
	now := e.now().UTC()
	next.LastModified, next.LastModifiedBy = &now, caller(r).ObjectID
	if e.cfg.RenamePolicyOnUpdate {
		next.Name = newName()
	}
	e.st.Policies[policyKey(scope, next.RoleID)] = &next
	m := e.policyJSON(&next)
	e.mu.Unlock()
	e.Fire()
	writeJSON(w, http.StatusOK, m)
}

// deletePolicy: reported to answer "Not implemented" (azure-rest-api-specs#28050); the variant that
// implements it puts the defaults back.
func (e *Engine) deletePolicy(w http.ResponseWriter, r *http.Request, p router.Params) {
	scope, ok := e.authorized(w, r, p, actPolicyWrite, "roleManagementPolicies")
	if !ok {
		return
	}
	if !e.cfg.PolicyDeleteImplemented {
		writeError(w, errorf(http.StatusNotImplemented, "NotImplemented", "The method or operation is not implemented."))
		return
	}
	e.mu.Lock()
	pol := e.policyByName(scope, p["name"])
	if pol == nil {
		e.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	delete(e.st.Policies, policyKey(scope, pol.RoleID))
	e.mu.Unlock()
	e.Fire()
	w.WriteHeader(http.StatusOK)
}

func (e *Engine) policyByAssignmentName(scope, name string) *policy {
	polName, role, ok := strings.Cut(name, "_")
	if !ok {
		return nil
	}
	if pol := e.policyByName(scope, polName); pol != nil && strings.EqualFold(pol.RoleID, role) {
		return pol
	}
	return nil
}

func (e *Engine) getPolicyAssignment(w http.ResponseWriter, r *http.Request, p router.Params) {
	e.getPolicyObject(w, r, p, actPolicyAssignmentRead, e.policyByAssignmentName, e.policyAssignmentJSON,
		"RoleManagementPolicyAssignmentNotFound", "role management policy assignment")
}

// putPolicyAssignment accepts the assignment every role already has (its own policy at the scope); the
// emulator models no shared policies, so pointing a role at another policy is refused.
func (e *Engine) putPolicyAssignment(w http.ResponseWriter, r *http.Request, p router.Params) {
	scope, ok := e.authorized(w, r, p, actPolicyAssignmentWrite, "roleManagementPolicyAssignments")
	if !ok {
		return
	}
	var in struct {
		Properties *struct {
			RoleDefinitionID string `json:"roleDefinitionId"`
			PolicyID         string `json:"policyId"`
		} `json:"properties"`
	}
	body, _ := io.ReadAll(r.Body)
	if json.Unmarshal(body, &in) != nil || in.Properties == nil {
		writeError(w, errBadBody("'properties' is required."))
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	m := roleDefPattern.FindStringSubmatch(in.Properties.RoleDefinitionID)
	if m == nil {
		writeError(w, errRoleNotFound(in.Properties.RoleDefinitionID))
		return
	}
	pol := e.policyAt(scope, m[1])
	if !strings.EqualFold(lastSegment(in.Properties.PolicyID), pol.Name) {
		writeError(w, errorf(http.StatusBadRequest, "InvalidPolicyAssignment", "Role %s at this scope is governed by policy %s; the emulator does not model shared policies.", m[1], pol.Name))
		return
	}
	writeJSON(w, http.StatusCreated, e.policyAssignmentJSON(pol))
}

// deletePolicyAssignment: a role cannot be left without a policy.
func (e *Engine) deletePolicyAssignment(w http.ResponseWriter, r *http.Request, p router.Params) {
	if _, ok := e.authorized(w, r, p, actPolicyAssignmentWrite, "roleManagementPolicyAssignments"); !ok {
		return
	}
	writeError(w, errorf(http.StatusBadRequest, "InvalidPolicyAssignment", "The policy assignment of a role cannot be deleted."))
}
