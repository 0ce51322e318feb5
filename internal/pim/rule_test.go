package pim

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoft/kiota-abstractions-go/store"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// The golden files are rewritten with `go test ./internal/pim -run Golden -update`. The flag is registered
// only if no other test file of the package registered it first.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/*.golden from the current output")
	}
}

func ruleGoldenUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// ruleWireJSON is the canonical JSON of models as the Graph request adapter writes them (wireBytes), an
// array for more than one.
func ruleWireJSON(t *testing.T, values ...serialization.Parsable) []byte {
	t.Helper()
	var parts []json.RawMessage
	for _, v := range values {
		parts = append(parts, wireBytes(t, v))
	}
	var out []byte
	var err error
	if len(parts) == 1 {
		out, err = ruleCanonicalJSON(parts[0])
	} else {
		raw, _ := json.Marshal(parts)
		out, err = ruleCanonicalJSON(raw)
	}
	if err != nil {
		t.Fatalf("serialised body is not JSON: %v", err)
	}
	return out
}

// wireBytes serialises a model exactly as the Graph request adapter does: kiota's JSON writer behind
// the backing-store proxy the Graph service client enables (which also writes explicit nulls).
func wireBytes(t *testing.T, v serialization.Parsable) []byte {
	t.Helper()
	f := store.NewBackingStoreSerializationWriterProxyFactory(jsonserialization.NewJsonSerializationWriterFactory())
	w, err := f.GetSerializationWriter("application/json")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteObjectValue("", v); err != nil {
		t.Fatal(err)
	}
	b, err := w.GetSerializedContent()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ruleCanonicalJSON re-indents with sorted keys so golden files do not depend on map order.
func ruleCanonicalJSON(b []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	return append(out, '\n'), err
}

func ruleGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if ruleGoldenUpdating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// ruleTestdata reads testdata/name.
func ruleTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ruleRulesFromFile maps the rules of the policy in testdata/name as a read does.
func ruleRulesFromFile(t *testing.T, name string) Rules {
	t.Helper()
	rules, err := RulesFromGraph(ruleParsePolicy(t, ruleTestdata(t, name)).GetRules())
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

func ruleParsePolicy(t *testing.T, b []byte) models.UnifiedRoleManagementPolicyable {
	t.Helper()
	pol, err := clients.Decode[models.UnifiedRoleManagementPolicyable](b, models.CreateUnifiedRoleManagementPolicyFromDiscriminatorValue)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

const (
	ruleApproverGroup = "3e2d1c0b-0000-4000-8000-0000000a9902"
	ruleApproverUser  = "7c6b5a49-0000-4000-8000-0000000a9901"
)

// ruleScenarioPolicy is step 3 of SCENARIO.md: approval by the approver group.
func ruleScenarioPolicy() Policy {
	p := DefaultPolicy()
	p.Approval.Required = true
	p.Approval.ApproverGroups = []string{ruleApproverGroup}
	return p
}

// ruleEverythingPolicy sets every setting away from its default.
func ruleEverythingPolicy() Policy {
	p := DefaultPolicy()
	p.Approval = ApprovalRules{Required: true, ApproverGroups: []string{ruleApproverGroup}, ApproverUsers: []string{ruleApproverUser},
		ApproverJustificationRequired: false, TimeoutDays: 3}
	p.Activation = ActivationRules{MaximumDuration: Duration{seconds: 4 * 3600}, RequireJustification: false, RequireTicketInfo: true,
		ConditionalAccessContext: "c1"}
	p.EligibleAssignment = Expiry{ExpirationRequired: false, MaximumDuration: Duration{seconds: 90 * 86400}}
	p.ActiveAssignment = ActiveAssignmentRules{Expiry: Expiry{ExpirationRequired: true, MaximumDuration: Duration{seconds: 30 * 86400}},
		RequireJustification: false, RequireMFA: true}
	p.Notifications.EligibleAssignment.Admin = Notification{Level: NotificationCritical, DefaultRecipients: false,
		AdditionalRecipients: []string{"secops@contoso.com", "audit@contoso.com"}}
	p.Notifications.Activation.Approver = Notification{Level: NotificationNone, DefaultRecipients: true}
	return p
}

func TestRuleModelsGolden(t *testing.T) {
	t.Parallel()
	tests := map[string]Policy{
		"default":    DefaultPolicy(),
		"scenario":   ruleScenarioPolicy(),
		"everything": ruleEverythingPolicy(),
	}
	for name, p := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var values []serialization.Parsable
			for _, m := range RuleModels(p) {
				values = append(values, m)
			}
			ruleGolden(t, "rules_"+name, ruleWireJSON(t, values...))
		})
	}
}

