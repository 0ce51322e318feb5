package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// bindingAccCheckInARM reads the assignment of addr through ARM and checks scope, role and principal.
func bindingAccCheckInARM(c *clients.Client, addr, scope, roleGUID string, principal *string, description string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		a, err := rbac.GetAssignment(context.Background(), c, rs.Primary.ID)
		if err != nil {
			return fmt.Errorf("reading %s (%s) in ARM: %w", addr, rs.Primary.ID, err)
		}
		if !rbac.SameScope(a.Scope, scope) {
			return fmt.Errorf("%s: scope %q, want %q", addr, a.Scope, scope)
		}
		if !rbac.SameRoleDefinition(a.RoleDefinitionID, roleGUID) {
			return fmt.Errorf("%s: role %q, want %s", addr, a.RoleDefinitionID, roleGUID)
		}
		if !strings.EqualFold(a.PrincipalID, *principal) || a.PrincipalType != rbac.PrincipalGroup {
			return fmt.Errorf("%s: principal %s (%s), want group %s", addr, a.PrincipalID, a.PrincipalType, *principal)
		}
		if a.Description != description {
			return fmt.Errorf("%s: description %q, want %q", addr, a.Description, description)
		}
		name, _ := rbac.AssignmentName(scope, roleGUID, *principal)
		if a.Name != name {
			return fmt.Errorf("%s: name %s, want the deterministic %s", addr, a.Name, name)
		}
		return nil
	}
}

// bindingAccConfig: a group and one binding per scope kind (the scenario's roles), plus an explicit scope
// written with /nodepools/. descr is the description of the cluster-scoped binding.
func bindingAccConfig(f acctest.Fixtures, group, descr string) string {
	return groupAccProvider + fmt.Sprintf(`
locals {
  cluster_id = %q
}

resource "aks_pim_group" "g" {
  display_name = %q
}

resource "aks_role_binding" "cluster" {
  cluster_id   = local.cluster_id
  scope_kind   = "cluster"
  role         = "Azure Kubernetes Service RBAC Reader"
  principal_id = aks_pim_group.g.object_id
  description  = %q
}

resource "aks_role_binding" "rg" {
  cluster_id         = local.cluster_id
  scope_kind         = "resource_group"
  role_definition_id = "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s"
  principal_id       = aks_pim_group.g.object_id
}

resource "aks_role_binding" "node_rg" {
  cluster_id   = local.cluster_id
  scope_kind   = "node_resource_group"
  role         = "Virtual Machine User Login"
  principal_id = aks_pim_group.g.object_id
}

resource "aks_role_binding" "pool" {
  cluster_id   = local.cluster_id
  scope_kind   = "node_pool"
  node_pool    = %q
  role         = "Contributor"
  principal_id = aks_pim_group.g.object_id
}

resource "aks_role_binding" "namespace" {
  cluster_id   = local.cluster_id
  scope_kind   = "namespace"
  namespace    = "payments"
  role         = "Azure Kubernetes Service RBAC Writer"
  principal_id = aks_pim_group.g.object_id
}

resource "aks_role_binding" "explicit" {
  scope          = "${local.cluster_id}/nodepools/%s"
  role           = "Reader"
  principal_id   = aks_pim_group.g.object_id
  principal_type = "Group"
}

resource "aks_role_binding" "explicit_ns" {
  scope        = "${local.cluster_id}/namespaces/payments"
  role         = "Azure Kubernetes Service RBAC Reader"
  principal_id = aks_pim_group.g.object_id
}
`, f.ClusterID, group, descr, f.SubscriptionID, rbac.RoleReader, f.NodePools[0], f.NodePools[0])
}

