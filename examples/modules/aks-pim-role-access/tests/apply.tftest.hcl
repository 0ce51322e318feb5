# Apply-level test against the offline emulator (or a tenant): `make test` starts the emulator and passes
# the cluster and the users' object IDs as TF_VAR_cluster_id, TF_VAR_users and TF_VAR_approvers (JSON
# lists). terraform test destroys everything at the end. Terraform gives the test file those variables
# with the module's types, OpenTofu as the strings they were set to: try(jsondecode(...)) reads both.

run "apply_the_scenario_without_groups" {
  command = apply

  assert {
    condition     = alltrue([for e in aks_pim_role_eligibility.this : e.status == "Provisioned" && contains(try(jsondecode(var.users), var.users), e.principal_id)])
    error_message = "Every user must be eligible (Provisioned) for every just-in-time role."
  }
  assert {
    condition     = alltrue([for p in aks_pim_role_policy.this : p.require_approval && toset(p.approvers.users) == toset(try(jsondecode(var.approvers), var.approvers))])
    error_message = "The role policies must require approval by the approvers."
  }
  assert {
    condition     = endswith(lower(output.activation_targets["admin"].role_definition_id), "3498e952-d568-435e-9b2c-8d77e338d7f7") && output.activation_targets["admin"].scope == data.aks_cluster.this.scopes.cluster
    error_message = "activation_targets must name the scope and role definition to activate."
  }
  assert {
    condition     = aks_pim_role_policy.this["node-access"].scope == data.aks_cluster.this.node_resource_group_id
    error_message = "Node login must be governed at the node resource group the cluster reports."
  }
}

run "admin_login_and_the_node_pool" {
  command = apply

  variables {
    node_login                  = "admin"
    admin_node_pool             = "user"
    activation_maximum_duration = "PT4H"
  }

  assert {
    condition     = alltrue([for k, e in aks_pim_role_eligibility.this : e.role == "Virtual Machine Administrator Login" if startswith(k, "node-access/")])
    error_message = "node_login = admin must replace the node login eligibilities."
  }
  assert {
    condition     = endswith(aks_pim_role_policy.this["admin-node-pool"].scope, "/agentPools/user")
    error_message = "admin-node-pool must govern Contributor on the node pool."
  }
  assert {
    condition     = alltrue([for p in aks_pim_role_policy.this : p.activation.maximum_duration == "PT4H"])
    error_message = "The activation maximum must be updated in place."
  }
}
