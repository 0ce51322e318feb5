package tfrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// The command lines tfrun drives. OpenTofu reads the same configuration language, plugin protocol and
// CLI configuration file as Terraform; what differs for this provider is the registry host a source
// address without one resolves to, and so the provider's full address in dev overrides, lock files,
// state and schema output.
const (
	KindTerraform = "terraform"
	KindOpenTofu  = "tofu"
)

// CLI is one Terraform-compatible binary and what it is.
type CLI struct {
	Path    string // the executable
	Kind    string // KindTerraform or KindOpenTofu
	Version string // e.g. "1.12.6", without the leading v
}

// RegistryHost is the host a source address such as "aks-pim/aks" resolves to under this CLI.
func (c CLI) RegistryHost() string {
	if c.Kind == KindOpenTofu {
		return "registry.opentofu.org"
	}
	return "registry.terraform.io"
}

// ProviderAddress is this provider's fully qualified address under this CLI, as it appears in the
// schema output, the state and the lock file.
func (c CLI) ProviderAddress() string { return c.RegistryHost() + "/" + ProviderSource }

// String is how reports name the CLI: "OpenTofu 1.12.6".
func (c CLI) String() string {
	name := "Terraform"
	if c.Kind == KindOpenTofu {
		name = "OpenTofu"
	}
	return name + " " + c.Version
}

// versionLine is the line of `terraform version` / `tofu version` that names the CLI. OpenTofu prints
// warnings about its CLI configuration (a missing ~/.terraformrc) before it on stdout.
var versionLine = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\S+)`)

// DetectCLI runs `path version` and tells Terraform from OpenTofu by its version line.
func DetectCLI(ctx context.Context, path string) (CLI, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return CLI{}, fmt.Errorf("running %s version: %w", path, err)
	}
	return parseVersionOutput(path, string(out))
}

func parseVersionOutput(path, out string) (CLI, error) {
	m := versionLine.FindStringSubmatch(out)
	if m == nil {
		first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
		return CLI{}, fmt.Errorf("%s is neither Terraform nor OpenTofu: its version output starts %q", path, first)
	}
	kind := KindTerraform
	if m[1] == "OpenTofu" {
		kind = KindOpenTofu
	}
	return CLI{Path: path, Kind: kind, Version: m[2]}, nil
}

// OpenTofuPath returns the OpenTofu binary the project builds (`make tofu` writes .tools/bin/tofu), or
// AKS_TOFU_PATH when set, and an error that says how to get one when it is missing.
func OpenTofuPath() (string, error) {
	if p := os.Getenv("AKS_TOFU_PATH"); p != "" {
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, ".tools", "bin", "tofu")
	if _, err := os.Stat(p); err != nil {
		return "", errors.New("OpenTofu not found at " + p + ": run `make tofu` (builds the pinned version from the Go module proxy) or set AKS_TOFU_PATH")
	}
	return p, nil
}
