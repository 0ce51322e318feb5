# Break-glass access for a week: the group holds "Azure Kubernetes Service RBAC Admin" in the payments
# namespace until the assignment ends by itself, audited by PIM.
resource "aks_pim_role_assignment" "payments_breakglass" {
  cluster_id    = data.aks_cluster.demo.id
  scope_kind    = "namespace"
  namespace     = "payments"
  role          = "Azure Kubernetes Service RBAC Admin"
  principal_id  = aks_pim_group.breakglass.object_id
  duration      = "P7D"
  justification = "INC-2231: payments outage"
  ticket_number = "INC-2231"
  ticket_system = "ServiceNow"
}
