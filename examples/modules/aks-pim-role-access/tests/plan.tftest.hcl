# Plan-level tests: no Azure, no emulator. The provider is mocked; the cluster the data source would
# read is given below. They check what the module plans and that bad inputs are refused. They run under
# Terraform and OpenTofu alike, which is why they never override `id` (an input of the data source, which
# OpenTofu refuses to override).

mock_provider "aks" {
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
  cluster_id = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1"
  users      = ["11111111-1111-4111-8111-111111111111", "33333333-3333-4333-8333-333333333333"]
  approvers  = ["22222222-2222-4222-8222-222222222222"]
}

run "plans_the_scenario_without_groups" {
  command = plan

  assert {
    condition     = length(aks_role_binding.standing) == 6 && alltrue([for b in aks_role_binding.standing : b.principal_type == "User"])
    error_message = "Each of the two users must hold the three everyday roles directly."
  }
  assert {
    condition = (
      aks_role_binding.standing["rbac-reader/11111111-1111-4111-8111-111111111111"].role == "Azure Kubernetes Service RBAC Reader" &&
      aks_role_binding.standing["rbac-reader/11111111-1111-4111-8111-111111111111"].scope == data.aks_cluster.this.scopes.cluster &&
      aks_role_binding.standing["rg-reader/33333333-3333-4333-8333-333333333333"].scope == "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks" &&
      aks_role_binding.standing["cluster-user/33333333-3333-4333-8333-333333333333"].role == "Azure Kubernetes Service Cluster User Role"
    )
    error_message = "The everyday roles are RBAC Reader and Cluster User at the cluster and Reader at its resource group."
  }
  assert {
    condition = (
      toset(keys(aks_pim_role_policy.this)) == toset(["admin", "node-access"]) &&
      aks_pim_role_policy.this["admin"].role == "Azure Kubernetes Service RBAC Admin" &&
      aks_pim_role_policy.this["admin"].scope == data.aks_cluster.this.scopes.cluster &&
      aks_pim_role_policy.this["node-access"].role == "Virtual Machine User Login" &&
      aks_pim_role_policy.this["node-access"].scope == "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/MC_rg-aks_aks1_eastus"
    )
    error_message = "One policy per just-in-time role at its scope: RBAC Admin at the cluster, VM User Login at the node resource group."
  }
  assert {
    condition     = alltrue([for p in aks_pim_role_policy.this : p.require_approval && p.approvers.users == toset(["22222222-2222-4222-8222-222222222222"]) && p.activation.maximum_duration == "PT8H" && p.activation.require_justification])
    error_message = "Each policy must require approval by the approvers, justification, and at most PT8H."
  }
  assert {
    condition     = length(aks_pim_role_eligibility.this) == 4 && alltrue([for e in aks_pim_role_eligibility.this : e.duration == "P180D" && e.policy_eligible_assignment.maximum_duration == "P365D"])
    error_message = "Each user must be eligible for each just-in-time role for P180D, wired to the role's policy."
  }
  assert {
    condition     = aks_pim_role_eligibility.this["node-access/11111111-1111-4111-8111-111111111111"].role == "Virtual Machine User Login" && aks_pim_role_eligibility.this["node-access/11111111-1111-4111-8111-111111111111"].principal_id == "11111111-1111-4111-8111-111111111111"
    error_message = "Eligibilities are keyed {role key}/{user}."
  }
}

run "node_pool_contributor_and_admin_login" {
  command = plan

  variables {
    admin_node_pool             = "user"
    node_login                  = "admin"
    activation_maximum_duration = "PT30M"
    require_ticket_info         = true
  }

  assert {
    condition     = aks_pim_role_policy.this["admin-node-pool"].role == "Contributor" && endswith(aks_pim_role_policy.this["admin-node-pool"].scope, "/managedClusters/aks1/agentPools/user")
    error_message = "admin_node_pool must add Contributor on that node pool as a third just-in-time role."
  }
  assert {
    condition     = length(aks_pim_role_eligibility.this) == 6
    error_message = "Two users times three just-in-time roles."
  }
  assert {
    condition     = aks_pim_role_policy.this["node-access"].role == "Virtual Machine Administrator Login"
    error_message = "node_login = admin must make Virtual Machine Administrator Login the node role."
  }
  assert {
    condition     = alltrue([for p in aks_pim_role_policy.this : p.activation.maximum_duration == "PT30M" && p.activation.require_ticket_info])
    error_message = "Policy choices must reach every policy."
  }
}

run "rejects_a_cluster_id_that_is_not_one" {
  command = plan
  variables {
    cluster_id = "aks1"
  }
  expect_failures = [var.cluster_id]
}

run "rejects_user_principal_names" {
  command = plan
  variables {
    users     = ["n01@contoso.example"]
    approvers = ["p01@contoso.example"]
  }
  expect_failures = [var.users, var.approvers]
}

run "rejects_a_policy_without_approvers" {
  command = plan
  variables {
    approvers = []
  }
  expect_failures = [var.approvers]
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

run "rejects_an_unknown_node_pool" {
  command = plan
  variables {
    admin_node_pool = "gpu"
  }
  expect_failures = [aks_pim_role_policy.this]
}

run "warns_when_a_requester_is_also_an_approver" {
  command = plan
  variables {
    approvers = ["11111111-1111-4111-8111-111111111111"]
  }
  expect_failures = [check.approvers_are_not_requesters]
}
