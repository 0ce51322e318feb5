package pim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// PolicyState is a group's policy as Graph has it at one moment. PolicyID is only good until the group
// is onboarded to PIM or the policy changes; look the policy up again rather than keeping it.
type PolicyState struct {
	Key          PolicyKey
	PolicyID     string
	AssignmentID string
	Rules        Rules
}

// ErrPolicyNotFound is wrapped when no policy assignment matches the group and access ID, typically
// because the group does not exist (or is not yet visible).
var ErrPolicyNotFound = errors.New("no PIM policy found for the group")

// PolicyWriteRounds bounds how many times a rule that did not persist is written again before the write
// is reported as failed (azuread #1517, msgraph #75 and azurerm#28913 report first writes that did not
// stick), in both PIM APIs.
const PolicyWriteRounds = 3

// ReadPolicy looks the policy up by group, scope type and access ID in one request
// (roleManagementPolicyAssignments with the policy and its rules expanded) and insists on exactly one
// match for exactly that group and access ID (azuread #1491 updated the owner policy instead of member).
func ReadPolicy(ctx context.Context, c *clients.Client, key PolicyKey) (PolicyState, error) {
	filter := fmt.Sprintf("scopeId eq '%s' and scopeType eq 'Group' and roleDefinitionId eq '%s'", key.GroupID, key.AccessID)
	resp, err := clients.Graph(c).Policies().RoleManagementPolicyAssignments().Get(ctx, &policies.RoleManagementPolicyAssignmentsRequestBuilderGetRequestConfiguration{
		QueryParameters: &policies.RoleManagementPolicyAssignmentsRequestBuilderGetQueryParameters{
			Filter: &filter,
			Expand: []string{"policy($expand=rules)"},
		},
	})
	if err != nil {
		return PolicyState{}, fmt.Errorf("looking up the %s policy of group %s: %w", key.AccessID, key.GroupID, err)
	}
	var matches []models.UnifiedRoleManagementPolicyAssignmentable
	for _, a := range resp.GetValue() {
		if a == nil {
			continue
		}
		if SameObjectID(deref(a.GetScopeId()), key.GroupID) && strings.EqualFold(deref(a.GetScopeType()), "Group") &&
			strings.EqualFold(deref(a.GetRoleDefinitionId()), string(key.AccessID)) {
			matches = append(matches, a)
		}
	}
	switch {
	case len(matches) == 0:
		return PolicyState{}, fmt.Errorf("%w: Graph lists no %s policy assignment for group %s (does the group exist?)", ErrPolicyNotFound, key.AccessID, key.GroupID)
	case len(matches) > 1:
		return PolicyState{}, fmt.Errorf("found %d %s policy assignments for group %s in Graph where exactly one is expected; refusing to guess which one governs the group", len(matches), key.AccessID, key.GroupID)
	}
	a := matches[0]
	pol := a.GetPolicy()
	if pol == nil || len(pol.GetRules()) == 0 {
		return PolicyState{}, fmt.Errorf("the %s policy assignment of group %s came back without its policy rules", key.AccessID, key.GroupID)
	}
	rules, err := RulesFromGraph(pol.GetRules())
	if err != nil {
		return PolicyState{}, fmt.Errorf("reading the %s policy of group %s: %w", key.AccessID, key.GroupID, err)
	}
	policyID := deref(a.GetPolicyId())
	if policyID == "" {
		policyID = deref(pol.GetId())
	}
	return PolicyState{Key: key, PolicyID: policyID, AssignmentID: deref(a.GetId()), Rules: rules}, nil
}

// RulesNotPersistedError reports rules that still differ from what was written after every retry.
type RulesNotPersistedError struct {
	Key   PolicyKey
	Rules []RuleID
}

func (e *RulesNotPersistedError) Error() string {
	ids := make([]string, len(e.Rules))
	for i, r := range e.Rules {
		ids[i] = string(r)
	}
	return fmt.Sprintf("the %s policy of group %s was written but these rules do not read back as written after %d attempts: %s",
		e.Key.AccessID, e.Key.GroupID, PolicyWriteRounds, strings.Join(ids, ", "))
}

