output "group_ids" {
  description = "Object IDs of default, admin, approver and node-access."
  value       = module.aks_pim_access.group_ids
}

output "activation_targets" {
  description = "What n01 activates: group and access ID per just-in-time group."
  value       = module.aks_pim_access.activation_targets
}

output "users" {
  description = "The scenario users."
  value = {
    n01 = data.aks_user.n01.object_id
    p01 = data.aks_user.p01.object_id
  }
}

output "role_binding_ids" {
  description = "Role assignment IDs by binding key (for import and API checks)."
  value       = module.aks_pim_access.role_binding_ids
}

output "eligibility_ids" {
  description = "Eligibility schedule IDs by just-in-time group."
  value       = module.aks_pim_access.eligibility_ids
}
