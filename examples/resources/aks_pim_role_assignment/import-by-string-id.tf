import {
  to = aks_pim_role_assignment.payments_breakglass
  id = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1/namespaces/payments/providers/Microsoft.Authorization/roleAssignmentSchedules/c9e264ff-3133-4776-a81a-ebc7c33c8ec6"
}
