package pimcore

import (
	"errors"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		in      string
		want    time.Duration
		wantErr error
	}{
		{"P180D", 180 * day, nil},
		{"P25W5D", 180 * day, nil},
		{"PT8H", 8 * time.Hour, nil},
		{"PT1H45M", 105 * time.Minute, nil},
		{"P1DT2H", 26 * time.Hour, nil},
		{"PT30.5S", 30*time.Second + 500*time.Millisecond, nil},
		{"pt2h", 2 * time.Hour, nil},
		{"P1Y", 0, errDurationCalendar},
		{"P6M", 0, errDurationCalendar},
		{"P1Y2D", 0, errDurationCalendar},
		{"P", 0, errDurationSyntax},
		{"PT", 0, errDurationSyntax},
		{"8h", 0, errDurationSyntax},
		{"", 0, errDurationSyntax},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in, true)
		if !errors.Is(err, tt.wantErr) || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := ParseDuration("P2W", false); !errors.Is(err, errDurationWeeks) {
		t.Errorf("weeks refused when disallowed: got %v", err)
	}
}

func TestFormatDuration(t *testing.T) {
	tests := map[time.Duration]string{
		180 * 24 * time.Hour:          "P180D",
		8 * time.Hour:                 "PT8H",
		105 * time.Minute:             "PT1H45M",
		26*time.Hour + 30*time.Second: "P1DT2H30S",
		0:                             "PT0S",
	}
	for in, want := range tests {
		if got := FormatDuration(in); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", in, got, want)
		}
		if in > 0 {
			back, err := ParseDuration(FormatDuration(in), false)
			if err != nil || back != in {
				t.Errorf("round trip of %v gave %v, %v", in, back, err)
			}
		}
	}
}
