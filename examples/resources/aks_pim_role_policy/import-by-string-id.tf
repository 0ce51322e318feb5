import {
  to = aks_pim_role_policy.cluster_admin
  id = "/subscriptions/00000000-0000-0000-0000-00000000a001/providers/Microsoft.Authorization/roleDefinitions/3498e952-d568-435e-9b2c-8d77e338d7f7|/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1"
}
