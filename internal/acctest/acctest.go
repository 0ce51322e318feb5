// Package acctest is the acceptance-test harness: it runs the provider's acceptance tests against the
// emulator started in-process (the default) or against a real tenant (AKS_ACC_LIVE=1), with the same
// provider code path either way. It exports the environment the provider reads (ARM_*), provides the
// provider factories, the scenario fixtures, the steps and checks the tests are made of (steps.go), and
// API clients for checks that must not trust state.
package acctest

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/provider"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// Environment variables of live mode (documented in the README and the guide).
const (
	EnvLive           = "AKS_ACC_LIVE"              // "1": run against the tenant in ARM_*
	EnvClusterID      = "AKS_ACC_CLUSTER_ID"        // an AKS cluster with AKS-managed Entra and Azure RBAC
	EnvN01UPN         = "AKS_ACC_USER_N01_UPN"      // a normal user, no MFA (ROPC), used as the requester
	EnvN01Password    = "AKS_ACC_USER_N01_PASSWORD" // its password
	EnvP01UPN         = "AKS_ACC_USER_P01_UPN"      // a privileged user, the approver
	EnvP01Password    = "AKS_ACC_USER_P01_PASSWORD" // its password
	EnvPublicClientID = "AKS_ACC_PUBLIC_CLIENT_ID"  // a public client app users can sign in through
)

// User is a scenario user the tests act as.
type User struct {
	ObjectID string
	UPN      string
	Password string
}

// Fixtures are the pre-existing objects the acceptance tests rely on; the tests create everything else.
type Fixtures struct {
	TenantID          string
	SubscriptionID    string
	ClusterID         string
	ResourceGroup     string
	NodeResourceGroup string
	NodePools         []string
	N01, P01          User
	PublicClientID    string
}

var (
	mu       sync.Mutex
	server   *emulator.Server
	fixtures Fixtures
	liveErr  error
)

// ProtoV6ProviderFactories serves the provider in-process to terraform-plugin-testing, on the tests' clock.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	provider.TypeName: func() (tfprotov6.ProviderServer, error) {
		return provider.Protocol6(provider.New("test", provider.WithClock(Clock)))(), nil
	},
}

// Clock is the acceptance tests' time of day: the in-process emulator's clock (so the provider under test
// and the emulated service agree when a test moves it), the wall clock when live.
var Clock clients.Clock = emulatorClock{}

type emulatorClock struct{}

func (emulatorClock) Now() time.Time {
	mu.Lock()
	srv := server
	mu.Unlock()
	if srv == nil {
		return time.Now()
	}
	return srv.Now()
}

// Now is Clock's time: write the dates of test configurations with it, not with the wall clock.
func Now() time.Time { return Clock.Now() }

// Live reports whether the tests run against a real tenant.
func Live() bool { return os.Getenv(EnvLive) == "1" }

// Main is the TestMain of every package with acceptance tests: without TF_ACC it only runs the unit
// tests; with it, it starts the emulator (unless live) and exports its environment before any test, and
// stops it afterwards.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	// terraform-plugin-testing must use this machine's Terraform and never download one.
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		_ = os.Setenv("TF_ACC_TERRAFORM_PATH", tfrun.TerraformPath())
	}
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	if Live() {
		fixtures, liveErr = liveFixtures()
		return m.Run()
	}
	srv, err := emulator.Start(EmulatorConfig())
	if err != nil {
		fmt.Fprintf(os.Stderr, "acctest: starting the emulator: %v\n", err)
		return 1
	}
	defer func() { _ = srv.Close() }()
	// Shown with the output of a failing package: the answers the emulator gave to the documentation's
	// open questions (AZEMU_VARIANTS=<this> reproduces them).
	fmt.Printf("acctest: emulator variants %q: %s\n", os.Getenv(emulator.EnvVariants), srv.Variants())
	// The provider under test reads exactly what a pipeline would export; SSL_CERT_FILE is set before the
	// first TLS handshake of this process, so Go's root pool includes the emulator's CA.
	for _, v := range srv.Env() {
		_ = os.Setenv(v.Name, v.Value)
	}
	mu.Lock()
	server = srv
	fixtures = emulatorFixtures(srv.Fixtures())
	mu.Unlock()
	code := m.Run()
	if err := checkGraphRoutes(srv.Stats()); code == 0 && err != nil {
		fmt.Fprintf(os.Stderr, "acctest: %v\n", err)
		code = 1
	}
	return code
}

