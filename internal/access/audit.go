package access

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// Family is a kind of access to an AKS cluster, judged by a data action that stands for it.
type Family string

const (
	FamilyRead      Family = "read"       // list and read Kubernetes objects (pods)
	FamilySecrets   Family = "secrets"    // read secrets
	FamilyAdmin     Family = "admin"      // grant Kubernetes roles (write role bindings): everything else follows
	FamilyNodeLogin Family = "node_login" // Entra ID SSH login to the nodes
)

// Families lists every family, in report order.
var Families = []Family{FamilyRead, FamilySecrets, FamilyAdmin, FamilyNodeLogin}

// ActionAKSRoleBindingsWrite is what only the admin roles of AKS grant (RBAC Admin, RBAC Cluster Admin).
const ActionAKSRoleBindingsWrite = "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/rolebindings/write"

// familyActions are the data actions that stand for each family; any one of them grants it.
var familyActions = map[Family][]string{
	FamilyRead:      {rbac.ActionAKSPodsRead},
	FamilySecrets:   {rbac.ActionAKSSecretsRead},
	FamilyAdmin:     {ActionAKSRoleBindingsWrite},
	FamilyNodeLogin: {rbac.ActionVMLogin, rbac.ActionVMAdminLogin},
}

// Where a family holds: "cluster", "namespace/<name>" or "nodes".
const (
	WhereCluster = "cluster"
	WhereNodes   = "nodes"
)

// Path kinds: how a principal comes to hold an assignment's role.
const (
	ViaDirect   = "direct"   // the role is assigned to the principal
	ViaMember   = "member"   // through (nested) membership of the group the role is assigned to
	ViaActive   = "active"   // through an active PIM assignment or activation (of the role or of a group on the path), until it ends
	ViaEligible = "eligible" // through a PIM eligibility (for the role or for a group on the path): activation needed
)

// Access is one way one principal reaches one family at one place.
type Access struct {
	Principal pim.Principal
	Family    Family
	Where     string
	// Standing is true when the access holds now without activation (Via direct, member or active).
	Standing bool
	Via      string
	// Steps is the path from the principal to the role, e.g. ["member of aks-demo-default",
	// "eligible member of aks-demo-admin", "Azure Kubernetes Service RBAC Admin at cluster"].
	Steps      []string
	Role       string
	Scope      string
	Assignment string // the role assignment's ID ("" for an eligible role)
	// Schedule is the PIM for Azure resources schedule behind the access: the role's eligibility (Via
	// eligible), or its time-bound active assignment (Via active); "" otherwise.
	Schedule string
	// Until is when the first time-bound PIM activation or assignment on the path ends (zero when
	// permanent or not applicable).
	Until time.Time
	// For eligible access: whether an activation on the path needs approval, and who may approve any of
	// them (names of users and of approver groups' members).
	ApprovalRequired bool
	Approvers        []string
}

// Audit lists, for every user and service principal, each way it reaches each family, standing or
// eligible: through role assignments and the PIM for Azure resources schedules at the cluster's scopes,
// followed through groups. Groups appear in the steps, never as holders: a group cannot sign in.
func Audit(s *Setup) []Access {
	var out []Access
	for _, g := range s.roleGrants() {
		for _, fam := range Families {
			where, ok := grants(g.at, fam)
			if !ok {
				continue
			}
			base := g.base
			base.Family, base.Where, base.Role, base.Scope = fam, where, g.at.Role.Name, g.at.Scope
			out = append(out, s.holders(base, g.at.PrincipalID, []string{g.step}, map[string]bool{})...)
		}
	}
	slices.SortFunc(out, func(x, y Access) int {
		return cmp.Or(
			strings.Compare(strings.ToLower(x.Principal.DisplayName), strings.ToLower(y.Principal.DisplayName)),
			strings.Compare(x.Principal.ID, y.Principal.ID),
			slices.Index(Families, x.Family)-slices.Index(Families, y.Family),
			strings.Compare(x.Where, y.Where),
			boolOrder(y.Standing)-boolOrder(x.Standing),
			strings.Compare(strings.Join(x.Steps, "|"), strings.Join(y.Steps, "|")),
		)
	})
	return out
}

