package pim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// ErrGroupNotFound: the group does not exist (deleted out of band, or never created).
var ErrGroupNotFound = errors.New("group not found")

// groupSelect are the group properties the provider reads.
var groupSelect = []string{"id", "displayName", "description", "mailNickname", "isAssignableToRole", "securityEnabled", "mailEnabled", "groupTypes"}

// groupPageSize is the largest page Graph serves for directory collections.
const groupPageSize = int32(999)

// GroupReadOptions choose what ReadGroup fetches besides the group and its owners.
type GroupReadOptions struct {
	// WithMembers also reads the direct members, leaving out principals whose membership comes from a
	// PIM activation or a time-bound PIM assignment (those are not configuration).
	WithMembers bool
	// KnownOnboarded skips the PIM onboarding probes: onboarding cannot be undone.
	KnownOnboarded bool
}

// GroupRead is a Group plus what the read could not find out.
type GroupRead struct {
	Group
	// ProbeErr is set when the PIM probes failed (typically a missing PIM read permission); PIMOnboarded
	// is then only what was known before.
	ProbeErr error
}

// ReadGroup reads a group, its owners, optionally its members, and whether PIM has onboarded it, in one
// Graph $batch request (one round trip however many parts are asked for; collections longer than a page
// cost one more request per page). A missing group is ErrGroupNotFound.
func ReadGroup(ctx context.Context, c *clients.Client, id string, opts GroupReadOptions) (*GroupRead, error) {
	gb := clients.Graph(c).Groups().ByGroupId(id)
	var reqs []*abstractions.RequestInformation
	add := func(ri *abstractions.RequestInformation, err error) int {
		if err == nil {
			reqs = append(reqs, ri)
		}
		return len(reqs) - 1
	}
	iGroup := add(gb.ToGetRequestInformation(ctx, &groups.GroupItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: groupSelect}}))
	iOwners := add(gb.Owners().ToGetRequestInformation(ctx, &groups.ItemOwnersRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemOwnersRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: ptr(groupPageSize)}}))
	iMembers, iInstances := -1, -1
	if opts.WithMembers {
		iMembers = add(gb.Members().ToGetRequestInformation(ctx, &groups.ItemMembersRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemMembersRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: ptr(groupPageSize)}}))
		iInstances = add(clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleInstances().ToGetRequestInformation(ctx,
			&identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesRequestBuilderGetRequestConfiguration{
				QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesRequestBuilderGetQueryParameters{
					Filter: ptr(groupFilterEq("groupId", id)),
				}}))
	}
	// The probes: eligibility requests, assignment requests, and the group's policies last.
	var probes []int
	if !opts.KnownOnboarded {
		probes = append(probes,
			add(clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group().EligibilityScheduleRequests().ToGetRequestInformation(ctx,
				&identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetRequestConfiguration{
					QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetQueryParameters{
						Filter: ptr(groupFilterEq("groupId", id)), Select: []string{"id"}, Top: ptr(int32(1))}})),
			add(clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests().ToGetRequestInformation(ctx,
				&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilderGetRequestConfiguration{
					QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilderGetQueryParameters{
						Filter: ptr(groupFilterEq("groupId", id)), Select: []string{"id"}, Top: ptr(int32(1))}})),
			add(clients.Graph(c).Policies().RoleManagementPolicies().ToGetRequestInformation(ctx,
				&policies.RoleManagementPoliciesRequestBuilderGetRequestConfiguration{
					QueryParameters: &policies.RoleManagementPoliciesRequestBuilderGetQueryParameters{
						Filter: ptr(groupFilterEq("scopeId", id) + " and scopeType eq 'Group'"),
						Select: []string{"id", "lastModifiedDateTime"}}})),
		)
	}
	wanted := 2 + len(probes)
	if opts.WithMembers {
		wanted += 2
	}
	if len(reqs) != wanted || slices.Contains(probes, -1) {
		return nil, fmt.Errorf("building the group read requests failed")
	}
	results, err := c.Batch(ctx, reqs)
	if err != nil {
		return nil, err
	}
	if err := results[iGroup].Err; err != nil {
		if clients.IsNotFound(err) {
			return nil, fmt.Errorf("%w: %s", ErrGroupNotFound, id)
		}
		return nil, err
	}
	mg, err := clients.DecodeBatch[models.Groupable](results[iGroup], models.CreateGroupFromDiscriminatorValue)
	if err != nil {
		return nil, fmt.Errorf("decoding group %s: %w", id, err)
	}
	out := &GroupRead{Group: groupFromModel(mg)}
	if out.ID == "" {
		out.ID = id
	}
	if out.Owners, err = groupCollectIDs(ctx, results[iOwners], func(next string) (models.DirectoryObjectCollectionResponseable, error) {
		return gb.Owners().WithUrl(next).Get(ctx, nil)
	}); err != nil {
		if clients.IsNotFound(err) {
			// The parts of a $batch are answered separately (and retried separately after a 429): the owners
			// can come from a replica that does not have a group created moments ago yet.
			return nil, fmt.Errorf("%w: %s (its owners: %v)", ErrGroupNotFound, id, err)
		}
		return nil, fmt.Errorf("reading the owners of group %s: %w", id, err)
	}
	if opts.WithMembers {
		members, err := groupCollectIDs(ctx, results[iMembers], func(next string) (models.DirectoryObjectCollectionResponseable, error) {
			return gb.Members().WithUrl(next).Get(ctx, nil)
		})
		if err != nil {
			if clients.IsNotFound(err) {
				return nil, fmt.Errorf("%w: %s (its members: %v)", ErrGroupNotFound, id, err)
			}
			return nil, fmt.Errorf("reading the members of group %s: %w", id, err)
		}
		// Without the instances the provider cannot tell activated members from configured ones;
		// reporting them as members would plan their removal, so the read fails instead.
		timed, err := groupTimedMembers(results[iInstances])
		if err != nil {
			err = clients.WithPermissionHint(err, "the Microsoft Graph application permission PrivilegedAssignmentSchedule.Read.AzureADGroup "+
				"(or PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup), which the provider needs to tell PIM-activated members from direct ones")
			return nil, fmt.Errorf("reading the PIM assignments of group %s (needed to tell activated members from direct ones): %w", id, err)
		}
		out.Members = slices.DeleteFunc(members, func(m string) bool { return timed[strings.ToLower(m)] })
	}
	out.PIMOnboarded = opts.KnownOnboarded
	for n, i := range probes {
		onboarded, err := groupProbeOnboarded(results[i], n == len(probes)-1)
		if err != nil {
			out.ProbeErr = err
			continue
		}
		out.PIMOnboarded = out.PIMOnboarded || onboarded
	}
	return out, nil
}

