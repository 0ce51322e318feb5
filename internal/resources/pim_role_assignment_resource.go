package resources

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
)

// NewPIMRoleAssignmentResource is aks_pim_role_assignment: an active, time-bound (or permanent) Azure
// role assignment at an AKS scope made through PIM for Azure resources.
func NewPIMRoleAssignmentResource() resource.Resource {
	return newPIMRoleScheduleResource("_pim_role_assignment", roleScheduleKind{
		kind: armpim.Active, object: "PIM Role Assignment", noun: "assignment",
		permanentNote: "The default policy of a role rejects it.",
		description: "An active Azure role assignment made through PIM for Azure resources, at a scope derived from an AKS " +
			"cluster or at an explicit `scope`: a principal holds `role` from `start_date_time` for `duration` (or until " +
			"`end_date_time`, or permanently), for break-glass and standing access that must expire or be audited by PIM. While " +
			"it holds, Azure shows it as an ordinary role assignment (and removes that when it ends).\n\n" +
			"Unlike `aks_role_binding`, the assignment is subject to the role's PIM policy at the scope (maximum length, " +
			"justification, notifications; `aks_pim_role_policy`, whose `active_assignment` goes into `policy_active_assignment` " +
			"for plan-time checks) and ends by itself.\n\n" +
			"The resource is keyed on the assignment **schedule**: one removed or expired outside Terraform is recreated on the " +
			"next apply. Changes to the schedule, justification or ticket are made in place with `AdminUpdate`, which may give " +
			"the schedule a new ID. Destroy sends `AdminRemove`, waiting out PIM's five-minute minimum age within its timeout.\n\n" +
			"Set exactly one of `duration`, `end_date_time` or `permanent`.\n\n" +
			"Required Azure permission: " + grantRoleSchedule + ".",
	})
}