// holders expands the principal an assignment names into the users and service principals that reach
// it: itself, members of a group (nested), active PIM members, and eligible principals.
func (s *Setup) holders(base Access, principalID string, steps []string, visiting map[string]bool) []Access {
	k := strings.ToLower(principalID)
	if visiting[k] {
		return nil // a membership cycle
	}
	p := s.Principal(principalID)
	g := s.Group(principalID)
	if g == nil {
		if p.Type == pim.PrincipalTypeGroup {
			return nil // a group not read (deleted): nobody is known to reach through it
		}
		acc := base
		acc.Principal, acc.Steps = p, steps
		if acc.Via == "" {
			acc.Via, acc.Standing = ViaDirect, true
		}
		return []Access{acc}
	}
	visiting[k] = true
	defer delete(visiting, k)
	name := p.DisplayName
	var out []Access
	for _, m := range g.Members {
		b := base
		if b.Via == "" {
			b.Via, b.Standing = ViaMember, true
		}
		out = append(out, s.holders(b, m, prepend("member of "+name, steps), visiting)...)
	}
	for _, a := range g.Active {
		if a.AccessID != pim.AccessMember {
			continue // owners administer the group; they do not hold its roles
		}
		b := base
		if b.Via != ViaEligible {
			b.Via, b.Standing, b.Until = ViaActive, true, earliest(b.Until, a.End)
		}
		out = append(out, s.holders(b, a.PrincipalID, prepend(fmt.Sprintf("active member of %s (PIM, %s)", name, a.AssignmentType), steps), visiting)...)
	}
	for _, e := range g.Eligibilities {
		if e.Key.AccessID != pim.AccessMember {
			continue
		}
		b := base
		b.Via, b.Standing, b.Until = ViaEligible, false, time.Time{}
		// Each activation on the path needs its own approval: the group's and the role's.
		if pol, ok := g.Policies[pim.AccessMember]; ok && pol.Approval.Required {
			b.ApprovalRequired = true
			b.Approvers = slices.Compact(slices.Sorted(slices.Values(slices.Concat(b.Approvers, s.approvers(pol)))))
		}
		out = append(out, s.holders(b, e.Key.PrincipalID, prepend("eligible member of "+name+" (PIM)", steps), visiting)...)
	}
	return out
}

// approvers names the users who may approve under pol: its approver users and the direct members of its
// approver groups (members approve; owners do not).
func (s *Setup) approvers(pol pim.Policy) []string {
	var names []string
	for _, u := range pol.Approval.ApproverUsers {
		names = append(names, s.Principal(u).DisplayName)
	}
	for _, gid := range pol.Approval.ApproverGroups {
		gname := s.Principal(gid).DisplayName
		if g := s.Group(gid); g != nil {
			for _, m := range g.Members {
				names = append(names, s.Principal(m).DisplayName+" (member of "+gname+")")
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// grants tells whether assignment a grants family fam, and where. Kubernetes data actions hold at the
// cluster (assigned at the cluster, its resource group or above) or in one namespace; node login at the
// node resource group (or above it).
func grants(a rbac.ClusterAssignment, fam Family) (string, bool) {
	where := ""
	switch {
	case fam == FamilyNodeLogin && (a.Kind == rbac.ScopeNodeResourceGroup || a.Kind == rbac.ScopeInherited):
		where = WhereNodes
	case fam == FamilyNodeLogin:
		return "", false
	case a.Kind == rbac.ScopeCluster || a.Kind == rbac.ScopeResourceGroup || a.Kind == rbac.ScopeInherited:
		where = WhereCluster
	case a.Kind == rbac.ScopeNamespace:
		where = "namespace/" + a.Namespace
	default:
		return "", false
	}
	for _, p := range a.Role.Permissions {
		for _, action := range familyActions[fam] {
			if (rbac.EffectivePermissions{Entries: []rbac.Permission{p}}).HasDataAction(action) {
				return where, true
			}
		}
	}
	return "", false
}

func scopeLabel(a rbac.ClusterAssignment) string {
	switch a.Kind {
	case rbac.ScopeNodePool:
		return "node pool " + a.NodePool
	case rbac.ScopeNamespace:
		return "namespace " + a.Namespace
	case rbac.ScopeInherited:
		return a.Scope
	}
	return strings.ReplaceAll(string(a.Kind), "_", " ")
}

// earliest is the earlier of two ends, zero meaning none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func prepend(step string, steps []string) []string {
	return append([]string{step}, steps...)
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}