// groupFilterEq builds `name eq 'value'` with OData quoting.
func groupFilterEq(name, value string) string {
	return name + " eq '" + strings.ReplaceAll(value, "'", "''") + "'"
}

func groupFromModel(m models.Groupable) Group {
	g := Group{
		ID:               deref(m.GetId()),
		DisplayName:      deref(m.GetDisplayName()),
		Description:      deref(m.GetDescription()),
		MailNickname:     deref(m.GetMailNickname()),
		AssignableToRole: deref(m.GetIsAssignableToRole()),
		SecurityEnabled:  deref(m.GetSecurityEnabled()),
		MailEnabled:      deref(m.GetMailEnabled()),
		GroupTypes:       m.GetGroupTypes(),
	}
	return g
}

// groupCollectIDs returns the object IDs of a directory-object collection answered in a batch, following
// @odata.nextLink pages with direct requests.
func groupCollectIDs(ctx context.Context, r clients.BatchResult, next func(string) (models.DirectoryObjectCollectionResponseable, error)) ([]string, error) {
	page, err := clients.DecodeBatch[models.DirectoryObjectCollectionResponseable](r, models.CreateDirectoryObjectCollectionResponseFromDiscriminatorValue)
	if err != nil {
		return nil, err
	}
	var ids []string
	for page != nil {
		for _, o := range page.GetValue() {
			if o != nil && o.GetId() != nil {
				ids = append(ids, *o.GetId())
			}
		}
		link := page.GetOdataNextLink()
		if link == nil || *link == "" || ctx.Err() != nil {
			break
		}
		if page, err = next(*link); err != nil {
			return nil, err
		}
	}
	return ids, ctx.Err()
}

// groupTimedMembers returns the principals (lower-cased) whose group membership is a PIM activation or a
// time-bound PIM assignment, from an assignmentScheduleInstances list.
func groupTimedMembers(r clients.BatchResult) (map[string]bool, error) {
	if r.Err != nil {
		return nil, r.Err
	}
	var doc struct {
		Value []struct {
			PrincipalID    string  `json:"principalId"`
			AccessID       string  `json:"accessId"`
			AssignmentType string  `json:"assignmentType"`
			EndDateTime    *string `json:"endDateTime"`
		} `json:"value"`
		NextLink string `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, v := range doc.Value {
		if !strings.EqualFold(v.AccessID, string(AccessMember)) {
			continue
		}
		if strings.EqualFold(v.AssignmentType, "activated") || (v.EndDateTime != nil && *v.EndDateTime != "") {
			out[strings.ToLower(v.PrincipalID)] = true
		}
	}
	return out, nil
}

// groupProbeOnboarded reads one onboarding probe: any PIM request for the group, or a policy that has
// been modified, means PIM has onboarded it.
func groupProbeOnboarded(r clients.BatchResult, isPolicy bool) (bool, error) {
	if r.Err != nil {
		return false, r.Err
	}
	var doc struct {
		Value []map[string]json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		return false, err
	}
	for _, v := range doc.Value {
		// A request's existence is the signal; a policy counts once it has been modified.
		if lm := v["lastModifiedDateTime"]; !isPolicy || (len(lm) > 0 && string(lm) != "null") {
			return true, nil
		}
	}
	return false, nil
}

// ReadGroupCreatedAt reads a group this provider created at createdAt but never saw read back (the
// create was interrupted during its consistency wait). Until the directory has replicated it, a read may
// answer 404 for a group that exists; taking that as "deleted" would drop it from state and the next
// apply would create a duplicate. So within the lost-create window after createdAt a missing group is
// read again; after the window, ErrGroupNotFound means what it says.
func ReadGroupCreatedAt(ctx context.Context, c *clients.Client, id string, opts GroupReadOptions, createdAt time.Time) (*GroupRead, error) {
	var g *GroupRead
	notYet := func(err error) bool { return errors.Is(err, ErrGroupNotFound) }
	err := clients.RetryFor(ctx, time.Until(createdAt.Add(groupLostCreateWindow(c))), c.Consistency.Interval, notYet, func(ctx context.Context) error {
		var err error
		g, err = ReadGroup(ctx, c, id, opts)
		return err
	})
	return g, err
}
