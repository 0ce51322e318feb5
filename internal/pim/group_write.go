package pim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// GroupRef names a group in errors.
type GroupRef struct {
	ID          string
	DisplayName string
}

// GroupExistsError: a group with the planned mailNickname already exists and cannot be adopted (it
// differs from the plan, or the caller does not own it).
type GroupExistsError struct {
	MailNickname string
	Groups       []GroupRef
}

func (e *GroupExistsError) Error() string {
	refs := make([]string, len(e.Groups))
	for i, g := range e.Groups {
		refs[i] = fmt.Sprintf("%s (%q)", g.ID, g.DisplayName)
	}
	return fmt.Sprintf("a group with mail nickname %q already exists: %s", e.MailNickname, strings.Join(refs, ", "))
}

// DuplicateGroupNameError: prevent_duplicate_names is set and groups with the display name exist.
type DuplicateGroupNameError struct {
	DisplayName string
	IDs         []string
}

func (e *DuplicateGroupNameError) Error() string {
	return fmt.Sprintf("a group named %q already exists: %s", e.DisplayName, strings.Join(e.IDs, ", "))
}

// GroupCreateUnknownError: the create request failed without a usable answer and no group with the
// mail nickname appeared afterwards. The group may or may not exist; a later create finds it by its
// mail nickname and adopts it instead of creating a second one.
type GroupCreateUnknownError struct {
	MailNickname string
	Waited       time.Duration
	Err          error
}

func (e *GroupCreateUnknownError) Error() string {
	return fmt.Sprintf("the request to create the group failed without an answer, and no group with mail nickname %q appeared within %s: %v",
		e.MailNickname, e.Waited.Round(time.Second), e.Err)
}

func (e *GroupCreateUnknownError) Unwrap() error { return e.Err }

// GroupCreateOptions tune CreateGroup.
type GroupCreateOptions struct {
	// PreventDuplicateNames fails the create when a group with the display name exists.
	PreventDuplicateNames bool
}

// CreateGroup creates a security group for PIM, or adopts the one an earlier create left behind.
//
// A create whose response was lost must not leave a duplicate: before POSTing, and after a POST that
// failed without an answer, the group is looked up by its mail nickname and adopted when it matches the
// spec and is owned by the caller (or by exactly the planned owners). A group with the nickname that
// does not match is a *GroupExistsError. Owners default to the caller. CreateGroup returns once the
// group is consistently readable; adopted tells whether an existing group was taken over.
func CreateGroup(ctx context.Context, c *clients.Client, spec GroupSpec, opts GroupCreateOptions) (g *GroupRead, adopted bool, err error) {
	if err := spec.Validate(); err != nil {
		return nil, false, err
	}
	caller, err := c.CallerObjectID(ctx)
	if err != nil {
		return nil, false, err
	}
	owners := spec.Owners
	if len(owners) == 0 {
		owners = []string{caller}
	}
	spec.Owners = owners
	nick := spec.Nickname()

	if id, err := groupFindAdoptable(ctx, c, spec, nick, caller); err != nil {
		return nil, false, err
	} else if id != "" {
		g, err := groupAdopt(ctx, c, id, spec)
		return g, true, err
	}
	if opts.PreventDuplicateNames {
		if err := groupCheckDuplicateName(ctx, c, spec.DisplayName); err != nil {
			return nil, false, err
		}
	}

	body := groupCreateBody(c, spec, nick, caller)
	var created models.Groupable
	for attempt := 1; ; attempt++ {
		created, err = clients.Graph(c).Groups().Post(ctx, body, nil)
		if err == nil {
			break
		}
		if ctx.Err() != nil && clients.StatusCode(err) == 0 {
			return groupFindAfterStop(ctx, c, spec, nick, caller, err)
		}
		if !groupOutcomeUnknown(ctx, err) {
			return nil, false, err
		}
		id, waited, ferr := groupFindAfterLostCreate(ctx, c, spec, nick, caller)
		if ferr != nil {
			return nil, false, ferr
		}
		if id != "" {
			g, err := groupAdopt(ctx, c, id, spec)
			return g, true, err
		}
		// Not visible after the replication window: the POST was not applied (a 503 from the gateway, a
		// connection refused), so sending it again cannot duplicate the group.
		if attempt >= groupCreateAttempts || ctx.Err() != nil {
			return nil, false, &GroupCreateUnknownError{MailNickname: nick, Waited: waited, Err: err}
		}
	}
	id := deref(created.GetId())
	if id == "" {
		return nil, false, errors.New("the group create response has no id")
	}
	// The other owners and the members are added now, through the same path as an update, which waits
	// for principals (and the group itself) created moments ago instead of failing the whole create on
	// one reference.
	partial := &GroupRead{Group: Group{ID: id}}
	if err := memberChange(ctx, c, id, RelOwners, groupWithout(owners, caller), nil); err != nil {
		return partial, false, err
	}
	if spec.ManageMembers {
		if err := memberChange(ctx, c, id, RelMembers, spec.Members, nil); err != nil {
			return partial, false, err
		}
	}
	if !groupContains(owners, caller) {
		if err := memberChange(ctx, c, id, RelOwners, nil, []string{caller}); err != nil {
			return partial, false, err
		}
	}
	g, err = groupWaitSettled(ctx, c, id, spec, nick, GroupReadOptions{Onboarding: OnboardingNew})
	if err != nil {
		return partial, false, err
	}
	return g, false, nil
}

