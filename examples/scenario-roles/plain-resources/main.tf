# The documented scenario without groups, one block per object (examples/modules/aks-pim-role-access does
# the same with for_each). n01 holds the everyday roles directly and is eligible for the privileged roles
# themselves (PIM for Azure resources); each role's policy at its scope requires p01's approval.

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

data "aks_cluster" "this" {
  id = var.cluster_id
}

data "aks_user" "n01" {
  user_principal_name = var.n01_upn
}

data "aks_user" "p01" {
  user_principal_name = var.p01_upn
}

# Everyday access, held by n01 directly (the how-to's default group).
resource "aks_role_binding" "n01_rbac_reader" {
  cluster_id     = data.aks_cluster.this.id
  scope_kind     = "cluster"
  role           = "Azure Kubernetes Service RBAC Reader"
  principal_id   = data.aks_user.n01.object_id
  principal_type = "User"
}

resource "aks_role_binding" "n01_reader" {
  cluster_id     = data.aks_cluster.this.id
  scope_kind     = "resource_group"
  role           = "Reader"
  principal_id   = data.aks_user.n01.object_id
  principal_type = "User"
}

resource "aks_role_binding" "n01_cluster_user" {
  cluster_id     = data.aks_cluster.this.id
  scope_kind     = "cluster"
  role           = "Azure Kubernetes Service Cluster User Role"
  principal_id   = data.aks_user.n01.object_id
  principal_type = "User"
}

# The policies of the privileged roles at their scopes: activation needs p01's approval and a
# justification, lasts at most 8 hours.
resource "aks_pim_role_policy" "admin" {
  cluster_id = data.aks_cluster.this.id
  scope_kind = "cluster"
  role       = "Azure Kubernetes Service RBAC Admin"

  require_approval = true
  approvers        = { users = [data.aks_user.p01.object_id] }

  activation = {
    maximum_duration      = "PT8H"
    require_justification = true
  }
}

resource "aks_pim_role_policy" "node_access" {
  cluster_id = data.aks_cluster.this.id
  scope_kind = "node_resource_group"
  role       = "Virtual Machine User Login"

  require_approval = true
  approvers        = { users = [data.aks_user.p01.object_id] }

  activation = {
    maximum_duration      = "PT8H"
    require_justification = true
  }
}

# n01 is eligible for the roles themselves (the how-to's admin and node-access groups), checked against
# the policies at plan time.
resource "aks_pim_role_eligibility" "n01_admin" {
  cluster_id    = data.aks_cluster.this.id
  scope_kind    = "cluster"
  role          = "Azure Kubernetes Service RBAC Admin"
  principal_id  = data.aks_user.n01.object_id
  duration      = "P180D"
  justification = "n01 may administer the cluster just in time"

  policy_eligible_assignment = aks_pim_role_policy.admin.eligible_assignment
}

resource "aks_pim_role_eligibility" "n01_node_access" {
  cluster_id    = data.aks_cluster.this.id
  scope_kind    = "node_resource_group"
  role          = "Virtual Machine User Login"
  principal_id  = data.aks_user.n01.object_id
  duration      = "P180D"
  justification = "n01 may log in to the nodes just in time"

  policy_eligible_assignment = aks_pim_role_policy.node_access.eligible_assignment
}