// TestRuleModelPatchBodyGolden pins the per-rule PATCH body of the approval rule of the scenario: the
// full rule with @odata.type, id, target and approvers typed as singleUser/groupMembers.
func TestRuleModelPatchBodyGolden(t *testing.T) {
	t.Parallel()
	m, err := RuleModel(ruleScenarioPolicy(), RuleApprovalEndUserAssignment)
	if err != nil {
		t.Fatal(err)
	}
	ruleGolden(t, "patch_approval_scenario", ruleWireJSON(t, m))
	m, err = RuleModel(ruleScenarioPolicy(), RuleExpirationAdminEligibility)
	if err != nil {
		t.Fatal(err)
	}
	ruleGolden(t, "patch_expiration_eligibility_default", ruleWireJSON(t, m))
	if _, err := RuleModel(DefaultPolicy(), "Expiration_Nobody"); err == nil {
		t.Error("RuleModel accepted an unknown rule ID")
	}
}

func TestRulesFromGraph(t *testing.T) {
	t.Parallel()
	changed := DefaultPolicy()
	changed.EligibleAssignment.ExpirationRequired = false
	changed.Notifications.EligibleAssignment.Admin = Notification{Level: NotificationCritical, AdditionalRecipients: []string{"sec-team@contoso.com"}, DefaultRecipients: true}
	changed.Notifications.EligibleAssignment.Approver.DefaultRecipients = false
	changed.ActiveAssignment.MaximumDuration = Duration{seconds: 90 * 86400}
	changed.ActiveAssignment.RequireMFA = true
	changed.Activation.MaximumDuration = Duration{seconds: 4 * 3600}
	changed.Activation.RequireMFA = true
	changed.Activation.RequireTicketInfo = true
	changed.Approval = ApprovalRules{Required: true, ApproverGroups: []string{ruleApproverGroup}, ApproverUsers: []string{ruleApproverUser}, TimeoutDays: 2}
	changed.Notifications.Activation.Approver.Level = NotificationCritical

	tests := []struct {
		file string
		want Policy
	}{
		{file: "graph_policy_default.json", want: DefaultPolicy()},
		{file: "graph_policy_changed.json", want: changed},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			rules := ruleRulesFromFile(t, tt.file)
			if diff := cmp.Diff(tt.want.Normalised(), rules.Policy(), cmp.AllowUnexported(Duration{})); diff != "" {
				t.Errorf("policy mismatch (-want +got):\n%s", diff)
			}
			if d := rules.Differing(tt.want); len(d) != 0 {
				t.Errorf("Differing(policy read) = %v, want none", d)
			}
		})
	}
}

func TestRulesFromGraphErrors(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(ruleTestdata(t, "graph_policy_default.json"), &doc); err != nil {
		t.Fatal(err)
	}
	rules, ok := doc["rules"].([]any)
	if !ok || len(rules) == 0 {
		t.Fatalf("the fixture has no rules array")
	}
	first, ok := rules[0].(map[string]any)
	if !ok {
		t.Fatalf("the fixture's first rule is %T", rules[0])
	}

	// A rule that arrives without @odata.type deserialises as the abstract base and must not be guessed.
	untyped := append([]any{}, rules...)
	r0 := map[string]any{}
	for k, v := range first {
		if k != "@odata.type" {
			r0[k] = v
		}
	}
	untyped[0] = r0
	// A missing rule.
	missing := append([]any{}, rules[1:]...)

	for name, rs := range map[string][]any{"untyped": untyped, "missing": missing} {
		d := map[string]any{"rules": rs}
		raw, _ := json.Marshal(d)
		if _, err := RulesFromGraph(ruleParsePolicy(t, raw).GetRules()); err == nil {
			t.Errorf("%s: RulesFromGraph accepted it", name)
		} else if !bytes.Contains([]byte(err.Error()), []byte("Expiration_Admin_Eligibility")) {
			t.Errorf("%s: error %q does not name the rule", name, err)
		}
	}
}

// TestRuleRoundTrip: what this package writes, read back through kiota, is the same policy and needs no
// further PATCH. This is what the post-write verification relies on.
func TestRuleRoundTrip(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]Policy{"default": DefaultPolicy(), "scenario": ruleScenarioPolicy(), "everything": ruleEverythingPolicy()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ruleRoundTrip(t, p)
		})
	}
}

