package pim

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// Summary is a copy of the engine's state for test assertions and the server's Snapshot.
type Summary struct {
	Requests             int               // schedule requests kept (validation-only ones are not)
	PendingApprovals     int               // activations awaiting a decision
	EligibilitySchedules []ScheduleSummary // schedules that exist now (started or future)
	AssignmentSchedules  []ScheduleSummary
	Policies             []PolicySummary // policies of onboarded or changed groups
}

// ScheduleSummary is one schedule as the API would show it.
type ScheduleSummary struct {
	ID, GroupID, PrincipalID, AccessID string
	MemberType                         string // direct | group
	AssignmentType                     string // assigned | activated; "" for eligibilities
	Start                              time.Time
	End                                *time.Time // nil: permanent
	Active                             bool       // has an instance now
}

// PolicySummary is a group's policy for one access ID, with its rules in wire form by rule ID.
type PolicySummary struct {
	GroupID, AccessID, PolicyID, AssignmentID string
	Onboarded                                 bool
	Rules                                     map[string]json.RawMessage
}

// Summary returns counts and copies of schedules and policies at the emulator's current time.
// It calls the Directory, so callers must not hold the directory's lock.
func (e *Engine) Summary() Summary {
	e.mu.Lock()
	changed := e.sweep()
	s := e.summary()
	e.mu.Unlock()
	if changed {
		e.Fire()
	}
	return s
}

func (e *Engine) summary() Summary {
	now := e.now().UTC()
	var s Summary
	for _, r := range e.st.Requests {
		s.Requests++
		if r.Status == pimcore.StatusPendingApproval {
			s.PendingApprovals++
		}
	}
	for _, sc := range e.st.Schedules {
		if !sc.Exists(now) {
			continue
		}
		sum := ScheduleSummary{ID: sc.ID, GroupID: sc.GroupID, PrincipalID: sc.PrincipalID, AccessID: sc.AccessID,
			MemberType: sc.MemberType, AssignmentType: sc.AssignmentType, Start: sc.Start, Active: sc.Active(now)}
		if sc.End != nil {
			end := *sc.End
			sum.End = &end
		}
		if sc.Kind == pimcore.Eligibility {
			s.EligibilitySchedules = append(s.EligibilitySchedules, sum)
		} else {
			s.AssignmentSchedules = append(s.AssignmentSchedules, sum)
		}
	}
	byID := func(list []ScheduleSummary) {
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	}
	byID(s.EligibilitySchedules)
	byID(s.AssignmentSchedules)
	var groups []string
	for g := range e.st.Policies {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		for _, a := range accessIDs {
			p, ok := e.policy(g, a)
			if !ok {
				continue
			}
			ps := PolicySummary{GroupID: g, AccessID: a, PolicyID: p.ID(), AssignmentID: p.AssignmentID(),
				Onboarded: e.st.Policies[g].Onboarded, Rules: map[string]json.RawMessage{}}
			for _, r := range p.Rules {
				ps.Rules[r.ID], _ = json.Marshal(e.renderRule(r))
			}
			s.Policies = append(s.Policies, ps)
		}
	}
	return s
}
