package acctest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// The provider's cloud settings (docs/index.md, "Clouds"), each against the emulator acting as that
// cloud, through the Terraform CLI and the provider binary with nothing but what a pipeline for that
// cloud exports: no endpoint variable, so a wrong endpoint, audience or host allow-list fails.

// cloudConfig creates a group (Graph) and a role binding of it on the cluster (ARM), and reads the
// cluster: one object per API the provider calls.
const cloudConfig = `
terraform {
  required_providers {
    aks = { source = "aks-pim/aks" }
  }
}

provider "aks" {}

variable "cluster_id" { type = string }

data "aks_cluster" "c" {
  id = var.cluster_id
}

resource "aks_pim_group" "g" {
  display_name = "cloud-path"
  description  = "created through the provider's cloud settings"
}

resource "aks_role_binding" "reader" {
  cluster_id   = data.aks_cluster.c.id
  scope_kind   = "cluster"
  role         = "Azure Kubernetes Service RBAC Reader"
  principal_id = aks_pim_group.g.object_id
}
`

// TestCloudSettings applies, re-plans (no change) and destroys cloudConfig against the emulator acting as
// each cloud: a custom cloud described only by ARM_METADATA_HOSTNAME (every aks_pim_group create failed
// with AADSTS500011 while the emulator refused its own microsoftGraphResourceId, issue 13 item 2), and
// the US Government and China clouds named by ARM_ENVIRONMENT alone, reached through the emulator's
// HTTPS proxy for their host names.
func TestCloudSettings(t *testing.T) {
	if os.Getenv("TF_ACC") == "" || acctest.Live() {
		t.Skip("acceptance test against emulators of its own: TF_ACC=1, not in live mode")
	}
	providerDir := t.TempDir()
	buildCtx, cancelBuild := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancelBuild()
	if _, err := tfrun.BuildProvider(buildCtx, providerDir); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		cloud string
		env   func(srv *emulator.Server) []string
	}{
		{name: "metadata_host", env: func(srv *emulator.Server) []string {
			host := strings.TrimPrefix(srv.URL(), "https://")
			return []string{"ARM_METADATA_HOSTNAME=" + host}
		}},
		{name: "usgovernment", cloud: "usgovernment", env: func(srv *emulator.Server) []string {
			return []string{"ARM_ENVIRONMENT=usgovernment", "HTTPS_PROXY=" + srv.ProxyURL()}
		}},
		{name: "china", cloud: "china", env: func(srv *emulator.Server) []string {
			return []string{"ARM_ENVIRONMENT=china", "HTTPS_PROXY=" + srv.ProxyURL()}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := acctest.EmulatorConfig()
			cfg.Cloud = tc.cloud
			srv, err := emulator.Start(cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.Close() })
			f := srv.Fixtures()
			env := append([]string{
				"ARM_TENANT_ID=" + f.TenantID, "ARM_SUBSCRIPTION_ID=" + f.SubscriptionID,
				"ARM_CLIENT_ID=" + f.AdminClientID, "ARM_CLIENT_SECRET=" + f.AdminClientSecret,
				"ARM_USE_CLI=false", "SSL_CERT_FILE=" + srv.CACertFile(), "NO_PROXY=",
				"TF_VAR_cluster_id=" + f.ClusterID,
				// The emulator has no replication delay: the documented waits need not be long.
				"AKS_CONSISTENCY_INTERVAL=250ms",
			}, tc.env(srv)...)
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cloudConfig), 0o644); err != nil {
				t.Fatal(err)
			}
			ws, err := tfrun.NewWorkspace(dir, filepath.Join(dir, ".cli"), providerDir, env)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			run := func(args ...string) {
				t.Helper()
				res, err := ws.Run(ctx, args...)
				if err == nil {
					err = res.Err()
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			run("apply", "-auto-approve", "-no-color")
			snap := srv.Snapshot()
			var gid string
			for _, g := range snap.Groups {
				if g.DisplayName == "cloud-path" && !g.Deleted {
					gid = g.ID
				}
			}
			bound := false
			for _, a := range snap.RoleAssignments {
				bound = bound || (strings.EqualFold(a.PrincipalID, gid) && strings.EqualFold(a.Scope, f.ClusterID))
			}
			if gid == "" || !bound {
				t.Fatalf("after apply: group %q, role binding on the cluster %v", gid, bound)
			}
			run("plan", "-detailed-exitcode", "-no-color")
			run("destroy", "-auto-approve", "-no-color")
			for _, g := range srv.Snapshot().Groups {
				if g.ID == gid && !g.Deleted {
					t.Fatalf("group %s still there after destroy", gid)
				}
			}
		})
	}
}
