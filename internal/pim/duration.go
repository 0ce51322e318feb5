package pim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/microsoft/kiota-abstractions-go/serialization"
)

// Duration is the subset of ISO-8601 durations that PIM accepts: days, hours, minutes and whole seconds.
// Years and months are rejected because their length depends on the calendar and PIM answers
// InvalidRoleAssignmentRequest for them (P6M, P1Y); weeks are rejected because PIM's own samples never use
// them and kiota's ISODuration parser drops everything after a week designator (P1W2D reads as P1W).
//
// A Duration is a whole number of seconds, so two spellings of the same length (PT480M, PT8H) compare
// equal and String gives one canonical spelling.
type Duration struct {
	seconds int64
}

// durationMaxSeconds bounds what the parser accepts (100 years of days) so arithmetic never overflows and
// a typo such as P99999999D is an error, not a date in the year 275,000.
const durationMaxSeconds = 100 * 366 * 24 * 3600

// ParseDuration parses the PIM duration subset: "P" [n "D"] ["T" [n "H"] [n "M"] [n "S"]], designators in
// that order, upper case, non-negative integers, at least one component, and a total greater than zero.
func ParseDuration(s string) (Duration, error) {
	if s == "" {
		return Duration{}, errors.New("duration is empty; use an ISO-8601 duration in days, hours or minutes such as P30D, PT8H or PT90M")
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return Duration{}, fmt.Errorf("duration %q is signed; PIM durations are positive and unsigned, such as PT8H", s)
	}
	if s[0] != 'P' {
		return Duration{}, fmt.Errorf("duration %q must start with P (ISO-8601), for example P30D or PT8H", s)
	}
	rest := s[1:]
	datePart, timePart, hasT := strings.Cut(rest, "T")
	if hasT && timePart == "" {
		return Duration{}, fmt.Errorf("duration %q has a T with no hours, minutes or seconds after it", s)
	}
	var total int64
	components := 0
	add := func(n, unit int64) error {
		if n > durationMaxSeconds/unit || total+n*unit > durationMaxSeconds {
			return fmt.Errorf("duration %q is longer than PIM can represent", s)
		}
		total += n * unit
		components++
		return nil
	}
	if err := durationScan(s, datePart, "D", func(d byte, n int64) error {
		return add(n, 24*3600)
	}); err != nil {
		return Duration{}, err
	}
	if hasT {
		if err := durationScan(s, timePart, "HMS", func(d byte, n int64) error {
			switch d {
			case 'H':
				return add(n, 3600)
			case 'M':
				return add(n, 60)
			default:
				return add(n, 1)
			}
		}); err != nil {
			return Duration{}, err
		}
	}
	if components == 0 {
		return Duration{}, fmt.Errorf("duration %q has no components; write for example P30D, PT8H or PT1H30M", s)
	}
	if total == 0 {
		return Duration{}, fmt.Errorf("duration %q is zero; PIM durations must be longer than zero", s)
	}
	return Duration{seconds: total}, nil
}

// durationScan walks "<digits><designator>" pairs of one part (date or time) and insists that designators
// come from allowed, in order, each at most once. Errors name what the user most likely meant.
func durationScan(whole, part, allowed string, emit func(designator byte, n int64) error) error {
	next := 0 // index into allowed of the earliest designator still acceptable
	for part != "" {
		i := 0
		for i < len(part) && part[i] >= '0' && part[i] <= '9' {
			i++
		}
		if i == len(part) {
			return fmt.Errorf("duration %q ends in a number without a designator (D, H, M or S)", whole)
		}
		d := part[i]
		if i == 0 {
			if d == '.' || d == ',' {
				return fmt.Errorf("duration %q has a fraction; use whole numbers of a smaller unit (PT90M, not PT1.5H)", whole)
			}
			if d == '-' || d == '+' {
				return fmt.Errorf("duration %q is signed; PIM durations are positive and unsigned, such as PT8H", whole)
			}
			if strings.IndexByte("YMWDHS", d) >= 0 {
				return fmt.Errorf("duration %q has a designator %q without a number before it", whole, string(d))
			}
			return durationUnexpected(whole, d)
		}
		if d == '.' || d == ',' {
			return fmt.Errorf("duration %q has a fraction; use whole numbers of a smaller unit (PT90M, not PT1.5H)", whole)
		}
		switch {
		case allowed == "D" && d == 'Y':
			return fmt.Errorf("duration %q uses years, which PIM rejects; use days instead (P365D, not P1Y)", whole)
		case allowed == "D" && d == 'M':
			return fmt.Errorf("duration %q uses months, which PIM rejects; use days instead (P180D, not P6M)", whole)
		case allowed == "D" && d == 'W':
			return fmt.Errorf("duration %q uses weeks; use days instead (P14D, not P2W)", whole)
		case allowed == "D" && (d == 'H' || d == 'S'):
			return fmt.Errorf("duration %q puts hours, minutes or seconds before the T; write PT%s%s", whole, part[:i], string(d))
		}
		pos := strings.IndexByte(allowed, d)
		if pos < 0 {
			return durationUnexpected(whole, d)
		}
		if pos < next {
			return fmt.Errorf("duration %q repeats a designator or has them out of order (D, then T, H, M, S)", whole)
		}
		next = pos + 1
		n, err := strconv.ParseInt(part[:i], 10, 64)
		if err != nil {
			return fmt.Errorf("duration %q is longer than PIM can represent", whole)
		}
		if err := emit(d, n); err != nil {
			return err
		}
		part = part[i+1:]
	}
	return nil
}

