package rbac

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPermissionMatches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, action string
		want            bool
	}{
		{"*", "Microsoft.ContainerService/managedClusters/secrets/read", true},
		{"*/read", "Microsoft.ContainerService/managedClusters/read", true},
		{"*/read", "Microsoft.ContainerService/managedClusters/write", false},
		{"Microsoft.ContainerService/managedClusters/*", "Microsoft.ContainerService/managedClusters/secrets/read", true},
		{"Microsoft.ContainerService/managedClusters/*", "microsoft.containerservice/MANAGEDCLUSTERS/pods/read", true},
		{"Microsoft.ContainerService/managedClusters/*", "Microsoft.ContainerService/managedClusters", false},
		{"Microsoft.ContainerService/managedClusters/pods/read", "Microsoft.ContainerService/managedClusters/pods/read", true},
		{"Microsoft.ContainerService/managedClusters/pods/read", "Microsoft.ContainerService/managedClusters/pods/readx", false},
		{"Microsoft.ContainerService/managedClusters/secrets/*", "Microsoft.ContainerService/managedClusters/secrets/read", true},
		{"Microsoft.Authorization/*/read", "Microsoft.Authorization/roleAssignments/read", true},
		{"Microsoft.Authorization/*/read", "Microsoft.Authorization/roleAssignments/write", false},
		{"Microsoft.Authorization/*/Write", "microsoft.authorization/roleassignments/write", true},
		{"Microsoft.Compute/virtualMachines/*/read", "Microsoft.Compute/virtualMachines/extensions/read", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"", "", true},
		{"", "x", false},
		{"**", "x", true},
	}
	for _, tc := range cases {
		if got := PermissionMatches(tc.pattern, tc.action); got != tc.want {
			t.Errorf("PermissionMatches(%q, %q) = %v, want %v", tc.pattern, tc.action, got, tc.want)
		}
	}
}

// The roles below are copied from Azure's built-in role definitions (reference §7.3), reduced to what the
// scenario's actions touch.
var (
	permAKSRBACReader = Permission{
		Actions: []string{"Microsoft.Authorization/*/read", "Microsoft.Resources/subscriptions/read"},
		DataActions: []string{
			"Microsoft.ContainerService/managedClusters/pods/read",
			"Microsoft.ContainerService/managedClusters/configmaps/read",
			"Microsoft.ContainerService/managedClusters/namespaces/read",
		},
	}
	permAKSRBACAdmin = Permission{
		Actions:     []string{"Microsoft.Authorization/*/read", "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"},
		DataActions: []string{"Microsoft.ContainerService/managedClusters/*"},
		NotDataActions: []string{
			"Microsoft.ContainerService/managedClusters/resourcequotas/write",
			"Microsoft.ContainerService/managedClusters/namespaces/write",
		},
	}
	permReader  = Permission{Actions: []string{"*/read"}}
	permVMLogin = Permission{
		Actions:     []string{"Microsoft.Compute/virtualMachines/*/read"},
		DataActions: []string{"Microsoft.Compute/virtualMachines/login/action", "Microsoft.HybridCompute/machines/login/action"},
	}
	permContributor = Permission{Actions: []string{"*"}, NotActions: []string{"Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"}}
)

func TestEffectivePermissions(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		entries []Permission
		data    map[string]bool
		actions map[string]bool
	}{
		"none": {
			data:    map[string]bool{ActionAKSPodsRead: false, ActionAKSSecretsRead: false},
			actions: map[string]bool{"Microsoft.ContainerService/managedClusters/read": false},
		},
		"reader roles (n01 before activation)": {
			entries: []Permission{permAKSRBACReader, permReader},
			data:    map[string]bool{ActionAKSPodsRead: true, ActionAKSSecretsRead: false, ActionVMLogin: false},
			actions: map[string]bool{"Microsoft.ContainerService/managedClusters/read": true, ActionAKSAgentPoolWrite: false},
		},
		"admin after activation": {
			entries: []Permission{permAKSRBACReader, permReader, permAKSRBACAdmin},
			data: map[string]bool{
				ActionAKSPodsRead: true, ActionAKSSecretsRead: true,
				"Microsoft.ContainerService/managedClusters/namespaces/write":  false,
				"Microsoft.ContainerService/managedClusters/namespaces/delete": true,
			},
		},
		// A not-action removes only from its own role: Reader's */read is not taken away by another
		// role's notDataActions, and Contributor's notActions do not deny what another role grants.
		"not-actions are per entry": {
			entries: []Permission{permContributor, {Actions: []string{"Microsoft.Authorization/roleAssignments/write"}}},
			actions: map[string]bool{
				"Microsoft.Authorization/roleAssignments/write":               true,
				"Microsoft.Authorization/roleAssignments/delete":              false,
				"Microsoft.ContainerService/managedClusters/agentPools/write": true,
			},
		},
		"not-data-action of the only granting role wins": {
			entries: []Permission{permAKSRBACAdmin},
			data:    map[string]bool{"Microsoft.ContainerService/managedClusters/resourcequotas/write": false},
		},
		"vm login data action, not admin login": {
			entries: []Permission{permVMLogin},
			data:    map[string]bool{ActionVMLogin: true, ActionVMAdminLogin: false},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := EffectivePermissions{Entries: tc.entries}
			for a, want := range tc.data {
				if got := p.HasDataAction(a); got != want {
					t.Errorf("HasDataAction(%s) = %v, want %v", a, got, want)
				}
			}
			for a, want := range tc.actions {
				if got := p.HasAction(a); got != want {
					t.Errorf("HasAction(%s) = %v, want %v", a, got, want)
				}
			}
		})
	}
}

func TestPermissionsTargetOf(t *testing.T) {
	t.Parallel()
	rgID := "/subscriptions/" + testSub + "/resourceGroups/rg-aks"
	cases := map[string]struct {
		scope   string
		want    permissionsTarget
		wantErr bool
	}{
		"resource group":         {scope: rgID, want: permissionsTarget{ResourceGroup: "rg-aks"}},
		"resource group lower":   {scope: "/subscriptions/" + testSub + "/resourcegroups/MC_rg-aks_aks1_eastus", want: permissionsTarget{ResourceGroup: "MC_rg-aks_aks1_eastus"}},
		"cluster":                {scope: testCluster, want: permissionsTarget{ResourceGroup: "rg-aks", Namespace: "Microsoft.ContainerService", Type: "managedClusters", Name: "aks1"}},
		"namespace":              {scope: testCluster + "/namespaces/kube-system", want: permissionsTarget{ResourceGroup: "rg-aks", Namespace: "Microsoft.ContainerService", ParentPath: "managedClusters/aks1", Type: "namespaces", Name: "kube-system"}},
		"node pool as nodepools": {scope: testCluster + "/nodepools/system", want: permissionsTarget{ResourceGroup: "rg-aks", Namespace: "Microsoft.ContainerService", ParentPath: "managedClusters/aks1", Type: "agentPools", Name: "system"}},
		"subscription":           {scope: "/subscriptions/" + testSub, wantErr: true},
		"other subscription":     {scope: "/subscriptions/00000000-0000-0000-0000-00000000b002/resourceGroups/rg", wantErr: true},
		"extension resource":     {scope: testCluster + "/providers/Microsoft.Authorization/locks/l1", wantErr: true},
		"garbage":                {scope: "rg-aks", wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := permissionsTargetOf(tc.scope, testSub)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("permissionsTargetOf(%q) = %+v, want an error", tc.scope, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("permissionsTargetOf(%q) (-want +got):\n%s", tc.scope, diff)
			}
		})
	}
}
