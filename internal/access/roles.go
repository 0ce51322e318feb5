package access

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// RoleSchedule is a PIM for Azure resources schedule in effect at one of the cluster's scopes (or above
// them): an eligible role, or an active one (an activation or an assignment made through PIM).
type RoleSchedule struct {
	// At is the schedule as a role assignment would be: its ID is the schedule's, its scope classified
	// and its role resolved, so that it grants families as an assignment does.
	At       rbac.ClusterAssignment
	Schedule armpim.Schedule
	// Policy is the role's policy at the schedule's scope, which governs activating an eligible role
	// (eligibilities only).
	Policy pim.Policy
}

// discoverRoleSchedules reads the PIM for Azure resources schedules at the cluster's scopes: one
// unfiltered list of each kind at the resource group and at the node resource group (ARM answers with
// what is at, above and below each), then one policy read per role and scope someone is eligible at,
// however many principals are.
func (s *Setup) discoverRoleSchedules(ctx context.Context, c *clients.Client) error {
	for _, k := range []armpim.Kind{armpim.Eligible, armpim.Active} {
		seen := map[string]bool{}
		var found []RoleSchedule
		for _, scope := range s.Cluster.ListScopes() {
			list, err := armpim.ListInEffect(ctx, c, k, scope)
			if err != nil {
				return err
			}
			for _, sch := range list {
				id := strings.ToLower(sch.ID)
				kind, pool, ns, ok := s.Cluster.Classify(sch.Scope)
				if seen[id] || !ok || sch.PrincipalID == "" {
					continue
				}
				seen[id] = true
				role, err := rbac.ResolveRoleByID(ctx, c, sch.RoleDefinitionID)
				if err != nil {
					return fmt.Errorf("resolving the role of %s %s: %w", k, sch.ID, err)
				}
				found = append(found, RoleSchedule{Schedule: sch, At: rbac.ClusterAssignment{
					Assignment: rbac.Assignment{ID: sch.ID, Name: sch.Name, Scope: sch.Scope, RoleDefinitionID: sch.RoleDefinitionID,
						PrincipalID: sch.PrincipalID, PrincipalType: sch.PrincipalType, Condition: sch.Condition, ConditionVersion: sch.ConditionVersion},
					Kind: kind, NodePool: pool, Namespace: ns, Role: role,
				}})
			}
		}
		slices.SortFunc(found, func(a, b RoleSchedule) int {
			return strings.Compare(strings.ToLower(a.At.ID), strings.ToLower(b.At.ID))
		})
		if k == armpim.Eligible {
			s.RoleEligibilities = found
		} else {
			s.RoleActive = found
		}
	}
	policies := map[string]pim.Policy{}
	for i := range s.RoleEligibilities {
		e := &s.RoleEligibilities[i]
		key, err := policyKey(e.Schedule.Target)
		if err != nil {
			return err
		}
		if p, ok := policies[key]; ok {
			e.Policy = p
			continue
		}
		st, err := armpim.ReadPolicy(ctx, c, armpim.PolicyKey{Scope: e.Schedule.Scope, RoleDefinitionID: e.Schedule.RoleDefinitionID})
		if err != nil {
			return fmt.Errorf("reading the policy of role %s at %s: %w", e.At.Role.Name, e.Schedule.Scope, err)
		}
		e.Policy = st.Rules.Policy()
		policies[key] = e.Policy
	}
	return nil
}

// policyKey names the policy governing t's role at t's scope, whatever the spelling of either.
func policyKey(t armpim.Target) (string, error) {
	sc, err := rbac.NormalizeScope(t.Scope)
	if err != nil {
		return "", err
	}
	guid, err := rbac.RoleDefinitionGUID(t.RoleDefinitionID)
	if err != nil {
		return "", err
	}
	return strings.ToLower(sc.ID + "|" + guid), nil
}

// rolePrincipals are the principals the schedules name: holders, and approvers of eligible roles.
func (s *Setup) rolePrincipals() []string {
	var ids []string
	for _, r := range slices.Concat(s.RoleEligibilities, s.RoleActive) {
		ids = append(ids, r.At.PrincipalID)
		ids = append(ids, r.Policy.Approval.ApproverUsers...)
		ids = append(ids, r.Policy.Approval.ApproverGroups...)
	}
	return ids
}

// roleGrant is one thing that gives a principal a role at a scope, with how it is reached (base's Via,
// Until, approvals and Schedule) and the path's last step.
type roleGrant struct {
	at   rbac.ClusterAssignment
	base Access
	step string
}

// roleGrants lists what the setup grants: each role assignment (active until its end when a time-bound
// active PIM schedule stands behind it), each active schedule no listed assignment stands for (ARM
// lists the assignment a moment after the schedule), and each eligibility.
func (s *Setup) roleGrants() []roleGrant {
	var out []roleGrant
	used := map[string]bool{}
	for _, a := range s.Assignments {
		g := roleGrant{at: a, base: Access{Assignment: a.ID}, step: fmt.Sprintf("%s at %s", a.Role.Name, scopeLabel(a))}
		if i := slices.IndexFunc(s.RoleActive, func(r RoleSchedule) bool { return !used[r.At.ID] && sameTarget(r.At, a) }); i >= 0 {
			used[s.RoleActive[i].At.ID] = true
			g.active(s.RoleActive[i])
		}
		out = append(out, g)
	}
	for _, r := range s.RoleActive {
		if !used[r.At.ID] {
			g := roleGrant{at: r.At, step: fmt.Sprintf("%s at %s", r.At.Role.Name, scopeLabel(r.At))}
			g.active(r)
			out = append(out, g)
		}
	}
	for _, e := range s.RoleEligibilities {
		g := roleGrant{at: e.At, step: fmt.Sprintf("eligible for %s at %s (PIM)", e.At.Role.Name, scopeLabel(e.At)),
			base: Access{Via: ViaEligible, Schedule: e.At.ID}}
		g.base.ApprovalRequired = e.Policy.Approval.Required
		if e.Policy.Approval.Required {
			g.base.Approvers = s.approvers(e.Policy)
		}
		out = append(out, g)
	}
	return out
}

// active marks g as held through the active schedule r: standing until r ends when r is time-bound; a
// permanent one is an ordinary standing role.
func (g *roleGrant) active(r RoleSchedule) {
	if r.Schedule.Permanent() {
		return
	}
	g.base.Via, g.base.Standing, g.base.Until, g.base.Schedule = ViaActive, true, r.Schedule.End, r.At.ID
	g.step += fmt.Sprintf(" (PIM, %s)", strings.ToLower(cmp.Or(r.Schedule.AssignmentType, "assigned")))
}

func sameTarget(a, b rbac.ClusterAssignment) bool {
	return rbac.SameScope(a.Scope, b.Scope) && rbac.SameRoleDefinition(a.RoleDefinitionID, b.RoleDefinitionID) &&
		strings.EqualFold(a.PrincipalID, b.PrincipalID)
}
