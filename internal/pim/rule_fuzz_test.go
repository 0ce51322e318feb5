package pim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// The policy rule mapping is the code that turns what Graph returns into the resource's state and the
// resource's configuration into rule PATCH bodies; a panic or a lossy mapping there is a perpetual diff
// or a policy silently not applied. These fuzz tests run for a few seconds in `make test` and longer
// under `make fuzz`.

// FuzzPolicyRuleRoundTrip builds a valid policy from fuzzed settings and checks that its 17 rules,
// serialised as the Graph adapter does and parsed back, are the same policy and need no PATCH.
func FuzzPolicyRuleRoundTrip(f *testing.F) {
	f.Add(true, false, true, uint8(3), uint32(4*3600), uint32(90*86400), uint32(30*86400), "c1", uint8(1), "secops@contoso.com", uint16(0xffff))
	f.Add(false, true, false, uint8(1), uint32(8*3600), uint32(365*86400), uint32(180*86400), "", uint8(0), "", uint16(0))
	f.Add(true, true, true, uint8(14), uint32(30*60), uint32(5*60), uint32(5*60), "c25", uint8(2), "A@B.example,c@d.example", uint16(0x5a5a))
	f.Fuzz(func(t *testing.T, approval, mfa, ticket bool, timeout uint8, activation, eligible, active uint32,
		authContext string, level uint8, recipients string, flags uint16) {
		p := fuzzPolicy(approval, mfa, ticket, timeout, activation, eligible, active, authContext, level, recipients, flags)
		if problems := Errors(p.Validate(PolicyContext{})); len(problems) > 0 {
			return // only policies the resource accepts are ever written
		}
		ruleRoundTrip(t, p)
	})
}

// FuzzRulesFromGraph feeds arbitrary policy JSON through kiota into the mapping: it must never panic, and
// whatever it accepts must be stable: writing the policy it read and reading that back gives the same
// policy, with nothing left to PATCH.
func FuzzRulesFromGraph(f *testing.F) {
	for _, name := range []string{"graph_policy_default.json", "graph_policy_changed.json"} {
		f.Add(ruleTestdata(f, name))
	}
	f.Add([]byte(`{"rules":[{"@odata.type":"#microsoft.graph.unifiedRoleManagementPolicyExpirationRule","id":"Expiration_Admin_Eligibility","maximumDuration":"P1Y"}]}`))
	f.Add([]byte(`{"rules":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		pol, err := clients.Decode[models.UnifiedRoleManagementPolicyable](b, models.CreateUnifiedRoleManagementPolicyFromDiscriminatorValue)
		if err != nil {
			return
		}
		rules, err := RulesFromGraph(pol.GetRules())
		if err != nil {
			return
		}
		p := rules.Policy()
		raw := rulePolicyJSON(t, p)
		again, err := RulesFromGraph(ruleParsePolicy(t, raw).GetRules())
		if err != nil {
			t.Fatalf("RulesFromGraph of the rules written from what it read: %v\n%s", err, raw)
		}
		if diff := cmp.Diff(p, again.Policy(), cmp.AllowUnexported(Duration{})); diff != "" {
			t.Fatalf("read, write, read changed the policy (-first +second):\n%s", diff)
		}
		if d := again.Differing(p); len(d) != 0 {
			t.Fatalf("rules written from a read policy still differ from it: %v", d)
		}
	})
}

// fuzzPolicy maps fuzzed primitives onto a policy: durations in seconds, a notification level index,
// comma-separated recipients and flag bits for the remaining booleans and for which notification rule
// gets the recipients.
func fuzzPolicy(approval, mfa, ticket bool, timeout uint8, activation, eligible, active uint32,
	authContext string, level uint8, recipients string, flags uint16) Policy {
	bit := func(i uint) bool { return flags&(1<<i) != 0 }
	p := DefaultPolicy()
	p.Approval.Required = approval
	if approval || bit(0) {
		p.Approval.ApproverGroups = []string{ruleApproverGroup}
	}
	if bit(1) {
		p.Approval.ApproverUsers = []string{ruleApproverUser}
	}
	p.Approval.ApproverJustificationRequired = bit(2)
	p.Approval.TimeoutDays = int32(timeout)
	p.Activation = ActivationRules{
		MaximumDuration: Duration{seconds: int64(activation)}, RequireJustification: bit(3), RequireMFA: mfa,
		RequireTicketInfo: ticket, ConditionalAccessContext: authContext,
	}
	p.EligibleAssignment = Expiry{ExpirationRequired: bit(4), MaximumDuration: Duration{seconds: int64(eligible)}}
	p.ActiveAssignment = ActiveAssignmentRules{
		Expiry:               Expiry{ExpirationRequired: bit(5), MaximumDuration: Duration{seconds: int64(active)}},
		RequireJustification: bit(6), RequireMFA: bit(7),
	}
	n := Notification{Level: NotificationLevels[int(level)%len(NotificationLevels)], DefaultRecipients: bit(8)}
	if recipients != "" {
		n.AdditionalRecipients = strings.Split(recipients, ",")
	}
	events := []*NotificationEvent{&p.Notifications.EligibleAssignment, &p.Notifications.ActiveAssignment, &p.Notifications.Activation}
	ev := events[int(flags>>9)%len(events)]
	switch (flags >> 11) % 3 {
	case 0:
		ev.Admin = n
	case 1:
		ev.Requestor = n
	default:
		ev.Approver = n
	}
	return p
}
