package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/throttle"
	"github.com/aks-pim/terraform-provider-aks/internal/heapprofile"
	"github.com/aks-pim/terraform-provider-aks/internal/provider"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// result is everything one benchmark run measured; -json prints it as is.
type result struct {
	Command          string         `json:"command"`
	Machine          machine        `json:"machine"`
	Clusters         int            `json:"clusters"`
	Latency          time.Duration  `json:"latencyNs"`
	Parallelism      int            `json:"parallelism"`
	ManagedResources int            `json:"managedResources"`
	ResourceCounts   map[string]int `json:"resourceCounts"`
	DataSources      int            `json:"dataSources"`
	ProviderEnv      []string       `json:"providerEnv"`
	BinaryBytes      int64          `json:"binaryBytes"`
	Startup          startup        `json:"startup"`
	Budgets          bool           `json:"budgets"`
	Phases           []phaseResult  `json:"phases"`
	Targets          []target       `json:"targets"`
	// Roles is the separate roles phase (PIM for Azure resources), absent with -role-clusters 0.
	Roles *rolesResult `json:"roles,omitempty"`
}

// Modes of a measured command: the provider as configured (shared reads on, its default), the provider
// with shared reads off (one read per resource, as before issue 14), and Terraform alone on the same
// graph of terraform_data resources.
const (
	modeShared      = "shared"
	modePerResource = "per-resource"
	modeTerraform   = "terraform_data"
)

// phaseResult is one Terraform command's figures.
type phaseResult struct {
	Phase phase         `json:"phase"`
	Mode  string        `json:"mode"`
	Wall  time.Duration `json:"wallNs"`
	// Requests are the emulator's counts during the command.
	Requests counts `json:"requests"`
	// MinRequests is the contract minimum of the phase (resources, data sources, role look-ups);
	// Limit = MinRequests × latency ÷ parallelism; WallRatio = Wall ÷ Limit.
	MinRequests int           `json:"minRequests"`
	Limit       time.Duration `json:"limitNs"`
	WallRatio   float64       `json:"wallRatio"`
	// ResourceRequests are the API requests less the data sources' reads; per managed resource, measured
	// and minimum, and their ratio.
	ResourceRequests  int64    `json:"resourceRequests"`
	PerResource       float64  `json:"perResource"`
	MinPerResource    float64  `json:"minPerResource"`
	RequestRatio      float64  `json:"requestRatio"`
	Processes         procPeak `json:"processes"`
	TerraformExitCode int      `json:"terraformExitCode"`
	// ProviderWaits is what the provider logged about throttling; Load1 the machine's 1-minute load
	// average when the command ended (the machine is shared: high figures distort wall times).
	ProviderWaits providerWaits `json:"providerWaits"`
	Load1         float64       `json:"load1"`
	// Heap is the provider's own account of its memory (-heap-profiles), nil without it.
	Heap *heapprofile.Summary `json:"heap,omitempty"`
}

