package acctest_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
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
	groupID := acctest.NewGroup(t, admin, "act")
	day, _ := pim.ParseDuration("P1D")
	if _, err := pim.CreateEligibility(ctx, admin, pim.EligibilitySpec{
		Key:      pim.EligibilityKey{GroupID: groupID, PrincipalID: f.N01.ObjectID, AccessID: pim.AccessMember},
		Schedule: pim.Schedule{Duration: day}, Justification: "n01 may activate",
	}); err != nil {
		t.Fatal(err)
	}
	activationAsN01(t, f, []string{fmt.Sprintf("group_id = %q", groupID), `justification = "acceptance test of the ephemeral activation"`},
		map[string]knownvalue.Check{"access_id": knownvalue.StringExact("member")},
		func() error {
			active, err := pim.AssignmentInstances(ctx, admin, groupID, f.N01.ObjectID)
			if err != nil {
				return err
			}
			if len(active) != 1 || active[0].AssignmentType != "activated" {
				return fmt.Errorf("n01's active assignments to the group = %+v, want one activation", active)
			}
			return nil
		})
}

// activationAsN01 is one apply of ephemeral.aks_pim_activation "n01" with args (attribute lines; a
// duration of PT1H and no deactivation on close are added) by the provider authenticated as n01 through
// the Azure CLI stand-in. Its status, active, principal_id and the results named in more reach the echo
// provider's data, which must hold a provisioned, active activation of n01 and the values of more; check
// then reads Azure.
func activationAsN01(t *testing.T, f acctest.Fixtures, args []string, more map[string]knownvalue.Check, check func() error) {
	t.Helper()
	activationFakeAzureCLI(t, f)
	// The provider must authenticate as n01 through the Azure CLI, not as the admin from the environment.
	t.Setenv("ARM_CLIENT_SECRET", "")
	t.Setenv("ARM_CLIENT_ID", "")
	want := map[string]knownvalue.Check{
		"status":       knownvalue.StringExact(pim.StatusProvisioned),
		"active":       knownvalue.Bool(true),
		"principal_id": knownvalue.StringExact(f.N01.ObjectID),
	}
	maps.Copy(want, more)
	var data []string
	var checks []statecheck.StateCheck
	for _, k := range slices.Sorted(maps.Keys(want)) {
		data = append(data, fmt.Sprintf("%s = ephemeral.aks_pim_activation.n01.%s", k, k))
		checks = append(checks, acctest.Attr("echo.activation", "data."+k, want[k]))
	}
	acctest.Test(t, resource.TestCase{
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
  %s
  duration            = "PT1H"
  deactivate_on_close = false
}

provider "echo" {
  data = {
    %s
  }
}

resource "echo" "activation" {}
`, strings.Join(args, "\n  "), strings.Join(data, "\n    ")),
			ConfigStateChecks: checks,
			Check:             func(*terraform.State) error { return check() },
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