// groupCreateBody is the POST /groups body: a security group, not mail-enabled, owned by the caller
// from the first moment (an ownerless group created by an app cannot be administered by it later, and
// the caller is the one principal certain to exist and be replicated).
func groupCreateBody(c *clients.Client, spec GroupSpec, nick, caller string) models.Groupable {
	body := models.NewGroup()
	body.SetDisplayName(ptr(spec.DisplayName))
	if spec.Description != "" {
		body.SetDescription(ptr(spec.Description))
	}
	body.SetMailEnabled(ptr(false))
	body.SetSecurityEnabled(ptr(true))
	body.SetMailNickname(ptr(nick))
	body.SetGroupTypes([]string{})
	if spec.AssignableToRole {
		body.SetIsAssignableToRole(ptr(true))
	}
	body.SetAdditionalData(map[string]any{"owners@odata.bind": []string{memberDirectoryObjectURL(c, caller)}})
	return body
}

func groupWithout(ids []string, id string) []string {
	return slices.DeleteFunc(slices.Clone(ids), func(x string) bool { return strings.EqualFold(x, id) })
}

// groupFindAfterStop handles a create cut off by Terraform (interrupt, or the create timeout) while the
// POST was in flight: the service may still create the group, and nothing would record it, so the next
// apply would find it only once replication caught up and create a duplicate before that. It looks for
// the group on a detached context bounded by the lost-create window (Terraform waits for in-flight
// operations on a graceful stop) and returns it as a partial result with the original error, so the group
// lands in state (tainted) instead of being orphaned.
func groupFindAfterStop(ctx context.Context, c *clients.Client, spec GroupSpec, nick, caller string, postErr error) (*GroupRead, bool, error) {
	lookup, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupLostCreateWindow(c))
	defer cancel()
	id, _, err := groupFindAfterLostCreate(lookup, c, spec, nick, caller)
	if err != nil || id == "" {
		return nil, false, postErr
	}
	return &GroupRead{Group: Group{ID: id}}, false, postErr
}

// groupOutcomeUnknown: the request may have been applied although no success came back (a transport
// failure, a dropped connection, a 5xx, or the deadline during the request).
func groupOutcomeUnknown(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false // handled by groupFindAfterStop
	}
	s := clients.StatusCode(err)
	return s == 0 || s >= 500
}

