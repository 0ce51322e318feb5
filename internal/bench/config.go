package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Per cluster, the scenario's objects (SCENARIO.md §1-§3, as examples/modules/aks-pim-access builds
// them) written as plain resources in one module instance per cluster, so that the number of managed
// resources is exact.
const (
	groupsPerCluster        = 4 // default, admin, approver, node-access
	bindingsPerCluster      = 6 // 3 for default, 2 for admin (incl. node pool Contributor), 1 for node-access
	eligibilitiesPerCluster = 2 // default eligible member of admin and of node-access
	policiesPerCluster      = 2 // member policies of admin and node-access: approval by approver
	resourcesPerCluster     = groupsPerCluster + bindingsPerCluster + eligibilitiesPerCluster + policiesPerCluster
)

// Resource type names as Terraform (and the contract table) know them.
const (
	typeGroup       = "aks_pim_group"
	typeBinding     = "aks_role_binding"
	typeEligibility = "aks_pim_eligibility"
	typePolicy      = "aks_pim_approval_policy"
)

// resourceCounts is how many resources of each type a configuration of n clusters manages.
func resourceCounts(n int) map[string]int {
	return map[string]int{
		typeGroup:       groupsPerCluster * n,
		typeBinding:     bindingsPerCluster * n,
		typeEligibility: eligibilitiesPerCluster * n,
		typePolicy:      policiesPerCluster * n,
	}
}

// dataSourceCount: data.aks_user n01 and p01, and one data.aks_cluster per cluster (its scopes).
func dataSourceCount(n int) int { return 2 + n }

// probeCluster and probeGroup name the group the out-of-band change edits.
const (
	probeCluster = "c001"
	probeGroup   = "admin"
)

// probeAddress is the probe group's resource address.
var probeAddress = `module.cluster["` + probeCluster + `"].aks_pim_group.g["` + probeGroup + `"]`

// clusterKey names cluster i (0-based) in resource keys: c001, c002, ...
func clusterKey(i int) string { return fmt.Sprintf("c%03d", i+1) }

// Why a module instance per cluster: a destroy orders by the dependencies recorded in state, which are
// whole resources (an index computed from each.value makes aks_role_binding.b depend on every instance
// of aks_pim_group.g). With one flat resource per type, the 2,000 dependents of 800 groups at 200
// clusters made Terraform build a destroy graph of 1.6 million edges: `terraform destroy` of the
// terraform_data mirror alone had planned and not started destroying after 20 minutes (BENCHMARKS.md,
// issue 14). Within a module instance the dependencies stay within the cluster, as they do in a
// repository built on examples/modules/aks-pim-access.

// moduleFiles are a configuration's files: the root module and the per-cluster module "cluster/".
type moduleFiles map[string]string

