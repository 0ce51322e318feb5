package armpim

import (
	"reflect"
	"slices"
	"sort"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// Summary is what the engine holds at one moment, for tests and the demo's "nothing left" checks.
type Summary struct {
	// EligibilitySchedules and AssignmentSchedules exist now (started or future); assignments include
	// activations.
	EligibilitySchedules, AssignmentSchedules []ScheduleSummary
	// PendingApprovals counts activation requests awaiting a decision.
	PendingApprovals int
	// ChangedPolicies are the policies whose rules differ from the defaults.
	ChangedPolicies []PolicySummary
}

// ScheduleSummary is one schedule.
type ScheduleSummary struct {
	ID, Scope, RoleDefinitionID, PrincipalID string
	MemberType, AssignmentType               string
	Start                                    time.Time
	End                                      *time.Time // nil: permanent
	Active                                   bool
}

// PolicySummary names a policy by scope and role definition GUID.
type PolicySummary struct {
	Scope, RoleDefinitionID string
}

// Summary returns what exists at the engine's current time.
func (e *Engine) Summary() Summary {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	var s Summary
	for _, sc := range e.st.Schedules {
		if !sc.Exists(now) {
			continue
		}
		sum := ScheduleSummary{ID: objectID(sc.Scope, typeName(sc.Kind, "Schedules"), sc.Name), Scope: sc.Scope, RoleDefinitionID: sc.RoleID, PrincipalID: sc.PrincipalID,
			MemberType: sc.MemberType, AssignmentType: sc.AssignmentType, Start: sc.Start, End: sc.End, Active: sc.Active(now)}
		if sc.Kind == pimcore.Eligibility {
			s.EligibilitySchedules = append(s.EligibilitySchedules, sum)
		} else {
			s.AssignmentSchedules = append(s.AssignmentSchedules, sum)
		}
	}
	for _, r := range e.st.Requests {
		if r.Status == pimcore.StatusPendingApproval {
			s.PendingApprovals++
		}
	}
	defaults := e.defaultRules()
	for _, p := range e.st.Policies {
		if !reflect.DeepEqual(unordered(p.Rules), unordered(defaults)) {
			s.ChangedPolicies = append(s.ChangedPolicies, PolicySummary{Scope: p.Scope, RoleDefinitionID: p.RoleID})
		}
	}
	sort.Slice(s.EligibilitySchedules, func(i, j int) bool { return s.EligibilitySchedules[i].ID < s.EligibilitySchedules[j].ID })
	sort.Slice(s.AssignmentSchedules, func(i, j int) bool { return s.AssignmentSchedules[i].ID < s.AssignmentSchedules[j].ID })
	sort.Slice(s.ChangedPolicies, func(i, j int) bool {
		return s.ChangedPolicies[i].Scope+s.ChangedPolicies[i].RoleDefinitionID < s.ChangedPolicies[j].Scope+s.ChangedPolicies[j].RoleDefinitionID
	})
	return s
}

// unordered is a copy of rules with each rule's enabledRules sorted: they are a set (a client may list
// MultiFactorAuthentication after Justification), which the store keeps in the order written.
func unordered(rules []rule) []rule {
	out := make([]rule, len(rules))
	for i, r := range rules {
		if r.EnabledRules != nil {
			r.EnabledRules = slices.Sorted(slices.Values(r.EnabledRules))
		}
		out[i] = r
	}
	return out
}
