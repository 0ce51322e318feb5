package access

import (
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

const (
	gDefault, gAdmin, gApprover, gNode = "g-default", "g-admin", "g-approver", "g-node"
	uN01, uP01                         = "u-n01", "u-p01"
)

func role(name string, data ...string) rbac.RoleDefinition {
	return rbac.RoleDefinition{Name: name, Permissions: []rbac.Permission{{DataActions: data}}}
}

var (
	rbacReader = rbac.RoleDefinition{Name: "Azure Kubernetes Service RBAC Reader", Permissions: []rbac.Permission{{
		DataActions: []string{"Microsoft.ContainerService/managedClusters/pods/read"}}}}
	rbacAdmin = rbac.RoleDefinition{Name: "Azure Kubernetes Service RBAC Admin", Permissions: []rbac.Permission{{
		DataActions:    []string{"Microsoft.ContainerService/managedClusters/*"},
		NotDataActions: []string{"Microsoft.ContainerService/managedClusters/namespaces/write"}}}}
	vmLogin = role("Virtual Machine User Login", "Microsoft.Compute/virtualMachines/login/action")
	reader  = rbac.RoleDefinition{Name: "Reader", Permissions: []rbac.Permission{{Actions: []string{"*/read"}}}}
)

// scenarioSetup is the how-to's setup as Discover would read it.
func scenarioSetup() *Setup {
	ca := func(id, principal string, kind rbac.ScopeKind, r rbac.RoleDefinition) rbac.ClusterAssignment {
		return rbac.ClusterAssignment{Assignment: rbac.Assignment{ID: id, Scope: "/s/" + id, PrincipalID: principal, PrincipalType: "Group"}, Kind: kind, Role: r}
	}
	approval := pim.Policy{Approval: pim.ApprovalRules{Required: true, ApproverGroups: []string{gApprover}}}
	elig := func(group string) []pim.Eligibility {
		return []pim.Eligibility{{Key: pim.EligibilityKey{GroupID: group, PrincipalID: gDefault, AccessID: pim.AccessMember}}}
	}
	grp := func(id string, members ...string) pim.Group {
		return pim.Group{ID: id, DisplayName: id, Members: members}
	}
	return &Setup{
		Assignments: []rbac.ClusterAssignment{
			ca("a1", gDefault, rbac.ScopeCluster, rbacReader),
			ca("a2", gDefault, rbac.ScopeResourceGroup, reader),
			ca("a3", gAdmin, rbac.ScopeCluster, rbacAdmin),
			ca("a4", gNode, rbac.ScopeNodeResourceGroup, vmLogin),
		},
		Groups: map[string]*Group{
			gDefault:  {Group: grp(gDefault, uN01)},
			gApprover: {Group: grp(gApprover, uP01)},
			gAdmin:    {Group: grp(gAdmin), Eligibilities: elig(gAdmin), Policies: map[pim.AccessID]pim.Policy{pim.AccessMember: approval}},
			gNode:     {Group: grp(gNode), Eligibilities: elig(gNode), Policies: map[pim.AccessID]pim.Policy{pim.AccessMember: approval}},
		},
		Principals: map[string]pim.Principal{
			gDefault: {ID: gDefault, Type: "Group", DisplayName: gDefault}, gAdmin: {ID: gAdmin, Type: "Group", DisplayName: gAdmin},
			gApprover: {ID: gApprover, Type: "Group", DisplayName: gApprover}, gNode: {ID: gNode, Type: "Group", DisplayName: gNode},
			uN01: {ID: uN01, Type: "User", DisplayName: "n01"}, uP01: {ID: uP01, Type: "User", DisplayName: "p01"},
		},
	}
}

// summary is "principal family where standing|eligible" lines.
func summary(acc []Access) string {
	var b strings.Builder
	for _, a := range acc {
		kind := "eligible"
		if a.Standing {
			kind = "standing"
		}
		b.WriteString(a.Principal.DisplayName + " " + string(a.Family) + " " + a.Where + " " + kind + " via " + strings.Join(a.Steps, " > ") + "\n")
	}
	return b.String()
}

func TestAuditOfTheScenario(t *testing.T) {
	got := summary(Audit(scenarioSetup()))
	want := `n01 read cluster standing via member of g-default > Azure Kubernetes Service RBAC Reader at cluster
n01 read cluster eligible via member of g-default > eligible member of g-admin (PIM) > Azure Kubernetes Service RBAC Admin at cluster
n01 secrets cluster eligible via member of g-default > eligible member of g-admin (PIM) > Azure Kubernetes Service RBAC Admin at cluster
n01 admin cluster eligible via member of g-default > eligible member of g-admin (PIM) > Azure Kubernetes Service RBAC Admin at cluster
n01 node_login nodes eligible via member of g-default > eligible member of g-node (PIM) > Virtual Machine User Login at node resource group
`
	if got != want {
		t.Errorf("audit:\n%s\nwant:\n%s", got, want)
	}
	for _, a := range Audit(scenarioSetup()) {
		if !a.Standing && (!a.ApprovalRequired || len(a.Approvers) != 1 || a.Approvers[0] != "p01 (member of g-approver)") {
			t.Errorf("%s %s: approval %v by %v, want required by p01 through g-approver", a.Family, a.Where, a.ApprovalRequired, a.Approvers)
		}
	}
}

// After n01 activates admin, the admin families are standing (active) for n01, and still eligible.
func TestAuditAfterActivation(t *testing.T) {
	s := scenarioSetup()
	s.Groups[gAdmin].Active = []pim.AssignmentInstance{{GroupID: gAdmin, PrincipalID: uN01, AccessID: pim.AccessMember, AssignmentType: "activated"}}
	got := summary(Audit(s))
	for _, line := range []string{
		"n01 secrets cluster standing via active member of g-admin (PIM, activated) > Azure Kubernetes Service RBAC Admin at cluster",
		"n01 admin cluster standing via active member of g-admin (PIM, activated) > Azure Kubernetes Service RBAC Admin at cluster",
		"n01 node_login nodes eligible via",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("audit after activation lacks %q:\n%s", line, got)
		}
	}
	if strings.Contains(got, "node_login nodes standing") {
		t.Errorf("node login became standing without node-access being activated:\n%s", got)
	}
}

