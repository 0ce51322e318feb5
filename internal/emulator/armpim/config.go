package armpim

import "time"

// Config holds the engine's tunable behaviour: the choices the sources leave open (each set from a variant
// point by SetVariants, see variants.go and internal/emulator/UNCONFIRMED.md) and the documented constants
// a test may shorten. A zero field takes its DefaultConfig value, except the booleans.
type Config struct {
	// MinimumActiveAge is how long a schedule must have been active before AdminRemove or SelfDeactivate
	// succeeds (ActiveDurationTooShort before); schedules shorter than it are refused. Documented: 5 minutes.
	MinimumActiveAge time.Duration
	// RequestRetention is how long requests stay readable (GET and list); older ones are purged, as
	// PIM does after about 45 days (reported by azurerm users; the schedules remain).
	RequestRetention time.Duration
	// ExistsStatus is the HTTP status of RoleAssignmentExists on a schedule request (UNCONFIRMED: 409 as
	// for role assignments; 400 as in PIM for groups).
	ExistsStatus int
	// ScheduleNamedAfterRequest: the schedule an AdminAssign creates is named after the request (as real
	// tenants show). false: a fresh GUID, as in the 2020-10-01 PutRoleEligibilityScheduleRequest example.
	ScheduleNamedAfterRequest bool
	// TargetScheduleAsName: targetRoleEligibilityScheduleId / targetRoleAssignmentScheduleId and
	// linkedRoleEligibilityScheduleId carry the bare schedule GUID, as in the 2020-10-01 examples. false
	// (default): the schedule's full resource ID, as the schedule objects' own IDs are written.
	TargetScheduleAsName bool
	// UpdateKeepsSchedule: AdminUpdate/AdminExtend change the existing schedule in place. false (default):
	// they replace it with a new schedule named after the update request, as PIM for groups does
	// (UNCONFIRMED for Azure resources).
	UpdateKeepsSchedule bool
	// ApprovalIDAsName: a pending request's approvalId is the bare approval GUID. false (default): the
	// tenant-level resource ID /providers/Microsoft.Authorization/roleAssignmentApprovals/{guid}.
	ApprovalIDAsName bool
	// ApprovalStepsProperty: approvals list their stages under properties.steps, as the 2021-01-01-preview
	// definitions say. false (default): properties.stages, as every example of that API version shows.
	// Both the /stages/ and the /steps/ paths are served either way.
	ApprovalStepsProperty bool
	// ActivationMFAByDefault: the default policy of a role requires MultiFactorAuthentication on
	// activation (UNCONFIRMED default for Azure resource roles; false: Justification only, as groups).
	ActivationMFAByDefault bool
	// RenamePolicyOnUpdate: a policy gets a new name (GUID) on every change, as the azurerm provider's
	// comments claim (UNCONFIRMED; default false).
	RenamePolicyOnUpdate bool
	// PolicyDeleteImplemented: DELETE on a role management policy works (resets it). false (default): it
	// answers "Not implemented" as reported in azure-rest-api-specs#28050.
	PolicyDeleteImplemented bool
	// ApprovalTimeoutStatus is the status of an activation whose approval stage timed out (the 2020-10-01
	// Status enum has TimedOut; UNCONFIRMED which one real PIM reports).
	ApprovalTimeoutStatus string
}

// DefaultConfig returns the most likely behaviour of real ARM for every open choice.
func DefaultConfig() Config {
	return Config{
		MinimumActiveAge:          5 * time.Minute,
		RequestRetention:          45 * 24 * time.Hour,
		ExistsStatus:              409,
		ScheduleNamedAfterRequest: true,
		ApprovalTimeoutStatus:     "TimedOut",
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.MinimumActiveAge <= 0 {
		c.MinimumActiveAge = d.MinimumActiveAge
	}
	if c.RequestRetention <= 0 {
		c.RequestRetention = d.RequestRetention
	}
	if c.ExistsStatus == 0 {
		c.ExistsStatus = d.ExistsStatus
	}
	if c.ApprovalTimeoutStatus == "" {
		c.ApprovalTimeoutStatus = d.ApprovalTimeoutStatus
	}
	return c
}
