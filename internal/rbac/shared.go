package rbac

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v6"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// Reads that share one list (issue 14). ARM charges every read against a bucket of 250 refilled at 25
// per second per subscription and principal (limits-and-consistency.md §2.1): a plan of 2,400 role
// bindings and 400 clusters read one by one is 2,800 reads, over 100 seconds of 429s. The subscription's
// role assignments (at most 4,000, §2.4) and its clusters are a few pages each, so with the client's
// SharedReads a provider instance lists them once and answers every later read from the list:
//
//   - the first sharedReadsAfter reads of a kind still go one by one, so a plan of a few resources costs
//     what it did;
//   - the lists belong to the provider instance, which lives for one Terraform command, and are listed
//     again after clients.SharedListMaxAge: never older than the run that reads them;
//   - a resource missing from a list is read on its own before it counts as deleted, and a role
//     assignment this instance wrote is always read on its own;
//   - a list that fails (a 403 for an identity whose role is scoped to resource groups, a 5xx) is not
//     tried again by this instance, and every read falls back to its own request, so the error a
//     resource reports is its own.

// sharedReadsAfter is how many reads of a kind go one by one before a list is worth it.
const sharedReadsAfter = 4

type sharedLists struct {
	assignmentReads atomic.Int64
	clusterReads    atomic.Int64
	assignments     listing[map[string]*armauthorization.RoleAssignment]    // by lower-case name (a GUID)
	clusters        listing[map[string]*armcontainerservice.ManagedCluster] // by lower-case cluster ID

	mu      sync.Mutex
	written map[string]bool // role assignment names this instance created, changed or deleted
}

type sharedListsKey struct{}

func sharedFor(c *clients.Client) *sharedLists {
	return clients.PerInstance(c, sharedListsKey{}, func() *sharedLists { return &sharedLists{written: map[string]bool{}} })
}

// markWritten records that this instance changed the assignment: its later reads bypass the list.
func markWritten(c *clients.Client, name string) {
	s := sharedFor(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.written[strings.ToLower(name)] = true
}

func (s *sharedLists) wasWritten(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written[strings.ToLower(name)]
}

// ReadAssignment is GetAssignment for refreshes: with SharedReads, answered from this instance's list of
// the subscription's role assignments (see above); otherwise, and whenever the list cannot answer, one
// GET of the assignment.
func ReadAssignment(ctx context.Context, c *clients.Client, id string) (*Assignment, error) {
	rid, err := ParseRoleAssignmentID(id)
	if err != nil || !c.SharedReads || !inSubscription(rid.Scope, c.SubscriptionID) {
		return GetAssignment(ctx, c, id)
	}
	s := sharedFor(c)
	if s.wasWritten(rid.Name) || s.assignmentReads.Add(1) <= sharedReadsAfter {
		return GetAssignment(ctx, c, id)
	}
	list, err := s.assignments.get(ctx, func(ctx context.Context) (map[string]*armauthorization.RoleAssignment, error) {
		all, err := clients.ARMItems(ctx, c.RoleAssignments.NewListForSubscriptionPager(nil),
			func(p armauthorization.RoleAssignmentsClientListForSubscriptionResponse) []*armauthorization.RoleAssignment {
				return p.Value
			})
		if err != nil {
			return nil, err
		}
		out := map[string]*armauthorization.RoleAssignment{}
		for _, ra := range all {
			if ra != nil && ra.Name != nil {
				out[strings.ToLower(*ra.Name)] = ra
			}
		}
		tflog.Debug(ctx, "listed the subscription's role assignments for the role bindings' reads", map[string]any{"assignments": len(out)})
		return out, nil
	})
	if err != nil {
		return GetAssignment(ctx, c, id)
	}
	ra, ok := list[strings.ToLower(rid.Name)]
	if !ok || ra.ID == nil {
		return GetAssignment(ctx, c, id) // missing from the list: its own read decides
	}
	a := assignmentFromARM(ra, rid)
	if !SameScope(a.Scope, rid.Scope) {
		return GetAssignment(ctx, c, id)
	}
	return a, nil
}

// sharedCluster answers a cluster read from this instance's list of the subscription's clusters, or
// reports that it cannot (then the caller reads the cluster on its own).
func sharedCluster(ctx context.Context, c *clients.Client, id ClusterID) (*armcontainerservice.ManagedCluster, bool) {
	if !c.SharedReads {
		return nil, false
	}
	s := sharedFor(c)
	if s.clusterReads.Add(1) <= sharedReadsAfter {
		return nil, false
	}
	list, err := s.clusters.get(ctx, func(ctx context.Context) (map[string]*armcontainerservice.ManagedCluster, error) {
		clusters, err := listClusters(ctx, c)
		if err != nil {
			return nil, err
		}
		out := map[string]*armcontainerservice.ManagedCluster{}
		for _, lc := range clusters {
			out[strings.ToLower(lc.id.String())] = lc.mc
		}
		return out, nil
	})
	if err != nil {
		return nil, false
	}
	mc, ok := list[strings.ToLower(id.String())]
	return mc, ok
}

func inSubscription(scope, subscriptionID string) bool {
	prefix := "/subscriptions/" + strings.ToLower(subscriptionID)
	s := strings.ToLower(scope)
	return s == prefix || strings.HasPrefix(s, prefix+"/")
}

// listing is a list loaded once by whichever caller comes first while the others wait, loaded again
// after clients.SharedListMaxAge, and given up for good (by this instance) once loading it fails for a
// reason other than the caller's own cancellation.
type listing[T any] struct {
	mu      sync.Mutex
	loading chan struct{}
	v       T
	at      time.Time
	failed  error
}

func (l *listing[T]) get(ctx context.Context, load func(context.Context) (T, error)) (T, error) {
	var zero T
	l.mu.Lock()
	for {
		switch {
		case l.failed != nil:
			err := l.failed
			l.mu.Unlock()
			return zero, err
		case l.loading != nil:
			ch := l.loading
			l.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return zero, ctx.Err()
			}
			l.mu.Lock()
			continue
		case !l.at.IsZero() && time.Since(l.at) <= clients.SharedListMaxAge:
			v := l.v
			l.mu.Unlock()
			return v, nil
		}
		break
	}
	ch := make(chan struct{})
	l.loading = ch
	l.mu.Unlock()
	v, err := load(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err == nil:
		l.v, l.at = v, time.Now()
	case !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded):
		l.failed = err
	}
	l.loading = nil
	close(ch)
	return v, err
}
