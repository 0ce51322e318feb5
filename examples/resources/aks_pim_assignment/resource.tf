# Break-glass: the incident commander is a member of "admin" for twelve hours, without activating, and PIM
# removes the membership when the window ends. Wiring the policy's active_assignment checks the schedule
# and the justification against it at plan time and applies the policy first.
resource "aks_pim_assignment" "incident_admin" {
  group_id      = aks_pim_group.admin.object_id
  principal_id  = data.aks_user.incident_commander.object_id
  access_id     = "member"
  duration      = "PT12H"
  justification = "Incident INC-2087: cluster unreachable"
  ticket_number = "INC-2087"
  ticket_system = "ServiceNow"

  policy_active_assignment = aks_pim_approval_policy.admin.active_assignment
}

# Standing access for a fixed window, e.g. the owner of the node-access group during a migration.
resource "aks_pim_assignment" "migration_owner" {
  group_id        = aks_pim_group.node_access.object_id
  principal_id    = data.aks_user.platform_lead.object_id
  access_id       = "owner"
  start_date_time = "2026-03-01T08:00:00Z"
  end_date_time   = "2026-03-31T18:00:00Z"
  justification   = "Node pool migration"

  policy_active_assignment = aks_pim_approval_policy.node_access.active_assignment
}
