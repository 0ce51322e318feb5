# The documented scenario ("AKS access with PIM for groups"): the module for the cluster, the users
# n01 and p01 looked up, nothing else created by hand. `make demo` applies this against the emulator.

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

module "aks_pim_access" {
  source = "../modules/aks-pim-access"

  cluster_id       = var.cluster_id
  name_prefix      = var.name_prefix
  default_members  = [data.aks_user.n01.object_id]
  approver_members = [data.aks_user.p01.object_id]

  activation_maximum_duration = "PT8H"
  require_justification       = true
  node_login                  = "user"
  admin_node_pool             = var.admin_node_pool
  eligibility_duration        = "P180D"
}
