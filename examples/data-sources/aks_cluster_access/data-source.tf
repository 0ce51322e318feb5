data "aks_cluster_access" "this" {
  cluster_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1"
}

# Who can reach admin on this cluster, directly or through PIM, and who approves it.
output "admins" {
  value = [for a in data.aks_cluster_access.this.access : {
    who       = a.principal_display_name
    standing  = a.standing
    path      = join(" > ", a.path)
    approvers = a.approvers
  } if a.family == "admin"]
}

# The role assignments at the cluster's scopes, as aks_role_binding would import them.
output "role_assignment_ids" {
  value = { for k, a in data.aks_cluster_access.this.role_assignments : k => a.id }
}
