package armpim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// PolicyKey is what a PIM for Azure resources policy governs: one role at one scope.
type PolicyKey struct {
	Scope            string
	RoleDefinitionID string
}

// String is the import ID, {role_definition_id}|{scope} (azurerm's order for the same object).
func (k PolicyKey) String() string { return k.RoleDefinitionID + "|" + k.Scope }

// ParsePolicyKey parses {role_definition_id}|{scope}.
func ParsePolicyKey(s string) (PolicyKey, error) {
	role, scope, ok := strings.Cut(s, "|")
	if !ok {
		return PolicyKey{}, fmt.Errorf("%q is not {role_definition_id}|{scope}", s)
	}
	if _, err := rbac.RoleDefinitionGUID(role); err != nil {
		return PolicyKey{}, err
	}
	if _, err := rbac.NormalizeScope(scope); err != nil {
		return PolicyKey{}, err
	}
	return PolicyKey{Scope: scope, RoleDefinitionID: role}, nil
}

// PolicyState is a role's policy at a scope as ARM has it at one moment. PolicyID is the policy's
// resource ID; look it up again rather than keep it (ARM may rename a policy when it changes).
type PolicyState struct {
	Key      PolicyKey
	PolicyID string
	Rules    pim.Rules
}

// ErrPolicyNotFound is wrapped when ARM lists no policy for the role at the scope.
var ErrPolicyNotFound = errors.New("no PIM policy found for the role at the scope")

// RulesNotPersistedError reports rules that still differ from what was written after every retry.
type RulesNotPersistedError struct {
	Key   PolicyKey
	Rules []pim.RuleID
}

func (e *RulesNotPersistedError) Error() string {
	ids := make([]string, len(e.Rules))
	for i, r := range e.Rules {
		ids[i] = string(r)
	}
	return fmt.Sprintf("the policy of role %s at %s was written but these rules do not read back as written after %d attempts: %s",
		e.Key.RoleDefinitionID, e.Key.Scope, pim.PolicyWriteRounds, strings.Join(ids, ", "))
}

// ReadPolicy looks the policy up by role at the scope in one request: roleManagementPolicies with
// $filter=roleDefinitionId eq '{id}', which the PIM REST how-to and the azurerm provider use (the
// 2020-10-01 definitions declare no filter, so the SDK cannot send it) and which must answer exactly one.
func ReadPolicy(ctx context.Context, c *clients.Client, key PolicyKey) (PolicyState, error) {
	t, err := wireTarget(c, Target{Scope: key.Scope, RoleDefinitionID: key.RoleDefinitionID})
	if err != nil {
		return PolicyState{}, err
	}
	q := url.Values{"api-version": {"2020-10-01"}, "$filter": {"roleDefinitionId eq '" + t.RoleDefinitionID + "'"}}
	var list armauthorization.RoleManagementPolicyListResult
	if err := c.Schedules.Do(ctx, http.MethodGet, strings.TrimSuffix(t.Scope, "/")+authzInfix+"roleManagementPolicies", q, nil, &list); err != nil {
		if clients.IsNotFound(err) {
			return PolicyState{}, fmt.Errorf("%w: %w", ErrPolicyNotFound, err)
		}
		return PolicyState{}, fmt.Errorf("looking up the policy of role %s at %s: %w", key.RoleDefinitionID, key.Scope, err)
	}
	switch len(list.Value) {
	case 0:
		return PolicyState{}, fmt.Errorf("%w: ARM lists no policy of role %s at %s", ErrPolicyNotFound, key.RoleDefinitionID, key.Scope)
	case 1:
	default:
		return PolicyState{}, fmt.Errorf("ARM lists %d policies of role %s at %s where exactly one is expected; refusing to guess which one governs it",
			len(list.Value), key.RoleDefinitionID, key.Scope)
	}
	pol := list.Value[0]
	if pol.Properties == nil || len(pol.Properties.Rules) == 0 {
		return PolicyState{}, fmt.Errorf("the policy of role %s at %s came back without its rules", key.RoleDefinitionID, key.Scope)
	}
	rules, err := RulesFromARM(pol.Properties.Rules)
	if err != nil {
		return PolicyState{}, fmt.Errorf("reading the policy of role %s at %s: %w", key.RoleDefinitionID, key.Scope, err)
	}
	return PolicyState{Key: key, PolicyID: val(pol.ID), Rules: rules}, nil
}

