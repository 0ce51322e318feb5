package pim

import (
	"time"
)

// MinimumAssignment is the shortest schedule PIM accepts and the minimum age before it lets one be removed.
const MinimumAssignment = 5 * time.Minute

// Schedule is when an eligibility holds: from Start (zero means now) until Start+Duration, until End, or
// for ever when Permanent. Exactly one of Duration, End and Permanent is set.
type Schedule struct {
	Start     time.Time
	Duration  Duration
	End       time.Time
	Permanent bool
}

// Length is how long s lasts when requested at now (a start in the past counts from now, as PIM does);
// ok is false for a permanent schedule.
func (s Schedule) Length(now time.Time) (time.Duration, bool) {
	switch {
	case s.Permanent:
		return 0, false
	case !s.Duration.IsZero():
		return s.Duration.Std(), true
	case !s.End.IsZero():
		start := s.Start
		if start.IsZero() || start.Before(now) {
			start = now
		}
		return s.End.Sub(start), true
	}
	return 0, false
}

// Validate checks s on its own: one expiration form, end after start, no shorter than PIM's minimum.
func (s Schedule) Validate(now time.Time) []Problem {
	var out []Problem
	n := 0
	if !s.Duration.IsZero() {
		n++
	}
	if !s.End.IsZero() {
		n++
	}
	if s.Permanent {
		n++
	}
	if n != 1 {
		// With two set, the error goes on one of them so the plan points at the line to remove; with none
		// there is no attribute to point at.
		attr := ""
		if n > 1 {
			attr = "end_date_time"
			if s.Permanent {
				attr = "permanent"
			}
		}
		out = append(out, Problem{Attribute: attr, Summary: "Invalid Eligibility Schedule",
			Detail: "Set exactly one of duration (such as P180D), end_date_time (RFC 3339) or permanent = true."})
		return out
	}
	if !s.End.IsZero() {
		start := s.Start
		if start.IsZero() || start.Before(now) {
			start = now
		}
		switch {
		case !s.Start.IsZero() && !s.End.After(s.Start):
			out = append(out, Problem{Attribute: "end_date_time", Summary: "Eligibility Ends Before It Starts",
				Detail: "end_date_time " + s.End.Format(time.RFC3339) + " is not after start_date_time " + s.Start.Format(time.RFC3339) + "."})
		case s.End.Sub(start) < MinimumAssignment:
			out = append(out, Problem{Attribute: "end_date_time", Summary: "Eligibility Too Short",
				Detail: "end_date_time " + s.End.Format(time.RFC3339) + " leaves less than five minutes of eligibility; PIM rejects schedules shorter than five minutes."})
		}
	}
	switch {
	case !s.Duration.IsZero() && s.Duration.Std() < MinimumAssignment:
		out = append(out, Problem{Attribute: "duration", Summary: "Eligibility Too Short",
			Detail: "duration " + s.Duration.String() + " is under five minutes; PIM rejects schedules shorter than five minutes."})
	case !s.Duration.IsZero() && !s.Start.IsZero() && s.Start.Add(s.Duration.Std()).Sub(now) < MinimumAssignment:
		out = append(out, Problem{Attribute: "duration", Summary: "Eligibility Too Short",
			Detail: "start_date_time " + s.Start.Format(time.RFC3339) + " plus duration " + s.Duration.String() +
				" ends less than five minutes from now; the duration counts from start_date_time."})
	}
	return out
}
