# The access of "AKS access with PIM for groups" for one cluster, without groups: PIM for Azure resources
# makes each user eligible for the Azure roles themselves, each role at its scope under its own approval
# policy. Nothing is created in Entra ID. To govern another cluster, instantiate the module again; to add
# a user, add the object ID to var.users (one standing binding per everyday role and one eligibility per
# just-in-time role are planned for it).

data "aks_cluster" "this" {
  id = var.cluster_id

  lifecycle {
    postcondition {
      condition     = self.aad_managed && self.azure_rbac_enabled
      error_message = "The cluster must use AKS-managed Microsoft Entra integration with Azure RBAC for Kubernetes authorization; otherwise the AKS RBAC roles granted here have no effect."
    }
  }
}

locals {
  node_login_role = var.node_login == "admin" ? "Virtual Machine Administrator Login" : "Virtual Machine User Login"

  # Everyday read-only access (the how-to's default group), held by every user.
  standing_roles = {
    rbac-reader  = { role = "Azure Kubernetes Service RBAC Reader", scope = data.aks_cluster.this.scopes.cluster }
    rg-reader    = { role = "Reader", scope = data.aks_cluster.this.scopes.resource_group }
    cluster-user = { role = "Azure Kubernetes Service Cluster User Role", scope = data.aks_cluster.this.scopes.cluster }
  }

  # The roles reached just in time (the how-to's admin and node-access groups): each is one eligibility
  # per user, one activation and one approval, under the role's own policy at its scope.
  jit_roles = merge(
    {
      admin       = { role = "Azure Kubernetes Service RBAC Admin", scope = data.aks_cluster.this.scopes.cluster }
      node-access = { role = local.node_login_role, scope = data.aks_cluster.this.scopes.node_resource_group }
    },
    var.admin_node_pool == null ? {} : {
      admin-node-pool = { role = "Contributor", scope = lookup(data.aks_cluster.this.scopes.node_pools, var.admin_node_pool, "") }
    },
  )

  standing_bindings = {
    for pair in setproduct(keys(local.standing_roles), var.users) : "${pair[0]}/${pair[1]}" => merge(local.standing_roles[pair[0]], { user = pair[1] })
  }
  eligibilities = {
    for pair in setproduct(keys(local.jit_roles), var.users) : "${pair[0]}/${pair[1]}" => merge(local.jit_roles[pair[0]], { key = pair[0], user = pair[1] })
  }
}

resource "aks_role_binding" "standing" {
  for_each = local.standing_bindings

  scope          = each.value.scope
  role           = each.value.role
  principal_id   = each.value.user
  principal_type = "User"
  description    = "${each.value.role} for everyday access (managed by Terraform)"
}

# One policy per role and scope, written before the eligibilities that refer to it, so an eligibility the
# policy would reject fails at plan time.
resource "aks_pim_role_policy" "this" {
  for_each = local.jit_roles

  scope = each.value.scope
  role  = each.value.role

  require_approval                = true
  approvers                       = { users = var.approvers }
  approver_justification_required = var.approver_justification_required

  activation = {
    maximum_duration      = var.activation_maximum_duration
    require_justification = var.require_justification
    require_mfa           = var.require_mfa
    require_ticket_info   = var.require_ticket_info
  }

  eligible_assignment = {
    expiration_required = true
    maximum_duration    = var.eligibility_maximum_duration
  }

  lifecycle {
    precondition {
      condition     = each.value.scope != ""
      error_message = "Node pool ${coalesce(var.admin_node_pool, "-")} does not exist in ${var.cluster_id}; pools: ${join(", ", keys(data.aks_cluster.this.scopes.node_pools))}."
    }
  }
}

resource "aks_pim_role_eligibility" "this" {
  for_each = local.eligibilities

  scope           = each.value.scope
  role            = each.value.role
  principal_id    = each.value.user
  start_date_time = var.eligibility_start_date_time
  duration        = var.eligibility_duration
  justification   = "Just-in-time ${each.value.key}: ${each.value.role} (managed by Terraform)"

  policy_eligible_assignment = aks_pim_role_policy.this[each.value.key].eligible_assignment
}

# The how-to's production warning: someone who can request an activation should not approve activations.
check "approvers_are_not_requesters" {
  assert {
    condition     = length(setintersection(var.users, var.approvers)) == 0
    error_message = "Principals ${join(", ", setintersection(var.users, var.approvers))} are both users (eligible to activate) and approvers: they can approve each other's elevation. Fine for a test, wrong for production."
  }
}
