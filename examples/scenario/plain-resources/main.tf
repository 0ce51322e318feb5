# The documented scenario written with the provider's resources directly, one block per object of the
# how-to (examples/modules/aks-pim-access does the same with for_each). The guide walks through it.

terraform {
  required_version = ">= 1.10"

  required_providers {
    aks = {
      source = "aks-pim/aks"
    }
  }
}

provider "aks" {}

variable "cluster_id" {
  description = "Resource ID of the AKS cluster."
  type        = string
}

variable "n01_upn" {
  description = "User principal name of the normal user."
  type        = string
}

variable "p01_upn" {
  description = "User principal name of the privileged user (the approver)."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of the group names."
  type        = string
  default     = "aks-demo"
}

# Starting point: the cluster and the two users exist.
data "aks_cluster" "this" {
  id = var.cluster_id
}

data "aks_user" "n01" {
  user_principal_name = var.n01_upn
}

data "aks_user" "p01" {
  user_principal_name = var.p01_upn
}

# 1. Four groups. n01 is a direct member of default, p01 of approver; admin and node-access are reached
#    only through PIM, so their members are not managed (activations would otherwise show as drift).
resource "aks_pim_group" "default" {
  display_name = "${var.name_prefix}-default"
  description  = "Everyday read-only access to the cluster"
  members      = [data.aks_user.n01.object_id]
}

resource "aks_pim_group" "admin" {
  display_name = "${var.name_prefix}-admin"
  description  = "Cluster administrators, just in time"
}

resource "aks_pim_group" "approver" {
  display_name = "${var.name_prefix}-approver"
  description  = "Approves activations of admin and node-access"
  members      = [data.aks_user.p01.object_id]
}

resource "aks_pim_group" "node_access" {
  display_name = "${var.name_prefix}-node-access"
  description  = "SSH to the cluster's nodes, just in time"
}

# Standing Azure roles of each group.
resource "aks_role_binding" "default_rbac_reader" {
  scope        = data.aks_cluster.this.scopes.cluster
  role         = "Azure Kubernetes Service RBAC Reader"
  principal_id = aks_pim_group.default.object_id
}

resource "aks_role_binding" "default_reader" {
  scope        = data.aks_cluster.this.scopes.resource_group
  role         = "Reader"
  principal_id = aks_pim_group.default.object_id
}

resource "aks_role_binding" "default_cluster_user" {
  scope        = data.aks_cluster.this.scopes.cluster
  role         = "Azure Kubernetes Service Cluster User Role"
  principal_id = aks_pim_group.default.object_id
}

resource "aks_role_binding" "admin_rbac_admin" {
  scope        = data.aks_cluster.this.scopes.cluster
  role         = "Azure Kubernetes Service RBAC Admin"
  principal_id = aks_pim_group.admin.object_id
}

resource "aks_role_binding" "node_access_login" {
  scope        = data.aks_cluster.this.scopes.node_resource_group
  role         = "Virtual Machine User Login"
  principal_id = aks_pim_group.node_access.object_id
}

# 3. PIM on admin and node-access: activating the membership needs approval by approver. The policy is
#    declared first and wired into the eligibility, so a schedule it would reject fails at plan time.
resource "aks_pim_approval_policy" "admin" {
  group_id         = aks_pim_group.admin.object_id
  access_id        = "member"
  require_approval = true
  approvers        = { groups = [aks_pim_group.approver.object_id] }

  activation = {
    maximum_duration      = "PT8H"
    require_justification = true
  }
}

resource "aks_pim_approval_policy" "node_access" {
  group_id         = aks_pim_group.node_access.object_id
  access_id        = "member"
  require_approval = true
  approvers        = { groups = [aks_pim_group.approver.object_id] }

  activation = {
    maximum_duration      = "PT8H"
    require_justification = true
  }
}

# default becomes an eligible member of both.
resource "aks_pim_eligibility" "admin" {
  group_id      = aks_pim_group.admin.object_id
  principal_id  = aks_pim_group.default.object_id
  access_id     = "member"
  duration      = "P180D"
  justification = "default may activate admin"

  policy_eligible_assignment = aks_pim_approval_policy.admin.eligible_assignment
}

resource "aks_pim_eligibility" "node_access" {
  group_id      = aks_pim_group.node_access.object_id
  principal_id  = aks_pim_group.default.object_id
  access_id     = "member"
  duration      = "P180D"
  justification = "default may activate node-access"

  policy_eligible_assignment = aks_pim_approval_policy.node_access.eligible_assignment
}

output "group_ids" {
  description = "Object IDs of the four groups."
  value = {
    default     = aks_pim_group.default.object_id
    admin       = aks_pim_group.admin.object_id
    approver    = aks_pim_group.approver.object_id
    node-access = aks_pim_group.node_access.object_id
  }
}
