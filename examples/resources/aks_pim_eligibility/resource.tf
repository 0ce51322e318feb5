# Members of "default" may activate membership of "admin" for 180 days from now. Wiring the policy's
# eligible_assignment checks the schedule against it at plan time and applies the policy first.
resource "aks_pim_eligibility" "default_admin" {
  group_id      = aks_pim_group.admin.object_id
  principal_id  = aks_pim_group.default.object_id
  access_id     = "member"
  duration      = "P180D"
  justification = "Platform on-call engineers"

  policy_eligible_assignment = aks_pim_approval_policy.admin.eligible_assignment
}

# A fixed window, with the change ticket recorded on the request.
resource "aks_pim_eligibility" "contractor" {
  group_id        = aks_pim_group.node_access.object_id
  principal_id    = data.aks_user.contractor.object_id
  start_date_time = "2026-03-01T08:00:00Z"
  end_date_time   = "2026-05-31T18:00:00Z"
  justification   = "Node maintenance contract"
  ticket_number   = "CHG-4711"
  ticket_system   = "ServiceNow"

  policy_eligible_assignment = aks_pim_approval_policy.node_access.eligible_assignment
}