// groupCreateAttempts bounds the POSTs of one create whose earlier attempts failed without an answer
// and left no group behind.
const groupCreateAttempts = 3

// groupLostCreateWindow bounds the search for a group whose create response was lost: long enough for
// the directory to replicate it, short enough that a create that really failed is reported promptly.
func groupLostCreateWindow(c *clients.Client) time.Duration {
	return max(30*time.Second, 10*c.Consistency.Interval)
}

func groupFindAfterLostCreate(ctx context.Context, c *clients.Client, spec GroupSpec, nick, caller string) (string, time.Duration, error) {
	start := time.Now()
	window := groupLostCreateWindow(c)
	for {
		id, err := groupFindAdoptable(ctx, c, spec, nick, caller)
		if err != nil || id != "" {
			return id, time.Since(start), err
		}
		if time.Since(start)+c.Consistency.Interval > window {
			return "", time.Since(start), nil
		}
		t := time.NewTimer(c.Consistency.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", time.Since(start), nil
		case <-t.C:
		}
	}
}

// groupFindAdoptable returns the ID of the group with mail nickname nick that this create may adopt,
// "" when there is none, or a *GroupExistsError when groups with the nickname exist but none matches.
func groupFindAdoptable(ctx context.Context, c *clients.Client, spec GroupSpec, nick, caller string) (string, error) {
	resp, err := clients.Graph(c).Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{
			Filter: ptr(groupFilterEq("mailNickname", nick)),
			Select: groupSelect,
			Top:    ptr(groupPageSize),
		}})
	if err != nil {
		return "", fmt.Errorf("looking for an existing group with mail nickname %q: %w", nick, err)
	}
	var refs []GroupRef
	for _, m := range resp.GetValue() {
		g := groupFromModel(m)
		if g.ID == "" || !strings.EqualFold(g.MailNickname, nick) {
			continue
		}
		refs = append(refs, GroupRef{ID: g.ID, DisplayName: g.DisplayName})
		if !groupMatchesSpec(g, spec) {
			continue
		}
		owners, err := groupOwners(ctx, c, g.ID)
		if err != nil {
			return "", err
		}
		if groupContains(owners, caller) || groupSameSet(owners, spec.Owners) {
			return g.ID, nil
		}
	}
	if len(refs) > 0 {
		return "", &GroupExistsError{MailNickname: nick, Groups: refs}
	}
	return "", nil
}

// groupMatchesSpec: the existing group is what this create would have made.
func groupMatchesSpec(g Group, spec GroupSpec) bool {
	return g.DisplayName == spec.DisplayName &&
		g.Description == spec.Description &&
		g.SecurityEnabled && !g.MailEnabled && len(g.GroupTypes) == 0 &&
		g.AssignableToRole == spec.AssignableToRole
}

func groupOwners(ctx context.Context, c *clients.Client, id string) ([]string, error) {
	ob := clients.Graph(c).Groups().ByGroupId(id).Owners()
	resp, err := ob.Get(ctx, &groups.ItemOwnersRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemOwnersRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: ptr(groupPageSize)}})
	ids, err := objectIDs(ctx, resp, err, func(ctx context.Context, next string) (models.DirectoryObjectCollectionResponseable, error) {
		return ob.WithUrl(next).Get(ctx, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("reading the owners of group %s: %w", id, err)
	}
	return ids, nil
}

// groupAdopt brings an adopted group's owners and members to the spec, then reads it.
func groupAdopt(ctx context.Context, c *clients.Client, id string, spec GroupSpec) (*GroupRead, error) {
	if err := groupWaitReadable(ctx, c, id); err != nil {
		return nil, err
	}
	cur, err := ReadGroup(ctx, c, id, GroupReadOptions{WithMembers: spec.ManageMembers, Onboarding: OnboardingIgnore})
	if err != nil {
		return nil, err
	}
	if err := groupReconcile(ctx, c, cur, spec); err != nil {
		return &GroupRead{Group: Group{ID: id}}, err
	}
	// An adopted group may have been onboarded before: find out (three requests, once).
	g, err := groupWaitSettled(ctx, c, id, spec, spec.Nickname(), GroupReadOptions{Onboarding: OnboardingProbe})
	if err != nil {
		return &GroupRead{Group: Group{ID: id}}, err
	}
	return g, nil
}

func groupCheckDuplicateName(ctx context.Context, c *clients.Client, name string) error {
	resp, err := clients.Graph(c).Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{
			Filter: ptr(groupFilterEq("displayName", name)),
			Select: []string{"id", "displayName"},
			Top:    ptr(groupPageSize),
		}})
	if err != nil {
		return fmt.Errorf("checking for groups named %q: %w", name, err)
	}
	var ids []string
	for _, m := range resp.GetValue() {
		if m.GetId() != nil && deref(m.GetDisplayName()) == name {
			ids = append(ids, *m.GetId())
		}
	}
	if len(ids) > 0 {
		return &DuplicateGroupNameError{DisplayName: name, IDs: ids}
	}
	return nil
}

