package pim

import "time"

// ParseDuration parses the ISO 8601 duration subset PIM accepts (days, hours, minutes, seconds; weeks as
// kiota writes them; never years or months). PIM for Azure resources (package armpim) accepts the same.
func ParseDuration(s string) (time.Duration, error) { return parseDuration(s, true) }

// FormatDuration renders d the way PIM answers it (P180D, PT8H, P1DT2H30M).
func FormatDuration(d time.Duration) string { return formatDuration(d) }
