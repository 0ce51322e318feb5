package acctest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/provider"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// TestAccPIMRoleActivationEphemeral: n01 is eligible (PIM for Azure resources, set up through the API) for
// AKS RBAC Writer in a namespace, and the provider, authenticated as n01 through the Azure CLI stand-in,
// opens ephemeral.aks_pim_activation with role and scope. n01's effective permissions in the namespace
// then include reading secrets, through the role assignment the activation became.
func TestAccPIMRoleActivationEphemeral(t *testing.T) {
	acctest.Emulator(t)
	acctest.GrantPIMAdministration(t)
	f := acctest.Fixture(t)
	admin := acctest.AdminClient(t)
	n01 := acctest.UserClient(t, f.N01)
	ctx := t.Context()
	scope := f.ClusterID + "/namespaces/" + acctest.RandomName("ns")
	if _, err := armpim.Create(ctx, admin, armpim.Spec{Kind: armpim.Eligible,
		Target:   armpim.Target{Scope: scope, RoleDefinitionID: rbac.RoleAKSRBACWriter, PrincipalID: f.N01.ObjectID},
		Schedule: pim.Schedule{Duration: pim.DurationOf(24 * time.Hour)}, Justification: "n01 may activate"}); err != nil {
		t.Fatal(err)
	}
	// A role's default policy may require MFA on activation (the emulator's armpim.activation-mfa), which
	// n01's password sign-in cannot satisfy: justification only.
	roleActivationPolicy(t, admin, scope, rbac.RoleAKSRBACWriter)
	const secrets = "Microsoft.ContainerService/managedClusters/secrets/read"
	if ok, err := rbac.HasDataAction(ctx, n01, scope, secrets); err != nil || ok {
		t.Fatalf("before the activation n01 reads secrets: %v %v", ok, err)
	}
	activationFakeAzureCLI(t, f)
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
  scope               = %q
  role                = "Azure Kubernetes Service RBAC Writer"
  duration            = "PT1H"
  justification       = "acceptance test of the role activation"
  deactivate_on_close = false
}

provider "echo" {
  data = {
    status             = ephemeral.aks_pim_activation.n01.status
    active             = ephemeral.aks_pim_activation.n01.active
    principal_id       = ephemeral.aks_pim_activation.n01.principal_id
    role_definition_id = ephemeral.aks_pim_activation.n01.role_definition_id
  }
}

resource "echo" "activation" {}
`, scope),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.activation", tfjsonpath.New("data").AtMapKey("status"), knownvalue.StringExact(pim.StatusProvisioned)),
				statecheck.ExpectKnownValue("echo.activation", tfjsonpath.New("data").AtMapKey("active"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("echo.activation", tfjsonpath.New("data").AtMapKey("principal_id"), knownvalue.StringExact(f.N01.ObjectID)),
				statecheck.ExpectKnownValue("echo.activation", tfjsonpath.New("data").AtMapKey("role_definition_id"),
					knownvalue.StringExact(rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSRBACWriter))),
			},
			Check: func(*terraform.State) error {
				if ok, err := rbac.HasDataAction(ctx, n01, scope, secrets); err != nil || !ok {
					return fmt.Errorf("after the activation n01 reads secrets in the namespace: %v %v", ok, err)
				}
				return nil
			},
		}},
	})
}

// roleActivationPolicy makes activations of role at scope need a justification and nothing else.
func roleActivationPolicy(t *testing.T, c *clients.Client, scope, role string) {
	t.Helper()
	key := armpim.PolicyKey{Scope: scope, RoleDefinitionID: role}
	st, err := armpim.ReadPolicy(t.Context(), c, key)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Rules.Policy()
	p.Activation.RequireMFA = false
	if _, _, err := armpim.ApplyPolicy(t.Context(), c, key, p); err != nil {
		t.Fatal(err)
	}
}