// TestAccRoleBinding_scopeKinds: all five scope kinds and an explicit scope, checked in ARM; the plan
// after apply is empty (automatic); every binding imports back with a no-op plan; one is also imported
// with `terraform import` and verified attribute by attribute; the description updates in place; a
// changed role replaces; an assignment deleted out of band is re-created; destroy leaves nothing.
func TestAccRoleBinding_scopeKinds(t *testing.T) {
	f := acctest.Fixture(t)
	c := acctest.AdminClient(t)
	cluster, err := rbac.ParseClusterID(f.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	_ = cluster
	group := acctest.RandomName("rb")
	var principal, clusterBindingID string
	cfg := bindingAccConfig(f, group, "readers")
	// Scopes are built on the cluster ID as configured (ARM echoes the spelling it is given).
	pool := f.ClusterID + "/agentPools/" + f.NodePools[0]
	rawSegs := strings.Split(f.ClusterID, "/")
	nodeRG := strings.Join(rawSegs[:4], "/") + "/" + f.NodeResourceGroup
	namespace := f.ClusterID + "/namespaces/payments"

	importStep := func(addr string) resource.TestStep {
		return resource.TestStep{Config: cfg, ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             groupAccCheckDestroyed(c),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("aks_role_binding.node_rg", tfjsonpath.New("scope"), knownvalue.StringExact(nodeRG)),
					statecheck.ExpectKnownValue("aks_role_binding.pool", tfjsonpath.New("scope"), knownvalue.StringExact(pool)),
					statecheck.ExpectKnownValue("aks_role_binding.namespace", tfjsonpath.New("scope"), knownvalue.StringExact(namespace)),
					statecheck.ExpectKnownValue("aks_role_binding.rg", tfjsonpath.New("role"), knownvalue.StringExact("Reader")),
					statecheck.ExpectKnownValue("aks_role_binding.cluster", tfjsonpath.New("role_definition_id"),
						knownvalue.StringExact(rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSRBACReader))),
					statecheck.ExpectKnownValue("aks_role_binding.explicit", tfjsonpath.New("cluster_id"), knownvalue.StringExact(f.ClusterID)),
					statecheck.ExpectKnownValue("aks_role_binding.explicit", tfjsonpath.New("scope_kind"), knownvalue.StringExact("node_pool")),
					statecheck.ExpectKnownValue("aks_role_binding.explicit", tfjsonpath.New("principal_type"), knownvalue.StringExact("Group")),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrWith("aks_pim_group.g", "object_id", func(v string) error { principal = v; return nil }),
					resource.TestCheckResourceAttrWith("aks_role_binding.cluster", "id", func(v string) error { clusterBindingID = v; return nil }),
					bindingAccCheckInARM(c, "aks_role_binding.cluster", f.ClusterID, rbac.RoleAKSRBACReader, &principal, "readers"),
					bindingAccCheckInARM(c, "aks_role_binding.rg", cluster.ResourceGroupID(), rbac.RoleReader, &principal, ""),
					bindingAccCheckInARM(c, "aks_role_binding.node_rg", nodeRG, rbac.RoleVirtualMachineUserLogin, &principal, ""),
					bindingAccCheckInARM(c, "aks_role_binding.pool", pool, rbac.RoleContributor, &principal, ""),
					bindingAccCheckInARM(c, "aks_role_binding.namespace", namespace, rbac.RoleAKSRBACWriter, &principal, ""),
					bindingAccCheckInARM(c, "aks_role_binding.explicit_ns", namespace, rbac.RoleAKSRBACReader, &principal, ""),
					bindingAccCheckInARM(c, "aks_role_binding.explicit", pool, rbac.RoleReader, &principal, ""),
				),
			},
			importStep("aks_role_binding.cluster"),
			importStep("aks_role_binding.rg"),
			importStep("aks_role_binding.node_rg"),
			importStep("aks_role_binding.pool"),
			importStep("aks_role_binding.namespace"),
			importStep("aks_role_binding.explicit_ns"),
			{
				// Imported from ARM, the /nodepools/ alias reads back as /agentPools/: the scope shows as an
				// in-place change of spelling (hence the warning to write /agentPools/).
				Config: cfg, ResourceName: "aks_role_binding.explicit", ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:                  cfg,
				ResourceName:            "aks_role_binding.namespace",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// The description is updated in place, under the same assignment.
				Config: bindingAccConfig(f, group, "readers (changed)"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("aks_role_binding.cluster", plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrWith("aks_role_binding.cluster", "id", func(v string) error {
						if v != clusterBindingID {
							return fmt.Errorf("id changed from %s to %s on an in-place update", clusterBindingID, v)
						}
						return nil
					}),
					bindingAccCheckInARM(c, "aks_role_binding.cluster", f.ClusterID, rbac.RoleAKSRBACReader, &principal, "readers (changed)"),
				),
			},
			{
				// A different role is a different assignment: replaced.
				Config: strings.Replace(bindingAccConfig(f, group, "readers (changed)"), `"Azure Kubernetes Service RBAC Reader"`, `"Azure Kubernetes Service RBAC Admin"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("aks_role_binding.cluster", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: bindingAccCheckInARM(c, "aks_role_binding.cluster", f.ClusterID, rbac.RoleAKSRBACAdmin, &principal, "readers (changed)"),
			},
			{
				// Deleted outside Terraform: re-created.
				PreConfig: func() {
					id, _ := rbac.AssignmentName(nodeRG, rbac.RoleVirtualMachineUserLogin, principal)
					if err := rbac.DeleteAssignment(context.Background(), c, rbac.RoleAssignmentID{Scope: nodeRG, Name: id}.String()); err != nil {
						t.Fatalf("deleting out of band: %v", err)
					}
				},
				Config: strings.Replace(bindingAccConfig(f, group, "readers (changed)"), `"Azure Kubernetes Service RBAC Reader"`, `"Azure Kubernetes Service RBAC Admin"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("aks_role_binding.node_rg", plancheck.ResourceActionCreate)},
				},
				Check: bindingAccCheckInARM(c, "aks_role_binding.node_rg", nodeRG, rbac.RoleVirtualMachineUserLogin, &principal, ""),
			},
		},
	})
}

