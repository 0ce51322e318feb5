# Adopt a setup made by hand (in the portal or with the Azure CLI) in one plan: aks_cluster_access reads
# every group, role assignment, eligibility and approval policy that grants access to the cluster, and
# import blocks with for_each bring each of them under the resource blocks below. `terraform plan` shows
# only imports; after `terraform apply` the next plan is empty. The guide "Adopt a setup made by hand"
# walks through it, and through the alternative with `terraform plan -generate-config-out`.

terraform {
  # import blocks with for_each: Terraform 1.7, OpenTofu 1.7.
  required_version = ">= 1.7"

  required_providers {
    aks = {
      source = "aks-pim/aks"
    }
  }
}

provider "aks" {}

variable "cluster_id" {
  description = "Resource ID of the AKS cluster whose access to adopt."
  type        = string
}

data "aks_cluster_access" "this" {
  cluster_id = var.cluster_id
}

locals {
  found = data.aks_cluster_access.this
}

import {
  for_each = local.found.groups
  to       = aks_pim_group.this[each.key]
  id       = each.value.object_id
}

resource "aks_pim_group" "this" {
  for_each = local.found.groups

  display_name  = each.value.display_name
  description   = each.value.description
  mail_nickname = each.value.mail_nickname
  # A group made by an application may have no owner; Terraform then leaves owners as they are.
  owners  = length(each.value.owners) > 0 ? each.value.owners : null
  members = each.value.members
}

import {
  for_each = local.found.role_assignments
  to       = aks_role_binding.this[each.key]
  id       = each.value.id
}

resource "aks_role_binding" "this" {
  for_each = local.found.role_assignments

  scope              = each.value.scope
  role_definition_id = each.value.role_definition_id
  principal_id       = each.value.principal_id
  principal_type     = each.value.principal_type
  description        = each.value.description
  condition          = each.value.condition
  condition_version  = each.value.condition_version
}

import {
  for_each = local.found.approval_policies
  to       = aks_pim_approval_policy.this[each.key]
  id       = each.value.id
}

# The rules the how-to sets; a policy with other rules changed by hand needs them here too (or use
# -generate-config-out, which writes every rule).
resource "aks_pim_approval_policy" "this" {
  for_each = local.found.approval_policies

  group_id         = each.value.group_id
  access_id        = each.value.access_id
  require_approval = each.value.require_approval
  approvers        = each.value.require_approval ? { groups = each.value.approver_groups, users = each.value.approver_users } : null

  activation = {
    maximum_duration      = each.value.maximum_duration
    require_justification = each.value.require_justification
    require_mfa           = each.value.require_mfa
    require_ticket_info   = each.value.require_ticket_info
  }
}

import {
  for_each = local.found.eligibilities
  to       = aks_pim_eligibility.this[each.key]
  id       = each.value.id
}

resource "aks_pim_eligibility" "this" {
  for_each = local.found.eligibilities

  group_id        = each.value.group_id
  principal_id    = each.value.principal_id
  access_id       = each.value.access_id
  start_date_time = each.value.start_date_time
  end_date_time   = each.value.end_date_time
  permanent       = each.value.permanent ? true : null
  justification   = each.value.justification
  ticket_number   = each.value.ticket_number
  ticket_system   = each.value.ticket_system
}

# Who can do what, now that everything above is in state: the audit of the adopted setup.
output "access" {
  description = "Who can read, read secrets, administer or log in to the nodes of the cluster, and how."
  value = [for a in local.found.access : format("%s: %s at %s, %s via %s%s", a.principal_display_name, a.family, a.where,
  a.standing ? "standing" : "eligible", join(" > ", a.path), length(a.approvers) > 0 ? " (approved by ${join(", ", a.approvers)})" : "")]
}
