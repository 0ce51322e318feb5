package acctest_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aks-pim/terraform-provider-aks/internal/access"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// The audit of the scenario without groups (issue 16 item 3): aks_cluster_access, read after the
// eligibilities exist, names n01's eligible roles with their scope, schedule and approver; the data
// plane (the real kubectl's SelfSubjectAccessReview against the cluster, and ssh) refuses what it says
// is eligible before the activations and allows it after them, when the audit says it is standing.

// roleAuditConfig is appended to examples/scenario-roles/plain-resources/main.tf: the audit, read once
// the everyday roles and the eligibilities exist.
const roleAuditConfig = `
data "aks_cluster_access" "audit" {
  cluster_id = data.aks_cluster.this.id
  depends_on = [aks_role_binding.n01_rbac_reader, aks_pim_role_eligibility.n01_admin, aks_pim_role_eligibility.n01_node_access]
}
`

// canI is the `kubectl auth can-i` question that stands for each family in kube-system.
var canI = map[access.Family][]string{
	access.FamilyRead:    {"list", "pods"},
	access.FamilySecrets: {"get", "secrets"},
	access.FamilyAdmin:   {"create", "rolebindings.rbac.authorization.k8s.io"},
}

// auditEntry is one element of aks_cluster_access's access list, from the state.
type auditEntry struct {
	attrs map[string]string
	path  []string
	appr  []string
}

func (e auditEntry) get(name string) string { return e.attrs[name] }

// auditOf reads data.aks_cluster_access.audit's access entries for principal from the state.
func auditOf(s *terraform.State, principal string) ([]auditEntry, error) {
	rs, ok := s.RootModule().Resources["data.aks_cluster_access.audit"]
	if !ok {
		return nil, fmt.Errorf("data.aks_cluster_access.audit not in state")
	}
	a := rs.Primary.Attributes
	n, _ := strconv.Atoi(a["access.#"])
	list := func(prefix string) []string {
		var out []string
		m, _ := strconv.Atoi(a[prefix+".#"])
		for j := range m {
			out = append(out, a[fmt.Sprintf("%s.%d", prefix, j)])
		}
		return out
	}
	var out []auditEntry
	for i := range n {
		p := fmt.Sprintf("access.%d.", i)
		e := auditEntry{attrs: map[string]string{}, path: list(p + "path"), appr: list(p + "approvers")}
		for k, v := range a {
			if name, ok := strings.CutPrefix(k, p); ok && !strings.Contains(name, ".") {
				e.attrs[name] = v
			}
		}
		if strings.EqualFold(e.get("principal_id"), principal) {
			out = append(out, e)
		}
	}
	return out, nil
}

// checkRoleAudit: the audit names n01's standing RBAC Reader and, for each eligibility, the families it
// makes eligible with the role, the scope, the schedule and p01 as approver; kubectl and ssh refuse
// those families now. It records them for checkRoleAuditAfterActivation.
func (w *roleScenarioWorld) checkRoleAudit(s *terraform.State) error {
	entries, err := auditOf(s, w.n01ID)
	if err != nil {
		return err
	}
	p01Name := s.RootModule().Resources["data.aks_user.p01"].Primary.Attributes["display_name"]
	dump := func() string {
		var b strings.Builder
		for _, e := range entries {
			fmt.Fprintf(&b, "  %s %s %s standing=%s via=%s %s approvers=%v schedule=%s\n", e.get("family"), e.get("where"), e.get("role"),
				e.get("standing"), e.get("via"), strings.Join(e.path, " > "), e.appr, e.get("schedule_id"))
		}
		return b.String()
	}
	if !slices.ContainsFunc(entries, func(e auditEntry) bool {
		return e.get("family") == "read" && e.get("where") == "cluster" && e.get("standing") == "true" && e.get("via") == "direct" &&
			e.get("role") == "Azure Kubernetes Service RBAC Reader"
	}) {
		return fmt.Errorf("the audit lacks n01's standing RBAC Reader:\n%s", dump())
	}
	w.eligibleFamilies = nil
	for _, want := range []struct {
		address, role, where string
		families             []access.Family
	}{
		{"aks_pim_role_eligibility.n01_admin", "Azure Kubernetes Service RBAC Admin", access.WhereCluster, []access.Family{access.FamilySecrets, access.FamilyAdmin}},
		{"aks_pim_role_eligibility.n01_node_access", "Virtual Machine User Login", access.WhereNodes, []access.Family{access.FamilyNodeLogin}},
	} {
		t := w.targets[want.address]
		schedule := s.RootModule().Resources[want.address].Primary.ID
		for _, fam := range want.families {
			if !slices.ContainsFunc(entries, func(e auditEntry) bool {
				return e.get("family") == string(fam) && e.get("where") == want.where && e.get("standing") == "false" && e.get("via") == "eligible" &&
					e.get("role") == want.role && rbac.SameScope(e.get("scope"), t.Scope) && strings.EqualFold(e.get("schedule_id"), schedule) &&
					e.get("approval_required") == "true" && slices.Equal(e.appr, []string{p01Name}) && e.get("role_assignment_id") == "" &&
					len(e.path) == 1 && strings.HasPrefix(e.path[0], "eligible for "+want.role+" at ")
			}) {
				return fmt.Errorf("the audit does not say n01 is eligible for %s at %s (%s, %s, approved by %s):\n%s", fam, want.where, want.role, schedule, p01Name, dump())
			}
			w.eligibleFamilies = append(w.eligibleFamilies, fam)
		}
	}
	return w.judgeEligibleFamilies(false)
}

// judgeEligibleFamilies asks the data plane about each family the audit said was eligible: kubectl's
// SelfSubjectAccessReview in kube-system, ssh to a node for node login.
func (w *roleScenarioWorld) judgeEligibleFamilies(allowed bool) error {
	for _, fam := range w.eligibleFamilies {
		if fam == access.FamilyNodeLogin {
			if err := w.expectSSH(allowed); err != nil {
				return err
			}
			continue
		}
		want := "no - " + accessNotAllowed
		if allowed {
			want = "yes"
		}
		args := append(append([]string{"kubectl", "auth", "can-i"}, canI[fam]...), "-n", "kube-system")
		if err := w.expect(w.term.n01sh, want, args...); err != nil {
			return fmt.Errorf("the audit said n01 is eligible for %s: %w", fam, err)
		}
	}
	return nil
}

// checkRoleAuditAfterActivation, once n01's activations are approved: the data plane allows every family
// the audit said was eligible, and the audit read again says each is standing through the activation,
// until it ends.
func (w *roleScenarioWorld) checkRoleAuditAfterActivation(*terraform.State) error {
	if err := w.judgeEligibleFamilies(true); err != nil {
		return err
	}
	ctx := w.t.Context()
	s, err := access.Discover(ctx, w.admin, w.cluster)
	if err != nil {
		return err
	}
	acc := access.Audit(s)
	for _, fam := range w.eligibleFamilies {
		where := access.WhereCluster
		if fam == access.FamilyNodeLogin {
			where = access.WhereNodes
		}
		if !slices.ContainsFunc(acc, func(a access.Access) bool {
			return a.Standing && a.Via == access.ViaActive && strings.EqualFold(a.Principal.ID, w.n01ID) && a.Family == fam && a.Where == where &&
				a.Schedule != "" && !a.Until.IsZero()
		}) {
			var b strings.Builder
			access.Format(&b, acc)
			return fmt.Errorf("after the activations the audit does not say n01 holds %s at %s through an activation:\n%s", fam, where, b.String())
		}
	}
	return nil
}
