package access

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

const (
	clusterScope = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"
	nodeRGScope  = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-nodes"
	roleAdminID  = "/subscriptions/00000000-0000-0000-0000-00000000a001/providers/Microsoft.Authorization/roleDefinitions/3498e952-d568-435e-9b2c-8d77e338d7f7"
	roleLoginID  = "/subscriptions/00000000-0000-0000-0000-00000000a001/providers/Microsoft.Authorization/roleDefinitions/fb879df8-f326-4884-b1cf-06f3ad86be52"
	roleReaderID = "/subscriptions/00000000-0000-0000-0000-00000000a001/providers/Microsoft.Authorization/roleDefinitions/7f6c6a51-bcf8-42ba-9220-52d62157d7db"
	uA01         = "u-a01"
)

// roleSchedule is a schedule of kind k for principal, of role r (definition roleID) at scope.
func roleSchedule(k armpim.Kind, name, principal, scope string, kind rbac.ScopeKind, roleID string, r rbac.RoleDefinition) RoleSchedule {
	id := scope + "/providers/Microsoft.Authorization/" + k.ResourceType() + "/" + name
	t := armpim.Target{Scope: scope, RoleDefinitionID: roleID, PrincipalID: principal}
	return RoleSchedule{
		Schedule: armpim.Schedule{Kind: k, ID: id, Name: name, Target: t, AssignmentType: "Activated"},
		At: rbac.ClusterAssignment{Assignment: rbac.Assignment{ID: id, Name: name, Scope: scope, RoleDefinitionID: roleID, PrincipalID: principal},
			Kind: kind, Role: r},
	}
}

// rolesSetup is the scenario without groups as Discover would read it: n01 holds RBAC Reader and is
// eligible for RBAC Admin at the cluster (approved by p01); g-node, whose member n01 is, is eligible for
// VM User Login at the node resource group without approval.
func rolesSetup() *Setup {
	s := scenarioSetup()
	s.Assignments = []rbac.ClusterAssignment{{Assignment: rbac.Assignment{ID: "ra-reader", Scope: clusterScope, RoleDefinitionID: roleReaderID, PrincipalID: uN01, PrincipalType: "User"},
		Kind: rbac.ScopeCluster, Role: rbacReader}}
	s.Groups = map[string]*Group{gNode: {Group: pim.Group{ID: gNode, DisplayName: gNode, Members: []string{uN01}}}}
	admin := roleSchedule(armpim.Eligible, "e-admin", uN01, clusterScope, rbac.ScopeCluster, roleAdminID, rbacAdmin)
	admin.Policy = pim.Policy{Approval: pim.ApprovalRules{Required: true, ApproverUsers: []string{uP01}}}
	login := roleSchedule(armpim.Eligible, "e-login", gNode, nodeRGScope, rbac.ScopeNodeResourceGroup, roleLoginID, vmLogin)
	s.RoleEligibilities = []RoleSchedule{admin, login}
	return s
}

func TestAuditRoleEligibilities(t *testing.T) {
	acc := Audit(rolesSetup())
	want := `n01 read cluster standing via Azure Kubernetes Service RBAC Reader at cluster
n01 read cluster eligible via eligible for Azure Kubernetes Service RBAC Admin at cluster (PIM)
n01 secrets cluster eligible via eligible for Azure Kubernetes Service RBAC Admin at cluster (PIM)
n01 admin cluster eligible via eligible for Azure Kubernetes Service RBAC Admin at cluster (PIM)
n01 node_login nodes eligible via member of g-node > eligible for Virtual Machine User Login at node resource group (PIM)
`
	if got := summary(acc); got != want {
		t.Fatalf("audit:\n%s\nwant:\n%s", got, want)
	}
	for _, a := range acc[1:] {
		wantSchedule, wantApprovers := clusterScope+"/providers/Microsoft.Authorization/roleEligibilitySchedules/e-admin", []string{"p01"}
		if a.Family == FamilyNodeLogin {
			wantSchedule, wantApprovers = nodeRGScope+"/providers/Microsoft.Authorization/roleEligibilitySchedules/e-login", nil
		}
		if a.Via != ViaEligible || a.Schedule != wantSchedule || a.Assignment != "" || a.ApprovalRequired != (wantApprovers != nil) ||
			!slices.Equal(a.Approvers, wantApprovers) {
			t.Errorf("%s %s: via %s schedule %q assignment %q approval %v by %v; want eligible through %s approved by %v",
				a.Family, a.Where, a.Via, a.Schedule, a.Assignment, a.ApprovalRequired, a.Approvers, wantSchedule, wantApprovers)
		}
	}
	var b strings.Builder
	Format(&b, acc)
	if !regexp.MustCompile(`n01 +admin +cluster +eligible, approved by p01 +eligible for Azure Kubernetes Service RBAC Admin at cluster \(PIM\)`).MatchString(b.String()) ||
		!regexp.MustCompile(`eligible, self-activated +member of g-node > eligible for Virtual Machine User Login`).MatchString(b.String()) {
		t.Errorf("the table does not name the approvers:\n%s", b.String())
	}
}

