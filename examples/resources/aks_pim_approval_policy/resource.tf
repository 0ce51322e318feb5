# The member policy of the "admin" group: activating needs approval by a member of "approver", lasts at most
# four hours and needs a justification; eligibilities may last up to 180 days.
resource "aks_pim_approval_policy" "admin" {
  group_id  = aks_pim_group.admin.object_id
  access_id = "member"

  require_approval                = true
  approvers                       = { groups = [aks_pim_group.approver.object_id] }
  approver_justification_required = true
  approval_timeout_days           = 1

  activation = {
    maximum_duration      = "PT4H"
    require_justification = true
    require_ticket_info   = true
  }

  eligible_assignment = {
    expiration_required = true
    maximum_duration    = "P180D"
  }

  # Send the approvers' e-mails also to the security team's mailbox; keep everything else at its default.
  notifications = {
    activation = {
      approver = {
        level                 = "All"
        additional_recipients = ["secops@contoso.com"]
      }
    }
  }
}
