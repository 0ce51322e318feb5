package pim

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// The emulator tests of the package run its CRUD through the same clients.Client the provider builds,
// against an in-process emulator: real msgraph-sdk-go requests over TLS, real tokens.

var (
	pimEmuOnce sync.Once
	pimEmu     *emulator.Server
	pimEmuErr  error
)

// pimTestMinimumAge is the emulator's ActiveDurationTooShort window: short, but long enough that a delete
// right after a create meets it and has to poll it out.
const pimTestMinimumAge = 2 * time.Second

func pimTestEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an emulator")
	}
	pimEmuOnce.Do(func() {
		cfg := emulator.DefaultConfig()
		cfg.PIM.MinimumActiveAge = pimTestMinimumAge
		pimEmu, pimEmuErr = emulator.Start(cfg.WithEnvVariants())
	})
	if pimEmuErr != nil {
		t.Fatalf("starting the emulator: %v", pimEmuErr)
	}
	return pimEmu
}

// pimTestClient is a provider-like client of the emulator's admin service principal, built once: building
// a Graph client writes a kiota package variable (the backing store factory) that every model constructor
// reads, so tests call it before t.Parallel, while no other test runs.
func pimTestClient(t *testing.T) (*clients.Client, *emulator.Server) {
	t.Helper()
	srv := pimTestEmulator(t)
	pimClientOnce.Do(func() { pimClient, pimClientErr = emuclient.Admin(context.Background(), srv, emuclient.Quick()) })
	if pimClientErr != nil {
		t.Fatal(pimClientErr)
	}
	return pimClient, srv
}

var (
	pimClientOnce sync.Once
	pimClient     *clients.Client
	pimClientErr  error
)

// pimTestGroup creates a security group with members through Graph and returns its ID.
func pimTestGroup(t *testing.T, c *clients.Client, name string, members ...string) string {
	t.Helper()
	return emuclient.NewGroup(t, c, name, members...)
}
