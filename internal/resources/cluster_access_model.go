package resources

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/access"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// The model of aks_cluster_access and its mapping from an access.Setup. Map keys are readable
// (display names, role names, scope kinds) so that `for_each` addresses and generated resource labels
// say what they hold; a key two objects would share gets the object's ID appended.

type clusterAccessModel struct {
	dataSourceTimeouts
	ClusterID                types.String                        `tfsdk:"cluster_id"`
	ID                       types.String                        `tfsdk:"id"`
	RoleAssignments          map[string]clusterRoleAssignment    `tfsdk:"role_assignments"`
	InheritedRoleAssignments map[string]clusterRoleAssignment    `tfsdk:"inherited_role_assignments"`
	Groups                   map[string]clusterAccessGroup       `tfsdk:"groups"`
	Eligibilities            map[string]clusterAccessEligibility `tfsdk:"eligibilities"`
	ApprovalPolicies         map[string]clusterAccessPolicy      `tfsdk:"approval_policies"`
	Access                   []clusterAccessEntry                `tfsdk:"access"`
	ImportBlocks             types.String                        `tfsdk:"import_blocks"`
}

type clusterRoleAssignment struct {
	ID                   types.String `tfsdk:"id"`
	Scope                types.String `tfsdk:"scope"`
	ScopeKind            types.String `tfsdk:"scope_kind"`
	NodePool             types.String `tfsdk:"node_pool"`
	Namespace            types.String `tfsdk:"namespace"`
	Role                 types.String `tfsdk:"role"`
	RoleDefinitionID     types.String `tfsdk:"role_definition_id"`
	PrincipalID          types.String `tfsdk:"principal_id"`
	PrincipalType        types.String `tfsdk:"principal_type"`
	PrincipalDisplayName types.String `tfsdk:"principal_display_name"`
	Description          types.String `tfsdk:"description"`
	Condition            types.String `tfsdk:"condition"`
	ConditionVersion     types.String `tfsdk:"condition_version"`
}

type clusterAccessGroup struct {
	ObjectID          types.String                `tfsdk:"object_id"`
	DisplayName       types.String                `tfsdk:"display_name"`
	Description       types.String                `tfsdk:"description"`
	MailNickname      types.String                `tfsdk:"mail_nickname"`
	AssignableToRole  types.Bool                  `tfsdk:"assignable_to_role"`
	Owners            []string                    `tfsdk:"owners"`
	Members           []string                    `tfsdk:"members"`
	MemberNames       []string                    `tfsdk:"member_names"`
	Eligibilities     []clusterAccessEligibility  `tfsdk:"eligibilities"`
	ActiveAssignments []clusterAccessActive       `tfsdk:"active_assignments"`
	ApprovalPolicy    *clusterAccessPolicySummary `tfsdk:"approval_policy"`
}

type clusterAccessEligibility struct {
	ID                   types.String `tfsdk:"id"`
	GroupID              types.String `tfsdk:"group_id"`
	PrincipalID          types.String `tfsdk:"principal_id"`
	PrincipalType        types.String `tfsdk:"principal_type"`
	PrincipalDisplayName types.String `tfsdk:"principal_display_name"`
	AccessID             types.String `tfsdk:"access_id"`
	StartDateTime        types.String `tfsdk:"start_date_time"`
	EndDateTime          types.String `tfsdk:"end_date_time"`
	Permanent            types.Bool   `tfsdk:"permanent"`
	Justification        types.String `tfsdk:"justification"`
	TicketNumber         types.String `tfsdk:"ticket_number"`
	TicketSystem         types.String `tfsdk:"ticket_system"`
}

type clusterAccessActive struct {
	PrincipalID          types.String `tfsdk:"principal_id"`
	PrincipalDisplayName types.String `tfsdk:"principal_display_name"`
	AccessID             types.String `tfsdk:"access_id"`
	AssignmentType       types.String `tfsdk:"assignment_type"`
	EndDateTime          types.String `tfsdk:"end_date_time"`
}

type clusterAccessPolicySummary struct {
	RequireApproval      types.Bool   `tfsdk:"require_approval"`
	ApproverGroups       []string     `tfsdk:"approver_groups"`
	ApproverUsers        []string     `tfsdk:"approver_users"`
	MaximumDuration      types.String `tfsdk:"maximum_duration"`
	RequireJustification types.Bool   `tfsdk:"require_justification"`
	RequireMFA           types.Bool   `tfsdk:"require_mfa"`
	RequireTicketInfo    types.Bool   `tfsdk:"require_ticket_info"`
}

type clusterAccessPolicy struct {
	ID       types.String `tfsdk:"id"`
	GroupID  types.String `tfsdk:"group_id"`
	AccessID types.String `tfsdk:"access_id"`
	clusterAccessPolicySummary
}