// ApplyPolicy makes the policy say desired: it writes the managed rules that differ (one PATCH with their
// full bodies), then reads the policy back until every rule reads as written, writing again (a bounded
// number of times) what did not persist. It returns the policy as finally read and the rules written.
func ApplyPolicy(ctx context.Context, c *clients.Client, key PolicyKey, desired pim.Policy) (PolicyState, []pim.RuleID, error) {
	// The wait for the rules to read back as written is bounded by the client's consistency timeout.
	state, written, notPersisted, err := pim.ApplyRules(ctx, c, desired, 0,
		func(ctx context.Context) (PolicyState, error) { return ReadPolicy(ctx, c, key) },
		func(s PolicyState) pim.Rules { return s.Rules },
		func(ctx context.Context, s PolicyState, ids []pim.RuleID) (PolicyState, error) {
			return s, patchPolicy(ctx, c, s, desired, ids)
		})
	if err == nil && len(notPersisted) > 0 {
		err = &RulesNotPersistedError{Key: key, Rules: notPersisted}
	}
	return state, written, err
}

// RuleWriteError is ARM refusing a policy PATCH; Rules are the rules it carried.
type RuleWriteError struct {
	Rules []pim.RuleID
	Err   error
}

func (e *RuleWriteError) Error() string {
	return fmt.Sprintf("writing policy rules %v: %v", e.Rules, e.Err)
}
func (e *RuleWriteError) Unwrap() error { return e.Err }

func patchPolicy(ctx context.Context, c *clients.Client, state PolicyState, desired pim.Policy, ids []pim.RuleID) error {
	id, err := parsePolicyID(state.PolicyID)
	if err != nil {
		return err
	}
	rules := make([]armauthorization.RoleManagementPolicyRuleClassification, 0, len(ids))
	for _, rid := range ids {
		r, err := RuleToARM(desired, rid)
		if err != nil {
			return err
		}
		rules = append(rules, r)
	}
	_, err = c.Schedules.Policies.Update(ctx, id.scope, id.name, armauthorization.RoleManagementPolicy{
		Properties: &armauthorization.RoleManagementPolicyProperties{Rules: rules}}, nil)
	if err != nil {
		return &RuleWriteError{Rules: ids, Err: err}
	}
	return nil
}

type policyID struct{ scope, name string }

// parsePolicyID splits a policy's resource ID into scope and name.
func parsePolicyID(s string) (policyID, error) {
	infix := strings.ToLower(authzInfix + "roleManagementPolicies/")
	i := strings.LastIndex(strings.ToLower(s), infix)
	if i < 0 {
		return policyID{}, fmt.Errorf("%q is not a role management policy ID", s)
	}
	return policyID{scope: s[:i], name: s[i+len(infix):]}, nil
}

// ResetPolicy writes back the policy a role had before (before, as read when the resource took it over),
// or Azure's defaults as package pim knows them when there is no such record: a policy cannot be deleted.
func ResetPolicy(ctx context.Context, c *clients.Client, key PolicyKey, before *pim.Policy) (PolicyState, []pim.RuleID, error) {
	p := pim.DefaultPolicy()
	if before != nil {
		p = *before
	}
	return ApplyPolicy(ctx, c, key, p)
}

// PolicyDirectoryContext gathers what the self-approval check of a role's policy needs (pim.Policy's
// ApproverConflicts): the principals eligible for the role at exactly the key's scope, from one list of
// the scope's eligibility schedules (atScope(): the 2020-10-01 descriptions document no roleDefinitionId
// filter for schedules, so the role is matched here), and the members of p's approver groups when some
// principal is eligible. Callers use it only when the approvers change.
func PolicyDirectoryContext(ctx context.Context, c *clients.Client, key PolicyKey, p pim.Policy) (pim.PolicyContext, error) {
	var pc pim.PolicyContext
	if !p.Approval.Required {
		return pc, nil
	}
	t, err := wireTarget(c, Target{Scope: key.Scope, RoleDefinitionID: key.RoleDefinitionID})
	if err != nil {
		return pc, err
	}
	list, err := listSchedules(ctx, c, Eligible, t.Scope, "atScope()")
	if err != nil {
		return pc, fmt.Errorf("listing the eligibilities at %s: %w", key.Scope, err)
	}
	for _, s := range list {
		if rbac.SameScope(s.Scope, t.Scope) && rbac.SameRoleDefinition(s.RoleDefinitionID, t.RoleDefinitionID) && s.PrincipalID != "" {
			pc.EligiblePrincipals = append(pc.EligiblePrincipals, s.PrincipalID)
		}
	}
	if len(pc.EligiblePrincipals) == 0 {
		return pc, nil
	}
	pc.ApproverGroupMembers, err = pim.ApproverGroupMembers(ctx, c, p.Approval.ApproverGroups)
	return pc, err
}
