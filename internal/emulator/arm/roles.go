package arm

import (
	"regexp"
	"strings"
	"sync"
)

// Permission is one permission block of a role definition (and one entry of the permissions API).
type Permission struct {
	Actions        []string `json:"actions"`
	NotActions     []string `json:"notActions"`
	DataActions    []string `json:"dataActions"`
	NotDataActions []string `json:"notDataActions"`
}

// RoleDefinition is a built-in Azure role.
type RoleDefinition struct {
	ID          string // GUID
	RoleName    string
	Description string
	Permissions []Permission
}

const aks = "Microsoft.ContainerService/managedClusters/"

// prefixed returns names, each prefixed with aks.
func prefixed(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = aks + n
	}
	return out
}

var aksRBACControlPlaneRead = []string{
	"Microsoft.Authorization/*/read",
	"Microsoft.Resources/subscriptions/operationresults/read",
	"Microsoft.Resources/subscriptions/read",
	"Microsoft.Resources/subscriptions/resourceGroups/read",
}

var vmLoginActions = []string{
	"Microsoft.Network/publicIPAddresses/read",
	"Microsoft.Network/virtualNetworks/read",
	"Microsoft.Network/loadBalancers/read",
	"Microsoft.Network/networkInterfaces/read",
	"Microsoft.Compute/virtualMachines/*/read",
	"Microsoft.HybridCompute/machines/*/read",
	"Microsoft.HybridConnectivity/endpoints/listCredentials/action",
}

// builtInRoles are the built-in roles of reference §7.3 plus Owner, User Access Administrator and Role
// Based Access Control Administrator, with their real GUIDs and permissions.
var builtInRoles = []RoleDefinition{
	{ID: "acdd72a7-3385-48ef-bd42-f606fba81ae7", RoleName: "Reader",
		Description: "View all resources, but does not allow you to make any changes.",
		Permissions: []Permission{{Actions: []string{"*/read"}}}},
	{ID: "b24988ac-6180-42a0-ab88-20f7382dd24c", RoleName: "Contributor",
		Description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
		Permissions: []Permission{{Actions: []string{"*"}, NotActions: []string{
			"Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action",
			"Microsoft.Blueprint/blueprintAssignments/write", "Microsoft.Blueprint/blueprintAssignments/delete",
			"Microsoft.Compute/galleries/share/action", "Microsoft.Purview/consents/write", "Microsoft.Purview/consents/delete",
		}}}},
	{ID: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", RoleName: "Owner",
		Description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
		Permissions: []Permission{{Actions: []string{"*"}}}},
	{ID: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", RoleName: "User Access Administrator",
		Description: "Lets you manage user access to Azure resources.",
		Permissions: []Permission{{Actions: []string{"*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"}}}},
	{ID: "f58310d9-a9f6-439a-9e8d-f62e7b41a168", RoleName: "Role Based Access Control Administrator",
		Description: "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
		Permissions: []Permission{{Actions: []string{
			"Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read", "Microsoft.Support/*",
		}}}},
	{ID: "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8", RoleName: "Azure Kubernetes Service Cluster Admin Role",
		Description: "List cluster admin credential action.",
		Permissions: []Permission{{Actions: prefixed("listClusterAdminCredential/action", "accessProfiles/listCredential/action", "read", "runcommand/action")}}},
	{ID: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f", RoleName: "Azure Kubernetes Service Cluster User Role",
		Description: "List cluster user credential action.",
		Permissions: []Permission{{Actions: prefixed("listClusterUserCredential/action", "read")}}},
	{ID: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b", RoleName: "Azure Kubernetes Service RBAC Cluster Admin",
		Description: "Lets you manage all resources in the cluster.",
		Permissions: []Permission{{
			Actions:     append(append([]string{}, aksRBACControlPlaneRead...), aks+"listClusterUserCredential/action"),
			DataActions: []string{aks + "*"},
		}}},
	{ID: "3498e952-d568-435e-9b2c-8d77e338d7f7", RoleName: "Azure Kubernetes Service RBAC Admin",
		Description: "Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces.",
		Permissions: []Permission{{
			Actions:        append(append([]string{}, aksRBACControlPlaneRead...), aks+"listClusterUserCredential/action"),
			DataActions:    []string{aks + "*"},
			NotDataActions: prefixed("resourcequotas/write", "resourcequotas/delete", "namespaces/write", "namespaces/delete"),
		}}},
	{ID: "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb", RoleName: "Azure Kubernetes Service RBAC Writer",
		Description: "Allows read/write access to most objects in a namespace.This role does not allow viewing or modifying roles or role bindings. However, this role allows accessing Secrets and running Pods as any ServiceAccount in the namespace, so it can be used to gain the API access levels of any ServiceAccount in the namespace. Applying this role at cluster scope will give access across all namespaces.",
		Permissions: []Permission{{
			Actions: append([]string{}, aksRBACControlPlaneRead...),
			DataActions: prefixed(
				"apps/controllerrevisions/read", "apps/daemonsets/*", "apps/deployments/*", "apps/replicasets/*", "apps/statefulsets/*",
				"autoscaling/horizontalpodautoscalers/*", "batch/cronjobs/*", "coordination.k8s.io/leases/read",
				"coordination.k8s.io/leases/write", "coordination.k8s.io/leases/delete", "discovery.k8s.io/endpointslices/read",
				"batch/jobs/*", "configmaps/*", "endpoints/*", "events.k8s.io/events/read", "events/*", "extensions/daemonsets/*",
				"extensions/deployments/*", "extensions/ingresses/*", "extensions/networkpolicies/*", "extensions/replicasets/*",
				"limitranges/read", "metrics.k8s.io/pods/read", "metrics.k8s.io/nodes/read", "namespaces/read",
				"networking.k8s.io/ingresses/*", "networking.k8s.io/networkpolicies/*", "persistentvolumeclaims/*", "pods/*",
				"policy/poddisruptionbudgets/*", "replicationcontrollers/*", "resourcequotas/read", "secrets/*",
				"serviceaccounts/*", "services/*"),
		}}},
	{ID: "7f6c6a51-bcf8-42ba-9220-52d62157d7db", RoleName: "Azure Kubernetes Service RBAC Reader",
		Description: "Allows read-only access to see most objects in a namespace. It does not allow viewing roles or role bindings. This role does not allow viewing Secrets, since reading the contents of Secrets enables access to ServiceAccount credentials in the namespace, which would allow API access as any ServiceAccount in the namespace (a form of privilege escalation). Applying this role at cluster scope will give access across all namespaces.",
		Permissions: []Permission{{
			Actions: append([]string{}, aksRBACControlPlaneRead...),
			DataActions: prefixed(
				"apps/controllerrevisions/read", "apps/daemonsets/read", "apps/deployments/read", "apps/replicasets/read",
				"apps/statefulsets/read", "autoscaling/horizontalpodautoscalers/read", "batch/cronjobs/read", "batch/jobs/read",
				"configmaps/read", "discovery.k8s.io/endpointslices/read", "endpoints/read", "events.k8s.io/events/read",
				"events/read", "extensions/daemonsets/read", "extensions/deployments/read", "extensions/ingresses/read",
				"extensions/networkpolicies/read", "extensions/replicasets/read", "limitranges/read", "metrics.k8s.io/pods/read",
				"metrics.k8s.io/nodes/read", "namespaces/read", "networking.k8s.io/ingresses/read",
				"networking.k8s.io/networkpolicies/read", "persistentvolumeclaims/read", "pods/read",
				"policy/poddisruptionbudgets/read", "replicationcontrollers/read", "resourcequotas/read",
				"serviceaccounts/read", "services/read"),
		}}},
	{ID: "fb879df8-f326-4884-b1cf-06f3ad86be52", RoleName: "Virtual Machine User Login",
		Description: "View Virtual Machines in the portal and login as a regular user.",
		Permissions: []Permission{{
			Actions:     append([]string{}, vmLoginActions...),
			DataActions: []string{"Microsoft.Compute/virtualMachines/login/action", "Microsoft.HybridCompute/machines/login/action"},
		}}},
	{ID: "1c0163c0-47e6-4577-8991-ea5c82e286e4", RoleName: "Virtual Machine Administrator Login",
		Description: "View Virtual Machines in the portal and login as administrator",
		Permissions: []Permission{{
			Actions: append([]string{}, vmLoginActions...),
			DataActions: []string{
				"Microsoft.Compute/virtualMachines/login/action", "Microsoft.Compute/virtualMachines/loginAsAdmin/action",
				"Microsoft.HybridCompute/machines/login/action", "Microsoft.HybridCompute/machines/loginAsAdmin/action",
			},
		}}},
}

