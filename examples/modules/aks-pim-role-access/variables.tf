variable "cluster_id" {
  description = "Resource ID of the AKS cluster (AKS-managed Microsoft Entra integration and Azure RBAC for Kubernetes authorization)."
  type        = string

  validation {
    condition     = can(regex("(?i)^/subscriptions/[0-9a-f-]{36}/resourcegroups/[^/]+/providers/Microsoft\\.ContainerService/managedClusters/[^/]+$", var.cluster_id))
    error_message = "cluster_id must be an AKS cluster resource ID: /subscriptions/{id}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}."
  }
}

variable "users" {
  description = "Object IDs of the users who hold everyday read-only access (RBAC Reader and Cluster User at the cluster, Reader at its resource group) and are eligible for the just-in-time roles. Users only: a group here would bring back what this module avoids."
  type        = set(string)

  validation {
    condition     = alltrue([for id in var.users : can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", id))])
    error_message = "users must hold object IDs (GUIDs), not user principal names: look users up with data \"aks_user\"."
  }
}

variable "approvers" {
  description = "Object IDs of the users who approve or deny activations of the just-in-time roles. At least one; none of them should be in users."
  type        = set(string)

  validation {
    condition     = length(var.approvers) > 0
    error_message = "approvers must name at least one user: activations require approval, and a request nobody can approve expires."
  }
  validation {
    condition     = alltrue([for id in var.approvers : can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", id))])
    error_message = "approvers must hold object IDs (GUIDs), not user principal names: look users up with data \"aks_user\"."
  }
}

variable "activation_maximum_duration" {
  description = "Longest activation of each just-in-time role, an ISO-8601 duration in hours or minutes (PT30M to PT24H). Unlike a group activation, a role activation needs no new token and ends for kubectl when it ends (after Azure RBAC propagation): AKS checks the role assignments when it authorizes a request, whatever token the user holds."
  type        = string
  default     = "PT8H"

  validation {
    condition     = can(regex("^PT([1-9]|1[0-9]|2[0-4])H$|^PT([3-9][0-9]|[1-9][0-9]{2}|1[0-3][0-9]{2}|14[0-3][0-9]|1440)M$", var.activation_maximum_duration))
    error_message = "activation_maximum_duration must be whole hours PT1H..PT24H or minutes PT30M..PT1440M (for example PT4H)."
  }
}

variable "require_justification" {
  description = "Whether an activation must carry a justification."
  type        = bool
  default     = true
}

variable "require_mfa" {
  description = "Whether activating requires multi-factor authentication."
  type        = bool
  default     = false
}

variable "require_ticket_info" {
  description = "Whether an activation must carry ticket information (number and system)."
  type        = bool
  default     = false
}

variable "approver_justification_required" {
  description = "Whether approvers must justify their decision."
  type        = bool
  default     = true
}

variable "node_login" {
  description = "Node login the node-access role grants: \"user\" (Virtual Machine User Login) or \"admin\" (Virtual Machine Administrator Login, root on the nodes)."
  type        = string
  default     = "user"

  validation {
    condition     = contains(["user", "admin"], var.node_login)
    error_message = "node_login must be \"user\" or \"admin\"."
  }
}

variable "admin_node_pool" {
  description = "Name of a node pool on which users may also activate Contributor (to scale it), a third just-in-time role (admin-node-pool). Null: none."
  type        = string
  default     = null

  validation {
    condition     = var.admin_node_pool == null ? true : can(regex("^[a-z][a-z0-9]{0,11}$", var.admin_node_pool))
    error_message = "admin_node_pool must be a node pool name: 1-12 lower-case letters and digits, starting with a letter."
  }
}

variable "eligibility_duration" {
  description = "How long each user stays eligible for the just-in-time roles, an ISO-8601 duration in days, hours or minutes (P180D). Must not exceed eligibility_maximum_duration."
  type        = string
  default     = "P180D"

  validation {
    condition     = can(regex("^P([0-9]+D)?(T([0-9]+H)?([0-9]+M)?)?$", var.eligibility_duration)) && !contains(["P", "PT"], var.eligibility_duration)
    error_message = "eligibility_duration must be an ISO-8601 duration in days, hours or minutes (P180D, PT12H); years, months and weeks are rejected by PIM."
  }
}

variable "eligibility_start_date_time" {
  description = "When the eligibilities start (RFC 3339). Null: when they are created."
  type        = string
  default     = null

  validation {
    condition     = var.eligibility_start_date_time == null ? true : can(formatdate("YYYY", var.eligibility_start_date_time))
    error_message = "eligibility_start_date_time must be an RFC 3339 timestamp such as 2025-01-01T00:00:00Z."
  }
}

variable "eligibility_maximum_duration" {
  description = "Longest eligibility the roles' policies allow (eligible_assignment.maximum_duration), up to P365D."
  type        = string
  default     = "P365D"

  validation {
    condition     = can(regex("^P([1-9][0-9]{0,1}|[12][0-9]{2}|3[0-5][0-9]|36[0-5])D$", var.eligibility_maximum_duration))
    error_message = "eligibility_maximum_duration must be whole days from P1D to P365D."
  }
}
