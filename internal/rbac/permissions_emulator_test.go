package rbac

import (
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// permTestClients starts an emulator and returns a client as its admin service principal and one signed
// in as n01 (password grant through the public client): the user-side code path of make demo.
func permTestClients(t *testing.T) (admin, n01 *clients.Client, f emulator.Fixtures) {
	t.Helper()
	srv, who := emuclient.StartAll(t, emulator.DefaultConfig(), emuclient.Options{})
	return who.Admin, who.N01, srv.Fixtures()
}

// TestListPermissionsAgainstEmulator checks the wire path of every scope kind (resource group, the
// cluster with an empty parent path, a namespace and a node pool below it) and the evaluation on what
// ARM answers.
func TestListPermissionsAgainstEmulator(t *testing.T) {
	admin, n01, f := permTestClients(t)
	ctx := t.Context()
	cluster, err := ParseClusterID(f.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	nodeRG := ResourceGroupID(cluster.SubscriptionID, f.NodeResourceGroup)
	assign := func(scope, roleGUID string) {
		t.Helper()
		_, err := admin.RoleAssignments.Create(ctx, scope, uuid.NewString(), armauthorization.RoleAssignmentCreateParameters{
			Properties: &armauthorization.RoleAssignmentProperties{
				PrincipalID:      to.Ptr(f.N01.ID),
				PrincipalType:    to.Ptr(armauthorization.PrincipalTypeUser),
				RoleDefinitionID: to.Ptr(SubscriptionRoleDefinitionID(cluster.SubscriptionID, roleGUID)),
			},
		}, nil)
		if err != nil {
			t.Fatalf("assigning %s at %s: %v", roleGUID, scope, err)
		}
	}

	check := func(when, scope string, data map[string]bool) {
		t.Helper()
		p, err := ListPermissions(ctx, n01, scope)
		if err != nil {
			t.Fatalf("%s: ListPermissions(%s): %v", when, scope, err)
		}
		for a, want := range data {
			if got := p.HasDataAction(a); got != want {
				t.Errorf("%s: at %s HasDataAction(%s) = %v, want %v (entries %+v)", when, scope, a, got, want, p.Entries)
			}
		}
	}
	check("before any role", f.ClusterID, map[string]bool{ActionAKSPodsRead: false, ActionAKSSecretsRead: false})

	assign(f.ClusterID, "7f6c6a51-bcf8-42ba-9220-52d62157d7db") // AKS RBAC Reader
	assign(nodeRG, "fb879df8-f326-4884-b1cf-06f3ad86be52")      // Virtual Machine User Login
	// Role assignments replicate; the permissions API may lag a moment behind.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := HasDataAction(ctx, n01, f.ClusterID, ActionAKSPodsRead)
		if err != nil {
			t.Fatal(err)
		}
		if ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	check("with RBAC Reader", f.ClusterID, map[string]bool{ActionAKSPodsRead: true, ActionAKSSecretsRead: false})
	check("with RBAC Reader, namespace", cluster.NamespaceScope("kube-system"), map[string]bool{ActionAKSPodsRead: true, ActionAKSSecretsRead: false})
	check("with VM User Login", nodeRG, map[string]bool{ActionVMLogin: true, ActionVMAdminLogin: false})
	check("cluster RG holds no login", cluster.ResourceGroupID(), map[string]bool{ActionVMLogin: false})
	if len(f.NodePools) > 0 {
		check("node pool inherits", cluster.AgentPoolID(f.NodePools[0]), map[string]bool{ActionAKSPodsRead: true})
	}

	assign(f.ClusterID, "3498e952-d568-435e-9b2c-8d77e338d7f7") // AKS RBAC Admin
	deadline = time.Now().Add(10 * time.Second)
	for {
		ok, err := HasDataAction(ctx, n01, f.ClusterID, ActionAKSSecretsRead)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("n01 never gained secrets read after RBAC Admin was assigned")
		}
		time.Sleep(200 * time.Millisecond)
	}
	check("with RBAC Admin", f.ClusterID, map[string]bool{
		ActionAKSSecretsRead: true,
		"Microsoft.ContainerService/managedClusters/namespaces/write": false,
	})
}
