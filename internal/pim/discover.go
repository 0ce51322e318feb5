package pim

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/directoryobjects"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// Discovery: what exists already, for adopting a setup made by hand, for list resources and for the
// access audit. Each function reads; none writes.

// Principal types as Graph's directory objects name them (the same words ARM's principalType uses).
const (
	PrincipalTypeUser             = "User"
	PrincipalTypeGroup            = "Group"
	PrincipalTypeServicePrincipal = "ServicePrincipal"
)

// Principal is a directory object that can hold a role or a PIM eligibility.
type Principal struct {
	ID                string
	Type              string // PrincipalTypeUser, PrincipalTypeGroup or PrincipalTypeServicePrincipal
	DisplayName       string
	UserPrincipalName string // users only
}

// DescribePrincipals looks up users, groups and service principals by object ID with
// directoryObjects/getByIds (up to 1,000 IDs a request). The result is keyed by lower-case ID; IDs
// Graph does not know (deleted principals, whose role assignments ARM still lists) are absent.
func DescribePrincipals(ctx context.Context, c *clients.Client, ids []string) (map[string]Principal, error) {
	out := map[string]Principal{}
	seen := map[string]bool{}
	var uniq []string
	for _, id := range ids {
		if k := strings.ToLower(id); id != "" && !seen[k] {
			seen[k] = true
			uniq = append(uniq, id)
		}
	}
	refused := false // getByIds refused once is not asked again for the next chunks
	for start := 0; start < len(uniq); start += getByIDsLimit {
		chunk := uniq[start:min(start+getByIDsLimit, len(uniq))]
		var resp directoryobjects.GetByIdsPostResponseable
		var err error
		if !refused {
			body := directoryobjects.NewGetByIdsPostRequestBody()
			body.SetIds(chunk)
			body.SetTypes([]string{KindUser, KindGroup, KindServicePrincipal})
			resp, err = clients.Graph(c).DirectoryObjects().GetByIds().PostAsGetByIdsPostResponse(ctx, body, nil)
			refused = clients.IsPermissionDenied(err)
		}
		if refused {
			// getByIds may need Directory.Read.All (graph.getbyids-permission): the kinds' own reads,
			// which the documented least privilege allows, answer instead.
			if err := describeByKind(ctx, c, chunk, out); err != nil {
				return nil, fmt.Errorf("looking up %d principals: %w", len(chunk), err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("looking up %d principals: %w", len(chunk), err)
		}
		for _, o := range resp.GetValue() {
			p := Principal{ID: deref(o.GetId())}
			switch m := o.(type) {
			case models.Userable:
				p.Type, p.DisplayName, p.UserPrincipalName = PrincipalTypeUser, deref(m.GetDisplayName()), deref(m.GetUserPrincipalName())
			case models.Groupable:
				p.Type, p.DisplayName = PrincipalTypeGroup, deref(m.GetDisplayName())
			case models.ServicePrincipalable:
				p.Type, p.DisplayName = PrincipalTypeServicePrincipal, deref(m.GetDisplayName())
			default:
				continue
			}
			out[strings.ToLower(p.ID)] = p
		}
	}
	return out, nil
}

// describeByKind fills out with the principals among ids that a read as user, group or service
// principal answers; IDs no kind answers (deleted, or not readable) are left out, as getByIds does.
func describeByKind(ctx context.Context, c *clients.Client, ids []string, out map[string]Principal) error {
	sel := func(kind string) []string {
		if kind == KindUser {
			return []string{"id", "displayName", "userPrincipalName"}
		}
		return []string{"id", "displayName"}
	}
	probes, err := probeKinds(ctx, c, ids, sel)
	if err != nil {
		return err
	}
	types := map[string]string{KindUser: PrincipalTypeUser, KindGroup: PrincipalTypeGroup, KindServicePrincipal: PrincipalTypeServicePrincipal}
	for _, p := range probes {
		switch {
		case p.res.Err == nil:
			var o struct {
				ID                string `json:"id"`
				DisplayName       string `json:"displayName"`
				UserPrincipalName string `json:"userPrincipalName"`
			}
			if err := json.Unmarshal(p.res.Body, &o); err != nil {
				return fmt.Errorf("reading %s %s: %w", p.kind, p.id, err)
			}
			id := cmp.Or(o.ID, p.id)
			out[strings.ToLower(id)] = Principal{ID: id, Type: types[p.kind], DisplayName: o.DisplayName, UserPrincipalName: o.UserPrincipalName}
		case clients.IsNotFound(p.res.Err), clients.IsPermissionDenied(p.res.Err):
		default:
			return p.res.Err
		}
	}
	return nil
}

// ListGroups lists security groups whose display name starts with prefix (all of them when prefix is
// empty), following Graph's pages.
func ListGroups(ctx context.Context, c *clients.Client, prefix string) ([]Group, error) {
	filter := "securityEnabled eq true"
	if prefix != "" {
		filter = fmt.Sprintf("startswith(displayName,'%s') and %s", strings.ReplaceAll(prefix, "'", "''"), filter)
	}
	gb := clients.Graph(c).Groups()
	resp, err := gb.Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Filter: &filter, Select: groupSelect, Top: ptr(groupPageSize)}})
	ms, err := clients.GraphItems(ctx, resp, err, func(ctx context.Context, next string) (models.GroupCollectionResponseable, error) {
		return gb.WithUrl(next).Get(ctx, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("listing groups named %q...: %w", prefix, err)
	}
	var out []Group
	for _, m := range ms {
		out = append(out, groupFromModel(m))
	}
	return out, nil
}

// ListEligibilities lists the live eligibilities for a group (members and owners, of every principal
// made eligible directly; eligibilities inherited through a group are that group's), following pages.
func ListEligibilities(ctx context.Context, c *clients.Client, groupID string) ([]Eligibility, error) {
	filter := groupFilterEq("groupId", groupID)
	b := groupPIM(c).EligibilitySchedules()
	wire := map[string]wireEnums{} // the enums of every page read, as sent
	read := func(info *abstractions.RequestInformation, err error) (models.PrivilegedAccessGroupEligibilityScheduleCollectionResponseable, error) {
		var body []byte
		if err == nil {
			body, err = c.GraphSendRaw(ctx, info)
		}
		if err != nil {
			return nil, err
		}
		maps.Copy(wire, wireEnumsByID(body))
		return clients.Decode[models.PrivilegedAccessGroupEligibilityScheduleCollectionResponseable](body,
			models.CreatePrivilegedAccessGroupEligibilityScheduleCollectionResponseFromDiscriminatorValue)
	}
	page, err := read(b.ToGetRequestInformation(ctx, &identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetRequestConfiguration{
		QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetQueryParameters{Filter: &filter},
	}))
	schedules, err := clients.GraphItems(ctx, page, err, func(ctx context.Context, next string) (models.PrivilegedAccessGroupEligibilityScheduleCollectionResponseable, error) {
		return read(b.WithUrl(next).ToGetRequestInformation(ctx, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("listing eligibilities for group %s: %w", groupID, err)
	}
	now := time.Now()
	var out []Eligibility
	for _, s := range schedules {
		e := eligibilityFromSchedule(GroupEligible, s, wire[strings.ToLower(deref(s.GetId()))])
		if (e.MemberType == "" || strings.EqualFold(e.MemberType, "direct")) && !e.Ended(now) {
			out = append(out, e)
		}
	}
	return out, nil
}

// ActiveAssignments lists the PIM assignments to a group in effect now, of every principal: activated
// eligibilities and time-bound or permanent assignments made through PIM.
func ActiveAssignments(ctx context.Context, c *clients.Client, groupID string) ([]AssignmentInstance, error) {
	return listAssignmentInstances(ctx, c, groupFilterEq("groupId", groupID), "active assignments to group "+groupID)
}
