data "aks_cluster" "this" {
  name                = "aks1"
  resource_group_name = "rg-aks"
}

# Ready-made scopes for role bindings.
output "scopes" {
  value = {
    cluster             = data.aks_cluster.this.scopes.cluster
    node_resource_group = data.aks_cluster.this.scopes.node_resource_group
    system_pool         = data.aks_cluster.this.scopes.node_pools["system"]
    payments_namespace  = format(data.aks_cluster.this.scopes.namespace_template, "payments")
  }
}

# The Azure RBAC roles for Kubernetes only take effect with Azure RBAC authorization on the cluster.
output "azure_rbac_enabled" {
  value = data.aks_cluster.this.azure_rbac_enabled
}
