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
func (s Schedule) Validate(now time.Time) []Finding {
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
		// With two set, the finding names one of them so the plan points at the line to remove; with none
		// there is none to name.
		var setting Setting
		if n > 1 {
			setting = SettingEnd
			if s.Permanent {
				setting = SettingPermanent
			}
		}
		return []Finding{{Check: CheckScheduleForm, Setting: setting}}
	}
	minimum := DurationOf(MinimumAssignment).String()
	var out []Finding
	if !s.End.IsZero() {
		start := s.Start
		if start.IsZero() || start.Before(now) {
			start = now
		}
		switch {
		case !s.Start.IsZero() && !s.End.After(s.Start):
			out = append(out, Finding{Check: CheckEndBeforeStart, Setting: SettingEnd, Value: s.End.Format(time.RFC3339), Min: s.Start.Format(time.RFC3339)})
		case s.End.Sub(start) < MinimumAssignment:
			out = append(out, Finding{Check: CheckTooShort, Setting: SettingEnd, Value: s.End.Format(time.RFC3339), Min: minimum})
		}
	}
	switch {
	case !s.Duration.IsZero() && s.Duration.Std() < MinimumAssignment:
		out = append(out, Finding{Check: CheckTooShort, Setting: SettingDuration, Value: s.Duration.String(), Min: minimum})
	case !s.Duration.IsZero() && !s.Start.IsZero() && s.Start.Add(s.Duration.Std()).Sub(now) < MinimumAssignment:
		// The duration counts from the start: Value is when it would end.
		out = append(out, Finding{Check: CheckTooShort, Setting: SettingStart,
			Value: s.Start.Add(s.Duration.Std()).Format(time.RFC3339), Min: minimum})
	}
	return out
}
