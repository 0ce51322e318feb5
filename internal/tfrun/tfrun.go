// Package tfrun drives the Terraform CLI, or OpenTofu's, against a locally built copy of this provider,
// for the harnesses that need a real CLI process (make demo, make bench, the reliability tests, the
// module's `terraform test`, the OpenTofu leg of make test): it builds the provider binary once, writes
// a CLI configuration with a dev override in a private directory, and runs commands with a controlled
// environment.
//
// It never lets Terraform download anything: dev_overrides serves the aks provider from the build
// directory, and every configuration these harnesses run uses no other provider.
package tfrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ProviderSource is the source address the dev override maps to the local build.
const ProviderSource = "aks-pim/aks"

// TerraformPath returns the CLI binary to use: TF_ACC_TERRAFORM_PATH (which may name OpenTofu), else
// terraform on PATH, else /usr/local/bin/terraform.
func TerraformPath() string {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	if p, err := exec.LookPath("terraform"); err == nil {
		return p
	}
	return "/usr/local/bin/terraform"
}

// RepoRoot returns the directory holding this module's go.mod, found from the working directory upward,
// so the harnesses work from any package directory (go test runs in the package's directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.Contains(data, []byte("module github.com/aks-pim/terraform-provider-aks")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("tfrun: go.mod of terraform-provider-aks not found above the working directory")
		}
		dir = parent
	}
}

// BuildProvider compiles the provider into outDir (as terraform-provider-aks) and returns the binary's
// path. Stripped like a release build, so size and start-up measurements reflect what users run.
func BuildProvider(ctx context.Context, outDir string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(outDir, "terraform-provider-aks")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=0.0.0-dev", "-o", bin, ".")
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the provider: %w\n%s", err, out.String())
	}
	return bin, nil
}

// Workspace is a Terraform working directory plus the environment its commands run with.
type Workspace struct {
	Dir       string   // the configuration directory terraform runs in
	Env       []string // extra environment (NAME=value), appended to a minimal base environment
	CLI       CLI      // the terraform (or tofu) binary
	cliConfig string
	mu        sync.Mutex
	running   *exec.Cmd
}

// NewWorkspace prepares a workspace in dir whose CLI configuration (written to configDir) overrides the
// aks provider with the binary in providerDir. env is passed to every command (ARM_* variables etc.).
// The CLI is TerraformPath(), Terraform or OpenTofu.
func NewWorkspace(dir, configDir, providerDir string, env []string) (*Workspace, error) {
	cli, err := DetectCLI(context.Background(), TerraformPath())
	if err != nil {
		return nil, err
	}
	return NewWorkspaceFor(cli, dir, configDir, providerDir, env)
}

// NewWorkspaceFor is NewWorkspace with a given CLI. The dev override names the provider by its full
// address under that CLI (registry.opentofu.org/aks-pim/aks for OpenTofu), which is what the short
// source address in configurations resolves to there.
func NewWorkspaceFor(cli CLI, dir, configDir, providerDir string, env []string) (*Workspace, error) {
	if err := os.MkdirAll(configDir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(configDir, "terraformrc")
	if err := os.WriteFile(path, []byte(DevOverrideConfig(cli, providerDir)), 0o644); err != nil {
		return nil, err
	}
	return &Workspace{Dir: dir, Env: env, CLI: cli, cliConfig: path}, nil
}

// DevOverrideConfig is a CLI configuration that serves this provider from providerDir under cli and
// installs any other provider as usual.
func DevOverrideConfig(cli CLI, providerDir string) string {
	return fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, cli.ProviderAddress(), providerDir)
}

// In returns a workspace for another configuration directory with the same CLI, CLI configuration and
// environment.
func (w *Workspace) In(dir string) *Workspace {
	return &Workspace{Dir: dir, Env: append([]string(nil), w.Env...), CLI: w.CLI, cliConfig: w.cliConfig}
}

// Result is the outcome of one terraform command.
type Result struct {
	CLI      string // "Terraform 1.11.4", "OpenTofu 1.12.6"
	Args     []string
	Stdout   string
	Stderr   string
	Duration time.Duration
	ExitCode int
}

// Err returns an error that quotes stderr when the command failed.
func (r Result) Err() error {
	if r.ExitCode == 0 {
		return nil
	}
	return fmt.Errorf("%s %s exited %d:\n%s", r.CLI, strings.Join(r.Args, " "), r.ExitCode, tail(r.Stdout+"\n"+r.Stderr, 4000)) // the error last, where tail keeps it
}

// Environ is the environment terraform runs with: a minimal base (PATH, HOME, TMPDIR) so that a
// developer's own ARM_* or TF_* settings cannot leak into a harness run, then the workspace's Env.
func (w *Workspace) Environ() []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"TF_CLI_CONFIG_FILE=" + w.cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"TF_INPUT=0",
	}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		env = append(env, "TMPDIR="+tmp)
	}
	return append(env, w.Env...)
}

// Run executes terraform with args in the workspace and waits for it. A non-zero exit is reported in
// Result.ExitCode, not as the error; the error is for failures to run at all.
func (w *Workspace) Run(ctx context.Context, args ...string) (Result, error) {
	return w.RunWithOutput(ctx, nil, args...)
}

// RunWithOutput is Run with the combined output also copied to live (for progress display).
func (w *Workspace) RunWithOutput(ctx context.Context, live io.Writer, args ...string) (Result, error) {
	cmd := exec.CommandContext(ctx, w.CLI.Path, args...)
	cmd.Dir = w.Dir
	cmd.Env = w.Environ()
	// Terraform stops gracefully on SIGINT (it finishes in-flight operations and saves state); the
	// context's cancellation therefore sends SIGINT first, and only kills after a grace period.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 2 * time.Minute
	var stdout, stderr bytes.Buffer
	if live != nil {
		cmd.Stdout = io.MultiWriter(&stdout, live)
		cmd.Stderr = io.MultiWriter(&stderr, live)
	} else {
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{CLI: w.CLI.String(), Args: args}, err
	}
	w.mu.Lock()
	w.running = cmd
	w.mu.Unlock()
	err := cmd.Wait()
	w.mu.Lock()
	w.running = nil
	w.mu.Unlock()
	res := Result{CLI: w.CLI.String(), Args: args, Stdout: stdout.String(), Stderr: stderr.String(), Duration: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitCode()
	default:
		return res, err
	}
	return res, nil
}

// Signal sends sig to the terraform process currently running in this workspace, if any; the
// reliability tests use it to interrupt an apply at a chosen moment.
func (w *Workspace) Signal(sig os.Signal) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running == nil || w.running.Process == nil {
		return errors.New("tfrun: no terraform process is running")
	}
	return w.running.Process.Signal(sig)
}

// PID returns the process ID of the running terraform command (0 when none).
func (w *Workspace) PID() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running == nil || w.running.Process == nil {
		return 0
	}
	return w.running.Process.Pid
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
