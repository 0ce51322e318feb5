# The standing Azure roles of the scenario, at scopes derived from the cluster.

locals {
  cluster_id = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1"
}

# Kubernetes read access through Azure RBAC, on the whole cluster.
resource "aks_role_binding" "default_rbac_reader" {
  cluster_id   = local.cluster_id
  scope_kind   = "cluster"
  role         = "Azure Kubernetes Service RBAC Reader"
  principal_id = aks_pim_group.default.object_id
}

# The right to fetch a kubeconfig.
resource "aks_role_binding" "default_cluster_user" {
  cluster_id   = local.cluster_id
  scope_kind   = "cluster"
  role         = "Azure Kubernetes Service Cluster User Role"
  principal_id = aks_pim_group.default.object_id
}

# Reader on the cluster's resource group, by role definition ID.
resource "aks_role_binding" "default_rg_reader" {
  cluster_id         = local.cluster_id
  scope_kind         = "resource_group"
  role_definition_id = "/subscriptions/00000000-0000-0000-0000-00000000a001/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
  principal_id       = aks_pim_group.default.object_id
}

# Privileged Kubernetes access, held by a group members reach only just in time.
resource "aks_role_binding" "admin_rbac_admin" {
  cluster_id   = local.cluster_id
  scope_kind   = "cluster"
  role         = "Azure Kubernetes Service RBAC Admin"
  principal_id = aks_pim_group.admin.object_id
  description  = "JIT cluster admins (managed by Terraform)"
}

# Scaling one node pool.
resource "aks_role_binding" "admin_pool_contributor" {
  cluster_id   = local.cluster_id
  scope_kind   = "node_pool"
  node_pool    = "user1"
  role         = "Contributor"
  principal_id = aks_pim_group.admin.object_id
}

# SSH to nodes with Entra ID: VM login on the node resource group (read from the cluster at plan time).
resource "aks_role_binding" "node_access_login" {
  cluster_id   = local.cluster_id
  scope_kind   = "node_resource_group"
  role         = "Virtual Machine User Login"
  principal_id = aks_pim_group.node_access.object_id
}

# One namespace only.
resource "aks_role_binding" "payments_writers" {
  cluster_id   = local.cluster_id
  scope_kind   = "namespace"
  namespace    = "payments"
  role         = "Azure Kubernetes Service RBAC Writer"
  principal_id = aks_pim_group.default.object_id
}

# An explicit scope, e.g. from the aks_cluster data source; principal_type must match the principal.
resource "aks_role_binding" "ci_reader" {
  scope          = data.aks_cluster.this.scopes.resource_group
  role           = "Reader"
  principal_id   = "5a1c0e2b-0000-4000-8000-00000000c0de"
  principal_type = "ServicePrincipal"
}
