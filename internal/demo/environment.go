package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// environment is one offline run: an in-process emulator, the provider built into a temporary
// directory, and a Terraform workspace on a copy of examples/ whose CLI configuration overrides the aks
// provider with that build. Close removes everything it created.
type environment struct {
	srv      *emulator.Server
	fixtures emulator.Fixtures
	tmp      string
	ws       *tfrun.Workspace
	// What another workspace on the same copy of examples/ needs (workspace).
	work, providerDir string
	env               []string
}

// environmentOptions choose what to start.
type environmentOptions struct {
	// ProviderDir holds an already built terraform-provider-aks; empty builds one into the temp dir.
	ProviderDir string
	// ConfigDir is the directory under examples/ terraform runs in (e.g. "scenario").
	ConfigDir string
	// ExtraEnv are added to every terraform command (TF_VAR_..., TF_LOG...).
	ExtraEnv []string
	// Logf receives progress lines (nil: silent).
	Logf func(format string, args ...any)
}

// demoEmulatorConfig is the emulator of make demo and the module tests: Azure's behaviour, except that
// PIM (for groups and for Azure resources) lets a schedule be removed after seconds instead of five
// minutes, so destroy does not wait.
func demoEmulatorConfig() emulator.Config {
	cfg := emulator.DefaultConfig()
	cfg.PIM.MinimumActiveAge = 3 * time.Second
	cfg.ARMPIM.MinimumActiveAge = 3 * time.Second
	return cfg.WithEnvVariants()
}

// demoProviderEnv tunes the provider's replication waits for an emulator without replication delay: the
// documented AKS_CONSISTENCY_* knobs, not a test hook.
var demoProviderEnv = []string{
	"AKS_CONSISTENCY_INTERVAL=250ms",
	"AKS_PRINCIPAL_NOT_FOUND_RETRY_TIMEOUT=30s",
}

func startEnvironment(ctx context.Context, opts environmentOptions) (e *environment, err error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	root, err := tfrun.RepoRoot()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "aks-demo-")
	if err != nil {
		return nil, err
	}
	e = &environment{tmp: tmp}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()

	providerDir := opts.ProviderDir
	if providerDir == "" {
		start := time.Now()
		bin, err := tfrun.BuildProvider(ctx, filepath.Join(tmp, "bin"))
		if err != nil {
			return e, err
		}
		providerDir = filepath.Dir(bin)
		logf("built the provider in %s", time.Since(start).Round(100*time.Millisecond))
	}

	e.srv, err = emulator.Start(demoEmulatorConfig())
	if err != nil {
		return e, fmt.Errorf("starting the emulator: %w", err)
	}
	e.fixtures = e.srv.Fixtures()
	// The scenario without groups makes PIM requests for Azure resources, which need User Access
	// Administrator (README, "Required permissions"); the seed grants only RBAC Administrator.
	e.srv.GrantPIMAdministration()
	var env []string
	for _, v := range e.srv.Env() {
		env = append(env, v.Name+"="+v.Value)
	}
	logf("emulator listening on %s (tenant %s, cluster %s)", e.srv.URL(), e.fixtures.TenantID, e.fixtures.ClusterID)

	// A copy of examples/, so the scenario's relative module source resolves and nothing is written
	// into the repository (.terraform, state, lock file).
	work := filepath.Join(tmp, "examples")
	if err := tfrun.CopyConfig(filepath.Join(root, "examples"), work); err != nil {
		return e, fmt.Errorf("copying the examples: %w", err)
	}
	env = append(env, demoProviderEnv...)
	env = append(env, opts.ExtraEnv...)
	e.work, e.providerDir, e.env = work, providerDir, env
	e.ws, err = e.workspace(opts.ConfigDir)
	if err != nil {
		return e, err
	}
	return e, nil
}

// workspace is a Terraform workspace on configDir (under the copy of examples/) with the environment's
// provider override and variables; each has a CLI configuration of its own.
func (e *environment) workspace(configDir string) (*tfrun.Workspace, error) {
	cli := filepath.Join(e.tmp, "cli-"+strings.ReplaceAll(configDir, "/", "-"))
	return tfrun.NewWorkspace(filepath.Join(e.work, configDir), cli, e.providerDir, append([]string(nil), e.env...))
}

// Close stops the emulator and removes the temporary directory. Safe to call more than once.
func (e *environment) Close() {
	if e == nil {
		return
	}
	if e.srv != nil {
		_ = e.srv.Close()
		e.srv = nil
	}
	if e.tmp != "" {
		_ = os.RemoveAll(e.tmp)
		e.tmp = ""
	}
}