type clusterAccessEntry struct {
	PrincipalID          types.String `tfsdk:"principal_id"`
	PrincipalType        types.String `tfsdk:"principal_type"`
	PrincipalDisplayName types.String `tfsdk:"principal_display_name"`
	Family               types.String `tfsdk:"family"`
	Where                types.String `tfsdk:"where"`
	Standing             types.Bool   `tfsdk:"standing"`
	Via                  types.String `tfsdk:"via"`
	Path                 []string     `tfsdk:"path"`
	Role                 types.String `tfsdk:"role"`
	Scope                types.String `tfsdk:"scope"`
	RoleAssignmentID     types.String `tfsdk:"role_assignment_id"`
	ScheduleID           types.String `tfsdk:"schedule_id"`
	ActiveUntil          types.String `tfsdk:"active_until"`
	ApprovalRequired     types.Bool   `tfsdk:"approval_required"`
	Approvers            []string     `tfsdk:"approvers"`
}

// keyer hands out unique readable keys.
type keyer map[string]bool

func (k keyer) key(readable, id string) string {
	if !k[readable] {
		k[readable] = true
		return readable
	}
	unique := readable + "#" + id
	k[unique] = true
	return unique
}

// clusterAccessFromSetup fills the computed part of the model.
func clusterAccessFromSetup(m *clusterAccessModel, s *access.Setup) {
	m.ID = types.StringValue(s.Cluster.ID.String())
	m.RoleAssignments, m.InheritedRoleAssignments = map[string]clusterRoleAssignment{}, map[string]clusterRoleAssignment{}
	ak := keyer{}
	for _, a := range s.Assignments {
		p := s.Principal(a.PrincipalID)
		ra := clusterRoleAssignment{
			ID: types.StringValue(a.ID), Scope: types.StringValue(a.Scope), ScopeKind: types.StringValue(string(a.Kind)),
			NodePool: optionalString(a.NodePool), Namespace: optionalString(a.Namespace),
			Role: types.StringValue(a.Role.Name), RoleDefinitionID: types.StringValue(a.Role.ID),
			PrincipalID: types.StringValue(a.PrincipalID), PrincipalType: types.StringValue(a.PrincipalType),
			PrincipalDisplayName: types.StringValue(p.DisplayName), Description: optionalString(a.Description),
			Condition: optionalString(a.Condition), ConditionVersion: optionalString(a.ConditionVersion),
		}
		where := string(a.Kind)
		if sub := a.NodePool + a.Namespace; sub != "" {
			where += ":" + sub
		}
		key := ak.key(p.DisplayName+"/"+a.Role.Name+"/"+where, a.Name)
		if a.Kind == rbac.ScopeInherited {
			m.InheritedRoleAssignments[key] = ra
		} else {
			m.RoleAssignments[key] = ra
		}
	}

	m.Groups, m.Eligibilities, m.ApprovalPolicies = map[string]clusterAccessGroup{}, map[string]clusterAccessEligibility{}, map[string]clusterAccessPolicy{}
	gk, ek, pk := keyer{}, keyer{}, keyer{}
	for _, g := range sortedGroups(s) {
		name := s.Principal(g.ID).DisplayName
		cg := clusterAccessGroup{
			ObjectID: types.StringValue(g.ID), DisplayName: types.StringValue(g.DisplayName), Description: optionalString(g.Description),
			MailNickname: types.StringValue(g.MailNickname), AssignableToRole: types.BoolValue(g.AssignableToRole),
			Owners: nonNil(g.Owners), Members: nonNil(g.Members), MemberNames: []string{},
			Eligibilities: []clusterAccessEligibility{}, ActiveAssignments: []clusterAccessActive{},
		}
		for _, id := range g.Members {
			cg.MemberNames = append(cg.MemberNames, s.Principal(id).DisplayName)
		}
		for _, e := range g.Eligibilities {
			ce := eligibilityEntry(s, e, g.Requests[e.ScheduleID])
			cg.Eligibilities = append(cg.Eligibilities, ce)
			m.Eligibilities[ek.key(name+"/"+ce.PrincipalDisplayName.ValueString()+"/"+string(e.Key.AccessID), e.ScheduleID)] = ce
		}
		for _, a := range g.Active {
			cg.ActiveAssignments = append(cg.ActiveAssignments, clusterAccessActive{
				PrincipalID: types.StringValue(a.PrincipalID), PrincipalDisplayName: types.StringValue(s.Principal(a.PrincipalID).DisplayName),
				AccessID: types.StringValue(string(a.AccessID)), AssignmentType: types.StringValue(a.AssignmentType),
				EndDateTime: timeString(a.End),
			})
		}
		for _, acc := range []pim.AccessID{pim.AccessMember, pim.AccessOwner} {
			pol, ok := g.Policies[acc]
			if !ok {
				continue
			}
			sum := policySummary(pol)
			if acc == pim.AccessMember {
				cg.ApprovalPolicy = &sum
			}
			key := pim.PolicyKey{GroupID: g.ID, AccessID: acc}
			m.ApprovalPolicies[pk.key(name+"/"+string(acc), g.ID)] = clusterAccessPolicy{
				ID: types.StringValue(key.String()), GroupID: types.StringValue(g.ID), AccessID: types.StringValue(string(acc)),
				clusterAccessPolicySummary: sum,
			}
		}
		m.Groups[gk.key(name, g.ID)] = cg
	}

	m.Access = []clusterAccessEntry{}
	for _, a := range access.Audit(s) {
		m.Access = append(m.Access, clusterAccessEntry{
			PrincipalID: types.StringValue(a.Principal.ID), PrincipalType: types.StringValue(a.Principal.Type),
			PrincipalDisplayName: types.StringValue(a.Principal.DisplayName), Family: types.StringValue(string(a.Family)),
			Where: types.StringValue(a.Where), Standing: types.BoolValue(a.Standing), Via: types.StringValue(a.Via),
			Path: a.Steps, Role: types.StringValue(a.Role), Scope: types.StringValue(a.Scope),
			RoleAssignmentID: optionalString(a.Assignment), ScheduleID: optionalString(a.Schedule),
			ActiveUntil: timeString(a.Until), ApprovalRequired: types.BoolValue(a.ApprovalRequired), Approvers: nonNil(a.Approvers),
		})
	}
	m.ImportBlocks = types.StringValue(clusterAccessImportBlocks(m))
}