// BuiltInRoles returns a copy of the built-in role definitions.
func BuiltInRoles() []RoleDefinition {
	return append([]RoleDefinition(nil), builtInRoles...)
}

// RoleByID finds a built-in role by GUID (case-insensitive).
func RoleByID(id string) (RoleDefinition, bool) { return roleByID(id) }

func roleByID(id string) (RoleDefinition, bool) {
	for _, r := range builtInRoles {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return RoleDefinition{}, false
}

// RoleByName finds a built-in role by its roleName (case-insensitive).
func RoleByName(name string) (RoleDefinition, bool) {
	for _, r := range builtInRoles {
		if strings.EqualFold(r.RoleName, name) {
			return r, true
		}
	}
	return RoleDefinition{}, false
}

var (
	patternMu    sync.Mutex
	patternCache = map[string]*regexp.Regexp{}
)

// MatchAction reports whether an action pattern of a role ("*/read", "Microsoft.Authorization/*",
// "Microsoft.ContainerService/managedClusters/*") covers action. Matching is case-insensitive and `*`
// matches any run of characters, including "/".
func MatchAction(pattern, action string) bool {
	patternMu.Lock()
	re, ok := patternCache[pattern]
	if !ok {
		parts := strings.Split(pattern, "*")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		re = regexp.MustCompile("(?i)^" + strings.Join(parts, ".*") + "$")
		patternCache[pattern] = re
	}
	patternMu.Unlock()
	return re.MatchString(action)
}

// Allows reports whether one permission block grants action (a control-plane action, or a data action
// when data is true): some action pattern matches and no not-action pattern does.
func (p Permission) Allows(action string, data bool) bool {
	allow, deny := p.Actions, p.NotActions
	if data {
		allow, deny = p.DataActions, p.NotDataActions
	}
	granted := false
	for _, a := range allow {
		if MatchAction(a, action) {
			granted = true
			break
		}
	}
	if !granted {
		return false
	}
	for _, n := range deny {
		if MatchAction(n, action) {
			return false
		}
	}
	return true
}

// Evaluate reports whether any of the permission entries (one per role assignment, as the permissions API
// returns them) grants action. This is Azure's rule: each assignment is evaluated on its own.
func Evaluate(perms []Permission, action string, data bool) bool {
	for _, p := range perms {
		if p.Allows(action, data) {
			return true
		}
	}
	return false
}
