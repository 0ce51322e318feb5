package emulator_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// pointName is how UNCONFIRMED.md names a variant point in a table cell: `api.point-name`.
var pointName = regexp.MustCompile("`((?:arm|armpim|graph|pim)\\.[a-z0-9-]+)`")

// TestUnconfirmedChoicesSayWhy: every choice UNCONFIRMED.md lists outside the variants table names the
// knob or variant point that changes it, or says why one answer stands; a choice still marked UNCONFIRMED
// says why it is not a variant; and every point a row names exists. A guess cannot sit there unexplained.
func TestUnconfirmedChoicesSayWhy(t *testing.T) {
	b, err := os.ReadFile("UNCONFIRMED.md")
	if err != nil {
		t.Fatal(err)
	}
	_, choices, ok := strings.Cut(string(b), "\n## Entra ID")
	if !ok {
		t.Fatal("UNCONFIRMED.md has no Entra ID section")
	}
	cat := emulator.VariantCatalogue()
	rows := 0
	for _, line := range strings.Split(choices, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| topic ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) < 3 {
			t.Errorf("row without a knob-or-why column: %s", line)
			continue
		}
		rows++
		why := strings.TrimSpace(cells[len(cells)-1])
		if why == "" || why == "—" || why == "-" {
			t.Errorf("%q: neither a knob, a point nor a reason", cells[0])
		}
		if strings.Contains(cells[1], "UNCONFIRMED") && !strings.Contains(line, "not a variant") && !pointName.MatchString(why) {
			t.Errorf("%q is marked UNCONFIRMED but is no variant point and does not say why not", cells[0])
		}
		for _, m := range pointName.FindAllStringSubmatch(why, -1) {
			if _, ok := cat.Find(m[1]); !ok {
				t.Errorf("%q names variant point %s, which the catalogue does not have", cells[0], m[1])
			}
		}
	}
	if rows < 50 {
		t.Fatalf("read %d choice rows; the tables' layout changed", rows)
	}
}
