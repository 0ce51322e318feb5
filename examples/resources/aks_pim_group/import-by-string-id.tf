import {
  to = aks_pim_group.admin
  id = "0f9a8b7c-1234-4abc-9def-0123456789ab"
}