// After n01 activates RBAC Admin, ARM holds a role assignment for the activation's window: the access
// is standing until the activation ends (not direct and permanent), and still eligible. A time-bound
// active schedule whose assignment ARM does not list yet counts too; a permanent one is an ordinary role.
func TestAuditRoleActiveAssignments(t *testing.T) {
	s := rolesSetup()
	end := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	active := roleSchedule(armpim.Active, "a-admin", uN01, clusterScope, rbac.ScopeCluster, roleAdminID, rbacAdmin)
	active.Schedule.End = end
	login := roleSchedule(armpim.Active, "a-login", uN01, nodeRGScope, rbac.ScopeNodeResourceGroup, roleLoginID, vmLogin)
	login.Schedule.End, login.Schedule.AssignmentType = end.Add(time.Hour), "Assigned"
	reader := roleSchedule(armpim.Active, "a-reader", uN01, clusterScope, rbac.ScopeCluster, roleReaderID, rbacReader)
	s.RoleActive = []RoleSchedule{active, login, reader}
	s.Assignments = append(s.Assignments,
		rbac.ClusterAssignment{Assignment: rbac.Assignment{ID: "ra-admin", Scope: strings.ToLower(clusterScope), RoleDefinitionID: roleAdminID, PrincipalID: uN01},
			Kind: rbac.ScopeCluster, Role: rbacAdmin})
	acc := Audit(s)
	got := summary(acc)
	for _, line := range []string{
		"n01 read cluster standing via Azure Kubernetes Service RBAC Reader at cluster\n",
		"n01 secrets cluster standing via Azure Kubernetes Service RBAC Admin at cluster (PIM, activated)\n",
		"n01 admin cluster standing via Azure Kubernetes Service RBAC Admin at cluster (PIM, activated)\n",
		"n01 admin cluster eligible via eligible for Azure Kubernetes Service RBAC Admin at cluster (PIM)\n",
		"n01 node_login nodes standing via Virtual Machine User Login at node resource group (PIM, assigned)\n",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("audit lacks %q:\n%s", line, got)
		}
	}
	if n := strings.Count(got, "n01 read cluster standing via Azure Kubernetes Service RBAC Reader at cluster\n"); n != 1 {
		t.Errorf("the reader role held through a permanent active schedule is listed %d times, want once:\n%s", n, got)
	}
	for _, a := range acc {
		switch {
		case a.Family == FamilyAdmin && a.Standing:
			if a.Via != ViaActive || !a.Until.Equal(end) || a.Assignment != "ra-admin" || !strings.HasSuffix(a.Schedule, "/a-admin") {
				t.Errorf("admin: via %s until %v assignment %q schedule %q; want active until %v through ra-admin and a-admin", a.Via, a.Until, a.Assignment, a.Schedule, end)
			}
		case a.Family == FamilyNodeLogin && a.Standing:
			if a.Via != ViaActive || !a.Until.Equal(end.Add(time.Hour)) || a.Assignment != "" || !strings.HasSuffix(a.Schedule, "/a-login") {
				t.Errorf("node login: via %s until %v assignment %q schedule %q; want active through a-login alone", a.Via, a.Until, a.Assignment, a.Schedule)
			}
		case a.Role == rbacReader.Name && a.Via != ViaDirect:
			t.Errorf("the permanent active schedule made read %s: %+v", a.Via, a)
		}
	}
}

// A group eligible for a role expands to its members, and each activation on the path is approved by
// its own approvers: the group's (PIM for groups) and the role's. Access through a time-bound role and a
// time-bound membership lasts until the earlier end.
func TestAuditRolesThroughGroups(t *testing.T) {
	s := rolesSetup()
	s.Principals[uA01] = pim.Principal{ID: uA01, Type: "User", DisplayName: "a01"}
	groupPolicy := pim.Policy{Approval: pim.ApprovalRules{Required: true, ApproverGroups: []string{gApprover}}}
	s.Groups[gApprover] = &Group{Group: pim.Group{ID: gApprover, DisplayName: gApprover, Members: []string{uA01}}}
	s.Groups[gAdmin] = &Group{Group: pim.Group{ID: gAdmin, DisplayName: gAdmin},
		Eligibilities: []pim.Eligibility{{Key: pim.EligibilityKey{GroupID: gAdmin, PrincipalID: uN01, AccessID: pim.AccessMember}}},
		Policies:      map[pim.AccessID]pim.Policy{pim.AccessMember: groupPolicy}}
	s.RoleEligibilities[0].At.PrincipalID = gAdmin

	end := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	secretsReader := role("Secrets Reader", rbac.ActionAKSSecretsRead)
	active := roleSchedule(armpim.Active, "a-secrets", gDefault, clusterScope, rbac.ScopeCluster, roleAdminID, secretsReader)
	active.Schedule.End = end
	s.RoleActive = []RoleSchedule{active}
	s.Groups[gDefault] = &Group{Group: pim.Group{ID: gDefault, DisplayName: gDefault},
		Active: []pim.AssignmentInstance{{GroupID: gDefault, PrincipalID: uN01, AccessID: pim.AccessMember, AssignmentType: "activated", End: end.Add(time.Hour)}}}

	acc := Audit(s)
	got := summary(acc)
	for _, line := range []string{
		"n01 admin cluster eligible via eligible member of g-admin (PIM) > eligible for Azure Kubernetes Service RBAC Admin at cluster (PIM)\n",
		"n01 secrets cluster standing via active member of g-default (PIM, activated) > Secrets Reader at cluster (PIM, activated)\n",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("audit lacks %q:\n%s", line, got)
		}
	}
	for _, a := range acc {
		switch {
		case a.Family == FamilyAdmin && !slices.Equal(a.Approvers, []string{"a01 (member of g-approver)", "p01"}):
			t.Errorf("admin through g-admin is approved by %v, want a01 (the group's approver) and p01 (the role's)", a.Approvers)
		case a.Family == FamilySecrets && a.Standing && !a.Until.Equal(end):
			t.Errorf("secrets through g-default's active role lasts until %v, want the role's end %v, before the membership's", a.Until, end)
		}
	}
}