// EmulatorConfig is the emulator configuration of acceptance runs: the defaults of real Azure, except a
// PIM minimum active age of seconds instead of five minutes, so that destroying an eligibility still
// meets (and retries) ActiveDurationTooShort without every test waiting five minutes.
func EmulatorConfig() emulator.Config {
	cfg := emulator.DefaultConfig()
	cfg.PIM.MinimumActiveAge = 3 * time.Second
	cfg.ARMPIM.MinimumActiveAge = 3 * time.Second
	return cfg.WithEnvVariants()
}

func emulatorFixtures(f emulator.Fixtures) Fixtures {
	return Fixtures{
		TenantID:          f.TenantID,
		SubscriptionID:    f.SubscriptionID,
		ClusterID:         f.ClusterID,
		ResourceGroup:     f.ResourceGroup,
		NodeResourceGroup: f.NodeResourceGroup,
		NodePools:         f.NodePools,
		N01:               User{ObjectID: f.N01.ID, UPN: f.N01.UPN, Password: f.N01.Password},
		P01:               User{ObjectID: f.P01.ID, UPN: f.P01.UPN, Password: f.P01.Password},
		PublicClientID:    f.PublicClientID,
	}
}

// liveFixtures reads the live-mode variables; the object IDs of the users and the node resource group
// are looked up by the tests that need them.
func liveFixtures() (Fixtures, error) {
	var missing []string
	get := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	f := Fixtures{
		TenantID:       get("ARM_TENANT_ID"),
		SubscriptionID: get("ARM_SUBSCRIPTION_ID"),
		ClusterID:      get(EnvClusterID),
		N01:            User{UPN: get(EnvN01UPN), Password: get(EnvN01Password)},
		P01:            User{UPN: get(EnvP01UPN), Password: get(EnvP01Password)},
		PublicClientID: get(EnvPublicClientID),
	}
	if len(missing) > 0 {
		return f, fmt.Errorf("live acceptance tests need %s (see README, \"Acceptance tests against a tenant\")", strings.Join(missing, ", "))
	}
	return f, nil
}

// requireAcceptance skips a test that needs the emulator or a tenant when acceptance tests are off, as
// resource.Test does, so that `go test` without TF_ACC runs only the unit tests of the package.
func requireAcceptance(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it (make testacc runs it against the emulator)")
	}
}

// PreCheck fails fast when the environment cannot run acceptance tests, and skips with a clear
// message in live mode when the live variables are missing.
func PreCheck(t *testing.T) {
	t.Helper()
	requireAcceptance(t)
	if Live() {
		if liveErr != nil {
			t.Skipf("skipping live acceptance test: %v", liveErr)
		}
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if server == nil {
		t.Fatal("acctest: the emulator is not running: call acctest.Main from the package's TestMain")
	}
}

// Emulator returns the in-process emulator, skipping the test in live mode (for tests that need the
// emulator's clock, faults or statistics).
func Emulator(t *testing.T) *emulator.Server {
	t.Helper()
	requireAcceptance(t)
	if Live() {
		t.Skip("needs the emulator (clock, faults or statistics); not available against a real tenant")
	}
	mu.Lock()
	defer mu.Unlock()
	if server == nil {
		t.Fatal("acctest: the emulator is not running: call acctest.Main from the package's TestMain")
	}
	return server
}

// Fixture returns the scenario fixtures of this run.
func Fixture(t *testing.T) Fixtures {
	t.Helper()
	PreCheck(t)
	mu.Lock()
	defer mu.Unlock()
	return fixtures
}

// RandomName returns a name unique to this run, prefixed so leftovers in a live tenant are recognisable.
func RandomName(prefix string) string {
	return acctest.RandomWithPrefix("tfacc-" + prefix)
}
