package pim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeriveMailNickname(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"admin":                        "admin",
		"AKS Admins (prod)":            "AKS-Admins-prod",
		"node-access":                  "node-access",
		"  leading and trailing  ":     "leading-and-trailing",
		"a.b@c;d:e<f>g,h[i]j\\k\"l":    "a-b-c-d-e-f-g-h-i-j-k-l",
		"Grüppe für Ärzte":             "Gr-ppe-f-r-rzte",
		"@@@":                          "group",
		"":                             "group",
		strings.Repeat("x", 70):        strings.Repeat("x", 64),
		strings.Repeat("x", 63) + " y": strings.Repeat("x", 63),
	}
	for in, want := range cases {
		got := DeriveMailNickname(in)
		if got != want {
			t.Errorf("DeriveMailNickname(%q) = %q, want %q", in, got, want)
		}
		if err := ValidateMailNickname(got); err != nil {
			t.Errorf("derived nickname %q is invalid: %v", got, err)
		}
	}
}

func FuzzDeriveMailNickname(f *testing.F) {
	f.Add("AKS Admins (prod)")
	f.Add("")
	f.Add("\x00\xff")
	f.Fuzz(func(t *testing.T, s string) {
		n := DeriveMailNickname(s)
		if err := ValidateMailNickname(n); err != nil {
			t.Fatalf("DeriveMailNickname(%q) = %q: %v", s, n, err)
		}
		if DeriveMailNickname(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, DeriveMailNickname(n))
		}
	})
}

func TestValidateMailNickname(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"a", "aks-admins_01", strings.Repeat("a", 64), "x!#$%&'*+/=?^`{|}~"} {
		if err := ValidateMailNickname(ok); err != nil {
			t.Errorf("ValidateMailNickname(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("a", 65), "a b", "a.b", "a@b", "ä", "a\tb", "(x)"} {
		if err := ValidateMailNickname(bad); err == nil {
			t.Errorf("ValidateMailNickname(%q): want error", bad)
		}
	}
}

func TestGroupSpecValidate(t *testing.T) {
	t.Parallel()
	const id = "0f9a8b7c-1234-4abc-9def-0123456789ab"
	cases := map[string]struct {
		spec    GroupSpec
		wantErr string
	}{
		"minimal":          {spec: GroupSpec{DisplayName: "admin"}},
		"owners, members":  {spec: GroupSpec{DisplayName: "admin", Owners: []string{id}, Members: []string{id}, ManageMembers: true}},
		"empty name":       {spec: GroupSpec{DisplayName: " "}, wantErr: "display name"},
		"bad nickname":     {spec: GroupSpec{DisplayName: "admin", MailNickname: "a b"}, wantErr: "mail nickname"},
		"owner not a guid": {spec: GroupSpec{DisplayName: "admin", Owners: []string{"alice"}}, wantErr: "not an object ID"},
		"member not guid":  {spec: GroupSpec{DisplayName: "admin", Members: []string{"n01"}}, wantErr: "not an object ID"},
	}
	for name, tc := range cases {
		err := tc.spec.Validate()
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: Validate() = %v, want %q", name, err, tc.wantErr)
		}
	}
	if n := (GroupSpec{DisplayName: "AKS admins"}).Nickname(); n != "AKS-admins" {
		t.Errorf("Nickname() = %q", n)
	}
	if n := (GroupSpec{DisplayName: "AKS admins", MailNickname: "x"}).Nickname(); n != "x" {
		t.Errorf("Nickname() = %q", n)
	}
}

func TestMemberDiff(t *testing.T) {
	t.Parallel()
	const a, b, c = "aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002", "cccccccc-0000-0000-0000-000000000003"
	cases := map[string]struct {
		current, desired, add, remove []string
	}{
		"nothing":          {},
		"add all":          {desired: []string{b, a}, add: []string{a, b}},
		"remove all":       {current: []string{a, b}, remove: []string{a, b}},
		"swap":             {current: []string{a, b}, desired: []string{b, c}, add: []string{c}, remove: []string{a}},
		"case-insensitive": {current: []string{strings.ToUpper(a)}, desired: []string{a}},
		"duplicates":       {current: []string{a, a}, desired: []string{b, b}, add: []string{b}, remove: []string{a}},
	}
	for name, tc := range cases {
		add, remove := memberDiff(tc.current, tc.desired)
		if diff := cmp.Diff([2][]string{tc.add, tc.remove}, [2][]string{add, remove}); diff != "" {
			t.Errorf("%s: unexpected difference: %s", name, diff)
		}
	}
}
