// Package access reads who holds what on an AKS cluster, and answers the question a security review
// asks first: who can read, read secrets, administer or log in to the nodes of this cluster, standing or
// just in time, through which role, group and PIM eligibility, and who approves. It composes the rbac
// (role assignments at the cluster's scopes), armpim (roles eligible and active through PIM for Azure
// resources, their policies) and pim (groups, members, eligibilities, active assignments, policies)
// domains; it only reads.
package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// Setup is what exists for one cluster: the role assignments and PIM for Azure resources schedules that
// apply to it, every group involved (holding or eligible for a role, eligible for such a group,
// approving its activations, or nested in one of them), and the principals they name.
type Setup struct {
	Cluster     *rbac.ClusterFacts
	Assignments []rbac.ClusterAssignment
	// RoleEligibilities and RoleActive are the PIM for Azure resources schedules in effect at the
	// cluster's scopes and above: eligible roles, and active ones (activations, assignments through PIM).
	RoleEligibilities []RoleSchedule
	RoleActive        []RoleSchedule
	// Groups by lower-case object ID.
	Groups map[string]*Group
	// Principals by lower-case object ID: every user, group and service principal named anywhere above
	// (principals Graph no longer knows are absent).
	Principals map[string]pim.Principal
}

// Group is one group of the setup with its PIM configuration.
type Group struct {
	pim.Group
	Eligibilities []pim.Eligibility
	// Requests are the justification and ticket of the request behind each eligibility, by schedule ID
	// (absent when Graph has purged the request).
	Requests map[string]pim.EligibilityRequestDetails
	Active   []pim.AssignmentInstance
	// Policies of the access IDs the group has eligibilities or active assignments for.
	Policies map[pim.AccessID]pim.Policy
}

// Principal returns the principal with this ID, or one of unknown type named by its ID.
func (s *Setup) Principal(id string) pim.Principal {
	if p, ok := s.Principals[strings.ToLower(id)]; ok {
		return p
	}
	return pim.Principal{ID: id, DisplayName: id}
}

// Group returns the group with this ID, or nil.
func (s *Setup) Group(id string) *Group { return s.Groups[strings.ToLower(id)] }

// Discover reads the setup of a cluster: two ARM list requests for the role assignments, four for the
// PIM for Azure resources schedules (eligible and active, at the same two scopes) and one policy read
// per role and scope someone is eligible at; then in rounds one getByIds for the principals not yet
// known and, for each new group, one Graph $batch (group, owners, members), one eligibility list and one
// read of the request behind each eligibility, one active-assignment list, and its policy when PIM
// governs it. No request is made per user.
func Discover(ctx context.Context, c *clients.Client, cluster rbac.ClusterID) (*Setup, error) {
	facts, err := rbac.GetCluster(ctx, c, cluster)
	if err != nil {
		return nil, err
	}
	s := &Setup{Cluster: facts, Groups: map[string]*Group{}, Principals: map[string]pim.Principal{}}
	if s.Assignments, err = rbac.ListClusterAssignments(ctx, c, facts); err != nil {
		return nil, err
	}
	if err := s.discoverRoleSchedules(ctx, c); err != nil {
		return nil, err
	}
	next := s.rolePrincipals()
	for _, a := range s.Assignments {
		next = append(next, a.PrincipalID)
	}
	asked := map[string]bool{}
	// Every group reached from a role holder: its members, the principals eligible for it or active in
	// it and its approvers, round by round until no new principal appears.
	for len(next) > 0 {
		var unknown []string
		for _, id := range next {
			if k := strings.ToLower(id); !asked[k] {
				asked[k] = true
				unknown = append(unknown, id)
			}
		}
		next = nil
		found, err := pim.DescribePrincipals(ctx, c, unknown)
		if err != nil {
			return nil, err
		}
		for k, p := range found {
			s.Principals[k] = p
		}
		for _, id := range unknown {
			p, ok := found[strings.ToLower(id)]
			if !ok || p.Type != pim.PrincipalTypeGroup {
				continue
			}
			g, err := readGroup(ctx, c, p.ID)
			if err != nil {
				return nil, err
			}
			if g == nil {
				continue
			}
			s.Groups[strings.ToLower(p.ID)] = g
			next = append(next, g.Members...)
			next = append(next, g.Owners...)
			for _, e := range g.Eligibilities {
				next = append(next, e.Key.PrincipalID)
			}
			for _, a := range g.Active {
				next = append(next, a.PrincipalID)
			}
			for _, pol := range g.Policies {
				next = append(next, pol.Approval.ApproverUsers...)
				next = append(next, pol.Approval.ApproverGroups...)
			}
		}
	}
	return s, nil
}

// readGroup reads one group with its PIM configuration; nil when it no longer exists.
func readGroup(ctx context.Context, c *clients.Client, id string) (*Group, error) {
	gr, err := pim.ReadGroup(ctx, c, id, pim.GroupReadOptions{WithMembers: true})
	if err != nil {
		if errors.Is(err, pim.ErrGroupNotFound) {
			return nil, nil // deleted since getByIds answered
		}
		return nil, fmt.Errorf("reading group %s: %w", id, err)
	}
	g := &Group{Group: gr.Group, Policies: map[pim.AccessID]pim.Policy{}}
	if g.Eligibilities, err = pim.ListEligibilities(ctx, c, id); err != nil {
		return nil, err
	}
	g.Requests = map[string]pim.EligibilityRequestDetails{}
	for _, e := range g.Eligibilities {
		d, found, err := pim.ReadEligibilityRequestDetails(ctx, c, e.CreatedUsing)
		if err != nil {
			return nil, fmt.Errorf("reading the request behind eligibility %s: %w", e.ScheduleID, err)
		}
		if found {
			g.Requests[e.ScheduleID] = d
		}
	}
	if g.Active, err = pim.ActiveAssignments(ctx, c, id); err != nil {
		return nil, err
	}
	var accesses []pim.AccessID
	for _, e := range g.Eligibilities {
		accesses = append(accesses, e.Key.AccessID)
	}
	for _, a := range g.Active {
		accesses = append(accesses, a.AccessID)
	}
	slices.Sort(accesses)
	for _, acc := range slices.Compact(accesses) {
		ps, err := pim.ReadPolicy(ctx, c, pim.PolicyKey{GroupID: id, AccessID: acc})
		if err != nil {
			return nil, fmt.Errorf("reading the %s policy of group %s: %w", acc, id, err)
		}
		g.Policies[acc] = ps.Rules.Policy()
	}
	return g, nil
}
