package emuclient

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// Quick are the options of a domain test: the emulator replicates at once unless the test delays it, so
// a consistency wait checks every 20 ms (twice in a row, up to 20 s) and a PrincipalNotFound is retried
// for 2 s instead of the provider's minutes.
func Quick() Options {
	return Options{
		PrincipalNotFoundTimeout: 2 * time.Second,
		Consistency:              clients.ConsistencyOptions{Successes: 2, Interval: 20 * time.Millisecond, Timeout: 20 * time.Second},
	}
}

// Start starts an emulator for the test t under cfg, serving first the variants $AZEMU_VARIANTS selects
// (as the make targets set it; the points cfg pins still win), and closes it when the test ends. Under
// -short the test is skipped: it needs a server.
func Start(t testing.TB, cfg emulator.Config) *emulator.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an emulator")
	}
	srv, err := emulator.Start(cfg.WithEnvVariants())
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// StartAdmin is Start and a client of the emulator's admin service principal built with o.
func StartAdmin(t testing.TB, cfg emulator.Config, o Options) (*emulator.Server, *clients.Client) {
	t.Helper()
	return startWith(t, cfg, o, Admin)
}

// StartAll is Start and the clients of Principals built with o.
func StartAll(t testing.TB, cfg emulator.Config, o Options) (*emulator.Server, Principals) {
	t.Helper()
	return startWith(t, cfg, o, All)
}

func startWith[T any](t testing.TB, cfg emulator.Config, o Options, build func(context.Context, *emulator.Server, Options) (T, error)) (*emulator.Server, T) {
	t.Helper()
	srv := Start(t, cfg)
	v, err := build(t.Context(), srv, o)
	if err != nil {
		t.Fatal(err)
	}
	return srv, v
}

// NewGroup creates a security group named prefix plus a random suffix through Graph as c, with members
// (object IDs) bound at creation, and returns its object ID: the group a domain test needs before the
// code under test touches it.
func NewGroup(t testing.TB, c *clients.Client, prefix string, members ...string) string {
	t.Helper()
	name := prefix + "-" + uuid.NewString()[:8]
	g := models.NewGroup()
	g.SetDisplayName(&name)
	g.SetMailNickname(&name)
	g.SetMailEnabled(new(bool))
	secure := true
	g.SetSecurityEnabled(&secure)
	if len(members) > 0 {
		binds := make([]string, 0, len(members))
		for _, m := range members {
			binds = append(binds, c.Endpoints.GraphBaseURL()+"/directoryObjects/"+m)
		}
		g.SetAdditionalData(map[string]any{"members@odata.bind": binds})
	}
	created, err := clients.Graph(c).Groups().Post(t.Context(), g, nil)
	if err != nil {
		t.Fatalf("creating group %s: %v", name, err)
	}
	return *created.GetId()
}