// rulePolicyJSON is a policy body holding p's rules serialised as the Graph adapter writes them.
func rulePolicyJSON(t *testing.T, p Policy) []byte {
	t.Helper()
	var values []serialization.Parsable
	for _, m := range RuleModels(p) {
		values = append(values, m)
	}
	return append(append([]byte(`{"rules":`), ruleWireJSON(t, values...)...), '}')
}

// ruleRoundTrip serialises the policy's rules as the Graph adapter writes them, parses them back as
// Graph would return them, and fails unless the result is the same policy with nothing left to PATCH.
func ruleRoundTrip(t *testing.T, p Policy) {
	t.Helper()
	raw := rulePolicyJSON(t, p)
	rules, err := RulesFromGraph(ruleParsePolicy(t, raw).GetRules())
	if err != nil {
		t.Fatalf("RulesFromGraph of our own rules: %v\n%s", err, raw)
	}
	if diff := cmp.Diff(p.Normalised(), rules.Policy(), cmp.AllowUnexported(Duration{})); diff != "" {
		t.Fatalf("round trip changed the policy (-written +read):\n%s", diff)
	}
	if d := rules.Differing(p); len(d) != 0 {
		t.Fatalf("rules read back still differ from the policy written: %v", d)
	}
}

func TestRulesDiffering(t *testing.T) {
	t.Parallel()
	current := ruleRulesFromFile(t, "graph_policy_default.json")
	tests := []struct {
		name   string
		change func(*Policy)
		want   []RuleID
	}{
		{name: "nothing", change: func(*Policy) {}},
		{name: "approval", change: func(p *Policy) { *p = ruleScenarioPolicy() }, want: []RuleID{RuleApprovalEndUserAssignment}},
		{name: "activation duration in another spelling is no change", change: func(p *Policy) {
			d, _ := ParseDuration("PT480M")
			p.Activation.MaximumDuration = d
		}},
		{name: "activation duration", change: func(p *Policy) { p.Activation.MaximumDuration = Duration{seconds: 3600} },
			want: []RuleID{RuleExpirationEndUserAssignment}},
		{name: "requestor justification moves two rules", change: func(p *Policy) { p.Activation.RequireJustification = false },
			want: []RuleID{RuleEnablementEndUserAssignment, RuleApprovalEndUserAssignment}},
		{name: "mfa", change: func(p *Policy) { p.Activation.RequireMFA = true }, want: []RuleID{RuleEnablementEndUserAssignment}},
		{name: "ca context", change: func(p *Policy) { p.Activation.ConditionalAccessContext = "c2" },
			want: []RuleID{RuleAuthenticationContextEndUserAssignment}},
		{name: "permanent eligibility allowed", change: func(p *Policy) { p.EligibleAssignment.ExpirationRequired = false },
			want: []RuleID{RuleExpirationAdminEligibility}},
		{name: "active mfa", change: func(p *Policy) { p.ActiveAssignment.RequireMFA = true }, want: []RuleID{RuleEnablementAdminAssignment}},
		{name: "one notification", change: func(p *Policy) { p.Notifications.ActiveAssignment.Requestor.Level = NotificationCritical },
			want: []RuleID{RuleNotificationRequestorAdminAssignment}},
		{name: "recipients order and case are no change", change: func(p *Policy) {
			p.Notifications.Activation.Admin.AdditionalRecipients = nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := DefaultPolicy()
			tt.change(&p)
			if diff := cmp.Diff(tt.want, current.Differing(p), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Differing mismatch (-want +got):\n%s", diff)
			}
		})
	}

	// Approver sets compare without regard to order or case.
	changed := ruleRulesFromFile(t, "graph_policy_changed.json")
	p := changed.Policy()
	p.Approval.ApproverGroups = []string{"3E2D1C0B-0000-4000-8000-0000000A9902"}
	p.Notifications.EligibleAssignment.Admin.AdditionalRecipients = []string{"SEC-TEAM@contoso.com"}
	if d := changed.Differing(p); len(d) != 0 {
		t.Errorf("case-only differences reported as changes: %v", d)
	}
}

func TestManagedRuleIDs(t *testing.T) {
	t.Parallel()
	all, managed := AllRuleIDs(), ManagedRuleIDs()
	if len(all) != 17 || len(managed) != 16 {
		t.Fatalf("%d rules, %d managed; want 17 and 16", len(all), len(managed))
	}
	for _, id := range managed {
		if id == RuleEnablementAdminEligibility {
			t.Error("Enablement_Admin_Eligibility has no setting and must not be managed")
		}
	}
	if id, ok := RuleIDFromString("approval_enduser_assignment"); !ok || id != RuleApprovalEndUserAssignment {
		t.Errorf("RuleIDFromString is not case-insensitive: %q %v", id, ok)
	}
}

