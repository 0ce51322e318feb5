// Command releasecheck is `make release-dry-run`: the release workflow (.github/workflows/release.yml)
// run offline. It makes a throwaway GPG signing key in a private keyring, runs goreleaser on
// .goreleaser.yml in snapshot mode (no tag, nothing published), and then checks the result as the
// Terraform Registry would: one zip per platform holding terraform-provider-aks_v{version}, a SHA256SUMS
// file whose sums match every zip and the registry manifest, a detached signature of it that verifies
// with the key, and a manifest that names the provider's protocol (6.0).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

func main() {
	goreleaser := flag.String("goreleaser", "goreleaser", "the goreleaser binary (make goreleaser builds the pinned one)")
	all := flag.Bool("all", false, "build every platform of .goreleaser.yml (default: only this machine's)")
	flag.Parse()
	if err := run(*goreleaser, *all); err != nil {
		fmt.Fprintf(os.Stderr, "release dry run: FAIL: %v\n", err)
		os.Exit(1)
	}
}

func run(goreleaser string, all bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()
	root, err := tfrun.RepoRoot()
	if err != nil {
		return err
	}
	home, err := os.MkdirTemp("", "aks-release-gnupg-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	key, err := throwawayKey(ctx, home)
	if err != nil {
		return err
	}
	fmt.Printf("signing key: %s (throwaway, in %s)\n", key, home)

	args := []string{"release", "--snapshot", "--clean", "--skip=publish"}
	if !all {
		cfg, err := singleTargetConfig(filepath.Join(root, ".goreleaser.yml"), home)
		if err != nil {
			return err
		}
		args = append(args, "--config", cfg)
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, goreleaser, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GNUPGHOME="+home, "GPG_FINGERPRINT="+key)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("goreleaser %s: %w", strings.Join(args, " "), err)
	}
	fmt.Printf("goreleaser took %s\n", time.Since(start).Round(time.Second))
	report, err := verifyDist(ctx, filepath.Join(root, "dist"), home)
	if err != nil {
		return err
	}
	fmt.Print(report)
	fmt.Println("release dry run: PASS")
	return nil
}

// throwawayKey makes an RSA signing key (the registries take RSA or DSA keys) without a passphrase in
// the keyring at home and returns its fingerprint.
func throwawayKey(ctx context.Context, home string) (string, error) {
	if err := os.Chmod(home, 0o700); err != nil {
		return "", err
	}
	gen := exec.CommandContext(ctx, "gpg", "--batch", "--homedir", home, "--passphrase", "", "--quick-generate-key",
		"terraform-provider-aks release dry run <release-dry-run@example.invalid>", "rsa3072", "sign", "1d")
	if out, err := gen.CombinedOutput(); err != nil {
		return "", fmt.Errorf("gpg --quick-generate-key: %w\n%s", err, out)
	}
	list := exec.CommandContext(ctx, "gpg", "--batch", "--homedir", home, "--with-colons", "--list-secret-keys")
	out, err := list.Output()
	if err != nil {
		return "", fmt.Errorf("gpg --list-secret-keys: %w", err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if f := strings.Split(sc.Text(), ":"); len(f) > 9 && f[0] == "fpr" {
			return f[9], nil
		}
	}
	return "", fmt.Errorf("no fingerprint in gpg's key list:\n%s", out)
}
