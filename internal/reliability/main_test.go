package reliability

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// providerDir holds the provider built once for the whole run; empty when the suite is skipped.
var providerDir string

// EnvLong selects the long mode: the 20-second replication delay and the provider's default
// consistency settings. The CI mode shortens the delays and takes the same code paths.
const EnvLong = "AKS_RELIABILITY_LONG"

// EnvProviderDir names a directory holding an already built terraform-provider-aks to use instead of
// building one (for iterating on the tests; CI leaves it unset).
const EnvProviderDir = "AKS_RELIABILITY_PROVIDER_DIR"

// timings are the delays of one mode.
type timings struct {
	name             string
	replicationDelay time.Duration // directory replication of the fault-injected runs
	minActiveAge     time.Duration // PIM's minimum schedule age before removal (Azure: 5 minutes)
	retryAfter       time.Duration // Retry-After of injected 429 and 503 answers
	// providerEnv are the documented AKS_* knobs; the long mode leaves the provider's defaults.
	providerEnv []string
}

func mode() timings {
	if os.Getenv(EnvLong) == "1" {
		return timings{
			name:             "long",
			replicationDelay: 20 * time.Second,
			minActiveAge:     30 * time.Second,
			retryAfter:       2 * time.Second,
		}
	}
	return timings{
		name:             "ci",
		replicationDelay: 3 * time.Second,
		minActiveAge:     3 * time.Second,
		retryAfter:       time.Second,
		providerEnv: []string{
			"AKS_CONSISTENCY_CHECKS=2",
			"AKS_CONSISTENCY_INTERVAL=250ms",
			"AKS_PRINCIPAL_NOT_FOUND_RETRY_TIMEOUT=60s",
		},
	}
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		// Without Terraform runs every test skips itself; the package still compiles and vets.
		return m.Run()
	}
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	tmp, err := os.MkdirTemp("", "aks-reliability-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	if dir := os.Getenv(EnvProviderDir); dir != "" {
		// A provider built beforehand (while iterating on the tests): the caller vouches it is current.
		providerDir = dir
		fmt.Printf("reliability: mode %s, provider from %s=%s\n", mode().name, EnvProviderDir, dir)
	} else {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
		bin, err := tfrun.BuildProvider(ctx, tmp)
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "reliability: building the provider:", err)
			return 1
		}
		providerDir = filepath.Dir(bin)
		fmt.Printf("reliability: mode %s, provider built in %s\n", mode().name, time.Since(start).Round(time.Second))
	}
	code := m.Run()
	figures.print()
	return code
}

// requireAcc skips the test unless the suite runs with Terraform (TF_ACC=1).
func requireAcc(t *testing.T) {
	t.Helper()
	if providerDir == "" {
		t.Skip("reliability tests run Terraform: set TF_ACC=1 (make testacc)")
	}
}

// figures are the counts the suite reports at the end (quoted in RELIABILITY.md).
var figures = &figureBook{values: map[string]int64{}}

type figureBook struct {
	mu     sync.Mutex
	values map[string]int64
	notes  []string
}

func (f *figureBook) add(name string, n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values[name] += n
}

func (f *figureBook) note(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notes = append(f.notes, fmt.Sprintf(format, args...))
}

func (f *figureBook) print() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.values) == 0 && len(f.notes) == 0 {
		return
	}
	names := make([]string, 0, len(f.values))
	for k := range f.values {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "\n=== reliability figures (mode %s)\n", mode().name)
	for _, k := range names {
		fmt.Fprintf(&b, "  %-44s %d\n", k, f.values[k])
	}
	for _, n := range f.notes {
		fmt.Fprintf(&b, "  - %s\n", n)
	}
	fmt.Print(b.String())
}

func lookupEnv(name string) string { return os.Getenv(name) }