// run performs the whole benchmark.
func run(ctx context.Context, o options, logf func(string, ...any)) (*result, error) {
	res := &result{
		Command:     "go run ./internal/bench " + strings.Join(os.Args[1:], " "),
		Machine:     describeMachine(ctx),
		Clusters:    o.Clusters,
		Latency:     o.Latency,
		Parallelism: o.Parallelism,
		ProviderEnv: o.ProviderEnv,
		DataSources: dataSourceCount(o.Clusters),
		Budgets:     o.Budgets,
	}
	res.ResourceCounts = resourceCounts(o.Clusters)
	for _, n := range res.ResourceCounts {
		res.ManagedResources += n
	}

	tmp, err := os.MkdirTemp("", "aks-bench-")
	if err != nil {
		return nil, err
	}
	if o.Keep {
		logf("working directory: %s", tmp)
	} else {
		defer func() { _ = os.RemoveAll(tmp) }()
	}

	bin, err := providerBinaryFor(ctx, o, tmp, logf)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(bin)
	if err != nil {
		return nil, err
	}
	res.BinaryBytes = st.Size()

	// The emulator first: its CA must be in SSL_CERT_FILE before this process's first TLS handshake.
	cfg := emulator.DefaultConfig()
	cfg.Latency = o.Latency
	cfg.Clusters = o.Clusters
	cfg.Seed = o.Seed
	if o.Budgets {
		cfg.Throttling = scaledBudgets(o.BudgetShare)
	}
	srv, err := emulator.Start(cfg)
	if err != nil {
		return nil, fmt.Errorf("starting the emulator: %w", err)
	}
	defer func() { _ = srv.Close() }()
	var env []string
	for _, v := range srv.Env() {
		env = append(env, v.Name+"="+v.Value)
		if err := os.Setenv(v.Name, v.Value); err != nil {
			return nil, err
		}
	}
	env = append(env, o.ProviderEnv...)
	fx := srv.Fixtures()
	if len(fx.ClusterIDs) != o.Clusters {
		return nil, fmt.Errorf("the emulator seeded %d clusters, want %d", len(fx.ClusterIDs), o.Clusters)
	}
	logf("emulator on %s: %d clusters, %s latency", srv.URL(), o.Clusters, o.Latency)

	if res.Startup, err = measureStartup(ctx, bin, o.StartupRuns); err != nil {
		return nil, fmt.Errorf("measuring provider start-up: %w", err)
	}
	logf("provider start-up: handshake %s, first schema answer %s (median of %d)", res.Startup.Handshake.Round(time.Millisecond),
		res.Startup.FirstSchema.Round(time.Millisecond), o.StartupRuns)

	dir := filepath.Join(tmp, "config")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := configuration(fx.ClusterIDs, fx.N01.UPN, fx.P01.UPN).write(dir); err != nil {
		return nil, err
	}
	logPath := filepath.Join(tmp, "terraform.log")
	// The provider logs its waits on Retry-After at WARN (readProviderWaits). Only that level is written:
	// with TF_LOG_PROVIDER alone terraform-plugin-log writes everything at TRACE for Terraform to filter,
	// which costs the provider a fifth of its CPU (main.go).
	env = append(env, "TF_LOG_PROVIDER=WARN", "TF_LOG_PATH="+logPath,
		"TF_LOG_PROVIDER_AKS=WARN", "TF_LOG_SDK=off", "TF_LOG_SDK_PROTO=off", "TF_LOG_SDK_FRAMEWORK=off")
	ws, err := tfrun.NewWorkspace(dir, filepath.Join(tmp, "cli"), filepath.Dir(bin), env)
	if err != nil {
		return nil, err
	}
	wsOff, err := tfrun.NewWorkspace(dir, filepath.Join(tmp, "cli"), filepath.Dir(bin), append(slices.Clone(env), "AKS_SHARED_READS=false"))
	if err != nil {
		return nil, err
	}
	floorDir := filepath.Join(tmp, "floor")
	if err := os.MkdirAll(floorDir, 0o755); err != nil {
		return nil, err
	}
	if err := floorConfiguration(fx.ClusterIDs).write(floorDir); err != nil {
		return nil, err
	}
	wsFloor, err := tfrun.NewWorkspace(floorDir, filepath.Join(tmp, "cli"), filepath.Dir(bin), nil)
	if err != nil {
		return nil, err
	}
	// The per-cluster module is installed once per directory (terraform get: modules only, no provider).
	for _, w := range []*tfrun.Workspace{ws, wsFloor} {
		r, err := w.Run(ctx, "get", "-no-color")
		if err != nil {
			return nil, err
		}
		if err := r.Err(); err != nil {
			return nil, fmt.Errorf("terraform get in %s: %w", w.Dir, err)
		}
	}
	b := &bencher{o: o, srv: srv, ws: ws, wsOff: wsOff, wsFloor: wsFloor, logPath: logPath, logf: logf, res: res}
	if err := b.phases(ctx); err != nil {
		return nil, err
	}
	if o.RoleClusters > 0 {
		if err := b.roles(ctx, fx, tmp, filepath.Dir(bin), env); err != nil {
			return nil, err
		}
	}
	res.Targets = evaluateTargets(res)
	return res, nil
}

// providerBinaryFor builds the provider like a release (stripped) into tmp, or copies -provider there
// (the dev override needs the binary alone under its own name).
func providerBinaryFor(ctx context.Context, o options, tmp string, logf func(string, ...any)) (string, error) {
	if o.Provider == "" {
		start := time.Now()
		bin, err := tfrun.BuildProvider(ctx, filepath.Join(tmp, "bin"))
		if err != nil {
			return "", err
		}
		logf("built the provider (stripped, as released) in %s", time.Since(start).Round(100*time.Millisecond))
		return bin, nil
	}
	data, err := os.ReadFile(o.Provider)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(tmp, "bin", providerBinary)
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	logf("using the provider binary %s", o.Provider)
	return bin, os.WriteFile(bin, data, 0o755)
}

