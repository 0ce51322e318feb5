# By the role assignment's resource ID: {scope}/providers/Microsoft.Authorization/roleAssignments/{name}.
terraform import aks_role_binding.admin_rbac_admin /subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1/providers/Microsoft.Authorization/roleAssignments/2f1e0d9c-8b7a-4c6d-9e0f-1a2b3c4d5e6f
