package pim

import "time"

// Config holds the engine's tunable behaviour, chiefly the choices the reference marks UNCONFIRMED.
type Config struct {
	// MinimumActiveAge is the window after a schedule starts during which removal or deactivation
	// fails with ActiveDurationTooShort.
	MinimumActiveAge time.Duration
	// ExistsStatus is the HTTP status of RoleAssignmentExists (UNCONFIRMED: 400).
	ExistsStatus int
	// ReviewResultAfterDecision is "Approve"/"Deny" (echo the request, default) or "Approved"/"Denied".
	ReviewResultAfterDecision string
	// RegeneratePolicyIDsOnOnboarding: policy and policy-assignment IDs change at onboarding.
	RegeneratePolicyIDsOnOnboarding bool
	// SchedulesReportDateTime: schedules report afterDateTime + endDateTime for afterDuration requests.
	SchedulesReportDateTime bool
}

// DefaultConfig returns the most likely behaviour of real Graph for every UNCONFIRMED choice.
func DefaultConfig() Config {
	return Config{
		MinimumActiveAge:                5 * time.Minute,
		ExistsStatus:                    400,
		ReviewResultAfterDecision:       "Approve",
		RegeneratePolicyIDsOnOnboarding: true,
		SchedulesReportDateTime:         true,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.ExistsStatus == 0 {
		c.ExistsStatus = d.ExistsStatus
	}
	if c.ReviewResultAfterDecision == "" {
		c.ReviewResultAfterDecision = d.ReviewResultAfterDecision
	}
	return c
}