// write writes the files under dir.
func (f moduleFiles) write(dir string) error {
	for name, text := range f {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// clusterLocals are the for_each maps of one cluster's module, shared by the provider's configuration
// and the terraform_data mirror: {{n01}} and {{p01}} stand for the users' object IDs, {{scopes}} for the
// cluster's scopes object.
func clusterLocals(n01, p01, scopes string) string {
	return strings.NewReplacer("{{n01}}", n01, "{{p01}}", p01, "{{scopes}}", scopes).Replace(`
locals {
  groups = {
    default       = { members = [{{n01}}] }
    admin         = { members = null }
    approver      = { members = [{{p01}}] }
    "node-access" = { members = null }
  }

  bindings = {
    "default-rbac-reader"         = { group = "default", role = "Azure Kubernetes Service RBAC Reader", scope = {{scopes}}.cluster }
    "default-rg-reader"           = { group = "default", role = "Reader", scope = {{scopes}}.resource_group }
    "default-cluster-user"        = { group = "default", role = "Azure Kubernetes Service Cluster User Role", scope = {{scopes}}.cluster }
    "admin-rbac-admin"            = { group = "admin", role = "Azure Kubernetes Service RBAC Admin", scope = {{scopes}}.cluster }
    "admin-node-pool-contributor" = { group = "admin", role = "Contributor", scope = {{scopes}}.node_pools["user"] }
    "node-access-login"           = { group = "node-access", role = "Virtual Machine User Login", scope = {{scopes}}.node_resource_group }
  }

  jit = toset(["admin", "node-access"])
}
`)
}

// clustersLocal renders local.clusters.
func clustersLocal(clusterIDs []string) string {
	var b strings.Builder
	b.WriteString("locals {\n  clusters = {\n")
	for i, id := range clusterIDs {
		fmt.Fprintf(&b, "    %s = %q\n", clusterKey(i), id)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// requiredProvider requires the aks provider (in the root module and the cluster module).
const requiredProvider = `terraform {
  required_providers {
    aks = {
      source = "aks-pim/aks"
    }
  }
}
`

// providerBlock requires the aks provider, configured from the environment.
const providerBlock = requiredProvider + `
provider "aks" {}

`

// clusterModuleCall instantiates ./cluster once per cluster with the two users' object IDs.
func clusterModuleCall(n01, p01 string) string {
	return fmt.Sprintf(`
module "cluster" {
  source   = "./cluster"
  for_each = local.clusters

  key = each.key
  id  = each.value
  n01 = %s
  p01 = %s
}

output "probe_group_id" {
  value = module.cluster[%q].group_ids[%q]
}
`, n01, p01, probeCluster, probeGroup)
}

// clusterVariables are the cluster module's inputs and its output.
const clusterVariables = `
variable "key" {
  type = string
}

variable "id" {
  type = string
}

variable "n01" {
  type = string
}

variable "p01" {
  type = string
}
`

// configuration renders the provider's configuration for the given cluster IDs and the two scenario users.
func configuration(clusterIDs []string, n01UPN, p01UPN string) moduleFiles {
	var root strings.Builder
	root.WriteString("# Generated by internal/bench: the scenario's objects for every cluster, as plain resources.\n")
	root.WriteString(providerBlock)
	fmt.Fprintf(&root, "data \"aks_user\" \"n01\" {\n  user_principal_name = %q\n}\n\n", n01UPN)
	fmt.Fprintf(&root, "data \"aks_user\" \"p01\" {\n  user_principal_name = %q\n}\n\n", p01UPN)
	root.WriteString(clustersLocal(clusterIDs))
	root.WriteString(clusterModuleCall("data.aks_user.n01.object_id", "data.aks_user.p01.object_id"))

	var mod strings.Builder
	mod.WriteString(requiredProvider)
	mod.WriteString(clusterVariables)
	mod.WriteString(`
data "aks_cluster" "this" {
  id = var.id
}
`)
	mod.WriteString(clusterLocals("var.n01", "var.p01", "data.aks_cluster.this.scopes"))
	mod.WriteString(`
resource "aks_pim_group" "g" {
  for_each = local.groups

  display_name = "bench-${var.key}-${each.key}"
  description  = "Benchmark group ${var.key}-${each.key}."
  members      = each.value.members
}

resource "aks_role_binding" "b" {
  for_each = local.bindings

  scope        = each.value.scope
  role         = each.value.role
  principal_id = aks_pim_group.g[each.value.group].object_id
  description  = "bench ${var.key}-${each.key}"
}

resource "aks_pim_approval_policy" "p" {
  for_each = local.jit

  group_id  = aks_pim_group.g[each.key].object_id
  access_id = "member"

  require_approval = true
  approvers        = { groups = [aks_pim_group.g["approver"].object_id] }

  activation = {
    maximum_duration      = "PT8H"
    require_justification = true
  }

  eligible_assignment = {
    expiration_required = true
    maximum_duration    = "P365D"
  }
}

resource "aks_pim_eligibility" "e" {
  for_each = local.jit

  group_id      = aks_pim_group.g[each.key].object_id
  principal_id  = aks_pim_group.g["default"].object_id
  access_id     = "member"
  duration      = "P180D"
  justification = "bench: default is eligible for ${var.key}-${each.key}"

  policy_eligible_assignment = aks_pim_approval_policy.p[each.key].eligible_assignment
}

output "group_ids" {
  value = { for k, g in aks_pim_group.g : k => g.object_id }
}
`)
	return moduleFiles{"main.tf": root.String(), "cluster/main.tf": mod.String()}
}

// floorConfiguration is the same graph with Terraform's built-in terraform_data and no provider: the
// same module, for_each maps and references between objects (the data sources become resources too),
// inputs of about the same size. What Terraform alone costs for this graph is the floor of issue 14's
// wall-time target.
func floorConfiguration(clusterIDs []string) moduleFiles {
	var root strings.Builder
	root.WriteString("# Generated by internal/bench: the scenario's graph with terraform_data, the floor of Terraform itself.\n")
	root.WriteString(clustersLocal(clusterIDs))
	root.WriteString(`
resource "terraform_data" "user" {
  for_each = toset(["n01", "p01"])
  input    = { object_id = "object-id-${each.key}", user_principal_name = "${each.key}@bench" }
}
`)
	root.WriteString(clusterModuleCall(`terraform_data.user["n01"].output.object_id`, `terraform_data.user["p01"].output.object_id`))

	var mod strings.Builder
	mod.WriteString(clusterVariables)
	mod.WriteString(`
resource "terraform_data" "cluster" {
  input = {
    id = var.id
    scopes = {
      cluster             = var.id
      resource_group      = dirname(dirname(dirname(dirname(var.id))))
      node_resource_group = "${var.id}-nodes"
      node_pools          = { system = "${var.id}/agentPools/system", user = "${var.id}/agentPools/user" }
    }
  }
}
`)
	mod.WriteString(clusterLocals("var.n01", "var.p01", "terraform_data.cluster.output.scopes"))
	mod.WriteString(`
resource "terraform_data" "g" {
  for_each = local.groups
  input = {
    display_name = "bench-${var.key}-${each.key}"
    description  = "Benchmark group ${var.key}-${each.key}."
    members      = each.value.members
  }
}

resource "terraform_data" "b" {
  for_each = local.bindings
  input = {
    scope        = each.value.scope
    role         = each.value.role
    principal_id = terraform_data.g[each.value.group].id
    description  = "bench ${var.key}-${each.key}"
  }
}

resource "terraform_data" "p" {
  for_each = local.jit
  input = {
    group_id            = terraform_data.g[each.key].id
    approvers           = [terraform_data.g["approver"].id]
    activation          = { maximum_duration = "PT8H", require_justification = true }
    eligible_assignment = { expiration_required = true, maximum_duration = "P365D" }
  }
}

resource "terraform_data" "e" {
  for_each = local.jit
  input = {
    group_id                   = terraform_data.g[each.key].id
    principal_id               = terraform_data.g["default"].id
    duration                   = "P180D"
    policy_eligible_assignment = terraform_data.p[each.key].output.eligible_assignment
  }
}

output "group_ids" {
  value = { for k, g in terraform_data.g : k => g.id }
}
`)
	return moduleFiles{"main.tf": root.String(), "cluster/main.tf": mod.String()}
}
