package main

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

const project = "terraform-provider-aks"

// zipName is {project}_{version}_{os}_{arch}.zip, as the registries expect.
var zipName = regexp.MustCompile(`^` + project + `_([^_]+)_([a-z0-9]+)_([a-z0-9]+)\.zip$`)

// verifyDist checks goreleaser's output in dist and returns a readable summary.
func verifyDist(ctx context.Context, dist, gnupgHome string) (string, error) {
	sumsFiles, _ := filepath.Glob(filepath.Join(dist, project+"_*_SHA256SUMS"))
	if len(sumsFiles) != 1 {
		return "", fmt.Errorf("want one %s_{version}_SHA256SUMS in %s, found %v", project, dist, sumsFiles)
	}
	sumsPath := sumsFiles[0]
	version := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(sumsPath), project+"_"), "_SHA256SUMS")

	// The signature: detached, of the checksums, by the release key.
	verify := exec.CommandContext(ctx, "gpg", "--batch", "--homedir", gnupgHome, "--verify", sumsPath+".sig", sumsPath)
	if out, err := verify.CombinedOutput(); err != nil {
		return "", fmt.Errorf("the signature %s.sig does not verify: %w\n%s", sumsPath, err, out)
	}

	// The checksums: every line's file exists and has that sum; every zip and the manifest are listed.
	sums, err := readSums(sumsPath)
	if err != nil {
		return "", err
	}
	for name, want := range sums {
		got, err := sha256File(distFile(dist, name))
		if err != nil {
			return "", fmt.Errorf("%s lists %s: %w", filepath.Base(sumsPath), name, err)
		}
		if got != want {
			return "", fmt.Errorf("%s: sha256 %s, SHA256SUMS says %s", name, got, want)
		}
	}
	manifest := project + "_" + version + "_manifest.json"
	if _, ok := sums[manifest]; !ok {
		return "", fmt.Errorf("SHA256SUMS does not cover the registry manifest %s", manifest)
	}
	if err := checkManifest(distFile(dist, manifest)); err != nil {
		return "", err
	}
	zips, _ := filepath.Glob(filepath.Join(dist, "*.zip"))
	if len(zips) == 0 {
		return "", fmt.Errorf("no zip in %s", dist)
	}
	var platforms []string
	for _, z := range zips {
		base := filepath.Base(z)
		m := zipName.FindStringSubmatch(base)
		if m == nil || m[1] != version {
			return "", fmt.Errorf("%s is not named %s_%s_{os}_{arch}.zip", base, project, version)
		}
		if _, ok := sums[base]; !ok {
			return "", fmt.Errorf("SHA256SUMS does not list %s", base)
		}
		if err := checkZip(z, version, m[2]); err != nil {
			return "", err
		}
		platforms = append(platforms, m[2]+"_"+m[3])
	}
	slices.Sort(platforms)
	return fmt.Sprintf("version %s: %d platform zip(s) (%s), %s (%d files) signed and verified, manifest protocol 6.0\n",
		version, len(zips), strings.Join(platforms, ", "), filepath.Base(sumsPath), len(sums)), nil
}

func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 || len(fields[0]) != 64 {
			return nil, fmt.Errorf("%s: malformed line %q", filepath.Base(path), sc.Text())
		}
		sums[fields[1]] = fields[0]
	}
	return sums, sc.Err()
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkManifest: the registries read the protocol versions the provider speaks from it.
func checkManifest(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var m struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if m.Version != 1 || !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		return fmt.Errorf("%s: version %d, protocol versions %v; want 1 and [6.0] (the provider serves protocol 6)", filepath.Base(path), m.Version, m.Metadata.ProtocolVersions)
	}
	return nil
}

// checkZip: exactly the provider binary, named as Terraform looks for it.
func checkZip(path, version, goos string) error {
	r, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer r.Close()
	want := project + "_v" + version
	if goos == "windows" {
		want += ".exe"
	}
	var names []string
	for _, f := range r.File {
		names = append(names, f.Name)
	}
	if !slices.Contains(names, want) {
		return fmt.Errorf("%s holds %v, want %s", filepath.Base(path), names, want)
	}
	return nil
}

// distFile is where a file the checksums list is: in dist, except the registry manifest, which goreleaser
// checksums and uploads (checksum and release extra_files) from the repository's
// terraform-registry-manifest.json without copying it into dist.
func distFile(dist, name string) string {
	p := filepath.Join(dist, name)
	if _, err := os.Stat(p); err != nil && strings.HasSuffix(name, "_manifest.json") {
		return filepath.Join(filepath.Dir(dist), "terraform-registry-manifest.json")
	}
	return p
}
