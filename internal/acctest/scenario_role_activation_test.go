package acctest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
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
	activationAsN01(t, f, []string{fmt.Sprintf("scope = %q", scope), `role = "Azure Kubernetes Service RBAC Writer"`,
		`justification = "acceptance test of the role activation"`},
		map[string]knownvalue.Check{"role_definition_id": knownvalue.StringExact(rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSRBACWriter))},
		func() error {
			if ok, err := rbac.HasDataAction(ctx, n01, scope, secrets); err != nil || !ok {
				return fmt.Errorf("after the activation n01 reads secrets in the namespace: %v %v", ok, err)
			}
			return nil
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
