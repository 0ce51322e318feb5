package pim

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

var accessIDs = []string{"member", "owner"}

// policyNamespace seeds the IDs a group's policies have before onboarding, so that an untouched group
// answers the same IDs on every read without being stored.
var policyNamespace = uuid.MustParse("6f0d9a52-3c1e-4e0b-9a51-7d2f8c4b1e90")

// policyView is a group's policy for one access ID as the API shows it.
type policyView struct {
	GroupID        string
	AccessID       string
	GUID           string
	Rules          []rule
	LastModified   *time.Time
	LastModifiedBy string
}

func (p policyView) ID() string { return "Group_" + p.GroupID + "_" + p.GUID }

func (p policyView) AssignmentID() string { return p.ID() + "_" + p.AccessID }

// policy returns the current policy of groupID for accessID; ok is false when the group is not visible.
func (e *Engine) policy(groupID, accessID string) (policyView, bool) {
	if !e.dir.GroupExists(groupID) {
		return policyView{}, false
	}
	v := policyView{GroupID: groupID, AccessID: accessID,
		GUID: uuid.NewSHA1(policyNamespace, []byte(strings.ToLower(groupID)+"/"+accessID)).String()}
	if g := e.st.Policies[strings.ToLower(groupID)]; g != nil {
		if ap := g.Access[accessID]; ap != nil {
			v.GUID = ap.GUID
			v.Rules = pimcore.CloneRules(ap.Rules)
			v.LastModified = ap.LastModified
			v.LastModifiedBy = ap.LastModifiedBy
		}
	}
	if v.Rules == nil {
		v.Rules = defaultRules()
	}
	return v, true
}

// policyByID resolves a policy ID (`Group_{groupId}_{guid}`); IDs from before onboarding no longer resolve.
func (e *Engine) policyByID(id string) (policyView, bool) {
	groupID, guid, ok := splitPolicyID(id)
	if !ok {
		return policyView{}, false
	}
	for _, a := range accessIDs {
		if p, ok := e.policy(groupID, a); ok && strings.EqualFold(p.GUID, guid) {
			return p, true
		}
	}
	return policyView{}, false
}

// policyByAssignmentID resolves `Group_{groupId}_{guid}_{member|owner}`.
func (e *Engine) policyByAssignmentID(id string) (policyView, bool) {
	i := strings.LastIndex(id, "_")
	if i < 0 {
		return policyView{}, false
	}
	p, ok := e.policyByID(id[:i])
	if !ok || !strings.EqualFold(p.AccessID, id[i+1:]) {
		return policyView{}, false
	}
	return p, true
}

func splitPolicyID(id string) (groupID, guid string, ok bool) {
	parts := strings.Split(id, "_")
	if len(parts) != 3 || !strings.EqualFold(parts[0], "Group") {
		return "", "", false
	}
	return parts[1], parts[2], true
}

// groupState returns the stored policy state of a group, creating it with the derived IDs.
func (e *Engine) groupState(groupID string) *groupPolicy {
	key := strings.ToLower(groupID)
	g := e.st.Policies[key]
	if g == nil {
		g = &groupPolicy{Access: map[string]*accessPolicy{}}
		e.st.Policies[key] = g
	}
	for _, a := range accessIDs {
		if g.Access[a] == nil {
			g.Access[a] = &accessPolicy{
				GUID: uuid.NewSHA1(policyNamespace, []byte(key+"/"+a)).String()}
		}
	}
	return g
}

// onboard marks the group as managed by PIM: its first request or policy change. The service gives the
// group's policies and policy assignments new IDs at that moment (reference §4.1).
func (e *Engine) onboard(groupID string) {
	g := e.groupState(groupID)
	if g.Onboarded {
		return
	}
	g.Onboarded = true
	if e.cfg.RegeneratePolicyIDsOnOnboarding {
		for _, a := range accessIDs {
			g.Access[a].GUID = e.newID()
		}
	}
}

// savePolicy stores changed rules of a group's policy, onboarding the group.
func (e *Engine) savePolicy(groupID, accessID string, rules []rule, by string) {
	e.onboard(groupID)
	ap := e.groupState(groupID).Access[accessID]
	ap.Rules = pimcore.CloneRules(rules)
	now := e.now().UTC()
	ap.LastModified = &now
	ap.LastModifiedBy = by
	if e.cfg.RegeneratePolicyIDsOnUpdate {
		ap.GUID = e.newID()
	}
}
