package reliability

import (
	"bufio"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// badInput is one invalid configuration of one object. attrs is the body of its block; want names the
// attributes the error may be attached to (any one of them); empty want means the error may be on the
// block as a whole (there is no attribute to point at, e.g. "none of these is set"). A nested attribute
// is written as its path (activation.maximum_duration): Terraform (1.11) cannot point into an object
// value and shows such errors on the block, so the error must then name the path in its text.
type badInput struct {
	kind  string // "resource" or "data"
	typ   string
	why   string
	attrs string
	want  []string
}

// guidA and guidB name no directory object.
const (
	guidA = "0f9a8b7c-1234-4abc-9def-0123456789ab"
	guidB = "5a1c0e2b-0000-4000-8000-00000000c0de"
)

// badInputs covers every object: malformed IDs, unknown enums, bad durations, conflicting attributes,
// empty strings and wrong scope kinds. Values needing Azure (unknown role, missing cluster, user, group
// or principal) are checked at plan time against the emulator. group and user are IDs of an existing
// group and user: the other cases name real objects, so that each fails for its own reason only.
func badInputs(clusterID, subscriptionID, group, user string) []badInput {
	rg := "/subscriptions/" + subscriptionID + "/resourceGroups/rg-aks-demo"
	missingCluster := rg + "/providers/Microsoft.ContainerService/managedClusters/no-such-cluster"
	eligible := func(extra string) string {
		return fmt.Sprintf("group_id = %q\nprincipal_id = %q\n%s", group, user, extra)
	}
	policy := func(extra string) string { return fmt.Sprintf("group_id = %q\n%s", group, extra) }
	binding := func(extra string) string {
		return fmt.Sprintf("principal_id = %q\n%s", group, extra)
	}
	clusterScoped := func(extra string) string {
		return binding(fmt.Sprintf("role = \"Reader\"\ncluster_id = %q\n%s", clusterID, extra))
	}
	r := func(typ, why, attrs string, want ...string) badInput {
		return badInput{kind: "resource", typ: typ, why: why, attrs: attrs, want: want}
	}
	d := func(typ, why, attrs string, want ...string) badInput {
		return badInput{kind: "data", typ: typ, why: why, attrs: attrs, want: want}
	}
	return []badInput{
		// aks_pim_group
		r("aks_pim_group", "empty display name", `display_name = ""`, "display_name"),
		r("aks_pim_group", "display name over 256 characters", fmt.Sprintf("display_name = %q", strings.Repeat("x", 257)), "display_name"),
		r("aks_pim_group", "empty description", "display_name = \"g\"\ndescription = \"\"", "description"),
		r("aks_pim_group", "mail nickname with a space", "display_name = \"g\"\nmail_nickname = \"has space\"", "mail_nickname"),
		r("aks_pim_group", "mail nickname with non-ASCII and @", "display_name = \"g\"\nmail_nickname = \"Ä@x\"", "mail_nickname"),
		r("aks_pim_group", "empty owners", "display_name = \"g\"\nowners = []", "owners"),
		r("aks_pim_group", "owner not a GUID", "display_name = \"g\"\nowners = [\"not-a-guid\"]", "owners"),
		r("aks_pim_group", "member given as a UPN", "display_name = \"g\"\nmembers = [\"n01@contoso.com\"]", "members"),
		// aks_role_binding
		r("aks_role_binding", "malformed scope", binding("role = \"Reader\"\nscope = \"not-a-scope\""), "scope"),
		r("aks_role_binding", "empty scope", binding("role = \"Reader\"\nscope = \"\""), "scope"),
		r("aks_role_binding", "scope and cluster_id together", binding(fmt.Sprintf("role = \"Reader\"\nscope = %q\ncluster_id = %q\nscope_kind = \"cluster\"", rg, clusterID)), "scope", "cluster_id"),
		r("aks_role_binding", "neither scope nor cluster_id", binding("role = \"Reader\"")),
		r("aks_role_binding", "resource group ID as cluster_id", binding(fmt.Sprintf("role = \"Reader\"\ncluster_id = %q\nscope_kind = \"cluster\"", rg)), "cluster_id"),
		r("aks_role_binding", "cluster_id without scope_kind", binding(fmt.Sprintf("role = \"Reader\"\ncluster_id = %q", clusterID)), "cluster_id", "scope_kind"),
		r("aks_role_binding", "unknown scope kind", clusterScoped(`scope_kind = "galaxy"`), "scope_kind"),
		r("aks_role_binding", "node_pool kind without node_pool", clusterScoped(`scope_kind = "node_pool"`), "scope_kind"),
		r("aks_role_binding", "namespace on a cluster-kind scope", clusterScoped("scope_kind = \"cluster\"\nnamespace = \"kube-system\""), "namespace"),
		r("aks_role_binding", "malformed node pool name", clusterScoped("scope_kind = \"node_pool\"\nnode_pool = \"Bad_Pool!\""), "node_pool"),
		r("aks_role_binding", "malformed namespace", clusterScoped("scope_kind = \"namespace\"\nnamespace = \"Not_A_Namespace\""), "namespace"),
		r("aks_role_binding", "role and role_definition_id naming different roles", binding(fmt.Sprintf("scope = %q\nrole = \"Contributor\"\nrole_definition_id = \"/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7\"", rg)), "role", "role_definition_id"),
		r("aks_role_binding", "malformed role definition ID", binding(fmt.Sprintf("scope = %q\nrole_definition_id = \"/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/not-a-guid\"", rg, subscriptionID)), "role_definition_id"),
		r("aks_role_binding", "empty role", binding(fmt.Sprintf("scope = %q\nrole = \"\"", rg)), "role"),
		r("aks_role_binding", "unknown role name", binding(fmt.Sprintf("scope = %q\nrole = \"Kubernetes Overlord\"", rg)), "role"),
		r("aks_role_binding", "principal not a GUID", fmt.Sprintf("principal_id = \"abc\"\nrole = \"Reader\"\nscope = %q", rg), "principal_id"),
		r("aks_role_binding", "unknown principal type", binding(fmt.Sprintf("role = \"Reader\"\nscope = %q\nprincipal_type = \"Robot\"", rg)), "principal_type"),
		r("aks_role_binding", "empty description", binding(fmt.Sprintf("role = \"Reader\"\nscope = %q\ndescription = \"\"", rg)), "description"),
		r("aks_role_binding", "condition version without condition", binding(fmt.Sprintf("role = \"Reader\"\nscope = %q\ncondition_version = \"2.0\"", rg)), "condition_version"),
		r("aks_role_binding", "unknown condition version", binding(fmt.Sprintf("role = \"Reader\"\nscope = %q\ncondition = \"true\"\ncondition_version = \"1.0\"", rg)), "condition_version"),
		r("aks_role_binding", "principal that does not exist", fmt.Sprintf("principal_id = %q\nrole = \"Reader\"\nscope = %q", guidB, rg), "principal_id"),
		r("aks_role_binding", "a user with the default principal type Group", fmt.Sprintf("principal_id = %q\nrole = \"Reader\"\nscope = %q", user, rg), "principal_id"),
		r("aks_role_binding", "cluster that does not exist", binding(fmt.Sprintf("role = \"Reader\"\ncluster_id = %q\nscope_kind = \"node_resource_group\"", missingCluster)), "cluster_id"),
		// aks_pim_eligibility
		r("aks_pim_eligibility", "group ID not a GUID", fmt.Sprintf("group_id = \"admins\"\nprincipal_id = %q\nduration = \"P30D\"", user), "group_id"),
		r("aks_pim_eligibility", "empty principal ID", fmt.Sprintf("group_id = %q\nprincipal_id = \"\"\nduration = \"P30D\"", group), "principal_id"),
		r("aks_pim_eligibility", "group that does not exist", fmt.Sprintf("group_id = %q\nprincipal_id = %q\nduration = \"P30D\"", guidA, user), "group_id"),
		r("aks_pim_eligibility", "a user as the group", fmt.Sprintf("group_id = %q\nprincipal_id = %q\nduration = \"P30D\"", user, group), "group_id"),
		r("aks_pim_eligibility", "principal that does not exist", fmt.Sprintf("group_id = %q\nprincipal_id = %q\nduration = \"P30D\"", group, guidB), "principal_id"),
		r("aks_pim_eligibility", "unknown access ID", eligible("duration = \"P30D\"\naccess_id = \"admin\""), "access_id"),
		r("aks_pim_eligibility", "duration in years", eligible(`duration = "P1Y"`), "duration"),
		r("aks_pim_eligibility", "duration in months", eligible(`duration = "P6M"`), "duration"),
		r("aks_pim_eligibility", "empty duration", eligible(`duration = ""`), "duration"),
		r("aks_pim_eligibility", "duration PT", eligible(`duration = "PT"`), "duration"),
		r("aks_pim_eligibility", "negative duration", eligible(`duration = "-P1D"`), "duration"),
		r("aks_pim_eligibility", "duration shorter than five minutes", eligible(`duration = "PT2M"`), "duration"),
		r("aks_pim_eligibility", "duration and end_date_time together", eligible("duration = \"P30D\"\nend_date_time = \"2099-01-01T00:00:00Z\""), "duration", "end_date_time"),
		r("aks_pim_eligibility", "duration and permanent together", eligible("duration = \"P30D\"\npermanent = true"), "duration", "permanent"),
		r("aks_pim_eligibility", "no expiration at all", eligible("")),
		r("aks_pim_eligibility", "end date not RFC 3339", eligible(`end_date_time = "tomorrow"`), "end_date_time"),
		r("aks_pim_eligibility", "start date in month 13", eligible("duration = \"P30D\"\nstart_date_time = \"2030-13-01T00:00:00Z\""), "start_date_time"),
		r("aks_pim_eligibility", "end before start", eligible("start_date_time = \"2030-02-01T00:00:00Z\"\nend_date_time = \"2030-01-01T00:00:00Z\""), "end_date_time"),
		r("aks_pim_eligibility", "ticket number without system", eligible("duration = \"P30D\"\nticket_number = \"CHG-1\""), "ticket_number"),
		r("aks_pim_eligibility", "permanent against a policy requiring expiry", eligible("permanent = true\npolicy_eligible_assignment = { expiration_required = true, maximum_duration = \"P365D\" }"), "permanent"),
		r("aks_pim_eligibility", "longer than the policy allows", eligible("duration = \"P400D\"\npolicy_eligible_assignment = { expiration_required = true, maximum_duration = \"P365D\" }"), "duration"),
		// aks_pim_approval_policy
		r("aks_pim_approval_policy", "group ID not a GUID", `group_id = "admin"`, "group_id"),
		r("aks_pim_approval_policy", "unknown access ID", policy(`access_id = "guest"`), "access_id"),
		r("aks_pim_approval_policy", "approval without approvers", policy("require_approval = true"), "require_approval"),
		r("aks_pim_approval_policy", "approver not a GUID", policy("require_approval = true\napprovers = { groups = [\"approvers\"] }"), "approvers.groups"),
		r("aks_pim_approval_policy", "group that does not exist", fmt.Sprintf("group_id = %q", guidA), "group_id"),
		r("aks_pim_approval_policy", "a group as an approving user", policy(fmt.Sprintf("require_approval = true\napprovers = { users = [%q] }", group)), "approvers.users"),
		r("aks_pim_approval_policy", "approval timeout 0 days", policy("approval_timeout_days = 0"), "approval_timeout_days"),
		r("aks_pim_approval_policy", "approval timeout 15 days", policy("approval_timeout_days = 15"), "approval_timeout_days"),
		r("aks_pim_approval_policy", "activation under 30 minutes", policy(`activation = { maximum_duration = "PT10M" }`), "activation.maximum_duration"),
		r("aks_pim_approval_policy", "activation over a day", policy(`activation = { maximum_duration = "P2D" }`), "activation.maximum_duration"),
		r("aks_pim_approval_policy", "activation with seconds (not read back by Graph's SDK)", policy(`activation = { maximum_duration = "PT1H30S" }`), "activation.maximum_duration"),
		r("aks_pim_approval_policy", "activation in weeks", policy(`activation = { maximum_duration = "P1W" }`), "activation.maximum_duration"),
		r("aks_pim_approval_policy", "activation in words", policy(`activation = { maximum_duration = "8 hours" }`), "activation.maximum_duration"),
		r("aks_pim_approval_policy", "MFA and authentication context together", policy(`activation = { require_mfa = true, require_conditional_access_context = "c1" }`), "activation.require_mfa", "activation.require_conditional_access_context"),
		r("aks_pim_approval_policy", "authentication context c100", policy(`activation = { require_conditional_access_context = "c100" }`), "activation.require_conditional_access_context"),
		r("aks_pim_approval_policy", "eligibility maximum over a year", policy(`eligible_assignment = { maximum_duration = "P400D" }`), "eligible_assignment.maximum_duration"),
		r("aks_pim_approval_policy", "empty eligibility maximum", policy(`eligible_assignment = { maximum_duration = "" }`), "eligible_assignment.maximum_duration"),
		r("aks_pim_approval_policy", "active assignment under five minutes", policy(`active_assignment = { maximum_duration = "PT1M" }`), "active_assignment.maximum_duration"),
		r("aks_pim_approval_policy", "unknown notification level", policy(`notifications = { activation = { admin = { level = "Loud" } } }`), "notifications.activation.admin.level"),
		r("aks_pim_approval_policy", "recipient not an e-mail address", policy(`notifications = { activation = { admin = { additional_recipients = ["security team"] } } }`), "notifications.activation.admin.additional_recipients"),
		// data sources
		d("aks_cluster", "malformed cluster ID", `id = "aks-demo"`, "id"),
		d("aks_cluster", "cluster that does not exist", fmt.Sprintf("id = %q", missingCluster), "id"),
		d("aks_user", "empty user principal name", `user_principal_name = ""`, "user_principal_name"),
		d("aks_user", "object ID not a GUID", `object_id = "n01"`, "object_id"),
		d("aks_user", "both object ID and UPN", fmt.Sprintf("object_id = %q\nuser_principal_name = \"n01@example.com\"", guidB), "object_id", "user_principal_name"),
		d("aks_user", "user that does not exist", `user_principal_name = "ghost@nowhere.example"`, "user_principal_name"),
	}
}

// badConfig renders cases as one configuration, each in its own block named bad_<index>, and records
// the line range of each block so diagnostics can be attributed.
func badConfig(cases []int, all []badInput) (string, map[int][2]int, []string) {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    aks = { source = \"aks-pim/aks\" }\n  }\n}\n\nprovider \"aks\" {}\n")
	lines := strings.Split(b.String(), "\n")
	blocks := map[int][2]int{}
	for _, i := range cases {
		c := all[i]
		start := len(lines) // 1-based line of the header, after the blank line below
		fmt.Fprintf(&b, "\n%s %q \"bad_%d\" {\n", c.kind, c.typ, i)
		for _, l := range strings.Split(c.attrs, "\n") {
			if l != "" {
				b.WriteString("  " + l + "\n")
			}
		}
		b.WriteString("}\n")
		lines = strings.Split(b.String(), "\n")
		blocks[i] = [2]int{start + 1, len(lines) - 1}
	}
	return b.String(), blocks, strings.Split(b.String(), "\n")
}

// jsonDiagnostic is a diagnostic of terraform's -json output.
type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Range    *struct {
		Start struct {
			Line int `json:"line"`
		} `json:"start"`
	} `json:"range"`
}

