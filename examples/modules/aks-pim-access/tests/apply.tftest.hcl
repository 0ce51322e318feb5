# Apply-level test against the offline emulator (or a tenant): `make test` starts the emulator and passes
# the cluster and the users' object IDs as TF_VAR_cluster_id, TF_VAR_default_members and
# TF_VAR_approver_members (JSON lists), and a unique TF_VAR_name_prefix. terraform test destroys
# everything at the end.

run "apply_the_scenario" {
  command = apply

  assert {
    condition     = length(output.group_ids) == 4 && alltrue([for id in values(output.group_ids) : can(regex("^[0-9a-f-]{36}$", id))])
    error_message = "Four groups with object IDs must exist."
  }
  assert {
    condition     = alltrue([for k, e in aks_pim_eligibility.this : e.status == "Provisioned" && e.principal_id == output.group_ids["default"] && e.group_id == output.group_ids[k]])
    error_message = "default must be eligible (Provisioned) for admin and node-access."
  }
  assert {
    condition     = alltrue([for k, p in aks_pim_approval_policy.this : p.require_approval && contains(tolist(p.approvers.groups), output.group_ids["approver"])])
    error_message = "The member policies must require approval by the approver group."
  }
  assert {
    condition     = output.activation_targets["admin"].group_id == output.group_ids["admin"] && output.activation_targets["node-access"].access_id == "member"
    error_message = "activation_targets must name the group and access ID to activate."
  }
  assert {
    condition     = aks_role_binding.this["node-access-login"].scope == data.aks_cluster.this.node_resource_group_id
    error_message = "Node login must be bound at the node resource group the cluster reports."
  }
  assert {
    condition     = aks_role_binding.this["admin-rbac-admin"].role_definition_id != null && endswith(lower(aks_role_binding.this["admin-rbac-admin"].role_definition_id), "3498e952-d568-435e-9b2c-8d77e338d7f7")
    error_message = "Azure Kubernetes Service RBAC Admin must resolve to its built-in role definition."
  }
}

run "switch_to_admin_login_and_add_the_node_pool" {
  command = apply

  variables {
    node_login                  = "admin"
    admin_node_pool             = "user"
    activation_maximum_duration = "PT4H"
  }

  assert {
    condition     = aks_role_binding.this["node-access-login"].role == "Virtual Machine Administrator Login"
    error_message = "node_login = admin must replace the login binding."
  }
  assert {
    condition     = endswith(aks_role_binding.this["admin-node-pool-contributor"].scope, "/agentPools/user")
    error_message = "admin must get Contributor on the node pool."
  }
  assert {
    condition     = alltrue([for p in aks_pim_approval_policy.this : p.activation.maximum_duration == "PT4H"])
    error_message = "The activation maximum must be updated in place."
  }
}
