// Command bench is `make bench`: the performance benchmark of the provider (issue 7). It starts the
// emulator in-process with a fixed latency and N seeded AKS clusters, generates a configuration with the
// scenario's 14 managed resources per cluster, and measures with Terraform's default parallelism an
// apply from empty, a no-change plan, a plan after one out-of-band change and a destroy: wall time,
// requests by route, requests per resource against the API contract's minimum, the wall-time limit
// that minimum implies, the provider's peak RSS and CPU, its binary size and start-up time.
//
//	go run ./internal/bench [-clusters 40] [-latency 25ms] [-json]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// options are the command-line settings.
type options struct {
	Clusters    int
	Latency     time.Duration
	Parallelism int
	JSON        bool
	StartupRuns int
	Keep        bool
	ProviderEnv []string
	Seed        int64
	Provider    string
	Floors      bool
	Render      string
	// Budgets enforces Azure's request budgets in the emulator; Compare also measures the provider with
	// shared reads off (refresh and drift, and apply and destroy with CompareWrites); TerraformFloor
	// measures the terraform_data mirror of the graph.
	Budgets        bool
	BudgetShare    float64
	Compare        bool
	CompareWrites  bool
	TerraformFloor bool
	// Destroy measures the destroys (and everything after them); off, a run ends after the drift plans
	// and the terraform_data apply and refresh.
	Destroy bool
	// RoleClusters is how many clusters the roles phase (PIM for Azure resources) uses; 0 skips it.
	RoleClusters int
	// HeapProfiles is where each measured command's provider processes write their heap profiles.
	HeapProfiles string
}

type envList []string

func (e *envList) String() string { return strings.Join(*e, ",") }
func (e *envList) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("want NAME=value, got %q", v)
	}
	*e = append(*e, v)
	return nil
}

func main() {
	var o options
	var env envList
	flag.IntVar(&o.Clusters, "clusters", 40, "number of seeded AKS clusters; 14 managed resources each")
	flag.DurationVar(&o.Latency, "latency", 25*time.Millisecond, "latency the emulator adds to every Graph and ARM request")
	flag.IntVar(&o.Parallelism, "parallelism", 10, "terraform -parallelism (10 is Terraform's default, and the flag is then not passed)")
	flag.BoolVar(&o.JSON, "json", false, "print the results as JSON instead of a table")
	flag.IntVar(&o.StartupRuns, "startup-runs", 5, "provider start-ups timed for the median handshake and first schema answer")
	flag.BoolVar(&o.Keep, "keep", false, "keep the working directory (configuration, state, provider build) and print its path")
	flag.Var(&env, "provider-env", "extra NAME=value for the terraform commands (e.g. AKS_CONSISTENCY_CHECKS=2); repeatable. Default: the provider's defaults")
	flag.StringVar(&o.Provider, "provider", "", "use this already built provider binary instead of building one (for profiling builds)")
	flag.BoolVar(&o.Floors, "floors", true, "also measure apply and destroy without latency (their CPU floors, which the (wall − wall@0ms) ÷ limit row needs); -floors=false saves about a third of the run time")
	flag.StringVar(&o.Render, "render", "", "print the table of a saved -json result instead of running")
	flag.BoolVar(&o.Budgets, "budgets", true, "enforce Azure's request budgets in the emulator (ARM token buckets, Graph's identity-and-access budget)")
	flag.Float64Var(&o.BudgetShare, "budget-share", 1, "the share (0..1] of Azure's budgets left to this run by the tenant's other automation")
	flag.BoolVar(&o.Compare, "compare", true, "also measure refresh and drift with the provider's shared reads off (AKS_SHARED_READS=false)")
	flag.BoolVar(&o.CompareWrites, "compare-writes", true, "with -compare, also apply and destroy with shared reads off")
	flag.BoolVar(&o.TerraformFloor, "terraform-floor", true, "also apply, refresh and destroy the same graph of terraform_data resources (Terraform's own floor)")
	flag.BoolVar(&o.Destroy, "destroy", true, "measure destroy and what follows it (-compare-writes, -floors); -destroy=false stops after the drift plans and the terraform_data apply and refresh, for a size whose reads are what is measured")
	flag.IntVar(&o.RoleClusters, "role-clusters", 5, "clusters of the separate roles phase (one aks_pim_role_policy, aks_pim_role_eligibility and aks_pim_role_assignment each; apply, refresh, destroy); 0 skips it")
	flag.StringVar(&o.HeapProfiles, "heap-profiles", "", "directory for the provider's heap profiles: each measured command's provider processes write, under DIR/<nn>-<phase>-<mode>/, the heap profile at their largest live heap (go tool pprof) and their memory and GC figures, which the table reports")
	flag.Int64Var(&o.Seed, "seed", 7, "emulator seed (IDs and fault draws); fixed so runs are comparable")
	flag.Parse()
	o.ProviderEnv = env
	if o.HeapProfiles != "" {
		abs, err := filepath.Abs(o.HeapProfiles)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: -heap-profiles: %v\n", err)
			os.Exit(2)
		}
		o.HeapProfiles = abs
	}
	if o.Clusters < 1 {
		fmt.Fprintln(os.Stderr, "bench: -clusters must be at least 1")
		os.Exit(2)
	}

	if o.Render != "" {
		if err := render(o.Render); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
			os.Exit(1)
		}
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run(ctx, o, func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
	if o.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
			os.Exit(1)
		}
		return
	}
	printTable(os.Stdout, res)
}

// render prints the table of a result saved with -json.
func render(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var res result
	if err := json.Unmarshal(data, &res); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	printTable(os.Stdout, &res)
	return nil
}
