import {
  to = aks_pim_eligibility.default_admin
  id = "0f9a8b7c-1234-4abc-9def-0123456789ab/5a1c0e2b-0000-4000-8000-00000000c0de/member"
}
