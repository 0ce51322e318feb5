# The documented scenario without groups: the same access as examples/scenario, granted through PIM for
# Azure resources. n01 holds the everyday roles directly and is eligible for the privileged roles
# themselves; p01 approves. `make demo` applies this after the group variant.

terraform {
  required_version = ">= 1.10"

  required_providers {
    aks = {
      source = "aks-pim/aks"
    }
  }
}

# Credentials and endpoints come from the environment (ARM_TENANT_ID, ARM_CLIENT_ID, ...).
provider "aks" {}

data "aks_user" "n01" {
  user_principal_name = var.n01_upn
}

data "aks_user" "p01" {
  user_principal_name = var.p01_upn
}

module "aks_pim_role_access" {
  source = "../modules/aks-pim-role-access"

  cluster_id = var.cluster_id
  users      = [data.aks_user.n01.object_id]
  approvers  = [data.aks_user.p01.object_id]

  activation_maximum_duration = "PT8H"
  require_justification       = true
  node_login                  = "user"
  admin_node_pool             = var.admin_node_pool
  eligibility_duration        = "P180D"
}
