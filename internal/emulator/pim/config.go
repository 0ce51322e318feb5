package pim

import "time"

// Config holds the engine's tunable behaviour, chiefly the choices the reference marks UNCONFIRMED.
// A zero field takes its DefaultConfig value, except the booleans and MinimumActiveAge, which are taken
// as given: start from DefaultConfig and change what a test needs.
type Config struct {
	// MinimumActiveAge is the window after a schedule starts during which removal or deactivation fails
	// with ActiveDurationTooShort; schedules shorter than it are refused too. Documented: 5 minutes.
	MinimumActiveAge time.Duration
	// ExistsStatus is the HTTP status of RoleAssignmentExists (UNCONFIRMED: 400; ARM uses 409).
	ExistsStatus int
	// DoesNotExistStatus is the HTTP status of RoleAssignmentDoesNotExist (UNCONFIRMED: 400; some
	// clients also handle 404).
	DoesNotExistStatus int
	// ReviewResultAfterDecision is "Approved" (the approvalStage resource page's result spelling, default)
	// or "Approve" (an echo of the PATCH input) for reviewResult after a decision (UNCONFIRMED).
	ReviewResultAfterDecision string
	// RegeneratePolicyIDsOnOnboarding: policy and policy-assignment IDs change when the group is onboarded
	// (first PIM request or policy change). Documented.
	RegeneratePolicyIDsOnOnboarding bool
	// RegeneratePolicyIDsOnUpdate: the IDs change again on every policy change (the azuread provider
	// claims so; UNCONFIRMED, default false).
	RegeneratePolicyIDsOnUpdate bool
	// SchedulesReportDateTime: schedules created from an afterDuration request report afterDateTime with
	// the computed endDateTime (the documented sample; UNCONFIRMED whether always).
	SchedulesReportDateTime bool
	// FutureStartStatus is the status of an admin request whose schedule starts in the future
	// (UNCONFIRMED: "Provisioned"; alternatives "Granted", "ScheduleCreated").
	FutureStartStatus string
	// ApprovalTimeoutStatus is the status of an activation whose approval stage timed out
	// (UNCONFIRMED: "Canceled"; alternative "Denied").
	ApprovalTimeoutStatus string
	// RejectWeekDurations refuses `W` in durations. Default false: kiota serialises 180 days as P25W5D,
	// and a service refusing that would break every Go SDK caller (UNCONFIRMED).
	RejectWeekDurations bool
	// EnforceApproverJustification refuses a decision without justification when the stage requires
	// one (isApproverJustificationRequired; the portal enforces it, the API is UNCONFIRMED). Default true.
	EnforceApproverJustification bool
	// EnumCase is how memberType and assignmentType are spelt in schedules and instances: "lower"
	// (direct, assigned: the resource pages) or "capitalised" (Direct, Assigned: the list examples).
	EnumCase string
	// StageIDs: "request-id" (the first approval stage's ID is the request's, as in the PIM-for-groups
	// sample) or "distinct" (every stage has its own ID).
	StageIDs string
	// UnfilteredSchedules is the answer to a schedule or instance list without $filter: "empty" (an
	// application sees nothing, a user their own: docs-contrib#8628) or "400" ($filter is required, as
	// the list pages say).
	UnfilteredSchedules string
	// AppCreatedBy is where createdBy names an application caller: "application" or "user".
	AppCreatedBy string
	// RuleOrder: "fixed" (every policy lists its rules in one order) or "varies" (each policy its own, as
	// the list example's two policies do).
	RuleOrder string
	// SelectOmitsID: $select without id answers objects without id (otherwise id is always emitted).
	SelectOmitsID bool
}

// DefaultConfig returns the most likely behaviour of real Graph for every UNCONFIRMED choice.
func DefaultConfig() Config {
	return Config{
		MinimumActiveAge:                5 * time.Minute,
		ExistsStatus:                    400,
		DoesNotExistStatus:              400,
		ReviewResultAfterDecision:       "Approved",
		RegeneratePolicyIDsOnOnboarding: true,
		SchedulesReportDateTime:         true,
		FutureStartStatus:               "Provisioned",
		ApprovalTimeoutStatus:           "Canceled",
		EnforceApproverJustification:    true,
		EnumCase:                        "lower",
		StageIDs:                        "request-id",
		UnfilteredSchedules:             "empty",
		AppCreatedBy:                    "application",
		RuleOrder:                       "fixed",
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.ExistsStatus == 0 {
		c.ExistsStatus = d.ExistsStatus
	}
	if c.DoesNotExistStatus == 0 {
		c.DoesNotExistStatus = d.DoesNotExistStatus
	}
	if c.ReviewResultAfterDecision == "" {
		c.ReviewResultAfterDecision = d.ReviewResultAfterDecision
	}
	if c.FutureStartStatus == "" {
		c.FutureStartStatus = d.FutureStartStatus
	}
	if c.ApprovalTimeoutStatus == "" {
		c.ApprovalTimeoutStatus = d.ApprovalTimeoutStatus
	}
	for _, f := range []struct {
		v   *string
		def string
	}{
		{&c.EnumCase, d.EnumCase}, {&c.StageIDs, d.StageIDs}, {&c.UnfilteredSchedules, d.UnfilteredSchedules},
		{&c.AppCreatedBy, d.AppCreatedBy}, {&c.RuleOrder, d.RuleOrder},
	} {
		if *f.v == "" {
			*f.v = f.def
		}
	}
	return c
}
