package acctest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/provider"
)

// TestAccPIMActivationEphemeral is the just-in-time step run by Terraform itself: n01 is eligible for a
// group (set up through the API as the admin), and the provider, authenticated as n01 through the Azure
// CLI, opens ephemeral.aks_pim_activation, whose result reaches a resource through the echo provider. n01
// is then an active member of the group (checked through Graph), and the plan after apply, which opens
// the activation again, reuses it and changes nothing.
//
// The Azure CLI is a stand-in on PATH that prints tokens n01 obtained from the emulator, as `az account
// get-access-token` would after `az login`; this also covers the provider's Azure CLI authentication.
// (Two configurations of the aks provider cannot be mixed here: terraform-plugin-testing serves one
// in-process provider instance, which every configuration would share.)
func TestAccPIMActivationEphemeral(t *testing.T) {
	acctest.Emulator(t) // emulator only: the Azure CLI stand-in needs the emulator's users
	f := acctest.Fixture(t)
	admin := acctest.AdminClient(t) // before the environment changes below
	ctx := t.Context()
	g, _, err := pim.CreateGroup(ctx, admin, pim.GroupSpec{DisplayName: acctest.RandomName("act")}, pim.GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	groupID := g.ID
	t.Cleanup(func() { _ = pim.DeleteGroup(context.Background(), admin, groupID) })
	day, _ := pim.ParseDuration("P1D")
	if _, err := pim.CreateEligibility(ctx, admin, pim.EligibilitySpec{
		Key:      pim.EligibilityKey{GroupID: groupID, PrincipalID: f.N01.ObjectID, AccessID: pim.AccessMember},
		Schedule: pim.Schedule{Duration: day}, Justification: "n01 may activate",
	}); err != nil {
		t.Fatal(err)
	}
	activationFakeAzureCLI(t, f)
	// The provider must authenticate as n01 through the Azure CLI, not as the admin from the environment.
	t.Setenv("ARM_CLIENT_SECRET", "")
	t.Setenv("ARM_CLIENT_ID", "")

	resource.Test(t, resource.TestCase{
		PreCheck: func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"aks":  acctest.ProtoV6ProviderFactories[provider.TypeName],
			"echo": echoprovider.NewProviderServer(),
		},
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "aks" {
  use_cli = true
}

ephemeral "aks_pim_activation" "n01" {
  group_id            = %[1]q
  duration            = "PT1H"
  justification       = "acceptance test of the ephemeral activation"
  deactivate_on_close = false
}

provider "echo" {
  data = {
    status       = ephemeral.aks_pim_activation.n01.status
    active       = ephemeral.aks_pim_activation.n01.active
    principal_id = ephemeral.aks_pim_activation.n01.principal_id
    access_id    = ephemeral.aks_pim_activation.n01.access_id
  }
}

resource "echo" "activation" {}
`, groupID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.activation", tfjsonpath.New("data").AtMapKey("status"), knownvalue.StringExact(pim.StatusProvisioned)),
				statecheck.ExpectKnownValue("echo.activation", tfjsonpath.New("data").AtMapKey("active"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("echo.activation", tfjsonpath.New("data").AtMapKey("principal_id"), knownvalue.StringExact(f.N01.ObjectID)),
				statecheck.ExpectKnownValue("echo.activation", tfjsonpath.New("data").AtMapKey("access_id"), knownvalue.StringExact("member")),
			},
			Check: func(*terraform.State) error {
				active, err := pim.AssignmentInstances(ctx, admin, groupID, f.N01.ObjectID)
				if err != nil {
					return err
				}
				if len(active) != 1 || active[0].AssignmentType != "activated" {
					return fmt.Errorf("n01's active assignments to the group = %+v, want one activation", active)
				}
				return nil
			},
		}},
	})
}

// activationFakeAzureCLI puts an `az` on PATH that answers `az account get-access-token --resource R`
// with a token n01 obtained from the emulator for R, in the Azure CLI's output format.
func activationFakeAzureCLI(t *testing.T, f acctest.Fixtures) {
	t.Helper()
	n01 := acctest.UserClient(t, f.N01)
	dir := t.TempDir()
	write := func(file, scope string) {
		tok, err := n01.Credential.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{scope}})
		if err != nil {
			t.Fatalf("n01 token for %s: %v", scope, err)
		}
		out, _ := json.Marshal(map[string]any{
			"accessToken": tok.Token, "expires_on": tok.ExpiresOn.Unix(), "tokenType": "Bearer", "tenant": f.TenantID,
			"expiresOn": tok.ExpiresOn.Local().Format("2006-01-02 15:04:05.000000"),
		})
		if err := os.WriteFile(filepath.Join(dir, file), out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("graph.json", n01.Endpoints.GraphScope())
	write("arm.json", n01.Endpoints.ResourceManagerScope())
	script := fmt.Sprintf(`#!/bin/sh
# Stand-in for the Azure CLI in TestAccPIMActivationEphemeral.
case "$*" in
  *"account get-access-token"*"%s"*) cat %q ;;
  *"account get-access-token"*) cat %q ;;
  *) echo "az stand-in: unsupported: $*" >&2; exit 1 ;;
esac
`, strings.TrimSuffix(n01.Endpoints.GraphScope(), "/.default"), filepath.Join(dir, "graph.json"), filepath.Join(dir, "arm.json"))
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}
