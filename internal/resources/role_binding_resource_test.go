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
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// bindingAccCheckInARM reads the assignment of addr through ARM and checks scope, role and principal.
func bindingAccCheckInARM(c *clients.Client, addr, scope, roleGUID string, principal *string, description string) resource.TestCheckFunc {
	return acctest.InState(addr, func(id string, _ map[string]string) error {
		a, err := rbac.GetAssignment(context.Background(), c, id)
		if err != nil {
			return fmt.Errorf("reading %s (%s) in ARM: %w", addr, id, err)
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
	})
}

// bindingAcc is one binding of bindingAccConfig: its scope and role as configured, and where ARM must
// hold the assignment.
type bindingAcc struct {
	name        string   // aks_role_binding.<name>
	attrs       []string // the scope, role and description as configured
	scope       string   // the scope ARM holds the assignment at
	role        string   // the role definition's GUID
	description string
	// respelled: ARM reads the configured scope back in another spelling, so an import block plans an
	// in-place change of it.
	respelled bool
}

// bindingAccBindings are one binding per scope kind (the scenario's roles; these five first) and two with
// an explicit scope, one written with /nodepools/; descr is the description of the cluster-scoped binding. Expected
// scopes are built on the cluster ID as configured (ARM echoes the spelling it is given).
func bindingAccBindings(t *testing.T, f acctest.Fixtures, descr string) []bindingAcc {
	t.Helper()
	cluster, err := rbac.ParseClusterID(f.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	at := func(kind string, more ...string) []string {
		return append([]string{fmt.Sprintf("cluster_id = %q", f.ClusterID), fmt.Sprintf("scope_kind = %q", kind)}, more...)
	}
	pool := f.ClusterID + "/agentPools/" + f.NodePools[0]
	nodeRG := strings.Join(strings.Split(f.ClusterID, "/")[:4], "/") + "/" + f.NodeResourceGroup
	namespace := f.ClusterID + "/namespaces/payments"
	return []bindingAcc{
		{name: "cluster", attrs: at("cluster", `role = "Azure Kubernetes Service RBAC Reader"`, fmt.Sprintf("description = %q", descr)),
			scope: f.ClusterID, role: rbac.RoleAKSRBACReader, description: descr},
		{name: "rg", attrs: at("resource_group", fmt.Sprintf("role_definition_id = %q", rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleReader))),
			scope: cluster.ResourceGroupID(), role: rbac.RoleReader},
		{name: "node_rg", attrs: at("node_resource_group", `role = "Virtual Machine User Login"`), scope: nodeRG, role: rbac.RoleVirtualMachineUserLogin},
		{name: "pool", attrs: at("node_pool", fmt.Sprintf("node_pool = %q", f.NodePools[0]), `role = "Contributor"`), scope: pool, role: rbac.RoleContributor},
		{name: "namespace", attrs: at("namespace", `namespace = "payments"`, `role = "Azure Kubernetes Service RBAC Writer"`), scope: namespace, role: rbac.RoleAKSRBACWriter},
		{name: "explicit", attrs: []string{fmt.Sprintf("scope = %q", f.ClusterID+"/nodepools/"+f.NodePools[0]), `role = "Reader"`, `principal_type = "Group"`},
			scope: pool, role: rbac.RoleReader, respelled: true},
		{name: "explicit_ns", attrs: []string{fmt.Sprintf("scope = %q", namespace), `role = "Azure Kubernetes Service RBAC Reader"`}, scope: namespace, role: rbac.RoleAKSRBACReader},
	}
}

// bindingAccConfig is the group aks_pim_group.g, named group, and the bindings for it.
func bindingAccConfig(group string, bindings []bindingAcc) string {
	cfg := groupAccProvider + groupHCL("g", group)
	for _, b := range bindings {
		cfg += bindingHCL(b.name, "aks_pim_group.g.object_id", b.attrs...)
	}
	return cfg
}

// TestAccRoleBinding_scopeKinds: all five scope kinds and an explicit scope, checked in ARM; the plan
// after apply is empty (automatic); every binding imports back with a no-op plan; one is also imported
// with `terraform import` and verified attribute by attribute; the description updates in place; a
// changed role replaces; an assignment deleted out of band is re-created; destroy leaves nothing.
func TestAccRoleBinding_scopeKinds(t *testing.T) {
	f := acctest.Fixture(t)
	c := acctest.AdminClient(t)
	group := acctest.RandomName("rb")
	var principal, clusterBindingID string
	bindings := bindingAccBindings(t, f, "readers")
	cfg := bindingAccConfig(group, bindings)
	// The replacement's role is the first Reader of the configuration: the cluster-scoped binding's.
	admin := strings.Replace(bindingAccConfig(group, bindingAccBindings(t, f, "readers (changed)")),
		`"Azure Kubernetes Service RBAC Reader"`, `"Azure Kubernetes Service RBAC Admin"`, 1)
	byName := map[string]bindingAcc{}
	checks := []resource.TestCheckFunc{
		resource.TestCheckResourceAttrWith("aks_pim_group.g", "object_id", func(v string) error { principal = v; return nil }),
		resource.TestCheckResourceAttrWith("aks_role_binding.cluster", "id", func(v string) error { clusterBindingID = v; return nil }),
	}
	var imports []resource.TestStep
	for _, b := range bindings {
		byName[b.name] = b
		checks = append(checks, bindingAccCheckInARM(c, "aks_role_binding."+b.name, b.scope, b.role, &principal, b.description))
		step := acctest.ImportBlock(cfg, "aks_role_binding."+b.name)
		// Imported from ARM, the /nodepools/ alias reads back as /agentPools/: the scope shows as an
		// in-place change of spelling (hence the warning to write /agentPools/).
		step.ExpectNonEmptyPlan = b.respelled
		imports = append(imports, step)
	}
	steps := []resource.TestStep{{
		Config: cfg,
		ConfigStateChecks: []statecheck.StateCheck{
			acctest.Attr("aks_role_binding.node_rg", "scope", knownvalue.StringExact(byName["node_rg"].scope)),
			acctest.Attr("aks_role_binding.pool", "scope", knownvalue.StringExact(byName["pool"].scope)),
			acctest.Attr("aks_role_binding.namespace", "scope", knownvalue.StringExact(byName["namespace"].scope)),
			acctest.Attr("aks_role_binding.rg", "role", knownvalue.StringExact("Reader")),
			acctest.Attr("aks_role_binding.cluster", "role_definition_id",
				knownvalue.StringExact(rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSRBACReader))),
			acctest.Attr("aks_role_binding.explicit", "cluster_id", knownvalue.StringExact(f.ClusterID)),
			acctest.Attr("aks_role_binding.explicit", "scope_kind", knownvalue.StringExact("node_pool")),
			acctest.Attr("aks_role_binding.explicit", "principal_type", knownvalue.StringExact("Group")),
		},
		Check: resource.ComposeTestCheckFunc(checks...),
	}}
	steps = append(steps, imports...)
	nodeRG := byName["node_rg"]
	steps = append(steps,
		acctest.ImportVerify("aks_role_binding.namespace", ""),
		resource.TestStep{
			// The description is updated in place, under the same assignment.
			Config:           bindingAccConfig(group, bindingAccBindings(t, f, "readers (changed)")),
			ConfigPlanChecks: acctest.PlansUpdate("aks_role_binding.cluster"),
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
		resource.TestStep{
			// A different role is a different assignment: replaced.
			Config:           admin,
			ConfigPlanChecks: acctest.PlansReplace("aks_role_binding.cluster"),
			Check:            bindingAccCheckInARM(c, "aks_role_binding.cluster", f.ClusterID, rbac.RoleAKSRBACAdmin, &principal, "readers (changed)"),
		},
		resource.TestStep{
			// Deleted outside Terraform: re-created.
			PreConfig: func() {
				id, _ := rbac.AssignmentName(nodeRG.scope, nodeRG.role, principal)
				if err := rbac.DeleteAssignment(context.Background(), c, rbac.RoleAssignmentID{Scope: nodeRG.scope, Name: id}.String()); err != nil {
					t.Fatalf("deleting out of band: %v", err)
				}
			},
			Config:           admin,
			ConfigPlanChecks: acctest.PlansCreate("aks_role_binding.node_rg"),
			Check:            bindingAccCheckInARM(c, "aks_role_binding.node_rg", nodeRG.scope, nodeRG.role, &principal, ""),
		},
	)
	acctest.ParallelTest(t, resource.TestCase{CheckDestroy: groupAccCheckDestroyed(c), Steps: steps})
}

// TestAccRoleBinding_roleByNameOrID: the same binding written with role or with role_definition_id (in
// either form) is the same state: switching plans nothing.
func TestAccRoleBinding_roleByNameOrID(t *testing.T) {
	f := acctest.Fixture(t)
	c := acctest.AdminClient(t)
	group := acctest.RandomName("rbid")
	cfg := func(role string) string {
		return groupAccProvider + groupHCL("g", group) +
			bindingHCL("b", "aks_pim_group.g.object_id", fmt.Sprintf("cluster_id = %q", f.ClusterID), `scope_kind = "cluster"`, role)
	}
	byName := `role = "Azure Kubernetes Service Cluster User Role"`
	byID := fmt.Sprintf(`role_definition_id = "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s"`, f.SubscriptionID, rbac.RoleAKSClusterUser)
	byTenantID := fmt.Sprintf(`role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/%s"`, strings.ToUpper(rbac.RoleAKSClusterUser))
	same := []statecheck.StateCheck{
		acctest.Attr("aks_role_binding.b", "role", knownvalue.StringExact("Azure Kubernetes Service Cluster User Role")),
		acctest.Attr("aks_role_binding.b", "role_definition_id",
			knownvalue.StringExact(rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSClusterUser))),
	}
	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: groupAccCheckDestroyed(c),
		Steps: []resource.TestStep{
			{Config: cfg(byName), ConfigStateChecks: same},
			{Config: cfg(byID), ConfigPlanChecks: acctest.PlansNothing(), ConfigStateChecks: same},
			{Config: cfg(byName), ConfigPlanChecks: acctest.PlansNothing(), ConfigStateChecks: same},
			// Another spelling of the same role is not a replacement either.
			{Config: cfg(byTenantID), ConfigPlanChecks: acctest.PlansUpdate("aks_role_binding.b")},
		},
	})
}

