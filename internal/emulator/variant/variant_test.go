package variant

import (
	"strconv"
	"strings"
	"testing"
)

var testCatalogue = Catalogue{
	{Name: "a.status", Options: []string{"400", "409"}, Profiles: map[string]string{ProfileDocsExamples: "409"}},
	{Name: "a.case", Options: []string{"lower", "Capital", "UPPER"}, Profiles: map[string]string{ProfileResourcePages: "lower", ProfileDocsExamples: "Capital"}},
	{Name: "b.order", Options: []string{"shuffled", "request-order"}},
}

func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		want string
	}{
		{"", "a.case=lower,a.status=400,b.order=shuffled"},
		{"default", "a.case=lower,a.status=400,b.order=shuffled"},
		{"docs-examples", "a.case=Capital,a.status=409,b.order=shuffled"},
		{"resource-pages", "a.case=lower,a.status=400,b.order=shuffled"},
		{"alternate", "a.case=UPPER,a.status=400,b.order=request-order"},
		{"alternate,resource-pages", "a.case=lower,a.status=400,b.order=request-order"},
		{"docs-examples, a.status=400 ,b.order=request-order", "a.case=Capital,a.status=400,b.order=request-order"},
		{"alternate,default", "a.case=lower,a.status=400,b.order=shuffled"},
	} {
		sel, err := testCatalogue.Select(tc.spec)
		if err != nil {
			t.Fatalf("%q: %v", tc.spec, err)
		}
		if got := sel.String(); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.spec, got, tc.want)
		}
		// The explicit form reproduces the selection.
		again, err := testCatalogue.Select(Spec(sel.String()))
		if err != nil || again.String() != sel.String() {
			t.Errorf("%q: the explicit spec %s selects %s (%v)", tc.spec, sel, again, err)
		}
	}
}

func TestSeed(t *testing.T) {
	seen := map[string]map[string]bool{}
	for seed := int64(1); seed <= 40; seed++ {
		sel, err := testCatalogue.Select(Spec("seed=" + itoa(seed)))
		if err != nil {
			t.Fatal(err)
		}
		again, _ := testCatalogue.Select(Spec("seed=" + itoa(seed)))
		if sel.String() != again.String() {
			t.Fatalf("seed %d is not deterministic: %s vs %s", seed, sel, again)
		}
		for name, opt := range sel.Choices() {
			if seen[name] == nil {
				seen[name] = map[string]bool{}
			}
			seen[name][opt] = true
		}
		// A point's pick depends on the seed and its name only: a catalogue without the other points picks
		// the same option for it.
		alone, _ := Catalogue{testCatalogue[2]}.Select(Spec("seed=" + itoa(seed)))
		if alone.Option("b.order") != sel.Option("b.order") {
			t.Fatalf("seed %d: b.order depends on the other points", seed)
		}
	}
	for _, p := range testCatalogue {
		if len(seen[p.Name]) != len(p.Options) {
			t.Errorf("40 seeds picked %v of %s's options %v", seen[p.Name], p.Name, p.Options)
		}
	}
	// Profiles after a seed keep their opinions and leave the seeded picks of the other points.
	sel, _ := testCatalogue.Select("seed=3,docs-examples")
	seeded, _ := testCatalogue.Select("seed=3")
	if sel.Option("a.status") != "409" || sel.Option("b.order") != seeded.Option("b.order") {
		t.Fatalf("seed=3,docs-examples = %s (seed=3 alone: %s)", sel, seeded)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSelectErrors(t *testing.T) {
	for spec, want := range map[Spec]string{
		"doc-examples":       `unknown profile "doc-examples"`,
		"a.status=404":       `point "a.status" has no option "404" (options: 400, 409)`,
		"c.missing=x":        `unknown point "c.missing"`,
		"seed=x":             `seed "x" is not an integer`,
		"docs-examples,oops": `unknown profile "oops"`,
	} {
		_, err := testCatalogue.Select(spec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", spec, err, want)
		}
	}
	bad := []Catalogue{
		{{Name: "x", Options: []string{"only"}}},
		{{Name: "x", Options: []string{"a", "b"}}, {Name: "x", Options: []string{"a", "b"}}},
		{{Name: "x", Options: []string{"a", "b"}, Profiles: map[string]string{"docs": "a"}}},
		{{Name: "x", Options: []string{"a", "b"}, Profiles: map[string]string{ProfileDocsExamples: "c"}}},
	}
	for i, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("catalogue %d: no validation error", i)
		}
	}
}

func TestSelectionAccessors(t *testing.T) {
	sel, _ := testCatalogue.Select("docs-examples")
	if sel.Int("a.status", 0) != 409 || sel.Int("a.case", 7) != 7 || !sel.Is("a.case", "Capital") || sel.Spec() != "docs-examples" {
		t.Fatalf("accessors of %s", sel)
	}
}
