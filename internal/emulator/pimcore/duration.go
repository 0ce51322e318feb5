package pimcore

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// PIM stores durations as time spans, so calendar designators (years, months) are refused: `P1Y` and
// `P6M` fail with InvalidRoleAssignmentRequest while `P365D` passes (reference §4.8). Weeks are accepted
// in any combination because kiota's ISODuration serializer normalises days into weeks (`P180D` goes on
// the wire as `P25W5D`).
var isoDuration = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

var (
	errDurationSyntax   = errors.New("not an ISO 8601 duration")
	errDurationCalendar = errors.New("year and month designators are not supported")
	errDurationWeeks    = errors.New("week designators are not supported")
)

// ParseDuration parses the ISO 8601 duration subset PIM accepts (weeks only when allowWeeks).
func ParseDuration(s string, allowWeeks bool) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil || s == "P" || strings.HasSuffix(strings.ToUpper(s), "T") {
		return 0, errDurationSyntax
	}
	if m[1] != "" || m[2] != "" {
		return 0, errDurationCalendar
	}
	if m[3] != "" && !allowWeeks {
		return 0, errDurationWeeks
	}
	var total time.Duration
	for i, unit := range []time.Duration{0, 0, 0, 7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute} {
		if unit == 0 || m[i] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i], 10, 64)
		if err != nil || n > math.MaxInt32 {
			return 0, errDurationSyntax
		}
		total += time.Duration(n) * unit
	}
	if m[7] != "" {
		f, err := strconv.ParseFloat(m[7], 64)
		if err != nil {
			return 0, errDurationSyntax
		}
		total += time.Duration(f * float64(time.Second))
	}
	return total, nil
}

// FormatDuration renders d the way Graph does (`P180D`, `PT8H`, `P1DT2H30M`). It never uses weeks,
// because kiota's parser reads `P25W5D` as 25 weeks and silently drops the days.
func FormatDuration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	days := int64(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	h := int64(d / time.Hour)
	d -= time.Duration(h) * time.Hour
	m := int64(d / time.Minute)
	d -= time.Duration(m) * time.Minute
	var b strings.Builder
	b.WriteString("P")
	if days > 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if h > 0 || m > 0 || d > 0 {
		b.WriteString("T")
		if h > 0 {
			fmt.Fprintf(&b, "%dH", h)
		}
		if m > 0 {
			fmt.Fprintf(&b, "%dM", m)
		}
		if d > 0 {
			b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S")
		}
	}
	return b.String()
}
