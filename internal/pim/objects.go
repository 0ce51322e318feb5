package pim

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/directoryobjects"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// Directory object kinds, as Graph's @odata.type names them (without the namespace).
const (
	KindUser             = "user"
	KindGroup            = "group"
	KindServicePrincipal = "servicePrincipal"
)

// ObjectLookup is what the directory says of one object ID: its Kind ("" when the directory has no
// object with that ID), or Checked false when the provider's identity may not look it up, so that
// nothing can be said before apply.
type ObjectLookup struct {
	Kind    string
	Checked bool
}

// objectBatchWindow is how long the first caller's IDs wait for others': Terraform plans resources
// concurrently, so the IDs of a whole run reach the resolver within this window and go in one request.
const objectBatchWindow = 25 * time.Millisecond

// objectLookupTimeout bounds one batch, whose requests no single caller's context owns.
const objectLookupTimeout = 2 * time.Minute

// getByIDsLimit is how many IDs directoryObjects/getByIds takes at once.
const getByIDsLimit = 1000

// LookUpObjects says what the directory holds under each ID, asked as each of the kinds in want (an ID
// of a principal_id that may be a user or a group is asked as both). The IDs of all callers on the same
// client within a short window go in one directoryObjects/getByIds request (up to 1,000 IDs), and the
// answers are kept for the client's life (one provider instance: one plan or apply). An ID getByIds does
// not return, and every ID when the identity may not call getByIds (it needs Directory.Read.All as
// documented), is read as each kind through $batch, which needs only the kinds' read permissions. A
// missing ID is Checked only when the identity may read every kind the caller wants: without
// Application.Read.All an ID that may be a service principal cannot be said to be missing.
func LookUpObjects(ctx context.Context, c *clients.Client, want map[string][]string) (map[string]ObjectLookup, error) {
	r := clients.PerInstance(c, objectsKey{}, newObjectResolver)
	var waits []*objectBatch
	r.mu.Lock()
	for id := range want {
		k := strings.ToLower(id)
		if _, ok := r.known[k]; ok {
			continue
		}
		if b := r.inFlight[k]; b != nil {
			waits = append(waits, b)
			continue
		}
		if r.pending == nil {
			b := &objectBatch{ids: map[string]bool{}, done: make(chan struct{})}
			r.pending = b
			time.AfterFunc(objectBatchWindow, func() { r.flush(c, b) })
		}
		r.pending.ids[k] = true
		r.inFlight[k] = r.pending
		waits = append(waits, r.pending)
	}
	r.mu.Unlock()
	for _, b := range waits {
		select {
		case <-b.done:
			if b.err != nil {
				return nil, b.err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	out := make(map[string]ObjectLookup, len(want))
	r.mu.Lock()
	for id, kinds := range want {
		out[id] = r.known[strings.ToLower(id)].lookup(kinds)
	}
	r.mu.Unlock()
	return out, nil
}

type objectsKey struct{}

// objectFacts is what the directory answered about an ID, whoever asked: the kind of object it is, or
// ("" kind) the kinds whose read was refused, of which it could still be one.
type objectFacts struct {
	kind    string
	refused []string
}

// lookup is the answer for a caller that wants one of kinds (any kind when empty): missing is only
// certain when no wanted kind was refused.
func (f objectFacts) lookup(kinds []string) ObjectLookup {
	if f.kind != "" {
		return ObjectLookup{Kind: f.kind, Checked: true}
	}
	for _, k := range f.refused {
		if len(kinds) == 0 || slices.Contains(kinds, k) {
			return ObjectLookup{}
		}
	}
	return ObjectLookup{Checked: true}
}

type objectResolver struct {
	mu       sync.Mutex
	known    map[string]objectFacts // lower-case ID -> what the directory said
	inFlight map[string]*objectBatch
	pending  *objectBatch // collecting IDs until its window ends
}

type objectBatch struct {
	ids  map[string]bool
	done chan struct{}
	err  error // a failed batch is not kept: the IDs are asked again by the next caller
}

func newObjectResolver() *objectResolver {
	return &objectResolver{known: map[string]objectFacts{}, inFlight: map[string]*objectBatch{}}
}

// flush asks the directory about batch b's IDs and answers its waiters.
func (r *objectResolver) flush(c *clients.Client, b *objectBatch) {
	r.mu.Lock()
	if r.pending == b {
		r.pending = nil
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), objectLookupTimeout)
	defer cancel()
	answers, err := lookUp(ctx, c, b.ids)
	r.mu.Lock()
	for id := range b.ids {
		delete(r.inFlight, id)
		if a, ok := answers[id]; ok && err == nil {
			r.known[id] = a
		}
	}
	b.err = err
	r.mu.Unlock()
	close(b.done)
}

// lookUp is one batch's requests: getByIds, then typed reads for what it did not answer.
func lookUp(ctx context.Context, c *clients.Client, idSet map[string]bool) (map[string]objectFacts, error) {
	ids := slices.Sorted(maps.Keys(idSet))
	out := map[string]objectFacts{}
	var unanswered []string
	for lo := 0; lo < len(ids); lo += getByIDsLimit {
		chunk := ids[lo:min(lo+getByIDsLimit, len(ids))]
		found, err := getByIDs(ctx, c, chunk)
		if err != nil && !clients.IsPermissionDenied(err) {
			return nil, err
		}
		for _, id := range chunk {
			if kind, ok := found[id]; ok {
				out[id] = objectFacts{kind: kind}
			} else {
				unanswered = append(unanswered, id)
			}
		}
	}
	if len(unanswered) == 0 {
		return out, nil
	}
	// getByIds leaves out what the identity may not read, and is refused to an identity without
	// Directory.Read.All: the kinds' own reads decide.
	typed, err := readTyped(ctx, c, unanswered)
	if err != nil {
		return nil, err
	}
	for id, a := range typed {
		out[id] = a
	}
	return out, nil
}

// getByIDs returns the kind of each ID the directory answered (lower-case IDs).
func getByIDs(ctx context.Context, c *clients.Client, ids []string) (map[string]string, error) {
	body := directoryobjects.NewGetByIdsPostRequestBody()
	body.SetIds(ids)
	body.SetTypes([]string{KindUser, KindGroup, KindServicePrincipal})
	resp, err := clients.Graph(c).DirectoryObjects().GetByIds().PostAsGetByIdsPostResponse(ctx, body, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, o := range resp.GetValue() {
		if o == nil || o.GetId() == nil {
			continue
		}
		kind := strings.TrimPrefix(deref(o.GetOdataType()), "#microsoft.graph.")
		out[strings.ToLower(*o.GetId())] = kind
	}
	return out, nil
}

// readTyped reads each ID as a user, a group and a service principal (GET /users/{id}, /groups/{id},
// /servicePrincipals/{id} with $select=id) in $batch calls, so that an ID of the wrong kind is told
// from a missing one: the kind that answers, or the kinds whose read was refused. Every kind is asked,
// whatever this caller wants, so that the facts kept serve every later caller.
func readTyped(ctx context.Context, c *clients.Client, ids []string) (map[string]objectFacts, error) {
	probes, err := probeKinds(ctx, c, ids, func(string) []string { return []string{"id"} })
	if err != nil {
		return nil, err
	}
	out := map[string]objectFacts{}
	for _, p := range probes {
		f := out[p.id]
		switch {
		case p.res.Err == nil:
			f.kind = p.kind
		case clients.IsNotFound(p.res.Err):
		case clients.IsPermissionDenied(p.res.Err):
			f.refused = append(f.refused, p.kind)
		default:
			return nil, p.res.Err
		}
		out[p.id] = f
	}
	return out, nil
}

// kindProbe is the answer to reading one ID as one kind of directory object.
type kindProbe struct {
	id, kind string
	res      clients.BatchResult
}

// probeKinds reads each ID as each kind of directory object, with the properties sel names for that
// kind, in $batch calls: what an identity that may not call directoryObjects/getByIds uses instead.
func probeKinds(ctx context.Context, c *clients.Client, ids []string, sel func(kind string) []string) ([]kindProbe, error) {
	var probes []kindProbe
	var reqs []*abstractions.RequestInformation
	g := clients.Graph(c)
	for _, id := range ids {
		for _, kind := range []string{KindUser, KindGroup, KindServicePrincipal} {
			var ri *abstractions.RequestInformation
			var err error
			switch kind {
			case KindUser:
				ri, err = g.Users().ByUserId(id).ToGetRequestInformation(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
					QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: sel(kind)}})
			case KindGroup:
				ri, err = g.Groups().ByGroupId(id).ToGetRequestInformation(ctx, &groups.GroupItemRequestBuilderGetRequestConfiguration{
					QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: sel(kind)}})
			default:
				ri, err = g.ServicePrincipals().ByServicePrincipalId(id).ToGetRequestInformation(ctx, &serviceprincipals.ServicePrincipalItemRequestBuilderGetRequestConfiguration{
					QueryParameters: &serviceprincipals.ServicePrincipalItemRequestBuilderGetQueryParameters{Select: sel(kind)}})
			}
			if err != nil {
				return nil, err
			}
			probes = append(probes, kindProbe{id: id, kind: kind})
			reqs = append(reqs, ri)
		}
	}
	results, err := c.Batch(ctx, reqs)
	if err != nil {
		return nil, err
	}
	for i := range results {
		probes[i].res = results[i]
	}
	return probes, nil
}
