package pim

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// A group's members include principals whose membership is a PIM activation or a time-bound PIM
// assignment; the provider tells them from direct members with the PIM assignment instances
// (assignmentScheduleInstances), which must be listed with a groupId or principalId filter
// (azure-api-contract.md §4.7). Per group that is one more operation on every group read; shared, one
// list per member principal serves every group a provider instance reads, since the same few
// principals (a team's users, an admin group) are members of many groups.

// sharedInstancesMaxMembers bounds the members a group may have to be classified from per-principal
// lists: beyond it, the group's own list is one request where the principals' could be many.
const sharedInstancesMaxMembers = 4

func instancesRequest(ctx context.Context, c *clients.Client, filter string) (*abstractions.RequestInformation, error) {
	return clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleInstances().ToGetRequestInformation(ctx,
		&identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesRequestBuilderGetQueryParameters{
				Filter: ptr(filter),
				Select: []string{"groupId", "principalId", "accessId", "assignmentType", "endDateTime"},
			}})
}

// timedInstance is what the classification needs of an assignment schedule instance.
type timedInstance struct {
	GroupID        string  `json:"groupId"`
	PrincipalID    string  `json:"principalId"`
	AccessID       string  `json:"accessId"`
	AssignmentType string  `json:"assignmentType"`
	EndDateTime    *string `json:"endDateTime"`
}

// timed: a membership (not ownership) by PIM activation or time-bound assignment.
func (i timedInstance) timed() bool {
	return strings.EqualFold(i.AccessID, string(AccessMember)) &&
		(strings.EqualFold(i.AssignmentType, "activated") || (i.EndDateTime != nil && *i.EndDateTime != ""))
}

// instancesAll decodes an instances list answered in a batch and follows its @odata.nextLink pages.
func instancesAll(ctx context.Context, c *clients.Client, r clients.BatchResult) ([]timedInstance, error) {
	if r.Err != nil {
		return nil, r.Err
	}
	body := []byte(r.Body)
	var all []timedInstance
	for {
		var doc struct {
			Value    []timedInstance `json:"value"`
			NextLink string          `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			return nil, err
		}
		all = append(all, doc.Value...)
		if doc.NextLink == "" {
			return all, nil
		}
		ri, err := clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleInstances().WithUrl(doc.NextLink).ToGetRequestInformation(ctx, nil)
		if err != nil {
			return nil, err
		}
		if body, err = c.GraphSendRaw(ctx, ri); err != nil {
			return nil, err
		}
	}
}

// groupTimedFromResult returns the principals (lower-cased) whose membership of groupID is timed, from
// the group's own instances list.
func groupTimedFromResult(ctx context.Context, c *clients.Client, groupID string, r clients.BatchResult) (map[string]bool, error) {
	all, err := instancesAll(ctx, c, r)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, i := range all {
		if i.timed() && (i.GroupID == "" || strings.EqualFold(i.GroupID, groupID)) {
			out[strings.ToLower(i.PrincipalID)] = true
		}
	}
	return out, nil
}

// groupTimedShared classifies the members of groupID with the per-principal lists this provider instance
// shares, when every member is a known one and they are few; otherwise with the group's own list. A
// member the caller did not know (a new member: drift to report, or an activation) is always checked
// against a list read after the members were, so an activation is never reported as a direct member.
// Known members of a group without PIM assignments (unassigned: not onboarded) need no list at all.
func groupTimedShared(ctx context.Context, c *clients.Client, groupID string, members, known []string, unassigned bool) (map[string]bool, error) {
	knownSet := memberSet(known)
	allKnown := true
	for _, m := range members {
		if _, ok := knownSet[strings.ToLower(m)]; !ok {
			allKnown = false
		}
	}
	if allKnown && unassigned {
		return nil, nil
	}
	if !allKnown || len(members) > sharedInstancesMaxMembers {
		ri, err := instancesRequest(ctx, c, groupFilterEq("groupId", groupID))
		if err != nil {
			return nil, err
		}
		res, err := c.BatchRead(ctx, []*abstractions.RequestInformation{ri})
		if err != nil {
			return nil, err
		}
		return groupTimedFromResult(ctx, c, groupID, res[0])
	}
	lists := clients.PerInstance(c, principalTimedKey{}, func() *principalTimed { return &principalTimed{} })
	out := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for _, m := range members {
		wg.Go(func() {
			groups, err := lists.of(ctx, c, m)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = err
				return
			}
			if groups[strings.ToLower(groupID)] {
				out[strings.ToLower(m)] = true
			}
		})
	}
	wg.Wait()
	return out, firstErr
}

// principalTimed are the shared per-principal lists: for each principal, the groups (lower-cased) it is
// a timed member of.
type principalTimed struct {
	memo clients.Memo[timedGroups]
}

type principalTimedKey struct{}

type timedGroups struct {
	groups map[string]bool
	at     time.Time
}

// of returns the groups principal is a timed member of, listing its instances once per provider
// instance (and again after clients.SharedListMaxAge).
func (p *principalTimed) of(ctx context.Context, c *clients.Client, principal string) (map[string]bool, error) {
	key := strings.ToLower(principal)
	if v, ok := p.memo.Known(key); ok && time.Since(v.at) > clients.SharedListMaxAge {
		p.memo.Forget(key)
	}
	v, err := p.memo.Get(ctx, key, func(ctx context.Context) (timedGroups, error) {
		at := time.Now()
		ri, err := instancesRequest(ctx, c, groupFilterEq("principalId", principal))
		if err != nil {
			return timedGroups{}, err
		}
		res, err := c.BatchRead(ctx, []*abstractions.RequestInformation{ri})
		if err != nil {
			return timedGroups{}, err
		}
		all, err := instancesAll(ctx, c, res[0])
		if err != nil {
			return timedGroups{}, err
		}
		out := timedGroups{groups: map[string]bool{}, at: at}
		for _, i := range all {
			if i.timed() && strings.EqualFold(i.PrincipalID, principal) {
				out.groups[strings.ToLower(i.GroupID)] = true
			}
		}
		return out, nil
	})
	return v.groups, err
}

// ForgetTimedMemberships drops the shared list of a principal whose PIM assignments this provider
// instance has just changed (an activation), so that later group reads list them again.
func ForgetTimedMemberships(c *clients.Client, principal string) {
	clients.PerInstance(c, principalTimedKey{}, func() *principalTimed { return &principalTimed{} }).memo.Forget(strings.ToLower(principal))
}
