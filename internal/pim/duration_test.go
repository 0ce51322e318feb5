package pim

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/microsoft/kiota-abstractions-go/serialization"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string // substring of the error; "" means valid
	}{
		{in: "PT8H", want: 8 * time.Hour},
		{in: "PT480M", want: 8 * time.Hour},
		{in: "P365D", want: 365 * 24 * time.Hour},
		{in: "P1DT2H3M4S", want: 26*time.Hour + 3*time.Minute + 4*time.Second},
		{in: "PT1H30M", want: 90 * time.Minute},
		{in: "PT90M", want: 90 * time.Minute},
		{in: "PT30S", want: 30 * time.Second},
		{in: "P0DT1H", want: time.Hour},
		{in: "P001D", want: 24 * time.Hour},
		{in: "", wantErr: "empty"},
		{in: "P", wantErr: "no components"},
		{in: "PT", wantErr: "T with no"},
		{in: "P1DT", wantErr: "T with no"},
		{in: "P6M", wantErr: "months"},
		{in: "P1Y", wantErr: "years"},
		{in: "P1Y2D", wantErr: "years"},
		{in: "P2W", wantErr: "weeks"},
		{in: "-PT8H", wantErr: "signed"},
		{in: "+PT8H", wantErr: "signed"},
		{in: "PT-8H", wantErr: "signed"}, {in: "PTH", wantErr: "without a number"},
		{in: "PT1.5H", wantErr: "fraction"},
		{in: "PT1,5H", wantErr: "fraction"},
		{in: "PT.5H", wantErr: "fraction"},
		{in: "pt8h", wantErr: "must start with P"},
		{in: "Pt8H", wantErr: "lower-case"},
		{in: "PT8h", wantErr: "lower-case"},
		{in: "P8H", wantErr: "before the T"},
		{in: "PT8D", wantErr: "unexpected"},
		{in: "PT30M1H", wantErr: "out of order"},
		{in: "PT1H1H", wantErr: "out of order"},
		{in: "P1D1D", wantErr: "out of order"},
		{in: "PT8", wantErr: "without a designator"},
		{in: "8H", wantErr: "must start with P"},
		{in: "PT0S", wantErr: "zero"},
		{in: "P0D", wantErr: "zero"},
		{in: "P99999999D", wantErr: "longer than"},
		{in: "PT99999999999999999999H", wantErr: "longer than"},
		{in: " PT8H", wantErr: "must start with P"},
		{in: "PT8H ", wantErr: "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDuration(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseDuration(%q) = %v, want error containing %q", tt.in, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDuration(%q) error %q, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDuration(%q): %v", tt.in, err)
			}
			if got.Std() != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, want %v", tt.in, got.Std(), tt.want)
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"PT480M":     "PT8H",
		"PT8H":       "PT8H",
		"PT24H":      "P1D",
		"P365D":      "P365D",
		"PT90M":      "PT1H30M",
		"PT3600S":    "PT1H",
		"P1DT0H0M1S": "P1DT1S",
		"PT1441M":    "P1DT1M",
	}
	for in, want := range tests {
		d, err := ParseDuration(in)
		if err != nil {
			t.Fatalf("ParseDuration(%q): %v", in, err)
		}
		if got := d.String(); got != want {
			t.Errorf("ParseDuration(%q).String() = %q, want %q", in, got, want)
		}
	}
	if got := (Duration{}).String(); got != "" {
		t.Errorf("zero Duration prints %q, want empty", got)
	}
}

func TestDurationsEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"PT480M", "PT8H", true},
		{"P1D", "PT24H", true},
		{"P365D", "P365D", true},
		{"PT8H", "PT9H", false},
		{"P6M", "P6M", true}, // identical strings, even invalid ones, are not a diff
		{"P6M", "P180D", false},
		{"", "PT8H", false},
	}
	for _, tt := range tests {
		if got := DurationsEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("DurationsEqual(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestKiotaISODurationIsLossy pins the reason this package never hands durations to kiota's ISODuration
// for writing: its String normalises days into weeks, a form PIM's samples never use, and its parser drops
// everything after a week designator. If a kiota upgrade fixes this the test tells us the workaround in
// rule.go and schedule.go (durations sent as plain strings) could go.
func TestKiotaISODurationIsLossy(t *testing.T) {
	t.Parallel()
	iso, err := serialization.ParseISODuration("P365D")
	if err != nil {
		t.Fatal(err)
	}
	if got := iso.String(); got != "P52W1D" {
		t.Logf("kiota now writes P365D as %q; the plain-string workaround may no longer be needed", got)
	}
	if got := durationFromISO(iso); got.String() != "P365D" {
		t.Fatalf("durationFromISO(P365D) = %q, want P365D", got)
	}
	back, err := serialization.ParseISODuration(iso.String())
	if err != nil {
		t.Fatal(err)
	}
	if durationFromISO(back).Equal(durationFromISO(iso)) {
		t.Logf("kiota round trip of P365D is now lossless")
	}
}

// TestKiotaISODurationDropsSeconds pins why policy durations must be whole minutes (Policy.Validate):
// kiota's parser loses the seconds of what Graph returns, found by FuzzPolicyRuleRoundTrip
// (P29DT23H59M52S read back as P29DT23H59M). If a kiota upgrade fixes it, the check can go.
func TestKiotaISODurationDropsSeconds(t *testing.T) {
	t.Parallel()
	iso, err := serialization.ParseISODuration("PT1M52S")
	if err != nil {
		t.Fatal(err)
	}
	if got := durationFromISO(iso); got.String() == "PT1M52S" {
		t.Logf("kiota now reads seconds back; the whole-minutes rule of Policy.Validate may no longer be needed")
	}
	p := DefaultPolicy()
	p.Activation.MaximumDuration = DurationOf(90*time.Minute + 30*time.Second)
	var found bool
	for _, pr := range p.Validate(PolicyContext{}) {
		found = found || (!pr.Warning && pr.Check == CheckNotWholeMinutes && pr.Rule == RuleExpirationEndUserAssignment)
	}
	if !found {
		t.Errorf("a policy duration with seconds is accepted: %v", p.Validate(PolicyContext{}))
	}
}

func TestDurationFromISO(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"PT8H", "P180D", "PT1H45M", "P1DT12H", "PT30M"} {
		iso, err := serialization.ParseISODuration(s)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ParseDuration(s)
		if got := durationFromISO(iso); !got.Equal(want) {
			t.Errorf("durationFromISO(%s) = %s, want %s", s, got, want)
		}
	}
	if !durationFromISO(nil).IsZero() {
		t.Error("durationFromISO(nil) is not zero")
	}
}

// FuzzParseDuration checks the parser's invariants on arbitrary input: no panics; anything accepted is
// positive, prints canonically, re-parses to the same length, and contains no rejected designator.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT8H", "P365D", "P1DT2H3M4S", "P6M", "P1Y", "P2W", "-PT1H", "PT1.5H", "", "P", "PT", "PT0S", "P99999999999D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d.IsZero() || d.Std() <= 0 {
			t.Fatalf("ParseDuration(%q) accepted a non-positive duration %v", s, d.Std())
		}
		if strings.ContainsAny(s, "YW-.,") || strings.Contains(strings.SplitN(s, "T", 2)[0], "M") {
			t.Fatalf("ParseDuration(%q) accepted a rejected form", s)
		}
		canon := d.String()
		again, err := ParseDuration(canon)
		if err != nil {
			t.Fatalf("canonical %q of %q does not re-parse: %v", canon, s, err)
		}
		if !again.Equal(d) || again.String() != canon {
			t.Fatalf("canonical form of %q is unstable: %q -> %q", s, canon, again.String())
		}
		if !DurationsEqual(s, canon) {
			t.Fatalf("DurationsEqual(%q, %q) = false", s, canon)
		}
	})
}

// TestDurationJSON: a Policy recorded as JSON (aks_pim_role_policy's private state) reads back equal,
// the zero Duration included; without MarshalText the unexported seconds would be lost.
func TestDurationJSON(t *testing.T) {
	p := DefaultPolicy()
	p.Activation.MaximumDuration = DurationOf(90 * time.Minute)
	p.Approval.ApproverUsers = []string{"u1"}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got Policy
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v\n(%s)", got, p, b)
	}
	var zero struct{ D Duration }
	if err := json.Unmarshal([]byte(`{"D":""}`), &zero); err != nil || !zero.D.IsZero() {
		t.Fatalf("empty duration: %v %v", zero.D, err)
	}
	if err := json.Unmarshal([]byte(`{"D":"P6M"}`), &zero); err == nil {
		t.Fatal("P6M accepted")
	}
}
