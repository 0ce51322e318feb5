package pim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

const (
	policiesBase    = "/v1.0/policies/roleManagementPolicies"
	assignmentsBase = "/v1.0/policies/roleManagementPolicyAssignments"
)

func (e *Engine) policyRoutes(rt *router.Router) {
	ro, wo := routeOpts{perms: permPolicyRead}, routeOpts{perms: permPolicyWrite}
	for _, coll := range []struct {
		base        string
		assignments bool
	}{{assignmentsBase, true}, {policiesBase, false}} {
		e.handle(rt, http.MethodGet, coll.base, ro, func(c *call) (any, *apiError) {
			return e.policyCollection(c, coll.assignments)
		})
		e.handle(rt, http.MethodGet, coll.base+"/$count", ro, func(c *call) (any, *apiError) {
			return countOf(e.policyCollection(c, coll.assignments))
		})
	}
	e.handle(rt, http.MethodGet, assignmentsBase+"/{id}", ro, func(c *call) (any, *apiError) {
		p, aerr := e.lookupAssignment(c.p["id"])
		if aerr != nil {
			return nil, aerr
		}
		return entity{fragment: "policies/roleManagementPolicyAssignments/$entity", obj: e.renderAssignmentExpanded(c, p)}, nil
	})
	e.handle(rt, http.MethodGet, assignmentsBase+"/{id}/policy", ro, e.policyEntity(e.lookupAssignment))
	e.handle(rt, http.MethodGet, policiesBase+"/{id}", ro, e.policyEntity(e.lookupPolicy))
	e.handle(rt, http.MethodPatch, policiesBase+"/{id}", wo, e.patchPolicy)
	for _, seg := range []string{"rules", "effectiveRules"} {
		e.handle(rt, http.MethodGet, policiesBase+"/{id}/"+seg, ro, func(c *call) (any, *apiError) {
			p, aerr := e.lookupPolicy(c.p["id"])
			if aerr != nil {
				return nil, aerr
			}
			return collection{fragment: "policies/roleManagementPolicies('" + p.ID() + "')/" + seg,
				items: c.filterItems(e.renderRules(p.Rules))}, nil
		})
		e.handle(rt, http.MethodGet, policiesBase+"/{id}/"+seg+"/{ruleId}", ro, func(c *call) (any, *apiError) {
			p, aerr := e.lookupPolicy(c.p["id"])
			if aerr != nil {
				return nil, aerr
			}
			r := pimcore.FindRule(p.Rules, c.p["ruleId"])
			if r == nil {
				return nil, errNotFound("rule", c.p["ruleId"])
			}
			return entity{fragment: "policies/roleManagementPolicies('" + p.ID() + "')/" + seg + "/$entity",
				obj: e.renderRule(*r)}, nil
		})
	}
	e.handle(rt, http.MethodPatch, policiesBase+"/{id}/rules/{ruleId}", wo, func(c *call) (any, *apiError) {
		p, aerr := e.lookupPolicy(c.p["id"])
		if aerr != nil {
			return nil, aerr
		}
		if aerr := e.checkPolicyWriter(c, p); aerr != nil {
			return nil, aerr
		}
		r := pimcore.FindRule(p.Rules, c.p["ruleId"])
		if r == nil {
			return nil, errNotFound("rule", c.p["ruleId"])
		}
		var o pimcore.Object
		body, _ := io.ReadAll(c.r.Body)
		if json.Unmarshal(body, &o) != nil {
			return nil, errBadRequest("BadRequest", "Unable to read JSON request payload.")
		}
		if aerr := e.applyRulePatch(r, o); aerr != nil {
			return nil, aerr
		}
		e.savePolicy(p.GroupID, p.AccessID, p.Rules, c.caller.ObjectID)
		c.changed = true
		return noContent{}, nil
	})
}

// policyEntity answers the policy that lookup finds for the route's ID.
func (e *Engine) policyEntity(lookup func(id string) (policyView, *apiError)) handler {
	return func(c *call) (any, *apiError) {
		p, aerr := lookup(c.p["id"])
		if aerr != nil {
			return nil, aerr
		}
		return entity{fragment: "policies/roleManagementPolicies/$entity", obj: e.renderPolicy(c, p, c.q.Expand)}, nil
	}
}