// bencher runs the phases against one emulator: the provider's workspace (shared reads on), the same
// directory with shared reads off, and the terraform_data mirror.
type bencher struct {
	o       options
	srv     *emulator.Server
	ws      *tfrun.Workspace
	wsOff   *tfrun.Workspace
	wsFloor *tfrun.Workspace
	logPath string
	logf    func(string, ...any)
	res     *result
}

// run measures one command and appends its figures.
func (b *bencher) run(ctx context.Context, ws *tfrun.Workspace, mode string, p phase, args []string, wantExit int) (string, error) {
	pr, out, err := b.measure(ctx, ws, mode, p, args, wantExit)
	if err != nil {
		return "", err
	}
	b.res.Phases = append(b.res.Phases, pr)
	return out, nil
}

func (b *bencher) phases(ctx context.Context) error {
	flags := []string{"-input=false", "-no-color"}
	if b.o.Parallelism != 10 {
		flags = append(flags, "-parallelism="+strconv.Itoa(b.o.Parallelism))
	}
	apply := append([]string{"apply", "-auto-approve"}, flags...)
	plan := append([]string{"plan", "-detailed-exitcode"}, flags...)
	destroy := append([]string{"destroy", "-auto-approve"}, flags...)
	if _, err := b.run(ctx, b.ws, modeShared, phaseApply, apply, 0); err != nil {
		return err
	}
	if err := b.checkApplied(); err != nil {
		return err
	}
	// a plan with nothing changed: every resource refreshed, no diff
	if _, err := b.run(ctx, b.ws, modeShared, phaseRefresh, plan, 0); err != nil {
		return err
	}
	if b.o.Compare {
		if _, err := b.run(ctx, b.wsOff, modePerResource, phaseRefresh, plan, 0); err != nil {
			return err
		}
	}
	// the same plan without latency: the CPU floor of Terraform, provider and emulator
	b.srv.SetFaults(emulator.Faults{})
	_, err := b.run(ctx, b.ws, modeShared, phaseFloor, plan, 0)
	b.srv.SetFaults(emulator.Faults{Latency: b.o.Latency})
	if err != nil {
		return err
	}
	// one out-of-band change through the API, then a plan that must find it
	if err := b.changeOutOfBand(ctx); err != nil {
		return err
	}
	for _, m := range b.modes() {
		out, err := b.run(ctx, b.workspace(m), m, phaseDrift, plan, 2)
		if err != nil {
			return err
		}
		if !strings.Contains(out, probeAddress+" will be updated in-place") {
			return fmt.Errorf("the %s plan after the out-of-band change does not update %s:\n%s", m, probeAddress, tail(out, 3000))
		}
	}
	if !b.o.Destroy {
		// the reads alone (a size where a destroy takes longer than the run may): nothing is destroyed,
		// the emulator's state ends with the run
		return b.terraformFloor(ctx, apply, plan, nil)
	}
	// PIM refuses to remove a schedule younger than five minutes (documented); the emulator's clock
	// moves past that instead of the benchmark waiting.
	b.srv.AdvanceClock(6 * time.Minute)
	if _, err := b.run(ctx, b.ws, modeShared, phaseDestroy, destroy, 0); err != nil {
		return err
	}
	if err := b.checkDestroyed(); err != nil {
		return err
	}
	if b.o.Compare && b.o.CompareWrites {
		if err := b.applyDestroy(ctx, b.wsOff, modePerResource, phaseApply, phaseDestroy, apply, destroy); err != nil {
			return err
		}
	}
	if err := b.terraformFloor(ctx, apply, plan, destroy); err != nil {
		return err
	}
	if !b.o.Floors {
		return nil
	}
	// The same apply and destroy without latency: Terraform's, the provider's and the emulator's CPU.
	b.srv.SetFaults(emulator.Faults{})
	defer b.srv.SetFaults(emulator.Faults{Latency: b.o.Latency})
	return b.applyDestroy(ctx, b.ws, modeShared, phaseApplyFloor, phaseDestroyFloor, apply, destroy)
}

// applyDestroy applies in ws as the phase applied, checks the emulator holds the configuration, moves the
// emulator's clock past PIM's five-minute minimum age, destroys as the phase destroyed and checks that
// nothing is left.
func (b *bencher) applyDestroy(ctx context.Context, ws *tfrun.Workspace, mode string, applied, destroyed phase, apply, destroy []string) error {
	if _, err := b.run(ctx, ws, mode, applied, apply, 0); err != nil {
		return err
	}
	if err := b.checkApplied(); err != nil {
		return err
	}
	b.srv.AdvanceClock(6 * time.Minute)
	if _, err := b.run(ctx, ws, mode, destroyed, destroy, 0); err != nil {
		return err
	}
	return b.checkDestroyed()
}

