package pim

import "time"

// What PIM for Azure resources (package armpim) shares with PIM for groups: the ISO 8601 duration subset
// and the scheduleInfo and ticketInfo of a request body, which both APIs write alike.

// ParseDuration parses the ISO 8601 duration subset PIM accepts (days, hours, minutes, seconds; weeks as
// kiota writes them; never years or months).
func ParseDuration(s string) (time.Duration, error) { return parseDuration(s, true) }

// FormatDuration renders d the way PIM answers it (P180D, PT8H, P1DT2H30M).
func FormatDuration(d time.Duration) string { return formatDuration(d) }

// ScheduleInput is a request's scheduleInfo, TicketInput its ticketInfo.
type (
	ScheduleInput = scheduleInput
	TicketInput   = ticketInput
)
