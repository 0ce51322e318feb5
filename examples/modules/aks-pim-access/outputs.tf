output "group_ids" {
  description = "Object IDs of the groups by name (default, admin, approver, node-access)."
  value       = { for name, g in aks_pim_group.this : name => g.object_id }
}

output "group_display_names" {
  description = "Display names of the groups by name."
  value       = { for name, g in aks_pim_group.this : name => g.display_name }
}

output "activation_targets" {
  description = "What a member of default activates, per just-in-time group: the group ID and access ID to request (selfActivate), the longest duration allowed, and what the activation needs."
  value = {
    for name in local.jit_groups : name => {
      group_id              = aks_pim_group.this[name].object_id
      access_id             = aks_pim_eligibility.this[name].access_id
      maximum_duration      = aks_pim_approval_policy.this[name].activation.maximum_duration
      require_justification = aks_pim_approval_policy.this[name].activation.require_justification
      require_ticket_info   = aks_pim_approval_policy.this[name].activation.require_ticket_info
      require_mfa           = aks_pim_approval_policy.this[name].activation.require_mfa
      approver_group_id     = aks_pim_group.this["approver"].object_id
    }
  }
}

output "role_binding_ids" {
  description = "Role assignment IDs by binding key."
  value       = { for k, b in aks_role_binding.this : k => b.id }
}

output "eligibility_ids" {
  description = "Eligibility schedule IDs by just-in-time group."
  value       = { for k, e in aks_pim_eligibility.this : k => e.id }
}

output "cluster" {
  description = "The cluster the access applies to: ID, node resource group and scopes."
  value = {
    id                  = data.aks_cluster.this.id
    node_resource_group = data.aks_cluster.this.node_resource_group_name
    scopes              = data.aks_cluster.this.scopes
  }
}