// terraformFloor applies, refreshes and (destroy not nil) destroys the terraform_data mirror of the graph.
func (b *bencher) terraformFloor(ctx context.Context, apply, plan, destroy []string) error {
	if !b.o.TerraformFloor {
		return nil
	}
	cmds := []struct {
		p    phase
		args []string
	}{{phaseApply, apply}, {phaseRefresh, plan}}
	if destroy != nil {
		cmds = append(cmds, struct {
			p    phase
			args []string
		}{phaseDestroy, destroy})
	}
	for _, c := range cmds {
		if _, err := b.run(ctx, b.wsFloor, modeTerraform, c.p, c.args, 0); err != nil {
			return err
		}
	}
	return nil
}

// modes are the provider modes measured for a phase.
func (b *bencher) modes() []string {
	if b.o.Compare {
		return []string{modeShared, modePerResource}
	}
	return []string{modeShared}
}

func (b *bencher) workspace(mode string) *tfrun.Workspace {
	if mode == modePerResource {
		return b.wsOff
	}
	return b.ws
}

// measure runs one terraform command from full budgets (as after a quiet few minutes), with statistics
// reset before it and the processes sampled while it runs, and checks its exit code.
func (b *bencher) measure(ctx context.Context, ws *tfrun.Workspace, mode string, p phase, args []string, wantExit int) (phaseResult, string, error) {
	b.logf("%s (%s): terraform %s", p, mode, strings.Join(args, " "))
	ws, heapDir := b.withHeapProfiles(ws, p, mode)
	b.srv.RefillBudgets()
	_ = os.Remove(b.logPath)
	b.srv.ResetStats()
	self0 := selfCPU()
	mon := startProcMonitor(ws.PID, 20*time.Millisecond)
	r, err := ws.Run(ctx, args...)
	peak := mon.Stop()
	stats := b.srv.Stats()
	peak.BenchCPU = selfCPU() - self0
	if err != nil {
		return phaseResult{}, "", err
	}
	if r.ExitCode != wantExit {
		return phaseResult{}, "", fmt.Errorf("%s (%s): terraform %s exited %d, want %d:\n%s", p, mode, strings.Join(args, " "), r.ExitCode, wantExit, tail(r.Stdout+"\n"+r.Stderr, 4000))
	}
	c := countsFrom(stats)
	if mode == modeTerraform {
		c = counts{}
	}
	pr := b.evaluate(p, r.Duration, c, peak)
	pr.Mode, pr.TerraformExitCode, pr.Load1 = mode, r.ExitCode, loadAverage()
	if pr.ProviderWaits, err = readProviderWaits(b.logPath); err != nil {
		return phaseResult{}, "", err
	}
	if pr.Heap, err = readHeap(heapDir); err != nil {
		return phaseResult{}, "", err
	}
	if pr.Heap != nil {
		b.logf("%s (%s): provider peak live heap %.0f MiB, heap %.0f MiB, goal %.0f MiB, %d GCs (%.2f s CPU, its code %.2f s); profiles in %s",
			p, mode, mib(pr.Heap.PeakLiveBytes), mib(pr.Heap.PeakHeapBytes), mib(pr.Heap.PeakGoalBytes), pr.Heap.GCCycles, pr.Heap.GCBusyCPUSeconds(), pr.Heap.UserCPUSeconds, heapDir)
	}
	b.logf("%s (%s): %s, %d API requests, %d Graph operations, %d ARM reads, %d throttled, Retry-After waited %s, provider peak RSS %d MB, load %.1f",
		p, mode, pr.Wall.Round(10*time.Millisecond), pr.Requests.API, pr.Requests.GraphOps, pr.Requests.ARMReads, pr.Requests.throttledTotal(),
		pr.ProviderWaits.Waited.Round(time.Second), pr.Processes.ProviderHWMKB/1024, pr.Load1)
	return pr, r.Stdout, nil
}

