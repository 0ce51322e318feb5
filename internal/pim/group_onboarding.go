package pim

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// OnboardingCheck says what a group read finds out about PIM onboarding. There is no "is onboarded"
// property: PIM onboards a group at its first eligibility or assignment request or policy change, and
// at that moment the IDs of the group's policies change (azure-api-contract.md §4.1).
type OnboardingCheck int

const (
	// OnboardingProbe finds out. With a PolicyBaseline: one request, the group's policies, onboarded when
	// an ID differs from the baseline or a policy was modified. Without: three requests, any eligibility
	// request, any assignment request, or a modified policy (and the policy IDs become the baseline).
	OnboardingProbe OnboardingCheck = iota
	// OnboardingKnown: the group is onboarded (it cannot be undone); nothing is asked.
	OnboardingKnown
	// OnboardingIgnore: the caller does not need to know; nothing is asked and PIMOnboarded is false.
	OnboardingIgnore
	// OnboardingNew: the group was just created, so it is not onboarded; one request reads its policy IDs
	// as the baseline.
	OnboardingNew
)

// onboardingParts are the batch indexes of the onboarding requests (-1: not sent).
type onboardingParts struct {
	eligibilityRequests, assignmentRequests, policies int
}

// planOnboarding adds the onboarding requests opts asks for.
func (p *groupReadPlan) planOnboarding(ctx context.Context, c *clients.Client, id string, opts GroupReadOptions) error {
	p.onboarding = onboardingParts{-1, -1, -1}
	if opts.Onboarding == OnboardingKnown || opts.Onboarding == OnboardingIgnore {
		return nil
	}
	pag := clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group()
	var err error
	if opts.Onboarding == OnboardingProbe && len(opts.PolicyBaseline) == 0 {
		if p.onboarding.eligibilityRequests, err = p.add("eligibility requests")(pag.EligibilityScheduleRequests().ToGetRequestInformation(ctx,
			&identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetRequestConfiguration{
				QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetQueryParameters{
					Filter: ptr(groupFilterEq("groupId", id)), Select: []string{"id"}, Top: ptr(int32(1))}})); err != nil {
			return err
		}
		if p.onboarding.assignmentRequests, err = p.add("assignment requests")(pag.AssignmentScheduleRequests().ToGetRequestInformation(ctx,
			&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilderGetRequestConfiguration{
				QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilderGetQueryParameters{
					Filter: ptr(groupFilterEq("groupId", id)), Select: []string{"id"}, Top: ptr(int32(1))}})); err != nil {
			return err
		}
	}
	p.onboarding.policies, err = p.add("policies")(clients.Graph(c).Policies().RoleManagementPolicies().ToGetRequestInformation(ctx,
		&policies.RoleManagementPoliciesRequestBuilderGetRequestConfiguration{
			QueryParameters: &policies.RoleManagementPoliciesRequestBuilderGetQueryParameters{
				Filter: ptr(groupFilterEq("scopeId", id) + " and scopeType eq 'Group'"),
				Select: []string{"id", "lastModifiedDateTime"}}}))
	return err
}

// groupReadOnboarding decides PIMOnboarded from the onboarding answers.
func groupReadOnboarding(parts onboardingParts, results []clients.BatchResult, opts GroupReadOptions, out *GroupRead) {
	out.PIMOnboarded = opts.Onboarding == OnboardingKnown
	if parts.policies < 0 {
		return
	}
	for _, i := range []int{parts.eligibilityRequests, parts.assignmentRequests} {
		if i < 0 {
			continue
		}
		found, err := onboardingAnyRequest(results[i])
		if err != nil {
			out.ProbeErr = err
			continue
		}
		out.PIMOnboarded = out.PIMOnboarded || found
	}
	ids, modified, err := onboardingPolicies(results[parts.policies])
	if err != nil {
		out.ProbeErr = err
		return
	}
	out.PolicyIDs = ids
	changed := false
	if len(opts.PolicyBaseline) > 0 && len(ids) > 0 {
		changed = slices.ContainsFunc(ids, func(id string) bool {
			return !slices.ContainsFunc(opts.PolicyBaseline, func(b string) bool { return strings.EqualFold(b, id) })
		})
	}
	out.PIMOnboarded = out.PIMOnboarded || modified || changed
}

// onboardingAnyRequest: the list of a group's eligibility or assignment requests has an entry.
func onboardingAnyRequest(r clients.BatchResult) (bool, error) {
	if r.Err != nil {
		return false, r.Err
	}
	var doc struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		return false, err
	}
	return len(doc.Value) > 0, nil
}

// onboardingPolicies returns the group's policy IDs (sorted) and whether one of them has been modified.
func onboardingPolicies(r clients.BatchResult) (ids []string, modified bool, err error) {
	if r.Err != nil {
		return nil, false, r.Err
	}
	var doc struct {
		Value []struct {
			ID           string          `json:"id"`
			LastModified json.RawMessage `json:"lastModifiedDateTime"`
		} `json:"value"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		return nil, false, err
	}
	for _, v := range doc.Value {
		if v.ID != "" {
			ids = append(ids, v.ID)
		}
		if len(v.LastModified) > 0 && string(v.LastModified) != "null" {
			modified = true
		}
	}
	slices.Sort(ids)
	return ids, modified, nil
}
