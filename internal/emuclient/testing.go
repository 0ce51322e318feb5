package emuclient

import (
	"context"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

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
