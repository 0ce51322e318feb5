package tfrun

import (
	"strings"
	"testing"
)

func TestParseVersionOutput(t *testing.T) {
	for _, tc := range []struct {
		out, kind, version, address string
	}{
		{"Terraform v1.11.4\non linux_amd64\n", KindTerraform, "1.11.4", "registry.terraform.io/aks-pim/aks"},
		{"OpenTofu v1.12.6\non linux_amd64\n", KindOpenTofu, "1.12.6", "registry.opentofu.org/aks-pim/aks"},
		{"Terraform v1.15.0-dev\non linux_amd64\n", KindTerraform, "1.15.0-dev", "registry.terraform.io/aks-pim/aks"},
		{"\nWarning: Unable to open CLI configuration file\n\nOpenTofu v1.12.6\non linux_amd64\n", KindOpenTofu, "1.12.6", "registry.opentofu.org/aks-pim/aks"},
	} {
		cli, err := parseVersionOutput("bin", tc.out)
		if err != nil {
			t.Fatalf("%q: %v", tc.out, err)
		}
		if cli.Kind != tc.kind || cli.Version != tc.version || cli.ProviderAddress() != tc.address {
			t.Errorf("%q: got %+v (%s), want %s %s (%s)", tc.out, cli, cli.ProviderAddress(), tc.kind, tc.version, tc.address)
		}
	}
	if _, err := parseVersionOutput("bin", "kubectl v1.33\n"); err == nil {
		t.Error("a binary that is neither Terraform nor OpenTofu was accepted")
	}
}

// The dev override must name the address the CLI resolves "aks-pim/aks" to: under OpenTofu a key for
// registry.terraform.io would not match and OpenTofu would try to download the provider.
func TestDevOverrideConfigUsesTheCLIsRegistryHost(t *testing.T) {
	cfg := DevOverrideConfig(CLI{Kind: KindOpenTofu}, "/p")
	if !strings.Contains(cfg, `"registry.opentofu.org/aks-pim/aks" = "/p"`) {
		t.Errorf("OpenTofu override:\n%s", cfg)
	}
	cfg = DevOverrideConfig(CLI{Kind: KindTerraform}, "/p")
	if !strings.Contains(cfg, `"registry.terraform.io/aks-pim/aks" = "/p"`) {
		t.Errorf("Terraform override:\n%s", cfg)
	}
}