// RuleWriteError is a PATCH of one rule that Graph refused.
type RuleWriteError struct {
	Rule RuleID
	Err  error
}

func (e *RuleWriteError) Error() string {
	return fmt.Sprintf("writing policy rule %s: %v", e.Rule, e.Err)
}
func (e *RuleWriteError) Unwrap() error { return e.Err }

// ApplyPolicy makes the group's policy say desired: it writes each managed rule that differs (one PATCH
// per rule, full rule body), then reads the policy back until every rule reads as written. Rules that do
// not persist are written again, a bounded number of times, and then reported as a RulesNotPersistedError
// rather than left as silent drift. It returns the policy as finally read and the rules it wrote.
func ApplyPolicy(ctx context.Context, c *clients.Client, key PolicyKey, desired Policy) (PolicyState, []RuleID, error) {
	state, written, notPersisted, err := ApplyRules(ctx, c, desired, policyVerifyWindow(c.Consistency),
		func(ctx context.Context) (PolicyState, error) { return ReadPolicy(ctx, c, key) },
		func(s PolicyState) Rules { return s.Rules },
		func(ctx context.Context, s PolicyState, ids []RuleID) (PolicyState, error) {
			return policyPatchRules(ctx, c, s, desired, ids)
		})
	if err == nil && len(notPersisted) > 0 {
		err = &RulesNotPersistedError{Key: key, Rules: notPersisted}
	}
	return state, written, err
}

// ApplyRules is the write loop of ApplyPolicy, for either PIM API: it reads the policy (read; rulesOf
// gives its rules), writes the rules that differ from desired (write, which returns the state to go on
// with), then reads the policy back until every rule reads as written, and writes again what did not
// persist, for PolicyWriteRounds rounds. Reads can come from replicas that have not seen the write: a
// rule only failed to persist when it still differs after the wait, bounded by window (0: the client's
// consistency timeout). It returns the state last read, the rules written, and the rules that still
// differ after the last round (none when the policy says desired).
func ApplyRules[S any](ctx context.Context, c *clients.Client, desired Policy, window time.Duration,
	read func(context.Context) (S, error), rulesOf func(S) Rules, write func(context.Context, S, []RuleID) (S, error)) (state S, written, notPersisted []RuleID, err error) {
	if state, err = read(ctx); err != nil {
		return state, nil, nil, err
	}
	pending := rulesOf(state).Differing(desired)
	for round := 0; len(pending) > 0; round++ {
		if round == PolicyWriteRounds {
			return state, written, pending, nil
		}
		if state, err = write(ctx, state, pending); err != nil {
			return state, written, nil, err
		}
		written = policyAppendNew(written, pending)
		opts := c.Consistency
		if window > 0 {
			opts.Timeout = window
		}
		// The window bounds the polling, not a read in flight: a read throttled near the window's end must
		// still be able to wait out its Retry-After (on the operation's context) instead of failing the
		// whole write.
		err = clients.WaitConsistent(ctx, opts, func(context.Context) (bool, error) {
			s, err := read(ctx)
			if err != nil {
				return false, err
			}
			state, pending = s, rulesOf(s).Differing(desired)
			return len(pending) == 0, nil
		})
		if err != nil && (!errors.Is(err, clients.ErrNotConsistent) || ctx.Err() != nil) {
			return state, written, nil, err
		}
	}
	return state, written, nil, nil
}

// policyVerifyWindow is how long a written policy may take to read back as written: long enough for
// the configured number of consistent reads, short enough that a rule Graph dropped is rewritten soon.
func policyVerifyWindow(o clients.ConsistencyOptions) time.Duration {
	d := clients.DefaultConsistencyOptions()
	if o.Successes < 1 {
		o.Successes = d.Successes
	}
	if o.Interval <= 0 {
		o.Interval = d.Interval
	}
	return time.Duration(o.Successes+5) * o.Interval
}

