terraform {
  required_version = ">= 1.10"

  required_providers {
    aks = {
      source = "aks-pim/aks"
    }
  }
}
