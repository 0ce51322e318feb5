# Plan-level tests: no Azure, no emulator. The provider is mocked; the cluster the data source would
# read is given below. They check what the module plans and that bad inputs are refused. They pass under
# Terraform and OpenTofu alike, which is why they never override `id` (an input of the data source, which
# OpenTofu refuses to override) and why the mocked groups get object IDs: OpenTofu fills computed strings
# with random characters at plan time, which the provider's GUID validators would reject as principal_id,
# group_id and approvers. Under OpenTofu every mocked group thus has the same object ID, and the provider
# warns that the approvers approve their own elevation: expected there (OpenTofu refuses per-instance
# overrides such as aks_pim_group.this["approver"], so the approver group cannot get another ID).

mock_provider "aks" {
  mock_resource "aks_pim_group" {
    defaults = {
      object_id = "33333333-3333-4333-8333-333333333333"
    }
  }

  override_data {
    target = data.aks_cluster.this
    values = {
      location                 = "eastus"
      node_resource_group_name = "MC_rg-aks_aks1_eastus"
      node_resource_group_id   = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/MC_rg-aks_aks1_eastus"
      aad_managed              = true
      azure_rbac_enabled       = true
      local_accounts_disabled  = true
      scopes = {
        cluster             = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1"
        resource_group      = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks"
        node_resource_group = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/MC_rg-aks_aks1_eastus"
        node_pools = {
          system = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1/agentPools/system"
          user   = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1/agentPools/user"
        }
        namespace_template = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1/namespaces/%s"
      }
    }
  }
}

variables {
  cluster_id       = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1"
  name_prefix      = "plan"
  default_members  = ["11111111-1111-4111-8111-111111111111"]
  approver_members = ["22222222-2222-4222-8222-222222222222"]
}

run "plans_the_documented_scenario" {
  command = plan

  assert {
    condition     = toset(keys(aks_pim_group.this)) == toset(["default", "admin", "approver", "node-access"])
    error_message = "The module must plan exactly the four groups of the how-to."
  }
  assert {
    condition     = aks_pim_group.this["default"].display_name == "plan-default" && aks_pim_group.this["node-access"].display_name == "plan-node-access"
    error_message = "Group names must be {prefix}-{group}."
  }
  assert {
    condition     = aks_pim_group.this["default"].members == toset(["11111111-1111-4111-8111-111111111111"]) && aks_pim_group.this["approver"].members == toset(["22222222-2222-4222-8222-222222222222"])
    error_message = "default and approver must have their direct members."
  }
  assert {
    condition     = length(aks_role_binding.this) == 5
    error_message = "Without admin_node_pool the module binds exactly five roles."
  }
  assert {
    condition = (
      aks_role_binding.this["default-rbac-reader"].role == "Azure Kubernetes Service RBAC Reader" &&
      aks_role_binding.this["default-rbac-reader"].scope == data.aks_cluster.this.scopes.cluster &&
      aks_role_binding.this["default-rg-reader"].role == "Reader" &&
      aks_role_binding.this["default-rg-reader"].scope == "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks" &&
      aks_role_binding.this["default-cluster-user"].role == "Azure Kubernetes Service Cluster User Role" &&
      aks_role_binding.this["default-cluster-user"].scope == data.aks_cluster.this.scopes.cluster
    )
    error_message = "default must hold RBAC Reader and Cluster User at the cluster and Reader at its resource group."
  }
  assert {
    condition = (
      aks_role_binding.this["admin-rbac-admin"].role == "Azure Kubernetes Service RBAC Admin" &&
      aks_role_binding.this["admin-rbac-admin"].scope == data.aks_cluster.this.scopes.cluster &&
      aks_role_binding.this["node-access-login"].role == "Virtual Machine User Login" &&
      aks_role_binding.this["node-access-login"].scope == "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/MC_rg-aks_aks1_eastus"
    )
    error_message = "admin must hold RBAC Admin at the cluster, node-access VM User Login at the node resource group."
  }
  assert {
    condition     = toset(keys(aks_pim_eligibility.this)) == toset(["admin", "node-access"]) && alltrue([for e in aks_pim_eligibility.this : e.access_id == "member" && e.duration == "P180D"])
    error_message = "default must be eligible as member of admin and node-access for P180D."
  }
  assert {
    condition     = alltrue([for p in aks_pim_approval_policy.this : p.require_approval && p.access_id == "member" && p.activation.maximum_duration == "PT8H" && p.activation.require_justification])
    error_message = "The member policies of admin and node-access must require approval and justification, with at most PT8H."
  }
  assert {
    condition     = alltrue([for e in aks_pim_eligibility.this : e.policy_eligible_assignment.expiration_required && e.policy_eligible_assignment.maximum_duration == "P365D"])
    error_message = "Each eligibility must be wired to its group's policy so the plan checks it."
  }
}

