package reliability

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// commandTimeout bounds one terraform command; a hang is a failure, not a stuck CI job.
const commandTimeout = 12 * time.Minute

// envOptions choose how a test's emulator and provider run.
type envOptions struct {
	// configure changes the emulator configuration before it starts.
	configure func(*emulator.Config)
	// providerEnv is added to every terraform command (after the mode's knobs, so it wins).
	providerEnv []string
}

// env is one test's world: an in-process emulator, a temporary directory holding copies of the
// examples, and the environment terraform runs with (what a pipeline would export, nothing more).
type env struct {
	t      *testing.T
	srv    *emulator.Server
	fx     emulator.Fixtures
	tmp    string
	prefix string
	vars   map[string]string // the emulator's env file
	base   []string          // NAME=value passed to every terraform command
}

func newEnv(t *testing.T, opts envOptions) *env {
	t.Helper()
	requireAcc(t)
	m := mode()
	cfg := emulator.DefaultConfig()
	cfg.PIM.MinimumActiveAge = m.minActiveAge
	cfg.RetryAfter = m.retryAfter
	if opts.configure != nil {
		opts.configure(&cfg)
	}
	srv, err := emulator.Start(cfg.WithEnvVariants())
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	e := &env{t: t, srv: srv, fx: srv.Fixtures(), tmp: t.TempDir(), vars: map[string]string{}}
	// Group names must be unique per test only (each test has its own emulator), but readable in logs.
	e.prefix = namePrefix(t.Name())
	for _, v := range srv.Env() {
		e.vars[v.Name] = v.Value
		// The provider gets exactly what a pipeline exports for a tenant; the users' passwords and the
		// emulator's fixtures stay out of its environment.
		if strings.HasPrefix(v.Name, "ARM_") || v.Name == "SSL_CERT_FILE" {
			e.base = append(e.base, v.Name+"="+v.Value)
		}
	}
	e.base = append(e.base, m.providerEnv...)
	// AKS_RELIABILITY_TF_LOG_DIR: a DEBUG log of every Terraform run of the test, for investigating a failure.
	if dir := os.Getenv("AKS_RELIABILITY_TF_LOG_DIR"); dir != "" {
		e.base = append(e.base, "TF_LOG=DEBUG", "TF_LOG_PATH="+filepath.Join(dir, e.prefix+".log"))
	}
	e.base = append(e.base, opts.providerEnv...)
	e.base = append(e.base,
		"TF_VAR_cluster_id="+e.fx.ClusterID,
		"TF_VAR_n01_upn="+e.fx.N01.UPN,
		"TF_VAR_p01_upn="+e.fx.P01.UPN,
		"TF_VAR_name_prefix="+e.prefix,
	)
	root, err := tfrun.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if err := tfrun.CopyConfig(filepath.Join(root, "examples", "modules"), filepath.Join(e.tmp, "modules")); err != nil {
		t.Fatalf("copying the modules: %v", err)
	}
	if err := tfrun.CopyConfig(filepath.Join(root, "examples", "scenario"), filepath.Join(e.tmp, "scenario-src")); err != nil {
		t.Fatalf("copying the scenario: %v", err)
	}
	return e
}

