package pim

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// Relationship is a group relationship the provider manages.
type Relationship string

const (
	RelOwners  Relationship = "owners"
	RelMembers Relationship = "members"
)

// MembershipError lists the principals whose relationship change failed.
type MembershipError struct {
	GroupID      string
	Relationship Relationship
	// Failures maps a principal ID to what went wrong for it.
	Failures map[string]error
}

func (e *MembershipError) Error() string {
	ids := make([]string, 0, len(e.Failures))
	for id := range e.Failures {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b strings.Builder
	fmt.Fprintf(&b, "changing the %s of group %s failed for %d principal(s):", e.Relationship, e.GroupID, len(ids))
	for _, id := range ids {
		fmt.Fprintf(&b, " %s (%s: %s);", id, clients.ErrorCode(e.Failures[id]), clients.ErrorMessage(e.Failures[id]))
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Unwrap returns the failures, so that clients.IsPermissionDenied and friends see through the error.
func (e *MembershipError) Unwrap() []error {
	out := make([]error, 0, len(e.Failures))
	for _, err := range e.Failures {
		out = append(out, err)
	}
	return out
}

// ChangeMembers adds and removes members of a group outside any group spec: what a person does in the
// portal, for test harnesses acting it out. Retried changes converge, as for memberChange.
func ChangeMembers(ctx context.Context, c *clients.Client, groupID string, add, remove []string) error {
	return memberChange(ctx, c, groupID, RelMembers, add, remove)
}

// memberChange adds and removes principals in one relationship of a group, through $batch (20 changes
// per round trip). Adding an existing principal and removing an absent one count as done, so a retried
// change converges. A 404 on an add usually means the principal (or the group) was created moments ago
// and has not replicated yet: such adds are retried for the client's PrincipalNotFoundTimeout.
func memberChange(ctx context.Context, c *clients.Client, groupID string, rel Relationship, add, remove []string) error {
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	gb := clients.Graph(c).Groups().ByGroupId(groupID)
	type change struct {
		id  string
		add bool
	}
	var pending []change
	for _, id := range add {
		pending = append(pending, change{id: id, add: true})
	}
	for _, id := range remove {
		pending = append(pending, change{id: id})
	}
	failures := map[string]error{}
	deadline := time.Now().Add(c.PrincipalNotFoundTimeout)
	for round := 0; len(pending) > 0; round++ {
		if round > 0 {
			t := time.NewTimer(c.Consistency.Interval)
			select {
			case <-ctx.Done():
				t.Stop()
				for _, ch := range pending {
					failures[ch.id] = ctx.Err()
				}
				return &MembershipError{GroupID: groupID, Relationship: rel, Failures: failures}
			case <-t.C:
			}
		}
		reqs := make([]*abstractions.RequestInformation, 0, len(pending))
		for _, ch := range pending {
			ri, err := memberRequest(ctx, c, gb, rel, ch.id, ch.add)
			if err != nil {
				return err
			}
			reqs = append(reqs, ri)
		}
		// Resending a change that took effect is harmless: a second add answers "already exists" and a
		// second remove 404, both handled below, so the retry policy may resend after a 5xx.
		results, err := c.Batch(clients.WithIdempotentPOST(ctx), reqs)
		if err != nil {
			return err
		}
		var again []change
		for i, ch := range pending {
			err := results[i].Err
			switch {
			case err == nil:
			case ch.add && clients.IsConflict(err):
				// Already there: a retried or adopted change.
			case !ch.add && clients.IsNotFound(err):
				// Already gone.
			case ch.add && clients.IsNotFound(err) && time.Now().Before(deadline):
				again = append(again, ch)
			default:
				failures[ch.id] = err
			}
		}
		pending = again
	}
	if len(failures) > 0 {
		return &MembershipError{GroupID: groupID, Relationship: rel, Failures: failures}
	}
	return nil
}

// memberRequest builds one $ref add or remove.
func memberRequest(ctx context.Context, c *clients.Client, gb *groups.GroupItemRequestBuilder, rel Relationship, id string, add bool) (*abstractions.RequestInformation, error) {
	if add {
		ref := models.NewReferenceCreate()
		ref.SetOdataId(ptr(memberDirectoryObjectURL(c, id)))
		if rel == RelOwners {
			return gb.Owners().Ref().ToPostRequestInformation(ctx, ref, nil)
		}
		return gb.Members().Ref().ToPostRequestInformation(ctx, ref, nil)
	}
	if rel == RelOwners {
		return gb.Owners().ByDirectoryObjectId(id).Ref().ToDeleteRequestInformation(ctx, nil)
	}
	return gb.Members().ByDirectoryObjectId(id).Ref().ToDeleteRequestInformation(ctx, nil)
}

// memberDirectoryObjectURL is the @odata.id of a directory object, on the configured Graph endpoint.
func memberDirectoryObjectURL(c *clients.Client, id string) string {
	return strings.TrimRight(c.Endpoints.GraphBaseURL(), "/") + "/directoryObjects/" + id
}