run "node_pool_contributor_and_admin_login" {
  command = plan

  variables {
    admin_node_pool             = "user"
    node_login                  = "admin"
    activation_maximum_duration = "PT4H"
    require_ticket_info         = true
  }

  assert {
    condition     = aks_role_binding.this["admin-node-pool-contributor"].role == "Contributor" && endswith(aks_role_binding.this["admin-node-pool-contributor"].scope, "/managedClusters/aks1/agentPools/user")
    error_message = "admin_node_pool must add Contributor on that node pool."
  }
  assert {
    condition     = aks_role_binding.this["node-access-login"].role == "Virtual Machine Administrator Login"
    error_message = "node_login = admin must bind Virtual Machine Administrator Login."
  }
  assert {
    condition     = alltrue([for p in aks_pim_approval_policy.this : p.activation.maximum_duration == "PT4H" && p.activation.require_ticket_info])
    error_message = "Policy choices must reach both policies."
  }
}

run "rejects_a_cluster_id_that_is_not_one" {
  command = plan
  variables {
    cluster_id = "aks1"
  }
  expect_failures = [var.cluster_id]
}

run "rejects_user_principal_names_as_members" {
  command = plan
  variables {
    default_members  = ["n01@contoso.example"]
    approver_members = ["p01@contoso.example"]
  }
  expect_failures = [var.default_members, var.approver_members]
}

run "rejects_a_policy_without_approvers" {
  command = plan
  variables {
    approver_members = []
  }
  expect_failures = [var.approver_members]
}

run "rejects_too_many_minutes" {
  command = plan
  variables {
    activation_maximum_duration = "PT1500M"
  }
  expect_failures = [var.activation_maximum_duration]
}

run "accepts_minutes_and_hours" {
  command = plan
  variables {
    activation_maximum_duration = "PT90M"
  }
  assert {
    condition     = alltrue([for p in aks_pim_approval_policy.this : p.activation.maximum_duration == "PT90M"])
    error_message = "PT90M must be accepted and passed to both policies."
  }
}

run "rejects_bad_durations" {
  command = plan
  variables {
    activation_maximum_duration  = "PT25H"
    eligibility_duration         = "P6M"
    eligibility_maximum_duration = "P400D"
  }
  expect_failures = [var.activation_maximum_duration, var.eligibility_duration, var.eligibility_maximum_duration]
}

run "rejects_bad_names_and_choices" {
  command = plan
  variables {
    name_prefix     = "-bad prefix"
    node_login      = "root"
    admin_node_pool = "User_Pool"
  }
  expect_failures = [var.name_prefix, var.node_login, var.admin_node_pool]
}

run "rejects_an_unknown_node_pool" {
  command = plan
  variables {
    admin_node_pool = "gpu"
  }
  expect_failures = [aks_role_binding.this]
}

run "rejects_a_cluster_without_azure_rbac" {
  command = plan

  override_data {
    target = data.aks_cluster.this
    values = {
      aad_managed        = true
      azure_rbac_enabled = false
      scopes             = { cluster = "c", resource_group = "r", node_resource_group = "n", node_pools = {}, namespace_template = "%s" }
    }
  }
  expect_failures = [data.aks_cluster.this]
}

run "warns_when_a_requester_is_also_an_approver" {
  command = plan
  variables {
    approver_members = ["11111111-1111-4111-8111-111111111111"]
  }
  expect_failures = [check.approvers_are_not_requesters]
}
