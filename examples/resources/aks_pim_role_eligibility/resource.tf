# Without groups: the on-call user may activate "Azure Kubernetes Service RBAC Admin" on the cluster for
# 180 days from now (PIM for Azure resources). Activating it (aks_pim_activation with role and scope, or
# the portal) gives the user the role for the activation's duration, with no new token needed.
resource "aks_pim_role_eligibility" "oncall_cluster_admin" {
  cluster_id    = data.aks_cluster.demo.id
  scope_kind    = "cluster"
  role          = "Azure Kubernetes Service RBAC Admin"
  principal_id  = data.aks_user.oncall.object_id
  duration      = "P180D"
  justification = "Platform on-call engineers"
}

# Node login just in time: eligible for "Virtual Machine User Login" on the node resource group.
resource "aks_pim_role_eligibility" "oncall_node_login" {
  cluster_id    = data.aks_cluster.demo.id
  scope_kind    = "node_resource_group"
  role          = "Virtual Machine User Login"
  principal_id  = data.aks_user.oncall.object_id
  end_date_time = "2026-12-31T18:00:00Z"
  justification = "Platform on-call engineers"
  ticket_number = "CHG-4711"
  ticket_system = "ServiceNow"
}