func (e *Engine) lookupAssignment(id string) (policyView, *apiError) {
	p, ok := e.policyByAssignmentID(id)
	if !ok {
		return policyView{}, errNotFound("role management policy assignment", id)
	}
	return p, nil
}

func (e *Engine) lookupPolicy(id string) (policyView, *apiError) {
	p, ok := e.policyByID(id)
	if !ok {
		return policyView{}, errNotFound("role management policy", id)
	}
	return p, nil
}

// checkPolicyWriter lets applications with the permission change any group's policy, and signed-in
// users only the policies of groups they own.
func (e *Engine) checkPolicyWriter(c *call, p policyView) *apiError {
	if c.caller.IsApp || e.callerOwns(p.GroupID, c.caller, c.now) {
		return nil
	}
	return errForbidden("")
}

// renderAssignmentExpanded renders a policy assignment with $expand=policy($expand=rules) applied.
func (e *Engine) renderAssignmentExpanded(c *call, p policyView) map[string]any {
	obj := e.renderPolicyAssignment(p)
	for _, it := range odata.ParseExpand(c.q.Expand) {
		if strings.EqualFold(it.Name, "policy") || it.Name == "*" {
			obj["policy"] = e.renderPolicy(c, p, it.Expand)
		}
	}
	return obj
}

// policyCollection lists policies or policy assignments. Real Graph requires a filter on both scopeId
// and scopeType; roleDefinitionId ('member' | 'owner') narrows to one access ID.
func (e *Engine) policyCollection(c *call, assignments bool) (any, *apiError) {
	scopeID, okID := c.q.Filter.EqString("scopeId")
	scopeType, okType := c.q.Filter.EqString("scopeType")
	if !okID || !okType {
		return nil, errBadRequest("BadRequest", "The filter must specify both scopeId and scopeType.")
	}
	fragment := "policies/roleManagementPolicies"
	if assignments {
		fragment = "policies/roleManagementPolicyAssignments"
	}
	var items []map[string]any
	if strings.EqualFold(scopeType, "Group") {
		for _, a := range accessIDs {
			p, ok := e.policy(strings.ToLower(scopeID), a)
			if !ok {
				break
			}
			var obj map[string]any
			if assignments {
				obj = e.renderAssignmentExpanded(c, p)
			} else {
				obj = e.renderPolicy(c, p, c.q.Expand)
			}
			// roleDefinitionId is a property of assignments only; policies ignore it in the filter.
			if !assignments {
				obj["roleDefinitionId"] = a
			}
			if c.q.Filter.Match(obj) {
				if !assignments {
					delete(obj, "roleDefinitionId")
				}
				items = append(items, obj)
			}
		}
	}
	return collection{fragment: fragment, items: items}, nil
}

// patchPolicy updates several rules at once (PATCH of the policy with "rules": [...]); every rule must
// validate before any is stored. It answers the updated policy.
func (e *Engine) patchPolicy(c *call) (any, *apiError) {
	p, aerr := e.lookupPolicy(c.p["id"])
	if aerr != nil {
		return nil, aerr
	}
	if aerr := e.checkPolicyWriter(c, p); aerr != nil {
		return nil, aerr
	}
	var body struct {
		Rules []pimcore.Object `json:"rules"`
	}
	raw, _ := io.ReadAll(c.r.Body)
	if json.Unmarshal(raw, &body) != nil {
		return nil, errBadRequest("BadRequest", "Unable to read JSON request payload.")
	}
	for _, o := range body.Rules {
		var id string
		if json.Unmarshal(o["id"], &id) != nil || id == "" {
			return nil, errInvalidRule("Each rule must specify its id.")
		}
		r := pimcore.FindRule(p.Rules, id)
		if r == nil {
			return nil, errInvalidRule("The policy has no rule '" + id + "'.")
		}
		if aerr := e.applyRulePatch(r, o); aerr != nil {
			return nil, aerr
		}
	}
	e.savePolicy(p.GroupID, p.AccessID, p.Rules, c.caller.ObjectID)
	c.changed = true
	saved, _ := e.policy(p.GroupID, p.AccessID)
	return entity{fragment: "policies/roleManagementPolicies/$entity",
		obj: e.renderPolicy(c, saved, "rules")}, nil
}
