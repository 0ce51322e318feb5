package pim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// ErrGroupNotFound: the group does not exist (deleted out of band, or never created).
var ErrGroupNotFound = errors.New("group not found")

// groupSelect are the group properties the provider reads.
var groupSelect = []string{"id", "displayName", "description", "mailNickname", "isAssignableToRole", "securityEnabled", "mailEnabled", "groupTypes"}

// groupPageSize is the largest page Graph serves for directory collections.
const groupPageSize = int32(999)

// groupSmallPage is the page size of a member list expected to be short: Graph charges one resource unit
// less for $top below 20 (limits-and-consistency.md §1.2), so a group of a few members costs 1 RU
// instead of 2; a longer list costs a request per page.
const groupSmallPage = int32(19)

// GroupReadOptions choose what ReadGroup asks Graph for. Each part is one Graph operation (one $batch
// item), and a part is only sent when something needs it:
//
//   - the group itself (display name, description, mail nickname, role-assignable): always;
//   - its owners: always;
//   - its direct members (WithMembers), and the PIM assignment instances that tell members activated
//     through PIM from direct ones: per group, or shared per member principal (SharedInstances), and only
//     when the group has members;
//   - PIM onboarding: per Onboarding, nothing to three operations.
type GroupReadOptions struct {
	// WithMembers also reads the direct members, leaving out principals whose membership comes from a
	// PIM activation or a time-bound PIM assignment (those are not configuration).
	WithMembers bool
	// KnownMembers are the members the caller already knew as direct (the state). They pick the page
	// size of the member list, and with SharedInstances only these may be classified from a shared list.
	KnownMembers []string
	// SharedInstances: with the client's SharedReads, the PIM instances of known members come from one
	// list per principal shared by every group this provider instance reads (refresh); a member not in
	// KnownMembers is still checked against the group's own instances. Without it (writes) the group's
	// instances are read in the same $batch as its members.
	SharedInstances bool
	// Onboarding says what to find out about PIM onboarding.
	Onboarding OnboardingCheck
	// PolicyBaseline are the IDs of the group's PIM policies seen while it was not onboarded (PolicyIDs
	// of an earlier read): onboarding changes them, so with a baseline one request tells.
	PolicyBaseline []string
}

// GroupRead is a Group plus what the read could not find out.
type GroupRead struct {
	Group
	// PolicyIDs are the group's PIM policy IDs as the onboarding check read them (sorted): the baseline
	// to keep while the group is not onboarded.
	PolicyIDs []string
	// ProbeErr is set when the onboarding check failed (typically a missing PIM read permission);
	// PIMOnboarded is then only what was known before.
	ProbeErr error
	// MembersErr is set when the PIM instances could not be read (typically a missing permission):
	// Members may then include principals whose membership is a PIM activation.
	MembersErr error
}

// groupReadPlan is the request of each part of a group read, by its index in the $batch (-1: not sent).
type groupReadPlan struct {
	reqs                              []*abstractions.RequestInformation
	group, owners, members, instances int
	onboarding                        onboardingParts
}

// add returns a function that appends a built request and returns its index; a request that could not
// be built ends the plan with that error, named as what.
func (p *groupReadPlan) add(what string) func(*abstractions.RequestInformation, error) (int, error) {
	return func(ri *abstractions.RequestInformation, err error) (int, error) {
		if err != nil {
			return -1, fmt.Errorf("building the request for the %s: %w", what, err)
		}
		p.reqs = append(p.reqs, ri)
		return len(p.reqs) - 1, nil
	}
}

