package emulator_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

// TestVariantsListedInUnconfirmed: every variant point, with each of its options, is in UNCONFIRMED.md,
// which is where a reader learns what the emulator guesses.
func TestVariantsListedInUnconfirmed(t *testing.T) {
	b, err := os.ReadFile("UNCONFIRMED.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, p := range emulator.VariantCatalogue() {
		i := strings.Index(doc, "`"+p.Name+"`")
		if i < 0 {
			t.Errorf("UNCONFIRMED.md does not list variant point %s", p.Name)
			continue
		}
		line := doc[i:]
		if j := strings.IndexByte(line, '\n'); j >= 0 {
			line = line[:j]
		}
		for _, o := range p.Options {
			if !strings.Contains(line, "`"+o+"`") {
				t.Errorf("UNCONFIRMED.md lists %s without its option %s", p.Name, o)
			}
		}
	}
}

// TestVariantDefaultsAreTheDefaultConfig: with no variant selected, each point's default option is what
// the packages' default configurations already say, so selecting nothing changes nothing.
func TestVariantDefaultsAreTheDefaultConfig(t *testing.T) {
	sel, err := emulator.VariantCatalogue().Select("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := pim.DefaultConfig()
	cfg.SetVariants(sel)
	if fmt.Sprintf("%+v", cfg) != fmt.Sprintf("%+v", pim.DefaultConfig()) {
		t.Fatalf("default variants change the PIM configuration:\n%+v\nwant\n%+v", cfg, pim.DefaultConfig())
	}
	for _, prof := range variant.Profiles() {
		if _, err := emulator.VariantCatalogue().Select(variant.Spec(prof)); err != nil {
			t.Errorf("profile %s: %v", prof, err)
		}
	}
}

// TestVariantsSelectedAndReported: the spec and seed of the configuration decide the options, which the
// server reports in its env file and admin API; a bad spec refuses to start.
func TestVariantsSelectedAndReported(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Variants: "docs-examples,pim.exists-status=409", VariantSeed: 5})
	sel := srv.Variants()
	if !sel.Is("pim.exists-status", "409") || !sel.Is("pim.schedule-expiration", "afterDateTime") {
		t.Fatalf("selection %s ignores the spec", sel)
	}
	seeded, _ := emulator.VariantCatalogue().Select("seed=5")
	if sel.Option("pim.future-start-status") != seeded.Option("pim.future-start-status") {
		t.Fatalf("selection %s ignores the seed (seed=5 alone: %s)", sel, seeded)
	}
	var env string
	for _, v := range srv.Env() {
		if v.Name == emulator.EnvVariants {
			env = v.Value
		}
	}
	if env != sel.String() {
		t.Fatalf("env file %s=%q, want %q", emulator.EnvVariants, env, sel.String())
	}
	resp, err := srv.HTTPClient().Get(srv.URL() + "/_emulator/variants")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Spec    string            `json:"spec"`
		Choices map[string]string `json:"choices"`
	}
	if err := jsonDecode(resp, &body); err != nil || body.Choices["pim.exists-status"] != "409" || body.Spec != "seed=5,docs-examples,pim.exists-status=409" {
		t.Fatalf("GET /_emulator/variants: %+v (%v)", body, err)
	}
	if _, err := emulator.Start(emulator.Config{Variants: "docs-exampels"}); err == nil || !strings.Contains(err.Error(), "unknown profile") {
		t.Fatalf("a misspelt profile started: %v", err)
	}
	t.Setenv(emulator.EnvVariants, "alternate")
	if got := (emulator.Config{Variants: "graph.batch-order=shuffled"}).WithEnvVariants().Variants; got != "alternate,graph.batch-order=shuffled" {
		t.Fatalf("WithEnvVariants = %q: the environment's profile first, the configuration's pins last", got)
	}
}

// TestVariantsDriveBehaviour: a selected option reaches the code that serves it (one point per package).
func TestVariantsDriveBehaviour(t *testing.T) {
	batchOrder := func(spec variant.Spec) []string {
		srv := startEmulator(t, emulator.Config{Variants: spec, Seed: 11})
		c := appWire(t, srv, "https://graph.microsoft.com/.default")
		var reqs []map[string]any
		for i := 1; i <= 12; i++ {
			reqs = append(reqs, map[string]any{"id": fmt.Sprint(i), "method": "GET", "url": "/users?$top=1&$select=id"})
		}
		a := c.must(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": reqs})
		var ids []string
		for _, r := range list(a.Body, "responses") {
			ids = append(ids, str(r, "id"))
		}
		return ids
	}
	inOrder := "1 2 3 4 5 6 7 8 9 10 11 12"
	if got := strings.Join(batchOrder("graph.batch-order=request-order"), " "); got != inOrder {
		t.Errorf("request-order: responses in order %s", got)
	}
	if got := strings.Join(batchOrder("graph.batch-order=shuffled"), " "); got == inOrder {
		t.Errorf("shuffled: responses in request order")
	}

	srv := startEmulator(t, emulator.Config{Variants: "pim.exists-status=409"})
	c := appWire(t, srv, "https://graph.microsoft.com/.default")
	g := c.must(http.StatusCreated, "POST", "/v1.0/groups", map[string]any{"displayName": "variant-exists", "mailNickname": "variant-exists", "mailEnabled": false, "securityEnabled": true})
	assign := map[string]any{
		"accessId": "member", "principalId": srv.Fixtures().N01.ID, "groupId": str(g.Body, "id"), "action": "adminAssign",
		"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "P1D"}},
	}
	c.must(http.StatusCreated, "POST", "/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests", assign)
	again := c.do("POST", "/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests", assign)
	if again.Status != http.StatusConflict || !strings.Contains(string(again.Raw), "RoleAssignmentExists") {
		t.Fatalf("duplicate adminAssign with pim.exists-status=409: %d %s", again.Status, again.Raw)
	}
}

// TestCISpecsCoverEveryOption: the specs `make testacc` runs under (ACC_VARIANTS in the GNUmakefile)
// serve each option of every two-option point, and at least two options of the others, so the
// acceptance tests meet every answer the documentation allows.
func TestCISpecsCoverEveryOption(t *testing.T) {
	b, err := os.ReadFile("../../GNUmakefile")
	if err != nil {
		t.Fatal(err)
	}
	var specs []string
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "ACC_VARIANTS ?="); ok {
			specs = strings.Fields(v)
		}
	}
	if len(specs) < 2 {
		t.Fatalf("the GNUmakefile's ACC_VARIANTS names %d specs, want at least two", len(specs))
	}
	served := map[string]map[string]bool{}
	for _, spec := range specs {
		sel, err := emulator.VariantCatalogue().Select(variant.Spec(spec))
		if err != nil {
			t.Fatalf("ACC_VARIANTS spec %q: %v", spec, err)
		}
		for name, opt := range sel.Choices() {
			if served[name] == nil {
				served[name] = map[string]bool{}
			}
			served[name][opt] = true
		}
	}
	for _, p := range emulator.VariantCatalogue() {
		want := min(len(p.Options), 2)
		if len(p.Options) == 2 {
			want = 2
		}
		if len(served[p.Name]) < want {
			t.Errorf("the specs %v serve only %v of %s's options %v", specs, served[p.Name], p.Name, p.Options)
		}
	}
}
