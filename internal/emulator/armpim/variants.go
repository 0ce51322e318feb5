package armpim

import "github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"

// Variant points of PIM for Azure resources: where the 2020-10-01 (and 2021-01-01-preview approvals)
// examples and definitions disagree, or say nothing. Options[0] is DefaultConfig's.
var Variants = variant.Catalogue{
	{
		Name: "armpim.exists-status", Options: []string{"409", "400"},
		Question: "HTTP status of RoleAssignmentExists on a schedule request: 409 as for role assignments, or 400 as PIM for groups answers",
	},
	{
		Name: "armpim.schedule-name", Options: []string{"request", "fresh"},
		Question: "name of the schedule an AdminAssign creates: the request's name (as tenants show; the definitions are silent) or a GUID of its own (PutRoleEligibilityScheduleRequest example)",
		Profiles: map[string]string{variant.ProfileDocsExamples: "fresh", variant.ProfileResourcePages: "request"},
	},
	{
		Name: "armpim.schedule-ref", Options: []string{"id", "name"},
		Question: "targetRoleEligibilityScheduleId, targetRoleAssignmentScheduleId and linkedRoleEligibilityScheduleId: the schedule's resource ID (the definitions: 'schedule id') or the bare GUID (the examples)",
		Profiles: map[string]string{variant.ProfileDocsExamples: "name", variant.ProfileResourcePages: "id"},
	},
	{
		Name: "armpim.update", Options: []string{"new-schedule", "in-place"},
		Question: "AdminUpdate/AdminExtend: a new schedule named after the update request (as PIM for groups) or the same schedule changed",
	},
	{
		Name: "armpim.approval-id", Options: []string{"id", "name"},
		Question: "approvalId of a pending request: /providers/Microsoft.Authorization/roleAssignmentApprovals/{guid} or the bare GUID (the examples show null)",
	},
	{
		Name: "armpim.approval-stages", Options: []string{"stages", "steps"},
		Question: "property listing an approval's stages: properties.stages (every 2021-01-01-preview example) or properties.steps (the definitions); both paths are served",
		Profiles: map[string]string{variant.ProfileDocsExamples: "stages", variant.ProfileResourcePages: "steps"},
	},
	{
		Name: "armpim.activation-mfa", Options: []string{"off", "on"},
		Question: "whether a role's default policy requires MultiFactorAuthentication on activation (no API sample shows a fresh policy)",
	},
	{
		Name: "armpim.policy-name", Options: []string{"stable", "every-update"},
		Question: "a policy keeps its name, or gets a new one on every change (the azurerm provider's comments)",
	},
	{
		Name: "armpim.policy-delete", Options: []string{"not-implemented", "implemented"},
		Question: "DELETE of a role management policy: 'Not implemented' as reported (azure-rest-api-specs#28050), or a reset as the definitions promise",
	},
	{
		Name: "armpim.approval-timeout-status", Options: []string{"TimedOut", "Canceled", "Denied"},
		Question: "status of an activation whose approval stage timed out (the Status enum has TimedOut)",
	},
}

// SetVariants sets the configuration fields of the points in Variants from a selection.
func (c *Config) SetVariants(sel variant.Selection) {
	c.ExistsStatus = sel.Int("armpim.exists-status", c.ExistsStatus)
	c.ScheduleNamedAfterRequest = sel.Is("armpim.schedule-name", "request")
	c.TargetScheduleAsName = sel.Is("armpim.schedule-ref", "name")
	c.UpdateKeepsSchedule = sel.Is("armpim.update", "in-place")
	c.ApprovalIDAsName = sel.Is("armpim.approval-id", "name")
	c.ApprovalStepsProperty = sel.Is("armpim.approval-stages", "steps")
	c.ActivationMFAByDefault = sel.Is("armpim.activation-mfa", "on")
	c.RenamePolicyOnUpdate = sel.Is("armpim.policy-name", "every-update")
	c.PolicyDeleteImplemented = sel.Is("armpim.policy-delete", "implemented")
	if o := sel.Option("armpim.approval-timeout-status"); o != "" {
		c.ApprovalTimeoutStatus = o
	}
}
