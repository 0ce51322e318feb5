# An engineer (signed in with `az login`, provider authentication through the Azure CLI) activates the
# eligible membership of the admin group for the run, with a justification.
ephemeral "aks_pim_activation" "admin" {
  group_id      = "00000000-0000-0000-0000-000000000000" # module.aks_pim_access.activation_targets["admin"].group_id
  duration      = "PT1H"
  justification = "CHG-4711: rotate the payments namespace secrets"

  # Wait until a member of the approver group approves (otherwise status is PendingApproval).
  wait_for_approval = true
  timeouts = {
    open = "30m"
  }
}

# Ephemeral values can be passed to other ephemeral resources, provider configurations and locals.
locals {
  admin_active_until = ephemeral.aks_pim_activation.admin.end_date_time
}

# Without groups (PIM for Azure resources): activate an eligible role at a scope. The role assignment the
# activation becomes authorizes kubectl at once, with the token the engineer already has.
ephemeral "aks_pim_activation" "payments_writer" {
  scope         = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1/namespaces/payments"
  role          = "Azure Kubernetes Service RBAC Writer"
  duration      = "PT2H"
  justification = "CHG-4712: payments release"
}
