package pim

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

func itoa(n int) string { return strconv.Itoa(n) }

// scheduleRoutes serves schedules (instances=false) or their instances: the same objects, an instance
// being a schedule that is in effect now.
func (e *Engine) scheduleRoutes(rt *router.Router, coll string, k pimcore.Kind, instances bool, read []string) {
	base := groupBase + coll
	o := routeOpts{perms: read}
	typeName := "privilegedAccessGroup" + strings.ToUpper(string(k[:1])) + string(k[1:]) + "Schedule"
	if instances {
		typeName += "Instance"
	}
	fragment := "identityGovernance/privilegedAccess/group/" + coll
	e.handle(rt, http.MethodGet, base, o, func(c *call) (any, *apiError) {
		return e.scheduleCollection(c, k, instances, false, fragment, typeName)
	})
	e.handle(rt, http.MethodGet, base+"/$count", o, func(c *call) (any, *apiError) {
		return countOf(e.scheduleCollection(c, k, instances, false, fragment, typeName))
	})
	e.handle(rt, http.MethodGet, base+"/filterByCurrentUser(on='principal')", o, func(c *call) (any, *apiError) {
		return e.scheduleCollection(c, k, instances, true, fragment, typeName)
	})
	e.handle(rt, http.MethodGet, base+"/{id}", o, func(c *call) (any, *apiError) {
		s, aerr := e.lookupSchedule(c, k, instances, c.p["id"], typeName)
		if aerr != nil {
			return nil, aerr
		}
		obj := e.renderScheduleOrInstance(s, instances)
		e.expandSchedule(c, s, instances, obj)
		return entity{fragment: fragment + "/$entity", obj: obj}, nil
	})
	navs := []string{"principal", "group"}
	if k == pimcore.Assignment {
		navs = append(navs, "activatedUsing")
	}
	for _, nav := range navs {
		e.handle(rt, http.MethodGet, base+"/{id}/"+nav, o, func(c *call) (any, *apiError) {
			s, aerr := e.lookupSchedule(c, k, instances, c.p["id"], typeName)
			if aerr != nil {
				return nil, aerr
			}
			obj := e.scheduleNav(c, s, instances, nav)
			if obj == nil {
				return nil, errNotFound(nav, c.p["id"])
			}
			return entity{obj: obj}, nil
		})
	}
}

func (e *Engine) renderScheduleOrInstance(s *schedule, instance bool) map[string]any {
	if instance {
		return e.renderInstance(s)
	}
	return e.renderSchedule(s)
}

// visible reports whether a schedule shows in the schedules (exists) or instances (in effect now) lists.
func visible(s *schedule, c *call, instances bool) bool {
	if instances {
		return s.Active(c.now)
	}
	return s.Exists(c.now)
}

func (e *Engine) lookupSchedule(c *call, k pimcore.Kind, instances bool, id, typeName string) (*schedule, *apiError) {
	s := e.st.Schedules[strings.ToLower(id)]
	if s == nil || s.Kind != k || !visible(s, c, instances) {
		// UNCONFIRMED (reference §10.3 #5): the code of this 404.
		return nil, errNotFound(typeName, id)
	}
	return s, nil
}

// scheduleCollection lists schedules or instances. The list requires a groupId or principalId filter:
// without one an application sees nothing and a signed-in user their own (reference §4.7). The
// filterByCurrentUser view also shows what the user holds through groups, with memberType "group".
func (e *Engine) scheduleCollection(c *call, k pimcore.Kind, instances, currentUser bool, fragment, typeName string) (any, *apiError) {
	if !currentUser && c.q.RawFilter == "" && e.cfg.UnfilteredSchedules == "400" {
		return nil, errBadRequest("BadRequest", "The $filter query parameter is required: filter on groupId or principalId.")
	}
	scoped := hasScopeFilter(c.q.Filter)
	groups := map[string]bool{}
	if currentUser && !c.caller.IsApp {
		for _, g := range e.dir.MemberOf(c.caller.ObjectID, c.now) {
			groups[strings.ToLower(g)] = true
		}
	}
	var list []*schedule
	for _, s := range e.st.Schedules {
		if s.Kind == k && visible(s, c, instances) {
			list = append(list, s)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].Created.Equal(list[j].Created) {
			return list[i].Created.Before(list[j].Created)
		}
		return list[i].ID < list[j].ID
	})
	var items []map[string]any
	for _, s := range list {
		own := !c.caller.IsApp && strings.EqualFold(s.PrincipalID, c.caller.ObjectID)
		switch {
		case currentUser:
			if !own && !groups[s.PrincipalID] {
				continue
			}
		case !scoped && !own:
			continue
		}
		obj := e.renderScheduleOrInstance(s, instances)
		if currentUser && !own {
			obj["memberType"] = e.enum("group")
		}
		if currentUser {
			// A function's results name their type (the filterByCurrentUser examples).
			obj["@odata.type"] = odataType(typeName)
		}
		items = append(items, obj)
	}
	items = c.filterItems(items)
	for _, it := range items {
		if id, ok := it["id"].(string); ok {
			e.expandSchedule(c, e.st.Schedules[id], instances, it)
		}
	}
	return collection{fragment: fragment, items: items}, nil
}

func (e *Engine) expandSchedule(c *call, s *schedule, instances bool, obj map[string]any) {
	if s == nil {
		return
	}
	c.expand(obj, []string{"principal", "group", "activatedUsing"}, func(nav string) map[string]any {
		return e.scheduleNav(c, s, instances, nav)
	})
}

func (e *Engine) scheduleNav(c *call, s *schedule, instances bool, nav string) map[string]any {
	switch nav {
	case "principal":
		return e.renderPrincipal(s.PrincipalID)
	case "group":
		return e.renderPrincipal(s.GroupID)
	case "activatedUsing":
		if el := e.st.Schedules[s.ActivatedUsing]; el != nil && visible(el, c, instances) {
			return e.renderScheduleOrInstance(el, instances)
		}
	}
	return nil
}