// ReadGroup reads a group and the parts opts asks for in one Graph $batch (shared with other reads when
// the client's SharedReads is on); collections longer than a page cost one more request per page, and
// the members' PIM instances may need a second round (SharedInstances). A missing group is
// ErrGroupNotFound.
func ReadGroup(ctx context.Context, c *clients.Client, id string, opts GroupReadOptions) (*GroupRead, error) {
	plan, err := planGroupRead(ctx, c, id, opts)
	if err != nil {
		return nil, err
	}
	results, err := c.BatchRead(ctx, plan.reqs)
	if err != nil {
		return nil, err
	}
	if err := results[plan.group].Err; err != nil {
		if clients.IsNotFound(err) {
			return nil, fmt.Errorf("%w: %s", ErrGroupNotFound, id)
		}
		return nil, err
	}
	mg, err := clients.DecodeBatch[models.Groupable](results[plan.group], models.CreateGroupFromDiscriminatorValue)
	if err != nil {
		return nil, fmt.Errorf("decoding group %s: %w", id, err)
	}
	out := &GroupRead{Group: groupFromModel(mg)}
	if out.ID == "" {
		out.ID = id
	}
	gb := clients.Graph(c).Groups().ByGroupId(id)
	if out.Owners, err = groupCollectIDs(ctx, results[plan.owners], func(ctx context.Context, next string) (models.DirectoryObjectCollectionResponseable, error) {
		return gb.Owners().WithUrl(next).Get(ctx, nil)
	}); err != nil {
		if clients.IsNotFound(err) {
			// The parts of a $batch are answered separately (and retried separately after a 429): the owners
			// can come from a replica that does not have a group created moments ago yet.
			return nil, fmt.Errorf("%w: %s (its owners: %v)", ErrGroupNotFound, id, err)
		}
		return nil, fmt.Errorf("reading the owners of group %s: %w", id, err)
	}
	groupReadOnboarding(plan.onboarding, results, opts, out)
	if opts.WithMembers {
		if err := groupReadMembers(ctx, c, id, opts, plan, results, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// planGroupRead builds the requests of a group read.
func planGroupRead(ctx context.Context, c *clients.Client, id string, opts GroupReadOptions) (*groupReadPlan, error) {
	gb := clients.Graph(c).Groups().ByGroupId(id)
	p := &groupReadPlan{members: -1, instances: -1}
	var err error
	if p.group, err = p.add("group")(gb.ToGetRequestInformation(ctx, &groups.GroupItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: groupSelect}})); err != nil {
		return nil, err
	}
	if p.owners, err = p.add("owners")(gb.Owners().ToGetRequestInformation(ctx, &groups.ItemOwnersRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemOwnersRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: ptr(groupPageSize)}})); err != nil {
		return nil, err
	}
	if opts.WithMembers {
		top := groupPageSize
		if opts.SharedInstances && len(opts.KnownMembers) < int(groupSmallPage)-4 {
			top = groupSmallPage
		}
		if p.members, err = p.add("members")(gb.Members().ToGetRequestInformation(ctx, &groups.ItemMembersRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemMembersRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: ptr(top)}})); err != nil {
			return nil, err
		}
		if !opts.SharedInstances || !c.SharedReads {
			ri, err := instancesRequest(ctx, c, groupFilterEq("groupId", id))
			if p.instances, err = p.add("PIM assignment instances")(ri, err); err != nil {
				return nil, err
			}
		}
	}
	if err := p.planOnboarding(ctx, c, id, opts); err != nil {
		return nil, err
	}
	return p, nil
}

// groupReadMembers fills out.Members: the direct members, without those whose membership is a PIM
// activation or time-bound assignment. When the PIM instances cannot be read, the members are reported
// as listed and MembersErr says why; the writes that remove members refuse to act on such a list.
func groupReadMembers(ctx context.Context, c *clients.Client, id string, opts GroupReadOptions, plan *groupReadPlan, results []clients.BatchResult, out *GroupRead) error {
	gb := clients.Graph(c).Groups().ByGroupId(id)
	members, err := groupCollectIDs(ctx, results[plan.members], func(ctx context.Context, next string) (models.DirectoryObjectCollectionResponseable, error) {
		return gb.Members().WithUrl(next).Get(ctx, nil)
	})
	if err != nil {
		if clients.IsNotFound(err) {
			return fmt.Errorf("%w: %s (its members: %v)", ErrGroupNotFound, id, err)
		}
		return fmt.Errorf("reading the members of group %s: %w", id, err)
	}
	var timed map[string]bool
	switch {
	case len(members) == 0:
	case plan.instances >= 0:
		timed, err = groupTimedFromResult(ctx, c, id, results[plan.instances])
	default:
		// PIM onboards a group at the first request it processes for it, so a group the same $batch found
		// not onboarded has no PIM assignments: its known members need no instances list.
		unassigned := plan.onboarding.policies >= 0 && out.ProbeErr == nil && !out.PIMOnboarded
		timed, err = groupTimedShared(ctx, c, id, members, opts.KnownMembers, unassigned)
	}
	if err != nil {
		out.MembersErr = clients.WithPermissionHint(fmt.Errorf("reading the PIM assignments of group %s (needed to tell activated members from direct ones): %w", id, err),
			"the Microsoft Graph application permission PrivilegedAssignmentSchedule.Read.AzureADGroup "+
				"(or PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup), which the provider needs to tell PIM-activated members from direct ones")
	}
	out.Members = slices.DeleteFunc(members, func(m string) bool { return timed[strings.ToLower(m)] })
	return nil
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
func groupCollectIDs(ctx context.Context, r clients.BatchResult, next objectPageReader) ([]string, error) {
	page, err := clients.DecodeBatch[models.DirectoryObjectCollectionResponseable](r, models.CreateDirectoryObjectCollectionResponseFromDiscriminatorValue)
	return objectIDs(ctx, page, err, next)
}

// objectPageReader reads the page of a directory-object collection at an @odata.nextLink.
type objectPageReader = func(ctx context.Context, link string) (models.DirectoryObjectCollectionResponseable, error)

// objectIDs returns the object IDs of a directory-object collection from page on (the answer to the
// first request, with its error), reading the pages after it with next.
func objectIDs(ctx context.Context, page models.DirectoryObjectCollectionResponseable, err error, next objectPageReader) ([]string, error) {
	objects, err := clients.GraphItems(ctx, page, err, next)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, o := range objects {
		if o != nil && o.GetId() != nil {
			ids = append(ids, *o.GetId())
		}
	}
	return ids, nil
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
