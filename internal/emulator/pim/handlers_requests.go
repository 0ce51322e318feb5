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

const groupBase = "/v1.0/identityGovernance/privilegedAccess/group/"

func (e *Engine) requestRoutes(rt *router.Router, coll string, k pimcore.Kind, read, write []string) {
	base := groupBase + coll
	ro, wo := routeOpts{perms: read}, routeOpts{perms: write}
	e.handle(rt, http.MethodGet, base, ro, func(c *call) (any, *apiError) {
		return e.requestCollection(c, k, "")
	})
	e.handle(rt, http.MethodPost, base, wo, func(c *call) (any, *apiError) { return e.postRequest(c, k) })
	e.handle(rt, http.MethodGet, base+"/$count", ro, func(c *call) (any, *apiError) {
		return countOf(e.requestCollection(c, k, ""))
	})
	ons := []string{"principal"}
	if k == pimcore.Assignment {
		ons = append(ons, "createdBy", "approver")
	}
	for _, on := range ons {
		e.handle(rt, http.MethodGet, base+"/filterByCurrentUser(on='"+on+"')", ro, func(c *call) (any, *apiError) {
			return e.requestCollection(c, k, on)
		})
	}
	e.handle(rt, http.MethodGet, base+"/{id}", ro, func(c *call) (any, *apiError) {
		r, aerr := e.lookupRequest(k, c.p["id"])
		if aerr != nil {
			return nil, aerr
		}
		obj := e.renderRequest(r)
		e.expandRequest(c, r, obj)
		return entity{fragment: requestFragment(k), obj: obj}, nil
	})
	e.handle(rt, http.MethodPost, base+"/{id}/cancel", wo, func(c *call) (any, *apiError) {
		if aerr := e.cancelRequest(k, c.caller, c.p["id"]); aerr != nil {
			return nil, aerr
		}
		c.changed = true
		return noContent{}, nil
	})
	navs := []string{"targetSchedule", "principal", "group"}
	if k == pimcore.Assignment {
		navs = append(navs, "activatedUsing")
	}
	for _, nav := range navs {
		e.handle(rt, http.MethodGet, base+"/{id}/"+nav, ro, func(c *call) (any, *apiError) {
			r, aerr := e.lookupRequest(k, c.p["id"])
			if aerr != nil {
				return nil, aerr
			}
			obj := e.requestNav(r, nav, c)
			if obj == nil {
				return nil, errNotFound(nav, c.p["id"])
			}
			return entity{obj: obj}, nil
		})
	}
}

func (e *Engine) lookupRequest(k pimcore.Kind, id string) (*request, *apiError) {
	r := e.st.Requests[strings.ToLower(id)]
	if r == nil || r.Kind != k {
		return nil, errNotFound("request", id)
	}
	return r, nil
}

func (e *Engine) postRequest(c *call, k pimcore.Kind) (any, *apiError) {
	body, err := io.ReadAll(c.r.Body)
	if err != nil {
		return nil, errBadRequest(odata.CodeBadRequest, "Unable to read the request body.")
	}
	var in requestInput
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, errBadRequest(odata.CodeBadRequest, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	r, aerr := e.createRequest(k, c.caller, in)
	if aerr != nil {
		return nil, aerr
	}
	if !r.IsValidationOnly {
		c.changed = true
	}
	return entity{status: http.StatusCreated, fragment: requestFragment(k), obj: e.renderRequest(r)}, nil
}

// requestCollection lists requests. Without a groupId or principalId filter an application sees none and
// a signed-in user sees their own (reference §4.7); on= selects filterByCurrentUser's view.
func (e *Engine) requestCollection(c *call, k pimcore.Kind, on string) (any, *apiError) {
	scoped := hasScopeFilter(c.q.Filter)
	var items []map[string]any
	for _, id := range e.st.Order {
		r := e.st.Requests[id]
		if r.Kind != k {
			continue
		}
		switch on {
		case "":
			if !scoped && (c.caller.IsApp || !strings.EqualFold(r.PrincipalID, c.caller.ObjectID)) {
				continue
			}
		case "principal":
			if c.caller.IsApp || !strings.EqualFold(r.PrincipalID, c.caller.ObjectID) {
				continue
			}
		case "createdBy":
			if c.caller.IsApp || !strings.EqualFold(r.CreatedBy.ID, c.caller.ObjectID) {
				continue
			}
		case "approver":
			st := pimcore.CurrentStage(r.Stages)
			if c.caller.IsApp || r.Status != pimcore.StatusPendingApproval || st == nil || isRequester(r, c.caller.ObjectID) ||
				!e.isApprover(st, c.caller.ObjectID, c.now) {
				continue
			}
		}
		obj := e.renderRequest(r)
		if on != "" {
			// A function's results name their type (the filterByCurrentUser examples).
			obj["@odata.type"] = odataType("privilegedAccessGroup" + strings.ToUpper(string(k[:1])) + string(k[1:]) + "ScheduleRequest")
		}
		items = append(items, obj)
	}
	items = c.filterItems(items)
	for _, it := range items {
		if id, ok := it["id"].(string); ok {
			e.expandRequest(c, e.st.Requests[id], it)
		}
	}
	return collection{fragment: "identityGovernance/privilegedAccess/group/" + string(k) + "ScheduleRequests", items: items}, nil
}

func hasScopeFilter(f odata.Filter) bool {
	_, g := f.EqString("groupId")
	_, p := f.EqString("principalId")
	return g || p
}

func (e *Engine) expandRequest(c *call, r *request, obj map[string]any) {
	c.expand(obj, []string{"targetSchedule", "principal", "group", "activatedUsing"}, func(nav string) map[string]any {
		return e.requestNav(r, nav, c)
	})
}

func (e *Engine) requestNav(r *request, nav string, c *call) map[string]any {
	switch nav {
	case "principal":
		return e.renderPrincipal(r.PrincipalID)
	case "group":
		return e.renderPrincipal(r.GroupID)
	case "targetSchedule":
		if s := e.st.Schedules[r.TargetScheduleID]; s != nil && s.Exists(c.now) {
			return e.renderSchedule(s)
		}
	case "activatedUsing":
		if s := e.st.Schedules[r.ActivatedUsing]; s != nil && s.Exists(c.now) {
			return e.renderSchedule(s)
		}
	}
	return nil
}

// countOf turns a collection result into the text/plain answer of a /$count segment.
func countOf(res any, aerr *apiError) (any, *apiError) {
	if aerr != nil {
		return nil, aerr
	}
	col, _ := res.(collection)
	return plainText(itoa(len(col.items))), nil
}