func sortedGroups(s *access.Setup) []*access.Group {
	gs := make([]*access.Group, 0, len(s.Groups))
	for _, g := range s.Groups {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *access.Group) int {
		return strings.Compare(strings.ToLower(a.DisplayName)+a.ID, strings.ToLower(b.DisplayName)+b.ID)
	})
	return gs
}

func eligibilityEntry(s *access.Setup, e pim.Eligibility, req pim.EligibilityRequestDetails) clusterAccessEligibility {
	p := s.Principal(e.Key.PrincipalID)
	return clusterAccessEligibility{
		ID: types.StringValue(e.ScheduleID), GroupID: types.StringValue(e.Key.GroupID), PrincipalID: types.StringValue(e.Key.PrincipalID),
		PrincipalType: optionalString(p.Type), PrincipalDisplayName: types.StringValue(p.DisplayName),
		AccessID: types.StringValue(string(e.Key.AccessID)), StartDateTime: timeString(e.Start), EndDateTime: timeString(e.End),
		Permanent: types.BoolValue(e.Permanent()), Justification: optionalString(req.Justification),
		TicketNumber: optionalString(req.TicketNumber), TicketSystem: optionalString(req.TicketSystem),
	}
}

func policySummary(p pim.Policy) clusterAccessPolicySummary {
	return clusterAccessPolicySummary{
		RequireApproval: types.BoolValue(p.Approval.Required), ApproverGroups: nonNil(p.Approval.ApproverGroups),
		ApproverUsers: nonNil(p.Approval.ApproverUsers), MaximumDuration: types.StringValue(p.Activation.MaximumDuration.String()),
		RequireJustification: types.BoolValue(p.Activation.RequireJustification), RequireMFA: types.BoolValue(p.Activation.RequireMFA),
		RequireTicketInfo: types.BoolValue(p.Activation.RequireTicketInfo),
	}
}

func timeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var labelRE = regexp.MustCompile(`[^a-z0-9]+`)

// resourceLabel turns a key into a resource name Terraform accepts.
func resourceLabel(key string) string {
	l := strings.Trim(labelRE.ReplaceAllString(strings.ToLower(key), "_"), "_")
	if l == "" || (l[0] >= '0' && l[0] <= '9') {
		l = "r_" + l
	}
	return l
}

// clusterAccessImportBlocks writes one import block per object the setup holds at the cluster's scopes,
// for `terraform plan -generate-config-out`, which cannot generate configuration for import blocks
// with for_each.
func clusterAccessImportBlocks(m *clusterAccessModel) string {
	var b strings.Builder
	used := map[string]int{}
	block := func(typ, key, id string) {
		label := resourceLabel(key)
		if used[typ+"."+label]++; used[typ+"."+label] > 1 {
			label = fmt.Sprintf("%s_%d", label, used[typ+"."+label])
		}
		fmt.Fprintf(&b, "import {\n  to = %s.%s\n  id = %q\n}\n\n", typ, label, id)
	}
	for _, k := range slices.Sorted(maps.Keys(m.Groups)) {
		block("aks_pim_group", k, m.Groups[k].ObjectID.ValueString())
	}
	for _, k := range slices.Sorted(maps.Keys(m.RoleAssignments)) {
		block("aks_role_binding", k, m.RoleAssignments[k].ID.ValueString())
	}
	for _, k := range slices.Sorted(maps.Keys(m.ApprovalPolicies)) {
		block("aks_pim_approval_policy", k, m.ApprovalPolicies[k].ID.ValueString())
	}
	for _, k := range slices.Sorted(maps.Keys(m.Eligibilities)) {
		block("aks_pim_eligibility", k, m.Eligibilities[k].ID.ValueString())
	}
	return b.String()
}
