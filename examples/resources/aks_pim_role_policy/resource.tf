# Activating "Azure Kubernetes Service RBAC Admin" on the cluster needs a justification, a ticket and the
# approval of a platform lead, and lasts at most two hours; eligibilities for it last at most 90 days.
resource "aks_pim_role_policy" "cluster_admin" {
  cluster_id = data.aks_cluster.demo.id
  scope_kind = "cluster"
  role       = "Azure Kubernetes Service RBAC Admin"

  require_approval = true
  approvers        = { users = [data.aks_user.platform_lead.object_id] }

  activation = {
    maximum_duration      = "PT2H"
    require_justification = true
    require_ticket_info   = true
  }

  eligible_assignment = {
    expiration_required = true
    maximum_duration    = "P90D"
  }
}

# The eligibility is checked against the policy at plan time, and created after it.
resource "aks_pim_role_eligibility" "oncall_cluster_admin" {
  cluster_id    = data.aks_cluster.demo.id
  scope_kind    = "cluster"
  role          = "Azure Kubernetes Service RBAC Admin"
  principal_id  = data.aks_user.oncall.object_id
  duration      = "P90D"
  justification = "Platform on-call engineers"

  policy_eligible_assignment = aks_pim_role_policy.cluster_admin.eligible_assignment
}

# Node login: activations of "Virtual Machine User Login" on the node resource group need approval too.
resource "aks_pim_role_policy" "node_login" {
  cluster_id = data.aks_cluster.demo.id
  scope_kind = "node_resource_group"
  role       = "Virtual Machine User Login"

  require_approval = true
  approvers        = { users = [data.aks_user.platform_lead.object_id] }
}
