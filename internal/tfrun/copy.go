package tfrun

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CopyConfig copies the regular files of the configuration tree src into dst, leaving out Terraform's
// working files (.terraform/, state, the lock file) so that a developer's local runs in examples/ never
// leak into a harness's workspace and every harness starts from the configuration alone.
func CopyConfig(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && name == ".terraform" {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasPrefix(name, "terraform.tfstate") || name == ".terraform.lock.hcl") {
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
