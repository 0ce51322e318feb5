package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeDist writes what goreleaser writes for version 1.2.3 on linux_amd64, signed with key in home.
func fakeDist(t *testing.T, home, key string, manifest string) string {
	t.Helper()
	dist := t.TempDir()
	zipPath := filepath.Join(dist, project+"_1.2.3_linux_amd64.zip")
	zf, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	w, _ := zw.Create(project + "_v1.2.3")
	_, _ = w.Write([]byte("binary"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_ = zf.Close()
	if err := os.WriteFile(filepath.Join(dist, project+"_1.2.3_manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	var sums strings.Builder
	for _, name := range []string{project + "_1.2.3_linux_amd64.zip", project + "_1.2.3_manifest.json"} {
		data, _ := os.ReadFile(filepath.Join(dist, name))
		h := sha256.Sum256(data)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(h[:]), name)
	}
	sumsPath := filepath.Join(dist, project+"_1.2.3_SHA256SUMS")
	if err := os.WriteFile(sumsPath, []byte(sums.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sign := exec.Command("gpg", "--batch", "--homedir", home, "--local-user", key, "--output", sumsPath+".sig", "--detach-sign", sumsPath)
	if out, err := sign.CombinedOutput(); err != nil {
		t.Fatalf("gpg --detach-sign: %v\n%s", err, out)
	}
	return dist
}

// TestVerifyDist: a well-formed release passes; a zip changed after signing, a manifest without protocol
// 6.0 and a checksum file changed after signing each fail with what is wrong.
func TestVerifyDist(t *testing.T) {
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg not found: install Debian's gnupg to test the release verification")
	}
	home := t.TempDir()
	key, err := throwawayKey(t.Context(), home)
	if err != nil {
		t.Fatal(err)
	}
	good := `{"version": 1, "metadata": {"protocol_versions": ["6.0"]}}`
	dist := fakeDist(t, home, key, good)
	report, err := verifyDist(t.Context(), dist, home)
	if err != nil || !strings.Contains(report, "1 platform zip(s) (linux_amd64)") {
		t.Fatalf("a good release: %q, %v", report, err)
	}

	dist = fakeDist(t, home, key, good)
	zipPath := filepath.Join(dist, project+"_1.2.3_linux_amd64.zip")
	if err := os.WriteFile(zipPath, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyDist(t.Context(), dist, home); err == nil || !strings.Contains(err.Error(), "SHA256SUMS says") {
		t.Errorf("a zip changed after signing: %v", err)
	}

	dist = fakeDist(t, home, key, `{"version": 1, "metadata": {"protocol_versions": ["5.0"]}}`)
	if _, err := verifyDist(t.Context(), dist, home); err == nil || !strings.Contains(err.Error(), "protocol") {
		t.Errorf("a manifest with protocol 5.0: %v", err)
	}

	dist = fakeDist(t, home, key, good)
	sumsPath := filepath.Join(dist, project+"_1.2.3_SHA256SUMS")
	f, _ := os.OpenFile(sumsPath, os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.WriteString(strings.Repeat("0", 64) + "  extra.zip\n")
	_ = f.Close()
	if _, err := verifyDist(t.Context(), dist, home); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("checksums changed after signing: %v", err)
	}
}
