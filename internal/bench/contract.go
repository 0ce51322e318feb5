package main

import "time"

// phase is one measured Terraform command.
type phase string

const (
	phaseApply   phase = "apply"   // terraform apply from an empty state
	phaseRefresh phase = "refresh" // terraform plan with nothing changed (refresh of every resource)
	phaseDrift   phase = "drift"   // terraform plan after one out-of-band change
	phaseDestroy phase = "destroy" // terraform destroy (after PIM's minimum schedule age)
	// phaseFloor is the refresh plan again with the emulator's latency off: what Terraform, the provider
	// and the emulator cost in CPU alone on this machine, the part of the wall time no request count
	// can remove. Its limit is 0; it is reported, not judged.
	phaseFloor phase = "refresh@0ms"
	// With -floors, apply and destroy are measured once more without latency, after the main sequence.
	phaseApplyFloor   phase = "apply@0ms"
	phaseDestroyFloor phase = "destroy@0ms"
)

// basePhase is the phase whose contract minimum a phase has (a floor has its phase's minimum).
func basePhase(p phase) phase {
	switch p {
	case phaseFloor:
		return phaseRefresh
	case phaseApplyFloor:
		return phaseApply
	case phaseDestroyFloor:
		return phaseDestroy
	}
	return p
}

// isFloor: measured without latency; its limit is 0 and it is reported, not judged.
func isFloor(p phase) bool { return basePhase(p) != p }

// minimum is the fewest Graph/ARM HTTP requests one resource needs in a phase by the API contract
// (../shared/reference/azure-api-contract.md), counting a Graph $batch as one request: what any correct
// provider must send, whatever its design. Token requests are not counted (a handful per provider
// process, reported apart).
type minimum struct {
	Requests int
	Why      string
}

// Every phase that plans (apply, refresh, drift, and destroy, whose plan refreshes first) reads what
// the state holds: one read per resource. A refresh can be no cheaper, and the target of 1.1
// requests per resource is this read plus 10 %.
const refreshRead = "1 read of what the state holds"

// contractMinimum derives, per resource type and phase, the minimum number of requests.
var contractMinimum = map[string]map[phase]minimum{
	typeGroup: {
		// POST /groups takes owners@odata.bind and members@odata.bind (up to 20 references, §3.2): one
		// write creates the group with its owner and member. The reference (limits §3.1) says a new group
		// can answer 404 for a while and the policy and eligibility created next on it fail until it has
		// replicated, so one read proving it is visible is needed before its ID is handed on.
		phaseApply:   {2, "POST /groups with owners/members bound + 1 read proving it visible"},
		phaseRefresh: {1, refreshRead + ": group, owners and members in one $batch (§9)"},
		phaseDrift:   {1, refreshRead},
		// DELETE /groups/{id} (§3.3; security groups are deleted permanently), after the refresh read.
		phaseDestroy: {2, refreshRead + " + DELETE /groups/{id}"},
	},
	typeBinding: {
		// PUT roleAssignments/{name} (§7.4) with principalType: ARM answers with the assignment, which
		// is authoritative (limits §3.1: trust the write response); nothing in the configuration reads
		// the assignment afterwards, and a new principal is handled by retrying PrincipalNotFound on the
		// PUT itself (§3.2), not by extra reads. Role names are resolved once per provider process
		// (counted per run in roleLookups, not per resource).
		phaseApply:   {1, "PUT roleAssignments/{name}"},
		phaseRefresh: {1, refreshRead + ": GET roleAssignments/{name}"},
		phaseDrift:   {1, refreshRead},
		phaseDestroy: {2, refreshRead + " + DELETE roleAssignments/{name}"},
	},
	typeEligibility: {
		// POST eligibilityScheduleRequests (adminAssign, §4.3) returns targetScheduleId (§4.4); the
		// schedule, not the request, is the resource (peer-providers §1.2), and PIM replicates it
		// asynchronously (limits §3.4): one GET of the schedule proves it exists and gives its effective
		// start and end.
		phaseApply:   {2, "POST adminAssign + 1 GET of the schedule"},
		phaseRefresh: {1, refreshRead + ": GET eligibilitySchedules/{id}"},
		phaseDrift:   {1, refreshRead},
		// adminRemove is one POST once the schedule is older than PIM's 5-minute minimum (§4.8); the
		// benchmark advances the emulator's clock past it, so no ActiveDurationTooShort retries.
		phaseDestroy: {2, refreshRead + " + POST adminRemove"},
	},
	typePolicy: {
		// The policy ID changes at onboarding (§4.1), so it is looked up each time:
		// roleManagementPolicyAssignments with $expand=policy($expand=rules) gives ID and rules in one GET
		// (§6.1). The changed rules go in one write (the documented whole-policy PATCH, or one rule PATCH
		// here since only the approval rule differs from the defaults). Writes that did not persist on
		// first apply are a reported failure mode (limits §3.5), so one read-back is needed.
		phaseApply:   {3, "GET assignment+policy+rules, 1 PATCH, 1 read-back"},
		phaseRefresh: {1, refreshRead + ": one GET with policy and rules expanded"},
		phaseDrift:   {1, refreshRead},
		// Destroy resets the rules to Azure's defaults (a policy cannot be deleted): the refresh read,
		// then the same GET, PATCH and read-back as an apply.
		phaseDestroy: {4, refreshRead + " + GET, PATCH of the changed rule, read-back"},
	},
}

// dataSourceReads: data.aks_user is one GET /users/{upn}; data.aks_cluster one GET of the managed cluster
// (its agentPoolProfiles carry the node pools, §8.1). Data sources are read in every phase that plans.
func dataSourceReads(n int, _ phase) int { return dataSourceCount(n) }

// roleLookups: a plan that creates bindings resolves each distinct role name once per provider process
// (roleDefinitions?$filter=roleName eq '...', §7.2); a refresh keeps the IDs in state.
func roleLookups(p phase) int {
	if basePhase(p) == phaseApply {
		return 6 // the scenario's six roles
	}
	return 0
}

// phaseMinimum is the contract minimum of a whole phase for n clusters: resources, data sources and
// per-run lookups.
func phaseMinimum(n int, p phase) (resources, total int) {
	for typ, count := range resourceCounts(n) {
		resources += count * contractMinimum[typ][basePhase(p)].Requests
	}
	return resources, resources + dataSourceReads(n, p) + roleLookups(p)
}

// limit is the shortest wall time the minimum allows with this latency and parallelism: every request
// waits latency, and at most parallelism of them are in flight.
func limit(minRequests int, latency time.Duration, parallelism int) time.Duration {
	if parallelism < 1 {
		parallelism = 1
	}
	return time.Duration(minRequests) * latency / time.Duration(parallelism)
}