// groupWaitReadable waits until the group is consistently readable: reads served by replicas that have
// not seen the create would otherwise make the next refresh think it was deleted.
func groupWaitReadable(ctx context.Context, c *clients.Client, id string) error {
	if err := groupWaitFound(ctx, c, id, true); err != nil {
		return fmt.Errorf("waiting for group %s to become readable: %w", id, err)
	}
	return nil
}

// groupWaitFound waits until reads of the group consistently find it (found) or consistently answer 404.
func groupWaitFound(ctx context.Context, c *clients.Client, id string, found bool) error {
	gb := clients.Graph(c).Groups().ByGroupId(id)
	cfg := &groups.GroupItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: []string{"id"}}}
	return c.WaitConsistent(ctx, func(ctx context.Context) (bool, error) {
		_, err := gb.Get(ctx, cfg)
		if clients.IsNotFound(err) {
			return !found, nil
		}
		return err == nil && found, err
	})
}

// GroupUpdateOptions tune UpdateGroup's final read.
type GroupUpdateOptions struct {
	// Onboarding and PolicyBaseline are what the final read finds out about PIM onboarding (see
	// GroupReadOptions): OnboardingKnown when the caller knows the group is onboarded.
	Onboarding     OnboardingCheck
	PolicyBaseline []string
}

// UpdateGroup brings an existing group to the spec: display name, description and mail nickname
// (PATCH; an empty spec nickname leaves the group's as it is), owners
// (added before any is removed, so the group is never ownerless) and, when managed, direct members.
func UpdateGroup(ctx context.Context, c *clients.Client, id string, spec GroupSpec, opts GroupUpdateOptions) (*GroupRead, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if len(spec.Owners) == 0 {
		caller, err := c.CallerObjectID(ctx)
		if err != nil {
			return nil, err
		}
		spec.Owners = []string{caller}
	}
	cur, err := ReadGroup(ctx, c, id, GroupReadOptions{WithMembers: spec.ManageMembers, Onboarding: OnboardingIgnore})
	if err != nil {
		return nil, err
	}
	nick := spec.Nickname()
	if spec.MailNickname == "" {
		// Not managed: keep whatever the group has (it was derived from the name at create time).
		nick = cur.MailNickname
	}
	if cur.DisplayName != spec.DisplayName || cur.Description != spec.Description || cur.MailNickname != nick {
		patch := models.NewGroup()
		if cur.DisplayName != spec.DisplayName {
			patch.SetDisplayName(ptr(spec.DisplayName))
		}
		if cur.MailNickname != nick {
			patch.SetMailNickname(ptr(nick))
		}
		if cur.Description != spec.Description {
			if spec.Description == "" {
				// Graph clears a property only when it is sent as null.
				patch.SetAdditionalData(map[string]any{"description": nil})
			} else {
				patch.SetDescription(ptr(spec.Description))
			}
		}
		if _, err := clients.Graph(c).Groups().ByGroupId(id).Patch(ctx, patch, nil); err != nil {
			return nil, err
		}
	}
	if err := groupReconcile(ctx, c, cur, spec); err != nil {
		return nil, err
	}
	return groupWaitSettled(ctx, c, id, spec, nick, GroupReadOptions{Onboarding: opts.Onboarding, PolicyBaseline: opts.PolicyBaseline})
}

