# By the eligibility schedule's resource ID (the id attribute).
terraform import aks_pim_role_eligibility.oncall_cluster_admin /subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1/providers/Microsoft.Authorization/roleEligibilitySchedules/b1477448-2cc6-4ceb-93b4-54a202a89413
