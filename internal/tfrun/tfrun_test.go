package tfrun_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// TestProviderServesSchemaUnderDevOverride builds the provider, serves it to the real CLI (Terraform, or
// OpenTofu when TF_ACC_TERRAFORM_PATH names it) through a dev override, and checks that the CLI sees
// provider "aks" at its own registry address with a configuration schema.
func TestProviderServesSchemaUnderDevOverride(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the provider and runs terraform")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	tmp := t.TempDir()
	bin, err := tfrun.BuildProvider(ctx, filepath.Join(tmp, "bin"))
	if err != nil {
		t.Fatal(err)
	}
	cfgDir := filepath.Join(tmp, "cfg")
	if err := os.MkdirAll(cfgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	main := `terraform {
  required_providers {
    aks = { source = "aks-pim/aks" }
  }
}
`
	if err := os.WriteFile(filepath.Join(cfgDir, "main.tf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := tfrun.NewWorkspace(cfgDir, filepath.Join(tmp, "cli"), filepath.Dir(bin), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ws.Run(ctx, "providers", "schema", "-json")
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	var schema struct {
		ProviderSchemas map[string]struct {
			Provider struct {
				Block json.RawMessage `json:"block"`
			} `json:"provider"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &schema); err != nil {
		t.Fatalf("decoding providers schema: %v\n%s", err, res.Stdout)
	}
	p, ok := schema.ProviderSchemas[ws.CLI.ProviderAddress()]
	if !ok {
		t.Fatalf("provider %s missing from %s's schema output: %s", ws.CLI.ProviderAddress(), ws.CLI, res.Stdout)
	}
	if len(p.Provider.Block) == 0 {
		t.Fatalf("provider aks has no configuration schema block")
	}
}