// workspace prepares directory name (under the test's temp dir, beside the modules) with the given
// files, or with a copy of examples/scenario when files is nil, and installs its modules. (terraform
// init is not used: with a dev override it still asks the registry for the overridden provider.)
func (e *env) workspace(name string, files map[string]string, extraEnv ...string) *tfrun.Workspace {
	e.t.Helper()
	dir := filepath.Join(e.tmp, name)
	if files == nil {
		if err := tfrun.CopyConfig(filepath.Join(e.tmp, "scenario-src"), dir); err != nil {
			e.t.Fatal(err)
		}
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			e.t.Fatal(err)
		}
		for fname, body := range files {
			if err := os.WriteFile(filepath.Join(dir, fname), []byte(body), 0o644); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	envs := append(append([]string(nil), e.base...), extraEnv...)
	ws, err := tfrun.NewWorkspace(dir, filepath.Join(e.tmp, "cli-"+name), providerDir, envs)
	if err != nil {
		e.t.Fatal(err)
	}
	e.must(ws, "get", "-no-color")
	return ws
}

// tf runs one terraform command and returns its result; only a failure to run at all fails the test.
func (e *env) tf(ws *tfrun.Workspace, args ...string) tfrun.Result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	res, err := ws.Run(ctx, args...)
	if err != nil {
		e.t.Fatalf("running terraform %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		e.t.Fatalf("terraform %s did not finish within %s:\n%s", strings.Join(args, " "), commandTimeout, tail(res.Stderr+res.Stdout, 6000))
	}
	return res
}

// must runs a terraform command that has to succeed.
func (e *env) must(ws *tfrun.Workspace, args ...string) tfrun.Result {
	e.t.Helper()
	res := e.tf(ws, args...)
	if res.ExitCode != 0 {
		e.t.Fatalf("terraform %s exited %d:\n%s", strings.Join(args, " "), res.ExitCode, tail(res.Stdout+"\n"+res.Stderr, 8000))
	}
	return res
}

func (e *env) apply(ws *tfrun.Workspace) tfrun.Result {
	e.t.Helper()
	return e.must(ws, "apply", "-auto-approve", "-input=false", "-no-color")
}

func (e *env) destroy(ws *tfrun.Workspace) tfrun.Result {
	e.t.Helper()
	return e.must(ws, "destroy", "-auto-approve", "-input=false", "-no-color")
}

// planChanges runs plan -detailed-exitcode and reports whether it proposes changes.
func (e *env) planChanges(ws *tfrun.Workspace) (bool, tfrun.Result) {
	e.t.Helper()
	res := e.tf(ws, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	switch res.ExitCode {
	case 0:
		return false, res
	case 2:
		return true, res
	}
	e.t.Fatalf("terraform plan exited %d:\n%s", res.ExitCode, tail(res.Stdout+"\n"+res.Stderr, 8000))
	return false, res
}

// plannedChange plans and returns the actions the plan proposes for address, joined with commas as the
// JSON plan lists them ("create", "update", "delete,create"; "" for no change, "no-op" and "read").
func (e *env) plannedChange(ws *tfrun.Workspace, address string) (string, tfrun.Result) {
	e.t.Helper()
	res := e.must(ws, "plan", "-input=false", "-no-color", "-out=drift.tfplan")
	show := e.must(ws, "show", "-json", "drift.tfplan")
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(show.Stdout), &plan); err != nil {
		e.t.Fatalf("terraform show -json: %v", err)
	}
	for _, rc := range plan.ResourceChanges {
		if rc.Address != address {
			continue
		}
		if a := strings.Join(rc.Change.Actions, ","); a != "no-op" && a != "read" {
			return a, res
		}
	}
	return "", res
}

// requireEmptyPlan fails the test when a plan proposes anything.
func (e *env) requireEmptyPlan(ws *tfrun.Workspace, when string) {
	e.t.Helper()
	if changes, res := e.planChanges(ws); changes {
		e.t.Fatalf("%s: the plan is not empty:\n%s", when, tail(res.Stdout, 8000))
	}
}

// client is an API client authenticated as the provider's identity (the admin service principal),
// for out-of-band changes and checks that must not trust Terraform state.
func (e *env) client() *clients.Client {
	e.t.Helper()
	ctx := context.Background()
	tr := e.srv.HTTPClient().Transport
	eps := clients.Endpoints{
		AuthorityHost:           e.vars["ARM_AUTHORITY_HOST"],
		GraphEndpoint:           e.vars["ARM_GRAPH_ENDPOINT"],
		GraphAudience:           e.vars["ARM_GRAPH_AUDIENCE"],
		ResourceManagerEndpoint: e.vars["ARM_RESOURCE_MANAGER_ENDPOINT"],
		ResourceManagerAudience: e.vars["ARM_RESOURCE_MANAGER_AUDIENCE"],
	}
	cred, _, err := clients.NewCredential(ctx, clients.AuthConfig{
		Method: clients.AuthClientSecret, TenantID: e.fx.TenantID, ClientID: e.fx.AdminClientID,
		ClientSecret: e.fx.AdminClientSecret, Endpoints: eps, Transport: tr,
	})
	if err != nil {
		e.t.Fatalf("admin credential: %v", err)
	}
	c, err := clients.New(ctx, clients.Config{
		TenantID: e.fx.TenantID, SubscriptionID: e.fx.SubscriptionID, Credential: cred, Endpoints: eps,
		Transport: tr, UserAgent: "reliability-tests",
		Consistency: clients.ConsistencyOptions{Successes: 1, Interval: 200 * time.Millisecond, Timeout: time.Minute},
	})
	if err != nil {
		e.t.Fatalf("admin client: %v", err)
	}
	return c
}

// writes is the number of write requests (POST/PUT/PATCH/DELETE) the emulator has served since the last
// statistics reset, $batch items included and the $batch envelope excluded.
func writes(s emulator.Stats) int64 {
	var n int64
	for label, r := range s.Routes {
		method, route, _ := strings.Cut(label, " ")
		switch method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue
		}
		if strings.HasSuffix(route, "/$batch") || strings.Contains(route, "injected") || strings.HasPrefix(route, "/{tenant}") {
			continue
		}
		n += r.Count
	}
	return n
}

// writeRoutes lists the write routes served, with counts, for messages.
func writeRoutes(s emulator.Stats) string {
	var b strings.Builder
	for label, r := range s.Routes {
		method, _, _ := strings.Cut(label, " ")
		if method == http.MethodGet {
			continue
		}
		fmt.Fprintf(&b, "  %s: %d %v\n", label, r.Count, r.Status)
	}
	return b.String()
}

// sub returns e acting for t (a subtest): failures end the subtest, not its parent.
func (e *env) sub(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// tail returns the end of terraform's output, without its "Still creating..." progress lines.
func tail(s string, n int) string {
	if strings.Contains(s, ": Still ") {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, ": Still ") {
				keep = append(keep, l)
			}
		}
		s = strings.Join(keep, "\n")
	}
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// namePrefix turns a test name into the scenario's name_prefix: 2 to 40 letters, digits or hyphens (the
// module's rule), unique per test even when two long names share their first characters.
func namePrefix(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	body := b.String()
	if len(body) > 28 {
		body = body[:28]
	}
	sum := sha256.Sum256([]byte(testName))
	return fmt.Sprintf("rel-%s-%x", strings.Trim(body, "-"), sum[:3])
}