// policyPatchRules PATCHes each rule of ids. The first write to a group that is not yet onboarded to PIM
// onboards it and changes the policy ID, so a 404 on a later rule means "look the policy up again".
func policyPatchRules(ctx context.Context, c *clients.Client, state PolicyState, desired Policy, ids []RuleID) (PolicyState, error) {
	for _, id := range ids {
		body, err := RuleModel(desired, id)
		if err != nil {
			return state, err
		}
		for attempt := 0; ; attempt++ {
			_, err = clients.Graph(c).Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(state.PolicyID).
				Rules().ByUnifiedRoleManagementPolicyRuleId(string(id)).Patch(ctx, body, nil)
			if err == nil {
				break
			}
			if !clients.IsNotFound(err) || attempt == 2 {
				return state, &RuleWriteError{Rule: id, Err: err}
			}
			fresh, rerr := ReadPolicy(ctx, c, state.Key)
			if rerr != nil {
				return state, rerr
			}
			state = fresh
			// The body is rebuilt because the backing store marks a serialised model as unchanged.
			if body, err = RuleModel(desired, id); err != nil {
				return state, err
			}
		}
	}
	return state, nil
}

func policyAppendNew(to, ids []RuleID) []RuleID {
	for _, id := range ids {
		found := false
		for _, t := range to {
			found = found || t == id
		}
		if !found {
			to = append(to, id)
		}
	}
	return to
}

// ResetPolicy writes Azure's defaults back into the rules aks_pim_approval_policy manages: what destroy
// does, since a group's policy cannot be deleted.
func ResetPolicy(ctx context.Context, c *clients.Client, key PolicyKey) (PolicyState, []RuleID, error) {
	return ApplyPolicy(ctx, c, key, DefaultPolicy())
}

// ApproverGroupMembers reads the direct members of each approver group (one request a group; a group
// that no longer exists is skipped): who can approve through it, for the self-approval checks.
func ApproverGroupMembers(ctx context.Context, c *clients.Client, groupIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, g := range groupIDs {
		members, err := clients.Graph(c).Groups().ByGroupId(g).Members().Get(ctx, &groups.ItemMembersRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemMembersRequestBuilderGetQueryParameters{Select: []string{"id"}},
		})
		if err != nil {
			if clients.IsNotFound(err) {
				continue
			}
			return out, fmt.Errorf("listing the members of approver group %s: %w", g, err)
		}
		for _, m := range members.GetValue() {
			if id := deref(m.GetId()); id != "" {
				out[g] = append(out[g], id)
			}
		}
	}
	return out, nil
}

// PolicyDirectoryContext gathers what PolicyContext needs to warn about self-approval: the principals
// eligible for the group under key.AccessID and the direct members of each approver group. It costs one
// request plus one per approver group, so callers use it only when the approvers change.
func PolicyDirectoryContext(ctx context.Context, c *clients.Client, key PolicyKey, p Policy) (PolicyContext, error) {
	pc := PolicyContext{GovernedGroupID: key.GroupID}
	if !p.Approval.Required {
		return pc, nil
	}
	filter := fmt.Sprintf("groupId eq '%s' and accessId eq '%s'", key.GroupID, key.AccessID)
	scheds, err := clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group().EligibilitySchedules().Get(ctx,
		&identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetQueryParameters{Filter: &filter},
		})
	if err != nil {
		return pc, fmt.Errorf("listing the eligibilities of group %s: %w", key.GroupID, err)
	}
	for _, s := range scheds.GetValue() {
		if id := deref(s.GetPrincipalId()); id != "" {
			pc.EligiblePrincipals = append(pc.EligiblePrincipals, id)
		}
	}
	if len(pc.EligiblePrincipals) == 0 {
		return pc, nil
	}
	members, err := ApproverGroupMembers(ctx, c, p.Approval.ApproverGroups)
	if err != nil {
		return pc, err
	}
	pc.ApproverGroupMembers = members
	return pc, nil
}
