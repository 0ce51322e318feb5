output "activation_targets" {
  description = "What a user activates, per just-in-time role: the scope and role definition ID to request (aks_pim_activation's scope and role_definition_id, or a SelfActivate roleAssignmentScheduleRequest), the longest duration allowed, what the activation needs, and who approves."
  value = {
    for name, p in aks_pim_role_policy.this : name => {
      scope                 = p.scope
      role                  = p.role
      role_definition_id    = p.role_definition_id
      maximum_duration      = p.activation.maximum_duration
      require_justification = p.activation.require_justification
      require_ticket_info   = p.activation.require_ticket_info
      require_mfa           = p.activation.require_mfa
      approver_user_ids     = p.approvers.users
    }
  }
}

output "role_binding_ids" {
  description = "Role assignment IDs of the standing bindings, by {role key}/{user object ID}."
  value       = { for k, b in aks_role_binding.standing : k => b.id }
}

output "eligibility_ids" {
  description = "Eligibility schedule IDs by {just-in-time role}/{user object ID}."
  value       = { for k, e in aks_pim_role_eligibility.this : k => e.id }
}

output "policy_ids" {
  description = "Role management policy IDs ({role_definition_id}|{scope}, also their import IDs) by just-in-time role."
  value       = { for k, p in aks_pim_role_policy.this : k => p.id }
}

output "cluster" {
  description = "The cluster the access applies to: ID, node resource group and scopes."
  value = {
    id                  = data.aks_cluster.this.id
    node_resource_group = data.aks_cluster.this.node_resource_group_name
    scopes              = data.aks_cluster.this.scopes
  }
}
