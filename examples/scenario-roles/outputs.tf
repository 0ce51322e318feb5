output "activation_targets" {
  description = "What n01 activates: scope and role definition per just-in-time role."
  value       = module.aks_pim_role_access.activation_targets
}

output "users" {
  description = "The scenario users."
  value = {
    n01 = data.aks_user.n01.object_id
    p01 = data.aks_user.p01.object_id
  }
}

output "role_binding_ids" {
  description = "Role assignment IDs of n01's everyday roles."
  value       = module.aks_pim_role_access.role_binding_ids
}

output "eligibility_ids" {
  description = "Eligibility schedule IDs by just-in-time role and user."
  value       = module.aks_pim_role_access.eligibility_ids
}

output "policy_ids" {
  description = "Role management policy IDs by just-in-time role."
  value       = module.aks_pim_role_access.policy_ids
}
