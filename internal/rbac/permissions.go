package rbac

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// Permission is one entry of ARM's permissions API: the permissions of one role the caller holds at (or
// above) the scope. Not* entries subtract from their own entry only; they deny nothing another role grants.
type Permission struct {
	Actions        []string
	NotActions     []string
	DataActions    []string
	NotDataActions []string
}

// EffectivePermissions are the caller's permissions at one scope, one entry per applicable role
// assignment, as ARM reports them (not merged).
type EffectivePermissions struct {
	Scope   string
	Entries []Permission
}

// HasAction reports whether some entry grants the control-plane action (e.g.
// "Microsoft.ContainerService/managedClusters/read").
func (p EffectivePermissions) HasAction(action string) bool {
	for _, e := range p.Entries {
		if permissionGrants(e.Actions, e.NotActions, action) {
			return true
		}
	}
	return false
}

// HasDataAction reports whether some entry grants the data action (e.g.
// "Microsoft.ContainerService/managedClusters/secrets/read").
func (p EffectivePermissions) HasDataAction(action string) bool {
	for _, e := range p.Entries {
		if permissionGrants(e.DataActions, e.NotDataActions, action) {
			return true
		}
	}
	return false
}

// permissionGrants applies Azure's rule within one role: allowed when an allow pattern matches and no
// not-pattern of the same role does.
func permissionGrants(allow, deny []string, action string) bool {
	granted := false
	for _, a := range allow {
		if PermissionMatches(a, action) {
			granted = true
			break
		}
	}
	if !granted {
		return false
	}
	for _, d := range deny {
		if PermissionMatches(d, action) {
			return false
		}
	}
	return true
}

// PermissionMatches reports whether an action pattern of a role definition ("*", "*/read",
// "Microsoft.ContainerService/managedClusters/*") covers action. Matching is case-insensitive and '*'
// stands for any run of characters, '/' included, as in Azure.
func PermissionMatches(pattern, action string) bool {
	p, a := strings.ToLower(pattern), strings.ToLower(action)
	// Iterative glob with backtracking to the last star: linear in practice, no regexp per call.
	pi, ai, star, mark := 0, 0, -1, 0
	for ai < len(a) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ai
			pi++
		case pi < len(p) && p[pi] == a[ai]:
			pi++
			ai++
		case star >= 0:
			pi = star + 1
			mark++
			ai = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// permissionsTarget is how the permissions API addresses a scope: a resource group, or a resource given
// as provider namespace, parent path, type and name.
type permissionsTarget struct {
	ResourceGroup string
	Namespace     string
	ParentPath    string
	Type          string
	Name          string
}

// permissionsTargetOf splits a resource-group or resource scope (including the AKS sub-scopes
// {cluster}/agentPools/{pool} and {cluster}/namespaces/{ns}) into the permissions API's parameters. The
// subscription must be the client's: the API is subscription-bound.
func permissionsTargetOf(scope, subscriptionID string) (permissionsTarget, error) {
	sc, err := NormalizeScope(scope)
	if err != nil {
		return permissionsTarget{}, err
	}
	if sc.Level != LevelResourceGroup && sc.Level != LevelResource {
		return permissionsTarget{}, fmt.Errorf("the permissions API answers only for a resource group or a resource, not for %s", sc.ID)
	}
	segs := strings.Split(strings.TrimPrefix(sc.ID, "/"), "/")
	if !strings.EqualFold(segs[1], subscriptionID) {
		return permissionsTarget{}, fmt.Errorf("scope %s is in subscription %s, not in the configured subscription %s", sc.ID, segs[1], subscriptionID)
	}
	t := permissionsTarget{ResourceGroup: segs[3]}
	if sc.Level == LevelResourceGroup {
		return t, nil
	}
	rest := segs[5:] // after providers
	for _, s := range rest[1:] {
		if strings.EqualFold(s, segProviders) {
			return permissionsTarget{}, fmt.Errorf("scope %s is an extension resource; the permissions API is asked at the resource it extends", sc.ID)
		}
	}
	pairs := rest[1:]
	t.Namespace = rest[0]
	t.Type, t.Name = pairs[len(pairs)-2], pairs[len(pairs)-1]
	t.ParentPath = strings.Join(pairs[:len(pairs)-2], "/")
	return t, nil
}

// ListPermissions returns the caller's effective permissions at scope (a resource group or a resource),
// through ARM's permissions API with the caller's own token: the same answer Azure uses to decide access.
func ListPermissions(ctx context.Context, c *clients.Client, scope string) (EffectivePermissions, error) {
	t, err := permissionsTargetOf(scope, c.SubscriptionID)
	if err != nil {
		return EffectivePermissions{}, err
	}
	var values []*armauthorization.Permission
	if t.Type == "" {
		values, err = clients.ARMItems(ctx, c.Permissions.NewListForResourceGroupPager(t.ResourceGroup, nil),
			func(p armauthorization.PermissionsClientListForResourceGroupResponse) []*armauthorization.Permission {
				return p.Value
			})
	} else {
		values, err = clients.ARMItems(ctx, c.Permissions.NewListForResourcePager(t.ResourceGroup, t.Namespace, t.ParentPath, t.Type, t.Name, nil),
			func(p armauthorization.PermissionsClientListForResourceResponse) []*armauthorization.Permission {
				return p.Value
			})
	}
	if err != nil {
		return EffectivePermissions{}, fmt.Errorf("listing permissions at %s: %w", scope, err)
	}
	return EffectivePermissions{Scope: scope, Entries: permissionsOf(values)}, nil
}

// permissionsOf reads ARM's permission entries (of a role definition or the permissions API).
func permissionsOf(ps []*armauthorization.Permission) []Permission {
	var out []Permission
	for _, p := range ps {
		if p != nil {
			out = append(out, Permission{Actions: derefAll(p.Actions), NotActions: derefAll(p.NotActions),
				DataActions: derefAll(p.DataActions), NotDataActions: derefAll(p.NotDataActions)})
		}
	}
	return out
}

// HasDataAction reports whether the caller of c holds the data action at scope ("can n01 read secrets in
// this cluster?").
func HasDataAction(ctx context.Context, c *clients.Client, scope, action string) (bool, error) {
	p, err := ListPermissions(ctx, c, scope)
	if err != nil {
		return false, err
	}
	return p.HasDataAction(action), nil
}

// HasAction reports whether the caller of c holds the control-plane action at scope.
func HasAction(ctx context.Context, c *clients.Client, scope, action string) (bool, error) {
	p, err := ListPermissions(ctx, c, scope)
	if err != nil {
		return false, err
	}
	return p.HasAction(action), nil
}

// Data and control-plane actions the scenario checks (Azure's own names).
const (
	ActionAKSPodsRead        = "Microsoft.ContainerService/managedClusters/pods/read"
	ActionAKSSecretsRead     = "Microsoft.ContainerService/managedClusters/secrets/read"
	ActionAKSUserCredentials = "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"
	ActionAKSAgentPoolWrite  = "Microsoft.ContainerService/managedClusters/agentPools/write"
	ActionVMLogin            = "Microsoft.Compute/virtualMachines/login/action"
	ActionVMAdminLogin       = "Microsoft.Compute/virtualMachines/loginAsAdmin/action"
)
