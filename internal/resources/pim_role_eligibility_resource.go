package resources

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
)

// NewPIMRoleEligibilityResource is aks_pim_role_eligibility: an Azure role a principal may activate just
// in time at an AKS scope (PIM for Azure resources).
func NewPIMRoleEligibilityResource() resource.Resource {
	return newPIMRoleScheduleResource("_pim_role_eligibility", roleScheduleKind{
		kind: armpim.Eligible, object: "PIM Role Eligibility", noun: "eligibility",
		permanentNote: "The default policy of a role rejects it.",
		description: "An eligible Azure role assignment (PIM for Azure resources): `principal_id` may activate `role` at a scope " +
			"derived from an AKS cluster (the cluster, its resource group, its node resource group, one node pool or one " +
			"Kubernetes namespace) or at an explicit `scope`, for a limited time, subject to the role's PIM policy at that " +
			"scope (`aks_pim_role_policy`: approval, maximum activation; wire its `eligible_assignment` into " +
			"`policy_eligible_assignment` to check the schedule at plan time). Activation (`aks_pim_activation` with `role` and " +
			"`scope`) turns it into a role " +
			"assignment for the activation's duration, which authorizes like any other: the Kubernetes API of an AKS cluster " +
			"with Azure RBAC honours it at once, without a new token.\n\n" +
			"This is the group-less alternative to `aks_pim_eligibility` on a group that holds the role.\n\n" +
			"The resource is keyed on the eligibility **schedule** (PIM purges the requests after about 45 days): an " +
			"eligibility removed or expired outside Terraform is recreated on the next apply. Changes to the schedule, " +
			"justification or ticket are made in place with `AdminUpdate`, which may give the schedule a new ID. Destroy sends " +
			"`AdminRemove`; PIM refuses to remove a schedule in its first five minutes, and destroy waits that out within its " +
			"timeout.\n\n" +
			"Set exactly one of `duration`, `end_date_time` or `permanent`.\n\n" +
			"Required Azure permission: " + grantRoleSchedule + ".",
	})
}
