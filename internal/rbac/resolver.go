package rbac

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// RoleDefinition is a role as the provider needs it.
type RoleDefinition struct {
	// ID is the subscription-scoped form `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}`,
	// the one sent to ARM and recorded in state when the provider computes it.
	ID   string
	GUID string
	Name string
	// Type is BuiltInRole or CustomRole.
	Type string
	// Permissions are what the role grants (for the access audit).
	Permissions []Permission
}

// ResolveRoleByName finds the role definition with this exact name (case-insensitive), listing at the
// subscription scope, where `roleName eq` finds built-in roles and the subscription's custom roles
// alike (it is not reliable at resource scopes such as namespaces). Exactly one match is required.
// Results are cached per provider instance.
func ResolveRoleByName(ctx context.Context, c *clients.Client, name string) (RoleDefinition, error) {
	cache := cacheFor(c)
	return cache.roleByName.Get(ctx, strings.ToLower(name), func(ctx context.Context) (RoleDefinition, error) {
		scope := "/subscriptions/" + c.SubscriptionID
		// The roleDefinitions list encodes its own filter; quotes inside OData strings are doubled.
		filter := "roleName eq '" + strings.ReplaceAll(name, "'", "''") + "'"
		defs, err := clients.ARMItems(ctx, c.RoleDefinitions.NewListPager(scope, &armauthorization.RoleDefinitionsClientListOptions{Filter: to.Ptr(filter)}),
			func(p armauthorization.RoleDefinitionsClientListResponse) []*armauthorization.RoleDefinition {
				return p.Value
			})
		if err != nil {
			return RoleDefinition{}, err
		}
		var found []RoleDefinition
		for _, d := range defs {
			rd, ok := roleFromARM(c.SubscriptionID, d)
			// The service filter is trusted for selection only; the name must really match.
			if ok && strings.EqualFold(rd.Name, name) {
				found = append(found, rd)
			}
		}
		switch len(found) {
		case 0:
			return RoleDefinition{}, &RoleNotFoundError{Name: name, Scope: scope}
		case 1:
			cache.roleByGUID.Put(found[0].GUID, found[0])
			return found[0], nil
		default:
			ids := make([]string, len(found))
			for i, f := range found {
				ids[i] = f.ID
			}
			slices.Sort(ids)
			return RoleDefinition{}, &AmbiguousRoleError{Name: name, IDs: ids}
		}
	})
}

// ResolveRoleByID reads the role definition with this ID (any of the forms RoleDefinitionGUID accepts),
// cached per provider instance by GUID.
func ResolveRoleByID(ctx context.Context, c *clients.Client, id string) (RoleDefinition, error) {
	guid, err := RoleDefinitionGUID(id)
	if err != nil {
		return RoleDefinition{}, err
	}
	cache := cacheFor(c)
	return cache.roleByGUID.Get(ctx, guid, func(ctx context.Context) (RoleDefinition, error) {
		var d armauthorization.RoleDefinition
		if IsGUID(id) || strings.HasPrefix(strings.ToLower(id), "/providers/") {
			// Tenant-level and bare forms: read it where the provider assigns it, the subscription.
			resp, err := c.RoleDefinitions.Get(ctx, "/subscriptions/"+c.SubscriptionID, guid, nil)
			if err != nil {
				return RoleDefinition{}, wrapRoleDefinitionErr(id, err)
			}
			d = resp.RoleDefinition
		} else {
			resp, err := c.RoleDefinitions.GetByID(ctx, id, nil)
			if err != nil {
				return RoleDefinition{}, wrapRoleDefinitionErr(id, err)
			}
			d = resp.RoleDefinition
		}
		rd, ok := roleFromARM(c.SubscriptionID, &d)
		if !ok || rd.GUID != guid {
			return RoleDefinition{}, fmt.Errorf("reading role definition %s: the response describes %q", id, rd.GUID)
		}
		cache.roleByName.Put(strings.ToLower(rd.Name), rd)
		return rd, nil
	})
}

func wrapRoleDefinitionErr(id string, err error) error {
	if clients.IsNotFound(err) {
		return &RoleDefinitionNotFoundError{ID: id, Err: err}
	}
	return err
}

func roleFromARM(subscriptionID string, d *armauthorization.RoleDefinition) (RoleDefinition, bool) {
	if d == nil {
		return RoleDefinition{}, false
	}
	var raw string
	switch {
	case d.ID != nil:
		raw = *d.ID
	case d.Name != nil:
		raw = *d.Name
	}
	guid, err := RoleDefinitionGUID(raw)
	if err != nil {
		return RoleDefinition{}, false
	}
	rd := RoleDefinition{ID: SubscriptionRoleDefinitionID(subscriptionID, guid), GUID: guid}
	if d.Properties != nil {
		rd.Name = deref(d.Properties.RoleName)
		rd.Type = deref(d.Properties.RoleType)
		rd.Permissions = permissionsOf(d.Properties.Permissions)
	}
	return rd, true
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func derefAll(ps []*string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}