func durationUnexpected(whole string, d byte) error {
	if d >= 'a' && d <= 'z' {
		return fmt.Errorf("duration %q uses a lower-case designator; ISO-8601 designators are upper case (PT8H)", whole)
	}
	return fmt.Errorf("duration %q has an unexpected %q; allowed: days (D) and, after T, hours (H), minutes (M), seconds (S)", whole, string(d))
}

// DurationOf converts a positive time.Duration (whole seconds are kept) into a Duration.
func DurationOf(d time.Duration) Duration {
	if d < 0 {
		d = 0
	}
	return Duration{seconds: int64(d / time.Second)}
}

// MarshalText is String, so a Duration in a JSON record (a policy kept in a resource's private state)
// reads back with UnmarshalText.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses the canonical spelling; the empty text is the zero Duration.
func (d *Duration) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Duration{}
		return nil
	}
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// IsZero reports whether d is the zero value (no duration set).
func (d Duration) IsZero() bool { return d.seconds == 0 }

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d.seconds) * time.Second }

// Equal reports whether d and o are the same length, whatever their spellings.
func (d Duration) Equal(o Duration) bool { return d.seconds == o.seconds }

// String is the canonical spelling: days, then hours, minutes and seconds, zero parts omitted (P1DT2H,
// PT8H, PT90M is PT1H30M). The zero Duration prints as the empty string.
func (d Duration) String() string {
	if d.seconds == 0 {
		return ""
	}
	s := d.seconds
	days, s := s/86400, s%86400
	hours, s := s/3600, s%3600
	minutes, secs := s/60, s%60
	var b strings.Builder
	b.WriteByte('P')
	if days > 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if hours > 0 || minutes > 0 || secs > 0 {
		b.WriteByte('T')
		if hours > 0 {
			fmt.Fprintf(&b, "%dH", hours)
		}
		if minutes > 0 {
			fmt.Fprintf(&b, "%dM", minutes)
		}
		if secs > 0 {
			fmt.Fprintf(&b, "%dS", secs)
		}
	}
	return b.String()
}

// DurationsEqual compares two spellings semantically; a spelling that does not parse is only equal to
// itself, so an unexpected value from Graph shows as a diff instead of being hidden.
func DurationsEqual(a, b string) bool {
	if a == b {
		return true
	}
	da, errA := ParseDuration(a)
	db, errB := ParseDuration(b)
	return errA == nil && errB == nil && da.Equal(db)
}

// durationFromISO converts what kiota parsed from a Graph response. Kiota keeps the parsed components
// un-normalised, so P365D stays 365 days; years and weeks (never sent by PIM for groups) count 365 and 7
// days so a surprising value still shows up as a different length rather than as zero.
func durationFromISO(v *serialization.ISODuration) Duration {
	if v == nil {
		return Duration{}
	}
	days := int64(v.GetYears())*365 + int64(v.GetWeeks())*7 + int64(v.GetDays())
	secs := days*86400 + int64(v.GetHours())*3600 + int64(v.GetMinutes())*60 + int64(v.GetSeconds())
	if v.GetMilliSeconds() >= 500 {
		secs++
	}
	if secs < 0 {
		secs = 0
	}
	return Duration{seconds: secs}
}
