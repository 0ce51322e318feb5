# By the assignment schedule ID ({group_id}_{member|owner}_{guid}, the id attribute) ...
terraform import aks_pim_assignment.incident_admin 0f9a8b7c-1234-4abc-9def-0123456789ab_member_c3d1a9e0-7777-4a4a-9b9b-2222aaaa3333

# ... or by what it is about: {group_id}/{principal_id}/{access_id}.
terraform import aks_pim_assignment.incident_admin 0f9a8b7c-1234-4abc-9def-0123456789ab/5a1c0e2b-0000-4000-8000-00000000c0de/member
