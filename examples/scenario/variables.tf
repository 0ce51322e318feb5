variable "cluster_id" {
  description = "Resource ID of the AKS cluster (the emulator's seeded aks-demo in make demo)."
  type        = string
}

variable "n01_upn" {
  description = "User principal name of n01, the normal user (direct member of default)."
  type        = string
}

variable "p01_upn" {
  description = "User principal name of p01, the privileged user (direct member of approver)."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of the group names."
  type        = string
  default     = "aks-demo"
}

variable "admin_node_pool" {
  description = "Node pool on which admin gets Contributor (null: none)."
  type        = string
  default     = "user"
}
