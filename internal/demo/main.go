// Command demo is `make demo`: it builds the provider, starts the emulator in-process on a free port,
// applies examples/scenario with Terraform through a dev override, and acts out the documented scenario
// (SCENARIO.md §4–§7 and items 7–11) as the users n01 and p01 with their own tokens and the real clients:
// kubectl with each user's kubeconfig and the pinned kubelogin, and ssh to a node. What n01 can do before
// activation, activation of admin and node-access with p01's approval, the cached token refused until
// `kubelogin remove-tokens`, and the token lifetime after the activations end (on the emulator clock).
// It prints each command and its output, an access matrix with a column per judge (ARM's permissions API,
// kubectl, ssh), destroys everything, and exits non-zero when any expected outcome differs or the judges
// disagree. Then it does the same without groups (examples/scenario-roles, PIM for Azure resources:
// story_roles.go), where the token cached before an approval works at once and loses the access when the
// activation ends. The emulator and the temporary files go away on success, failure and Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

func main() {
	os.Exit(run())
}

func run() int {
	verbose := flag.Bool("v", false, "stream Terraform's output")
	timeout := flag.Duration("timeout", 10*time.Minute, "give up when the scenario (after the provider build) takes longer")
	prefix := flag.String("prefix", "aks-demo", "prefix of the group names")
	providerDir := flag.String("provider-dir", "", "use the terraform-provider-aks binary in this directory instead of building one")
	flag.Parse()

	// Ctrl-C and SIGTERM cancel everything; the timeout starts after the build, whose first run may take
	// minutes on a cold cache.
	sigCtx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	out := os.Stdout
	r := newReport(out)
	fmt.Fprintln(out, "make demo: just-in-time access to AKS with PIM for groups, then without groups (PIM for Azure resources), against the offline emulator")

	r.section("Setup")
	r.step("build the provider and start the emulator (in-process, free port, generated CA)")
	e, err := startEnvironment(sigCtx, environmentOptions{
		ProviderDir: *providerDir,
		ConfigDir:   "scenario",
		Logf:        func(format string, args ...any) { r.info(format, args...) },
	})
	if err != nil {
		e.Close()
		return finish(sigCtx, r, fmt.Errorf("setting up: %w", err))
	}
	defer e.Close()
	ctx, cancel := context.WithTimeout(sigCtx, *timeout)
	defer cancel()
	f := e.fixtures
	e.ws.Env = append(e.ws.Env, scenarioVars(f, *prefix)...)
	r.info("users: n01 = %s (%s), p01 = %s (%s)", f.N01.UPN, f.N01.ID, f.P01.UPN, f.P01.ID)
	r.done()
	r.ready = time.Now()

	d := &demo{e: e, r: r, prefix: *prefix}
	if *verbose {
		d.verbose = out
	}
	return finish(ctx, r, d.run(ctx))
}

// scenarioVars are examples/scenario's input variables for the emulator's fixtures.
func scenarioVars(f emulator.Fixtures, prefix string) []string {
	return []string{
		"TF_VAR_cluster_id=" + f.ClusterID,
		"TF_VAR_n01_upn=" + f.N01.UPN,
		"TF_VAR_p01_upn=" + f.P01.UPN,
		"TF_VAR_name_prefix=" + prefix,
	}
}

// finish prints the verdict and returns the exit code: 0 when every expectation was met, 1 otherwise,
// 130 when interrupted.
func finish(ctx context.Context, r *report, err error) int {
	w := r.out
	if errors.Is(ctx.Err(), context.Canceled) {
		fmt.Fprintln(w, "\ninterrupted: the emulator is stopped and the temporary files removed")
		return 130
	}
	if err != nil && !errors.Is(err, errStop) {
		r.fail(err)
	}
	elapsed := time.Since(r.start).Round(100 * time.Millisecond).String()
	if !r.ready.IsZero() {
		elapsed = fmt.Sprintf("%s in all, %s after the provider build", elapsed, time.Since(r.ready).Round(100*time.Millisecond))
	}
	if r.ok() {
		fmt.Fprintf(w, "\nPASS: every expected outcome was met (%s)\n", elapsed)
		return 0
	}
	fmt.Fprintf(w, "\nFAIL: %d expected outcome(s) not met (%s):\n", len(r.failures), elapsed)
	for _, f := range r.failures {
		fmt.Fprintf(w, "  - %s\n", f)
	}
	return 1
}
