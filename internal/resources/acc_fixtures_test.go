package resources_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// What the package's acceptance tests share: the client their checks read Azure with, the provider
// blocks, the configuration blocks several of them write, and the check that destroy left nothing.

// pimAccPreCheck skips the test unless acceptance tests were asked for (TF_ACC), as resource.Test would:
// the tests that call it talk to the emulator before resource.Test runs.
func pimAccPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	acctest.PreCheck(t)
}

// pimAccClient is a client of the same tenant the provider under test uses (the ARM_* environment the
// harness exported), for checks that must not trust Terraform's state.
func pimAccClient(t *testing.T) *clients.Client {
	t.Helper()
	pimAccPreCheck(t)
	ep := clients.Endpoints{
		AuthorityHost:           os.Getenv("ARM_AUTHORITY_HOST"),
		GraphEndpoint:           os.Getenv("ARM_GRAPH_ENDPOINT"),
		GraphAudience:           os.Getenv("ARM_GRAPH_AUDIENCE"),
		ResourceManagerEndpoint: os.Getenv("ARM_RESOURCE_MANAGER_ENDPOINT"),
		ResourceManagerAudience: os.Getenv("ARM_RESOURCE_MANAGER_AUDIENCE"),
	}
	if ep.AuthorityHost == "" {
		ep, _ = clients.EnvironmentEndpoints(clients.EnvironmentPublic)
	}
	cred, _, err := clients.NewCredential(t.Context(), clients.AuthConfig{
		Method: clients.AuthClientSecret, TenantID: os.Getenv("ARM_TENANT_ID"), ClientID: os.Getenv("ARM_CLIENT_ID"),
		ClientSecret: os.Getenv("ARM_CLIENT_SECRET"), Endpoints: ep,
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := clients.New(t.Context(), clients.Config{
		TenantID: os.Getenv("ARM_TENANT_ID"), SubscriptionID: os.Getenv("ARM_SUBSCRIPTION_ID"), Credential: cred, Endpoints: ep,
		Consistency: clients.ConsistencyOptions{Successes: 2, Interval: 200 * time.Millisecond, Timeout: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pimAccAdministered is where the tests of PIM for Azure resources start: pimAccClient, the provider's
// identity allowed to administer PIM (acctest.GrantPIMAdministration) and the fixtures.
func pimAccAdministered(t *testing.T) (*clients.Client, acctest.Fixtures) {
	t.Helper()
	c := pimAccClient(t)
	acctest.GrantPIMAdministration(t)
	return c, acctest.Fixture(t)
}

// pimAccProvider speeds up the consistency waits of the provider under test; everything else comes from
// the environment, as in a pipeline.
const pimAccProvider = `
provider "aks" {
  consistency_interval = "200ms"
}
`

// groupAccProvider is the provider block of the tests of groups and bindings: credentials and endpoints
// come from the environment acctest exports; consistency waits are shortened (the default emulator
// replicates instantly, so the waits only add time) and PrincipalNotFound is given a short window.
const groupAccProvider = `
provider "aks" {
  consistency_interval              = "100ms"
  principal_not_found_retry_timeout = "4s"
}
`

// hclBlock is a configuration block: kind ("resource", "data"), type and name, and its attribute lines.
func hclBlock(kind, typ, name string, attrs ...string) string {
	return fmt.Sprintf("\n%s %q %q {\n  %s\n}\n", kind, typ, name, strings.Join(attrs, "\n  "))
}

// groupHCL is an aks_pim_group named name, with displayName and the further attribute lines.
func groupHCL(name, displayName string, attrs ...string) string {
	return hclBlock("resource", "aks_pim_group", name, append([]string{fmt.Sprintf("display_name = %q", displayName)}, attrs...)...)
}

// bindingHCL is an aks_role_binding named name for principal (an HCL expression), with the attribute
// lines that say where and what.
func bindingHCL(name, principal string, attrs ...string) string {
	return hclBlock("resource", "aks_role_binding", name, append(attrs, "principal_id = "+principal)...)
}

// clusterReaderHCL is aks_role_binding.b, which gives principal (an HCL expression) Azure Kubernetes
// Service RBAC Reader on the whole cluster, with the further attribute lines.
func clusterReaderHCL(clusterID, principal string, attrs ...string) string {
	return bindingHCL("b", principal, append([]string{fmt.Sprintf("cluster_id = %q", clusterID), `scope_kind = "cluster"`,
		`role = "Azure Kubernetes Service RBAC Reader"`}, attrs...)...)
}

// groupAccCheckDestroyed checks through the APIs that no group or role assignment of the configuration is
// left (CheckDestroy must not trust state).
func groupAccCheckDestroyed(c *clients.Client) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		for _, rs := range s.RootModule().Resources {
			switch rs.Type {
			case "aks_pim_group":
				_, err := pim.ReadGroup(ctx, c, rs.Primary.ID, pim.GroupReadOptions{Onboarding: pim.OnboardingKnown})
				if !errors.Is(err, pim.ErrGroupNotFound) {
					return fmt.Errorf("group %s still exists after destroy (read error: %v)", rs.Primary.ID, err)
				}
			case "aks_role_binding":
				_, err := rbac.GetAssignment(ctx, c, rs.Primary.ID)
				if !rbac.IsAssignmentGone(err) {
					return fmt.Errorf("role assignment %s still exists after destroy (read error: %v)", rs.Primary.ID, err)
				}
			}
		}
		return nil
	}
}
