package pim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	idsGroup     = "0f9a8b7c-1234-4abc-9def-0123456789ab"
	idsPrincipal = "5a1c0e2b-0000-4000-8000-00000000c0de"
	idsSuffix    = "c3d1a9e0-7777-4a4a-9b9b-2222aaaa3333"
)

func TestParseScheduleID(t *testing.T) {
	t.Parallel()
	checkParse(t, "ParseScheduleID", ParseScheduleID, []parseCase[ScheduleID]{
		{in: idsGroup + "_member_" + idsSuffix, want: ScheduleID{GroupID: idsGroup, AccessID: AccessMember, Suffix: idsSuffix}},
		{in: idsGroup + "_owner_" + idsSuffix, want: ScheduleID{GroupID: idsGroup, AccessID: AccessOwner, Suffix: idsSuffix}},
		{in: idsGroup + "_Member_" + idsSuffix, want: ScheduleID{GroupID: idsGroup, AccessID: AccessMember, Suffix: idsSuffix}},
		{in: strings.ToUpper(idsGroup) + "_member_" + idsSuffix, want: ScheduleID{GroupID: strings.ToUpper(idsGroup), AccessID: AccessMember, Suffix: idsSuffix}},
		{in: idsGroup + "_admin_" + idsSuffix, wantErr: "neither"},
		{in: idsGroup + "_member", wantErr: "form"},
		{in: idsGroup + "_member_" + idsSuffix + "_x", wantErr: "form"},
		{in: "not-a-guid_member_" + idsSuffix, wantErr: "group ID"},
		{in: idsGroup + "_member_{" + idsSuffix[:34] + "}", wantErr: "schedule GUID"},
		{in: idsGroup + "/" + idsPrincipal + "/member", wantErr: "form"},
		{in: "", wantErr: "form"},
	})
}

func TestParseEligibilityKey(t *testing.T) {
	t.Parallel()
	checkParse(t, "ParseEligibilityKey", ParseEligibilityKey, []parseCase[EligibilityKey]{
		{in: idsGroup + "/" + idsPrincipal + "/member", want: EligibilityKey{GroupID: idsGroup, PrincipalID: idsPrincipal, AccessID: AccessMember}},
		{in: idsGroup + "/" + idsPrincipal + "/OWNER", want: EligibilityKey{GroupID: idsGroup, PrincipalID: idsPrincipal, AccessID: AccessOwner}},
		{in: idsGroup + "/" + idsPrincipal, wantErr: "form"},
		{in: idsGroup + "/" + idsPrincipal + "/member/", wantErr: "form"},
		{in: idsGroup + "/n01/member", wantErr: "principal ID"},
		{in: "x/" + idsPrincipal + "/member", wantErr: "group ID"},
		{in: idsGroup + "/" + idsPrincipal + "/guest", wantErr: "neither"},
		{in: idsGroup + "_member_" + idsSuffix, wantErr: "form"},
	})
	// The form serves eligibilities and active assignments alike, so an error must not name one of them.
	if _, err := ParseEligibilityKey(idsGroup + "/x"); err == nil || strings.Contains(err.Error(), "eligibility") {
		t.Errorf("ParseEligibilityKey error %v names a kind of schedule", err)
	}
	// String formats a key as the import ID it was parsed from, the access ID lower-cased.
	for in, want := range map[string]string{
		idsGroup + "/" + idsPrincipal + "/member": idsGroup + "/" + idsPrincipal + "/member",
		idsGroup + "/" + idsPrincipal + "/OWNER":  idsGroup + "/" + idsPrincipal + "/owner",
	} {
		if k, err := ParseEligibilityKey(in); err != nil || k.String() != want {
			t.Errorf("ParseEligibilityKey(%q).String() = %q (%v), want %q", in, k.String(), err, want)
		}
	}
}

func TestParsePolicyKey(t *testing.T) {
	t.Parallel()
	checkParse(t, "ParsePolicyKey", ParsePolicyKey, []parseCase[PolicyKey]{
		{in: idsGroup + "/member", want: PolicyKey{GroupID: idsGroup, AccessID: AccessMember}},
		{in: idsGroup + "/owner", want: PolicyKey{GroupID: idsGroup, AccessID: AccessOwner}},
		{in: idsGroup, wantErr: "form"},
		{in: idsGroup + "/member/x", wantErr: "form"},
		{in: "Group_" + idsGroup + "_" + idsSuffix, wantErr: "form"},
		{in: "abc/member", wantErr: "group ID"},
		{in: idsGroup + "/eligible", wantErr: "neither"},
	})
}

// parseCase is an input of a parser and what it must give: want, or an error containing wantErr.
type parseCase[T any] struct {
	in      string
	want    T
	wantErr string
}

// checkParse runs the parser called name over cases.
func checkParse[T any](t *testing.T, name string, parse func(string) (T, error), cases []parseCase[T]) {
	t.Helper()
	for _, tt := range cases {
		got, err := parse(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s(%q) = %v, %v; want error containing %q", name, tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s(%q): %v", name, tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s(%q) mismatch (-want +got):\n%s", name, tt.in, diff)
		}
	}
}

// FuzzParseIDs: no panics, and whatever parses formats back to a string that parses to the same value.
func FuzzParseIDs(f *testing.F) {
	f.Add(idsGroup + "_member_" + idsSuffix)
	f.Add(idsGroup + "/" + idsPrincipal + "/owner")
	f.Add(idsGroup + "/member")
	f.Add("__")
	f.Add("//")
	f.Fuzz(func(t *testing.T, s string) {
		if id, err := ParseScheduleID(s); err == nil {
			again, err := ParseScheduleID(id.String())
			if err != nil || again != id {
				t.Fatalf("schedule ID %q does not round-trip: %v %v", s, again, err)
			}
			if !IsObjectID(id.GroupID) || !IsObjectID(id.Suffix) {
				t.Fatalf("schedule ID %q parsed non-GUID parts %+v", s, id)
			}
		}
		if k, err := ParseEligibilityKey(s); err == nil {
			again, err := ParseEligibilityKey(k.String())
			if err != nil || again != k {
				t.Fatalf("eligibility key %q does not round-trip: %v %v", s, again, err)
			}
		}
		if k, err := ParsePolicyKey(s); err == nil {
			again, err := ParsePolicyKey(k.String())
			if err != nil || again != k {
				t.Fatalf("policy key %q does not round-trip: %v %v", s, again, err)
			}
		}
	})
}