// planDiagnostics runs terraform plan -json and returns its error diagnostics.
func planDiagnostics(e *env, files map[string]string, name string) []jsonDiagnostic {
	ws := e.workspace(name, files)
	res := e.tf(ws, "plan", "-json", "-input=false", "-no-color", "-refresh=false")
	var out []jsonDiagnostic
	sc := bufio.NewScanner(strings.NewReader(res.Stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var msg struct {
			Type       string          `json:"type"`
			Diagnostic *jsonDiagnostic `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) != nil || msg.Type != "diagnostic" || msg.Diagnostic == nil {
			continue
		}
		if msg.Diagnostic.Severity == "error" {
			out = append(out, *msg.Diagnostic)
		}
	}
	return out
}

// located is a diagnostic with the source line it points at.
type located struct {
	line, header    string
	summary, detail string
}

// onAttribute reports whether d is attached to attribute a: its source line names a (and is not the
// block's header), or, for a nested attribute Terraform cannot point at, its text names the path.
func (d located) onAttribute(a string) bool {
	leaf := a[strings.LastIndex(a, ".")+1:]
	if d.line != d.header && regexp.MustCompile(`\b`+regexp.QuoteMeta(leaf)+`\s*=`).MatchString(d.line) {
		return true
	}
	return strings.Contains(a, ".") && strings.Contains(d.summary+" "+d.detail, a)
}

// TestBadInputRejectedAtPlan plans every invalid input against the emulator and checks that each is
// rejected by an error attached to the offending attribute, before anything is created. Inputs are
// planned together: first all of them (schema and configuration validation stops the run before
// planning), then the ones validation let through (rejected while planning, e.g. an unknown role).
func TestBadInputRejectedAtPlan(t *testing.T) {
	e := newEnv(t, envOptions{})
	c, err := emuclient.Admin(t.Context(), e.srv, emuclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := pim.CreateGroup(t.Context(), c, pim.GroupSpec{DisplayName: "bad-input-target"}, pim.GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	all := badInputs(e.fx.ClusterID, e.fx.SubscriptionID, g.ID, e.fx.N01.ID)
	pending := make([]int, len(all))
	for i := range all {
		pending[i] = i
	}
	found := map[int][]located{}
	for pass := 1; pass <= 2 && len(pending) > 0; pass++ {
		cfg, blocks, lines := badConfig(pending, all)
		for _, dg := range planDiagnostics(e, map[string]string{"main.tf": cfg}, fmt.Sprintf("bad-%d", pass)) {
			if dg.Range == nil {
				t.Errorf("pass %d: an error without a source range: %s: %s", pass, dg.Summary, dg.Detail)
				continue
			}
			n := dg.Range.Start.Line
			for i, blk := range blocks {
				if n >= blk[0] && n <= blk[1] {
					found[i] = append(found[i], located{line: lines[n-1], header: lines[blk[0]-1], summary: dg.Summary, detail: dg.Detail})
				}
			}
		}
		var next []int
		for _, i := range pending {
			if len(found[i]) == 0 {
				next = append(next, i)
			}
		}
		pending = next
	}

	// Each case's error must be on a line of its block that names an expected attribute (or anywhere in
	// the block for cases with no attribute to blame).
	rejected, scoped := 0, 0
	var problems []string
	for i, c := range all {
		diags := found[i]
		if len(diags) == 0 {
			problems = append(problems, fmt.Sprintf("%s %s (%s): accepted at plan time", c.kind, c.typ, c.why))
			continue
		}
		rejected++
		ok := len(c.want) == 0
		var where []string
		for _, dg := range diags {
			where = append(where, fmt.Sprintf("%q (%s: %.160q)", strings.TrimSpace(dg.line), dg.summary, dg.detail))
			for _, a := range c.want {
				if dg.onAttribute(a) {
					ok = true
				}
			}
		}
		if ok {
			scoped++
		} else {
			problems = append(problems, fmt.Sprintf("%s %s (%s): rejected, but not on %v: at %s", c.kind, c.typ, c.why, c.want, strings.Join(where, "; ")))
		}
	}
	sort.Strings(problems)
	t.Logf("%d invalid inputs, %d rejected at plan time, %d of them on the offending attribute", len(all), rejected, scoped)
	figures.add("bad inputs tried", int64(len(all)))
	figures.add("bad inputs rejected at plan time", int64(rejected))
	figures.add("bad inputs rejected on the attribute", int64(scoped))
	for _, p := range problems {
		t.Error(p)
	}
}