// Namespace-scoped roles hold in their namespace only; roles at a node pool grant no Kubernetes data
// action; a membership cycle does not loop.
func TestAuditScopesAndCycles(t *testing.T) {
	s := scenarioSetup()
	s.Assignments = append(s.Assignments,
		rbac.ClusterAssignment{Assignment: rbac.Assignment{ID: "a5", PrincipalID: uP01}, Kind: rbac.ScopeNamespace, Namespace: "team-a", Role: rbacAdmin},
		rbac.ClusterAssignment{Assignment: rbac.Assignment{ID: "a6", PrincipalID: uP01}, Kind: rbac.ScopeNodePool, NodePool: "user", Role: rbacAdmin},
	)
	s.Groups[gDefault].Members = append(s.Groups[gDefault].Members, gApprover)
	s.Groups[gApprover].Members = append(s.Groups[gApprover].Members, gDefault)
	got := summary(Audit(s))
	if !strings.Contains(got, "p01 secrets namespace/team-a standing via Azure Kubernetes Service RBAC Admin at namespace team-a") {
		t.Errorf("namespace grant missing:\n%s", got)
	}
	if strings.Contains(got, "node pool user") {
		t.Errorf("a node pool assignment granted Kubernetes access:\n%s", got)
	}
	if !strings.Contains(got, "p01 read cluster standing via member of g-approver > member of g-default > Azure Kubernetes Service RBAC Reader at cluster") {
		t.Errorf("nested membership missing:\n%s", got)
	}
}