// TestAccRoleBinding_errors: an unknown role name, an unknown principal (at plan time; an ID known only
// after apply keeps the bounded retry), an existing assignment under another name (its ID and the
// import command), a cluster that does not exist, and plan-time validation of the scope inputs.
func TestAccRoleBinding_errors(t *testing.T) {
	f := acctest.Fixture(t)
	c := acctest.AdminClient(t)
	groupID := acctest.NewGroup(t, c, "rberr")
	existingName := uuid.NewString()
	if _, err := c.RoleAssignments.Create(t.Context(), f.ClusterID, existingName, armauthorization.RoleAssignmentCreateParameters{
		Properties: &armauthorization.RoleAssignmentProperties{PrincipalID: to.Ptr(groupID), PrincipalType: to.Ptr(armauthorization.PrincipalTypeGroup),
			RoleDefinitionID: to.Ptr(rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSRBACReader))}}, nil); err != nil {
		t.Fatal(err)
	}
	existingID := rbac.RoleAssignmentID{Scope: f.ClusterID, Name: existingName}.String()
	t.Cleanup(func() { _ = rbac.DeleteAssignment(context.Background(), c, existingID) })

	binding := func(principal string, attrs ...string) string {
		return groupAccProvider + bindingHCL("b", principal, attrs...)
	}
	group := fmt.Sprintf("%q", groupID)
	at := fmt.Sprintf("cluster_id = %q", f.ClusterID)
	missingCluster := strings.Replace(f.ClusterID, "/managedClusters/", "/managedClusters/missing-", 1)
	acctest.ParallelTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			acctest.ApplyFails(binding(group, at, `scope_kind = "cluster"`, `role = "Azure Kubernetes Service RBAC Superuser"`),
				`(?s)Unable to Resolve Role.*No role named "Azure Kubernetes Service RBAC Superuser".*az role definition list`),
			acctest.PlanFails(binding(fmt.Sprintf("%q", uuid.NewString()), at, `scope_kind = "cluster"`, `role = "Reader"`),
				`(?s)Directory Object Not Found.*principal_id takes the object ID of a group`),
			acctest.ApplyFails(binding(group, at, `scope_kind = "cluster"`, `role = "Azure Kubernetes Service RBAC Reader"`),
				`(?s)already holds this role.*`+regexp.QuoteMeta(existingName)+`.*terraform import <resource address>`),
			acctest.ApplyFails(binding(group, fmt.Sprintf("cluster_id = %q", missingCluster), `scope_kind = "node_resource_group"`, `role = "Virtual Machine User Login"`),
				`(?s)Unable to Read AKS Cluster.*No AKS cluster was found when looking it up by ID`),
			// Both may be given (generated configuration writes both), but they must name one scope.
			acctest.ApplyFails(binding(group, at, fmt.Sprintf("scope = %q", f.ClusterID), `scope_kind = "node_pool"`, `node_pool = "system"`, `role = "Reader"`),
				`(?s)Conflicting Scope.*agentPools/system`),
			acctest.ApplyFails(binding(group, fmt.Sprintf("scope = %q", f.ClusterID), `role = "Reader"`,
				fmt.Sprintf("role_definition_id = %q", rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSRBACReader))),
				`(?s)Conflicting Role.*"Reader".*Azure Kubernetes Service RBAC Reader`),
			acctest.ApplyFails(binding(`"not-a-guid"`, at, `scope_kind = "namespace"`, `node_pool = "system"`, `role = "Reader"`, fmt.Sprintf("role_definition_id = %q", rbac.RoleReader)),
				`(?s)principal_id must be an object ID`),
		},
	})
}
