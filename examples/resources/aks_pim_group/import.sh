# By the group's object ID (the /groups/ prefix of azuread's import IDs is accepted too).
terraform import aks_pim_group.admin 0f9a8b7c-1234-4abc-9def-0123456789ab
