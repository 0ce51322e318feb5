terraform {
  required_version = ">= 1.10"
  required_providers {
    aks = {
      source  = "aks-pim/aks"
      version = "~> 0.1"
    }
  }
}

# Everything can come from the ARM_* variables azurerm and azuread pipelines already export
# (ARM_TENANT_ID, ARM_SUBSCRIPTION_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET or ARM_USE_OIDC, ...).
provider "aks" {}
