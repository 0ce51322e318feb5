# The policy of a group for member (or owner) access: {group_id}/{access_id}.
terraform import aks_pim_approval_policy.admin 0f9a8b7c-1234-4abc-9def-0123456789ab/member
