package arm_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
)

// memberships is a directory with fixed transitive memberships.
type memberships map[string][]string

func (m memberships) PrincipalType(string) (string, bool)      { return "User", true }
func (m memberships) MemberOf(id string, _ time.Time) []string { return m[id] }

func newStore(dir arm.Directory) (*arm.Store, string) {
	s := arm.New(arm.Options{TenantID: "t", SubscriptionID: "sub", Directory: dir})
	s.AddResourceGroup(arm.ResourceGroup{Name: "rg", Location: "eastus"})
	id := s.AddCluster(arm.Cluster{Name: "aks", ResourceGroup: "rg", Pools: []arm.AgentPool{
		{Name: "system", Mode: "System", Count: 3}, {Name: "user", Mode: "User", Count: 12},
	}})
	return s, id
}

// TestNodesAreNamedAsAKSNamesScaleSetInstances: one node per pool instance, with AKS's computer names
// and the scale set VM's ARM ID under the node resource group.
func TestNodesAreNamedAsAKSNamesScaleSetInstances(t *testing.T) {
	t.Parallel()
	s, id := newStore(nil)
	s.AddCluster(arm.Cluster{Name: "other", ResourceGroup: "rg", Pools: []arm.AgentPool{{Name: "system", Count: 1}}})
	nodes := s.Nodes(strings.ToUpper(id))
	if len(nodes) != 15 {
		t.Fatalf("got %d nodes of the cluster, want 15 (3 system + 12 user)", len(nodes))
	}
	if all := s.Nodes(""); len(all) != 16 {
		t.Fatalf("got %d nodes in all, want 16", len(all))
	}
	name := regexp.MustCompile(`^aks-(system|user)-[0-9]{8}-vmss[0-9a-z]{6}$`)
	seen := map[string]bool{}
	for _, n := range nodes {
		if !name.MatchString(n.Name) || seen[n.Name] {
			t.Errorf("node name %q: want a unique aks-<pool>-<8 digits>-vmss<6 base-36 digits>", n.Name)
		}
		seen[n.Name] = true
		want := "/subscriptions/sub/resourceGroups/MC_rg_aks_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/" + n.ScaleSet + "/virtualMachines/" + n.InstanceID
		if n.ID != want || !strings.HasPrefix(n.Name, n.ScaleSet) || n.ClusterID != id {
			t.Errorf("node %+v: want ID %s in cluster %s", n, want, id)
		}
	}
	if !seen[nodes[0].ScaleSet+"000000"] {
		t.Errorf("no instance 000000 in %v", seen)
	}
	if last := nodes[len(nodes)-1]; last.Pool != "user" || !strings.HasSuffix(last.Name, "vmss00000b") {
		t.Errorf("last node %s: want the user pool's instance 11 named ...vmss00000b", last.Name)
	}
}

// TestDecideReadsGroupsLiveOrFromTheCredential: the same assignment to a group decides differently for
// a subject whose membership is read live and one whose credential carried other groups.
func TestDecideReadsGroupsLiveOrFromTheCredential(t *testing.T) {
	t.Parallel()
	dir := memberships{"u1": {"g-node"}}
	s, id := newStore(dir)
	node := s.Nodes(id)[0]
	rd, _ := arm.RoleByName("Virtual Machine User Login")
	a := s.AddRoleAssignment(arm.RoleAssignment{Scope: "/subscriptions/sub/resourceGroups/" + node.NodeResourceGroup, RoleDefinitionID: rd.ID, PrincipalID: "G-NODE", PrincipalType: "Group"})
	const login = "Microsoft.Compute/virtualMachines/login/action"

	live := s.Decide(arm.Subject{ObjectID: "u1", UPN: "u1@x"}, node.ID, login, true)
	if !live.Allowed || live.Assignment == nil || live.Assignment.Name != a.Name || live.RoleName != rd.RoleName {
		t.Fatalf("live: %v, want allowed by %s", live, a.Name)
	}
	if !strings.Contains(live.String(), "groups[live]=[g-node]") || !strings.Contains(live.String(), a.Name) {
		t.Errorf("explanation %q lacks the live groups or the assignment", live)
	}
	issued := s.Decide(arm.Subject{ObjectID: "u1", GroupsFromCredential: true}, node.ID, login, true)
	if issued.Allowed {
		t.Fatalf("credential without groups: %v, want denied", issued)
	}
	if s.Decide(arm.Subject{ObjectID: "u2", Groups: []string{"g-node"}, GroupsFromCredential: true}, node.ID, login, true).Allowed != true {
		t.Error("credential carrying g-node: denied, want allowed")
	}
	if s.Decide(arm.Subject{ObjectID: "u1"}, node.ID, "Microsoft.Compute/virtualMachines/loginAsAdmin/action", true).Allowed {
		t.Error("loginAsAdmin allowed by Virtual Machine User Login")
	}
	if s.Decide(arm.Subject{ObjectID: "u1"}, id, login, true).Allowed {
		t.Error("allowed at the cluster scope, outside the node resource group")
	}
	if s.Decide(arm.Subject{ObjectID: "u1"}, node.ID, login, false).Allowed {
		t.Error("a data action allowed as a control-plane action")
	}
}