func (b *bencher) evaluate(p phase, wall time.Duration, c counts, peak procPeak) phaseResult {
	n := b.o.Clusters
	minRes, minTotal := phaseMinimum(n, p)
	minRes += roleLookups(p)
	managed := float64(b.res.ManagedResources)
	lat := b.o.Latency
	if isFloor(p) {
		lat = 0
	}
	pr := phaseResult{
		Phase: p, Wall: wall, Requests: c, Processes: peak,
		MinRequests: minTotal,
		Limit:       limit(minTotal, lat, b.o.Parallelism),
	}
	pr.WallRatio = ratio(float64(wall), float64(pr.Limit))
	// Data sources are charged their minimum; any extra request on their routes is the resources'.
	pr.ResourceRequests = c.API - int64(dataSourceReads(n, p))
	pr.PerResource = float64(pr.ResourceRequests) / managed
	pr.MinPerResource = float64(minRes) / managed
	pr.RequestRatio = ratio(float64(pr.ResourceRequests), float64(minRes))
	return pr
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// changeOutOfBand edits the probe group's description through Graph, as a person in the portal would,
// with a client built exactly as the provider builds its own.
func (b *bencher) changeOutOfBand(ctx context.Context) error {
	r, err := b.ws.Run(ctx, "output", "-raw", "probe_group_id")
	if err != nil {
		return err
	}
	if err := r.Err(); err != nil {
		return err
	}
	id := strings.TrimSpace(r.Stdout)
	c, err := provider.ClientFromEnvironment(ctx, "bench")
	if err != nil {
		return fmt.Errorf("building an API client: %w", err)
	}
	g := models.NewGroup()
	g.SetDescription(ptr("Changed out of band by the benchmark."))
	if _, err := clients.Graph(c).Groups().ByGroupId(id).Patch(ctx, g, nil); err != nil {
		return fmt.Errorf("changing group %s out of band: %w", id, err)
	}
	b.logf("drift: changed the description of group %s through Graph", id)
	return nil
}

// checkApplied verifies in the emulator's world that the apply created exactly the configured objects.
func (b *bencher) checkApplied() error {
	s := b.srv.Snapshot()
	want := resourceCounts(b.o.Clusters)
	groups := 0
	for _, g := range s.Groups {
		if !g.Deleted && strings.HasPrefix(g.DisplayName, "bench-") {
			groups++
		}
	}
	bindings := 0
	for _, a := range s.RoleAssignments {
		if strings.HasPrefix(a.Description, "bench ") {
			bindings++
		}
	}
	changed := 0
	for _, p := range s.PIM.Policies {
		if p.Onboarded {
			changed++
		}
	}
	var errs []error
	if groups != want[typeGroup] {
		errs = append(errs, fmt.Errorf("%d benchmark groups exist, want %d", groups, want[typeGroup]))
	}
	if bindings != want[typeBinding] {
		errs = append(errs, fmt.Errorf("%d benchmark role assignments exist, want %d", bindings, want[typeBinding]))
	}
	if n := len(s.PIM.EligibilitySchedules); n != want[typeEligibility] {
		errs = append(errs, fmt.Errorf("%d eligibility schedules exist, want %d", n, want[typeEligibility]))
	}
	if changed < want[typePolicy] {
		errs = append(errs, fmt.Errorf("%d onboarded group policies, want at least %d", changed, want[typePolicy]))
	}
	return errors.Join(errs...)
}

// checkDestroyed verifies that destroy left nothing of the benchmark behind.
func (b *bencher) checkDestroyed() error {
	s := b.srv.Snapshot()
	var errs []error
	for _, g := range s.Groups {
		if !g.Deleted && strings.HasPrefix(g.DisplayName, "bench-") {
			errs = append(errs, fmt.Errorf("group %s (%s) survived destroy", g.DisplayName, g.ID))
		}
	}
	for _, a := range s.RoleAssignments {
		if strings.HasPrefix(a.Description, "bench ") {
			errs = append(errs, fmt.Errorf("role assignment %s survived destroy", a.ID))
		}
	}
	if n := len(s.PIM.EligibilitySchedules); n != 0 {
		errs = append(errs, fmt.Errorf("%d eligibility schedules survived destroy", n))
	}
	if len(errs) > 5 {
		errs = append(errs[:5], fmt.Errorf("... and %d more", len(errs)-5))
	}
	return errors.Join(errs...)
}

func ptr[T any](v T) *T { return &v }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// scaledBudgets are Azure's budgets with share of each bucket and refill rate available to the run: a
// tenant's other automation draws on the same application and subscription budgets.
func scaledBudgets(share float64) emulator.Throttling {
	t := emulator.AzureThrottling()
	if share <= 0 || share == 1 {
		return t
	}
	scale := func(r *throttle.Rate) { r.Size, r.PerSecond = r.Size*share, r.PerSecond*share }
	scale(&t.ARM.Reads)
	scale(&t.ARM.Writes)
	scale(&t.ARM.Deletes)
	scale(&t.Graph.Writes)
	t.Graph.ReadRU = throttle.Rate{Size: 3500 * share, PerSecond: 350 * share} // a small tenant's (limits §1.2)
	return t
}
