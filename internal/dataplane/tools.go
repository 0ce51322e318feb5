// Package dataplane acts as a scenario user on an AKS cluster with the real clients, for the acceptance
// tests and make demo: it fetches the user's kubeconfig the way `az aks get-credentials` does
// (listClusterUserCredential), makes its kubelogin credential work without a browser (resource owner
// password, and offline against the emulator's authority), gives each user a private HOME with its own
// kubelogin token cache, and runs kubectl and kubelogin as that user, keeping what a terminal shows. The
// provider never uses it.
package dataplane

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// KubeloginVersion is the kubelogin `make kubelogin` builds into .tools/bin (the last release that builds
// with the Go of these machines).
const KubeloginVersion = "v0.2.21"

// EnvKubelogin names a kubelogin binary to use instead of the repository's .tools/bin/kubelogin.
const EnvKubelogin = "AKS_KUBELOGIN"

// Kubelogin returns the pinned kubelogin: $AKS_KUBELOGIN, else .tools/bin/kubelogin of the repository.
func Kubelogin() (string, error) {
	path := os.Getenv(EnvKubelogin)
	if path == "" {
		root, err := tfrun.RepoRoot()
		if err != nil {
			return "", err
		}
		path = filepath.Join(root, ".tools", "bin", "kubelogin")
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return "", fmt.Errorf("kubelogin %s is not installed at %s: run `make kubelogin` in the repository "+
			"(it runs GOBIN=$PWD/.tools/bin go install github.com/Azure/kubelogin@%s, about 4 minutes the first time), "+
			"or set %s to a kubelogin binary", KubeloginVersion, path, KubeloginVersion, EnvKubelogin)
	}
	return path, nil
}

// Kubectl returns kubectl from PATH.
func Kubectl() (string, error) {
	path, err := exec.LookPath("kubectl")
	if errors.Is(err, exec.ErrNotFound) {
		return "", errors.New("kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/; on Debian, " +
			"`apt-get install kubectl` from the Kubernetes package repository); a kubectl matching the cluster's minor " +
			"version (1.31 to 1.33) is needed")
	}
	return path, err
}