// TestRulesWithoutGraph: the rule model stands without Graph's models, for another API's mapping (ARM's
// role management policies): a policy's specs make Rules that give the policy back, every rule must be
// there, and each rule knows its kind and target.
func TestRulesWithoutGraph(t *testing.T) {
	t.Parallel()
	p := ruleScenarioPolicy()
	var specs []RuleSpec
	for _, id := range AllRuleIDs() {
		s, ok := RuleSpecOf(p, id)
		if !ok {
			t.Fatalf("RuleSpecOf(%s) not found", id)
		}
		specs = append(specs, s)
	}
	r, err := NewRules(specs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p.Normalised(), r.Policy()); diff != "" {
		t.Errorf("policy through its specs (-want +got):\n%s", diff)
	}
	if got := r.Differing(p); len(got) != 0 {
		t.Errorf("Differing from itself: %v", got)
	}
	if _, err := NewRules(specs[1:]); err == nil || !strings.Contains(err.Error(), string(RuleExpirationAdminEligibility)) {
		t.Errorf("NewRules without %s: %v, want an error naming it", RuleExpirationAdminEligibility, err)
	}
	if k, ok := RuleNotificationApproverEndUserAssignment.Kind(); !ok || k != RuleKindNotification {
		t.Errorf("Kind = %v, %v", k, ok)
	}
	if c, l, rcp := RuleNotificationApproverEndUserAssignment.Target(); c != "EndUser" || l != "Assignment" || rcp != "Approver" {
		t.Errorf("Target = %s %s %s", c, l, rcp)
	}
}

// TestApplyRules: the rules that differ are written, read back until they read as written, written again
// while they do not, and reported once PolicyWriteRounds writes did not make them stick.
func TestApplyRules(t *testing.T) {
	t.Parallel()
	current, changed := ruleRulesFromFile(t, "graph_policy_default.json"), ruleRulesFromFile(t, "graph_policy_changed.json")
	desired := changed.Policy()
	differing := current.Differing(desired)
	if len(differing) == 0 {
		t.Fatal("the fixtures do not differ")
	}
	c := &clients.Client{Consistency: clients.ConsistencyOptions{Successes: 1, Interval: time.Millisecond, Timeout: 50 * time.Millisecond}}
	for _, tc := range []struct {
		name           string
		sticksAt       int // the write that persists; 0: none does
		wantWrites     int
		wantNotWritten bool
	}{
		{name: "first write sticks", sticksAt: 1, wantWrites: 1},
		{name: "second write sticks", sticksAt: 2, wantWrites: 2},
		{name: "no write sticks", wantWrites: PolicyWriteRounds, wantNotWritten: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stored, writes := current, 0
			read := func(context.Context) (Rules, error) { return stored, nil }
			write := func(_ context.Context, s Rules, ids []RuleID) (Rules, error) {
				if diff := cmp.Diff(differing, ids); diff != "" {
					t.Errorf("write %d sent (-want +got):\n%s", writes+1, diff)
				}
				if writes++; writes == tc.sticksAt {
					stored = changed
				}
				return s, nil
			}
			state, written, notPersisted, err := ApplyRules(t.Context(), c, desired, 0, read, func(r Rules) Rules { return r }, write)
			if err != nil || writes != tc.wantWrites || !cmp.Equal(written, differing) {
				t.Fatalf("%v after %d writes (want %d), wrote %v; want %v", err, writes, tc.wantWrites, written, differing)
			}
			if tc.wantNotWritten {
				if !cmp.Equal(notPersisted, differing) {
					t.Errorf("not persisted %v, want %v", notPersisted, differing)
				}
			} else if len(notPersisted) != 0 || len(state.Differing(desired)) != 0 {
				t.Errorf("not persisted %v, final state differs in %v; want none", notPersisted, state.Differing(desired))
			}
		})
	}
	// Nothing differs: nothing is written.
	_, written, _, err := ApplyRules(t.Context(), c, desired, 0,
		func(context.Context) (Rules, error) { return changed, nil }, func(r Rules) Rules { return r },
		func(context.Context, Rules, []RuleID) (Rules, error) {
			t.Error("wrote a policy that says desired")
			return changed, nil
		})
	if err != nil || len(written) != 0 {
		t.Errorf("policy already as desired: wrote %v, %v", written, err)
	}
}
