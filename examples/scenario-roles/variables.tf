variable "cluster_id" {
  description = "Resource ID of the AKS cluster (the emulator's seeded aks-demo in make demo)."
  type        = string
}

variable "n01_upn" {
  description = "User principal name of n01, the normal user (everyday access, eligible for the privileged roles)."
  type        = string
}

variable "p01_upn" {
  description = "User principal name of p01, the privileged user (approves activations)."
  type        = string
}

variable "admin_node_pool" {
  description = "Node pool on which n01 may activate Contributor (null: none)."
  type        = string
  default     = "user"
}