// TestAccRoleBinding_roleByNameOrID: the same binding written with role or with role_definition_id (in
// either form) is the same state: switching plans nothing.
func TestAccRoleBinding_roleByNameOrID(t *testing.T) {
	f := acctest.Fixture(t)
	c := acctest.AdminClient(t)
	group := acctest.RandomName("rbid")
	cfg := func(role string) string {
		return groupAccProvider + fmt.Sprintf(`
resource "aks_pim_group" "g" {
  display_name = %q
}

resource "aks_role_binding" "b" {
  cluster_id   = %q
  scope_kind   = "cluster"
  principal_id = aks_pim_group.g.object_id
  %s
}
`, group, f.ClusterID, role)
	}
	byName := `role = "Azure Kubernetes Service Cluster User Role"`
	byID := fmt.Sprintf(`role_definition_id = "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s"`, f.SubscriptionID, rbac.RoleAKSClusterUser)
	byTenantID := fmt.Sprintf(`role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/%s"`, strings.ToUpper(rbac.RoleAKSClusterUser))
	same := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("aks_role_binding.b", tfjsonpath.New("role"), knownvalue.StringExact("Azure Kubernetes Service Cluster User Role")),
		statecheck.ExpectKnownValue("aks_role_binding.b", tfjsonpath.New("role_definition_id"),
			knownvalue.StringExact(rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSClusterUser))),
	}
	noop := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             groupAccCheckDestroyed(c),
		Steps: []resource.TestStep{
			{Config: cfg(byName), ConfigStateChecks: same},
			{Config: cfg(byID), ConfigPlanChecks: noop, ConfigStateChecks: same},
			{Config: cfg(byName), ConfigPlanChecks: noop, ConfigStateChecks: same},
			{
				// Another spelling of the same role is not a replacement either.
				Config: cfg(byTenantID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("aks_role_binding.b", plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

// TestAccRoleBinding_errors: an unknown role name, an unknown principal (at plan time; an ID known only
// after apply keeps the bounded retry), an existing assignment under another name (its ID and the
// import command), a cluster that does not exist, and plan-time validation of the scope inputs.
func TestAccRoleBinding_errors(t *testing.T) {
	f := acctest.Fixture(t)
	c := acctest.AdminClient(t)
	ctx := context.Background()
	g, _, err := pim.CreateGroup(ctx, c, pim.GroupSpec{DisplayName: acctest.RandomName("rberr")}, pim.GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pim.DeleteGroup(context.Background(), c, g.ID) })
	existingName := uuid.NewString()
	if _, err := c.RoleAssignments.Create(ctx, f.ClusterID, existingName, armauthorization.RoleAssignmentCreateParameters{
		Properties: &armauthorization.RoleAssignmentProperties{PrincipalID: to.Ptr(g.ID), PrincipalType: to.Ptr(armauthorization.PrincipalTypeGroup),
			RoleDefinitionID: to.Ptr(rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSRBACReader))}}, nil); err != nil {
		t.Fatal(err)
	}
	existingID := rbac.RoleAssignmentID{Scope: f.ClusterID, Name: existingName}.String()
	t.Cleanup(func() { _ = rbac.DeleteAssignment(context.Background(), c, existingID) })

	binding := func(body string) string {
		return groupAccProvider + "\nresource \"aks_role_binding\" \"b\" {\n" + body + "\n}\n"
	}
	missingCluster := strings.Replace(f.ClusterID, "/managedClusters/", "/managedClusters/missing-", 1)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: binding(fmt.Sprintf(`
  cluster_id   = %q
  scope_kind   = "cluster"
  role         = "Azure Kubernetes Service RBAC Superuser"
  principal_id = %q`, f.ClusterID, g.ID)),
				ExpectError: regexp.MustCompile(`(?s)Unable to Resolve Role.*No role named "Azure Kubernetes Service RBAC Superuser".*az role definition list`),
			},
			{
				Config: binding(fmt.Sprintf(`
  cluster_id   = %q
  scope_kind   = "cluster"
  role         = "Reader"
  principal_id = %q`, f.ClusterID, uuid.NewString())),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Directory Object Not Found.*principal_id takes the object ID of a group`),
			},
			{
				Config: binding(fmt.Sprintf(`
  cluster_id   = %q
  scope_kind   = "cluster"
  role         = "Azure Kubernetes Service RBAC Reader"
  principal_id = %q`, f.ClusterID, g.ID)),
				ExpectError: regexp.MustCompile(`(?s)already holds this role.*` + regexp.QuoteMeta(existingName) + `.*terraform import <resource address>`),
			},
			{
				Config: binding(fmt.Sprintf(`
  cluster_id   = %q
  scope_kind   = "node_resource_group"
  role         = "Virtual Machine User Login"
  principal_id = %q`, missingCluster, g.ID)),
				ExpectError: regexp.MustCompile(`(?s)Unable to Read AKS Cluster.*No AKS cluster was found when looking it up by ID`),
			},
			{
				Config: binding(fmt.Sprintf(`
  cluster_id   = %q
  scope         = %q
  scope_kind   = "node_pool"
  node_pool    = "system"
  role         = "Reader"
  principal_id = %q`, f.ClusterID, f.ClusterID, g.ID)),
				// Both may be given (generated configuration writes both), but they must name one scope.
				ExpectError: regexp.MustCompile(`(?s)Conflicting Scope.*agentPools/system`),
			},
			{
				Config: binding(fmt.Sprintf(`
  scope              = %q
  role               = "Reader"
  role_definition_id = "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s"
  principal_id       = %q`, f.ClusterID, f.SubscriptionID, rbac.RoleAKSRBACReader, g.ID)),
				ExpectError: regexp.MustCompile(`(?s)Conflicting Role.*"Reader".*Azure Kubernetes Service RBAC Reader`),
			},
			{
				Config: binding(fmt.Sprintf(`
  cluster_id   = %q
  scope_kind   = "namespace"
  node_pool    = "system"
  role         = "Reader"
  role_definition_id = "%s"
  principal_id = "not-a-guid"`, f.ClusterID, rbac.RoleReader)),
				ExpectError: regexp.MustCompile(`(?s)principal_id must be an object ID`),
			},
		},
	})
}
