package arm_test

import (
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
)

// TestBuiltInRoleSemantics pins the effect of the built-in roles on the actions the scenario depends on.
func TestBuiltInRoleSemantics(t *testing.T) {
	t.Parallel()
	const aks = "Microsoft.ContainerService/managedClusters/"
	tests := []struct {
		role   string
		action string
		data   bool
		want   bool
	}{
		{"Azure Kubernetes Service RBAC Reader", aks + "pods/read", true, true},
		{"Azure Kubernetes Service RBAC Reader", aks + "secrets/read", true, false},
		{"Azure Kubernetes Service RBAC Writer", aks + "secrets/read", true, true},
		{"Azure Kubernetes Service RBAC Admin", aks + "secrets/read", true, true},
		{"Azure Kubernetes Service RBAC Admin", aks + "rbac.authorization.k8s.io/roles/write", true, true},
		{"Azure Kubernetes Service RBAC Admin", aks + "namespaces/write", true, false},
		{"Azure Kubernetes Service RBAC Admin", aks + "resourcequotas/delete", true, false},
		{"Azure Kubernetes Service RBAC Cluster Admin", aks + "namespaces/write", true, true},
		{"Azure Kubernetes Service Cluster User Role", aks + "read", false, true},
		{"Azure Kubernetes Service Cluster User Role", aks + "pods/read", true, false},
		{"Reader", aks + "read", false, true},
		{"Reader", "Microsoft.Authorization/roleAssignments/write", false, false},
		{"Contributor", "Microsoft.Authorization/roleAssignments/write", false, false},
		{"Contributor", "Microsoft.ContainerService/managedClusters/agentPools/write", false, true},
		{"Role Based Access Control Administrator", "Microsoft.Authorization/roleAssignments/write", false, true},
		{"Role Based Access Control Administrator", "microsoft.authorization/ROLEASSIGNMENTS/delete", false, true},
		{"Role Based Access Control Administrator", "Microsoft.Authorization/roleDefinitions/write", false, false},
		{"User Access Administrator", "Microsoft.Authorization/roleDefinitions/write", false, true},
		{"Virtual Machine User Login", "Microsoft.Compute/virtualMachines/login/action", true, true},
		{"Virtual Machine User Login", "Microsoft.Compute/virtualMachines/loginAsAdmin/action", true, false},
		{"Virtual Machine Administrator Login", "Microsoft.Compute/virtualMachines/loginAsAdmin/action", true, true},
	}
	for _, tc := range tests {
		rd, ok := arm.RoleByName(tc.role)
		if !ok {
			t.Fatalf("no built-in role %q", tc.role)
		}
		if got := arm.Evaluate(rd.Permissions, tc.action, tc.data); got != tc.want {
			t.Errorf("%s grants %s (data=%v): %v, want %v", tc.role, tc.action, tc.data, got, tc.want)
		}
	}
}

func TestMatchAction(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern, action string
		want            bool
	}{
		{"*", "Microsoft.Anything/x/write", true},
		{"*/read", "Microsoft.ContainerService/managedClusters/read", true},
		{"*/read", "Microsoft.ContainerService/managedClusters/write", false},
		{"Microsoft.Compute/virtualMachines/*/read", "Microsoft.Compute/virtualMachines/extensions/read", true},
		{"Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write", true},
		{"Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/writeX", false},
	} {
		if got := arm.MatchAction(tc.pattern, tc.action); got != tc.want {
			t.Errorf("MatchAction(%q, %q) = %v", tc.pattern, tc.action, got)
		}
	}
}
