# The groups, roles, eligibilities and approval policies of "AKS access with PIM for groups" for one
# cluster. To govern another cluster, instantiate the module again (for_each over cluster IDs); to add
# a group, add one line to local.groups (and its bindings to local.role_bindings).

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
  # name => description, and the direct members when the module manages them (null: PIM-activated members
  # never show as drift).
  groups = {
    default     = { description = "Everyday read-only access to ${data.aks_cluster.this.id}; eligible for admin and node-access.", members = var.default_members }
    admin       = { description = "Administrator access to the cluster, reached just in time through PIM.", members = null }
    approver    = { description = "Approves or denies activations of admin and node-access.", members = var.approver_members }
    node-access = { description = "Entra ID SSH login to the cluster's nodes, reached just in time through PIM.", members = null }
  }

  node_login_role = var.node_login == "admin" ? "Virtual Machine Administrator Login" : "Virtual Machine User Login"

  # key => group, role and scope. Scopes come from data.aks_cluster so the plan shows them.
  role_bindings = merge(
    {
      default-rbac-reader  = { group = "default", role = "Azure Kubernetes Service RBAC Reader", scope = data.aks_cluster.this.scopes.cluster }
      default-rg-reader    = { group = "default", role = "Reader", scope = data.aks_cluster.this.scopes.resource_group }
      default-cluster-user = { group = "default", role = "Azure Kubernetes Service Cluster User Role", scope = data.aks_cluster.this.scopes.cluster }
      admin-rbac-admin     = { group = "admin", role = "Azure Kubernetes Service RBAC Admin", scope = data.aks_cluster.this.scopes.cluster }
      node-access-login    = { group = "node-access", role = local.node_login_role, scope = data.aks_cluster.this.scopes.node_resource_group }
    },
    var.admin_node_pool == null ? {} : {
      admin-node-pool-contributor = { group = "admin", role = "Contributor", scope = lookup(data.aks_cluster.this.scopes.node_pools, var.admin_node_pool, "") }
    },
  )

  # The groups reached just in time: default is eligible as member, activation needs approval by approver.
  jit_groups = toset(["admin", "node-access"])
}

resource "aks_pim_group" "this" {
  for_each = local.groups

  display_name = "${var.name_prefix}-${each.key}"
  description  = each.value.description
  owners       = var.group_owners
  members      = each.value.members
}

resource "aks_role_binding" "this" {
  for_each = local.role_bindings

  scope        = each.value.scope
  role         = each.value.role
  principal_id = aks_pim_group.this[each.value.group].object_id
  description  = "${var.name_prefix}-${each.value.group}: ${each.value.role} (managed by Terraform)"

  lifecycle {
    precondition {
      condition     = each.value.scope != ""
      error_message = "Node pool ${coalesce(var.admin_node_pool, "-")} does not exist in ${var.cluster_id}; pools: ${join(", ", keys(data.aks_cluster.this.scopes.node_pools))}."
    }
  }
}

# Each policy is written before the eligibility (the eligibility refers to it), so a schedule the policy
# rejects fails at plan time instead of at apply.
resource "aks_pim_approval_policy" "this" {
  for_each = local.jit_groups

  group_id  = aks_pim_group.this[each.key].object_id
  access_id = "member"

  require_approval                = true
  approvers                       = { groups = [aks_pim_group.this["approver"].object_id] }
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
}

resource "aks_pim_eligibility" "this" {
  for_each = local.jit_groups

  group_id        = aks_pim_group.this[each.key].object_id
  principal_id    = aks_pim_group.this["default"].object_id
  access_id       = "member"
  start_date_time = var.eligibility_start_date_time
  duration        = var.eligibility_duration
  justification   = "${var.name_prefix}-default is eligible for ${var.name_prefix}-${each.key} (managed by Terraform)"

  policy_eligible_assignment = aks_pim_approval_policy.this[each.key].eligible_assignment
}

# The how-to's production warning: someone who can request an activation should not approve activations.
check "approvers_are_not_requesters" {
  assert {
    condition     = length(setintersection(var.default_members, var.approver_members)) == 0
    error_message = "Principals ${join(", ", setintersection(var.default_members, var.approver_members))} are both in default (eligible to activate admin and node-access) and in approver: they can approve each other's elevation. Fine for a test, wrong for production."
  }
}
