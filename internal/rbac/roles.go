package rbac

import "strings"

// Built-in role definition GUIDs the scenario uses. They are global constants of Azure.
const (
	RoleReader                           = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	RoleContributor                      = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	RoleAKSClusterAdmin                  = "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8"
	RoleAKSClusterUser                   = "4abbcc35-e782-43d8-92c5-2d3f1bd2253f"
	RoleAKSRBACClusterAdmin              = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
	RoleAKSRBACAdmin                     = "3498e952-d568-435e-9b2c-8d77e338d7f7"
	RoleAKSRBACWriter                    = "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb"
	RoleAKSRBACReader                    = "7f6c6a51-bcf8-42ba-9220-52d62157d7db"
	RoleVirtualMachineUserLogin          = "fb879df8-f326-4884-b1cf-06f3ad86be52"
	RoleVirtualMachineAdministratorLogin = "1c0163c0-47e6-4577-8991-ea5c82e286e4"
)

// kubernetesDataPlaneRoles are the built-in roles whose permissions are Kubernetes data actions, which
// AKS only honours when Azure RBAC for Kubernetes authorization is enabled on the cluster.
var kubernetesDataPlaneRoles = map[string]bool{
	RoleAKSRBACClusterAdmin: true,
	RoleAKSRBACAdmin:        true,
	RoleAKSRBACWriter:       true,
	RoleAKSRBACReader:       true,
}

const dataPlaneRolePrefix = "azure kubernetes service rbac "

// IsKubernetesDataPlaneRole reports whether a role grants Kubernetes data-plane access through Azure
// RBAC, judged by its name ("Azure Kubernetes Service RBAC ...", which also covers custom copies named
// that way) or by the GUID of one of the built-in ones. Either argument may be empty.
func IsKubernetesDataPlaneRole(roleName, roleDefinitionID string) bool {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(roleName)), dataPlaneRolePrefix) {
		return true
	}
	if roleDefinitionID == "" {
		return false
	}
	g, err := RoleDefinitionGUID(roleDefinitionID)
	return err == nil && kubernetesDataPlaneRoles[g]
}