// groupReconcile applies the owner and member differences between cur and spec. A member is only
// removed when cur could tell direct members from PIM-activated ones: removing an activated member
// would end the activation.
func groupReconcile(ctx context.Context, c *clients.Client, cur *GroupRead, spec GroupSpec) error {
	add, remove := memberDiff(cur.Owners, spec.Owners)
	if err := memberChange(ctx, c, cur.ID, RelOwners, add, nil); err != nil {
		return err
	}
	if err := memberChange(ctx, c, cur.ID, RelOwners, nil, remove); err != nil {
		return err
	}
	if spec.ManageMembers {
		add, remove := memberDiff(cur.Members, spec.Members)
		if len(remove) > 0 && cur.MembersErr != nil {
			return cur.MembersErr
		}
		if err := memberChange(ctx, c, cur.ID, RelMembers, add, remove); err != nil {
			return err
		}
	}
	return nil
}

// DeleteGroup deletes a group (a missing one is fine) and waits until it is consistently gone.
// Security groups are deleted permanently, not soft-deleted.
func DeleteGroup(ctx context.Context, c *clients.Client, id string) error {
	if err := clients.Graph(c).Groups().ByGroupId(id).Delete(ctx, nil); err != nil && !clients.IsNotFound(err) {
		return err
	}
	if err := groupWaitFound(ctx, c, id, false); err != nil {
		return fmt.Errorf("waiting for group %s to disappear: %w", id, err)
	}
	return nil
}

// groupWaitSettled waits until reads consistently show the group as written: the directory replicates
// property and membership changes asynchronously, and a read that still shows the old values would be
// recorded in state as an inconsistent result or shown as drift on the next plan. onboarding says what
// the reads find out about PIM onboarding.
func groupWaitSettled(ctx context.Context, c *clients.Client, id string, spec GroupSpec, nick string, onboarding GroupReadOptions) (*GroupRead, error) {
	var last *GroupRead
	err := c.WaitConsistent(ctx, func(ctx context.Context) (bool, error) {
		// Members are always read: an unmanaged group still reports them.
		g, err := ReadGroup(ctx, c, id, GroupReadOptions{WithMembers: true, Onboarding: onboarding.Onboarding, PolicyBaseline: onboarding.PolicyBaseline})
		if errors.Is(err, ErrGroupNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		last = g
		return groupMatches(&g.Group, spec, nick), nil
	})
	if err != nil {
		return nil, fmt.Errorf("waiting for group %s to read back as written: %w", id, err)
	}
	return last, nil
}

// groupMatches: the group reads as the spec says (nick "" leaves the mail nickname out).
func groupMatches(g *Group, spec GroupSpec, nick string) bool {
	return g.DisplayName == spec.DisplayName && g.Description == spec.Description &&
		(nick == "" || strings.EqualFold(g.MailNickname, nick)) &&
		groupSameIDs(g.Owners, spec.Owners) &&
		(!spec.ManageMembers || groupSameIDs(g.Members, spec.Members))
}

func groupSameIDs(a, b []string) bool {
	add, remove := memberDiff(a, b)
	return len(add) == 0 && len(remove) == 0
}

func groupContains(ids []string, id string) bool {
	return slices.ContainsFunc(ids, func(x string) bool { return strings.EqualFold(x, id) })
}

func groupSameSet(a, b []string) bool {
	add, remove := memberDiff(a, b)
	return len(a) > 0 && len(add) == 0 && len(remove) == 0
}
