package pim

import "github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"

// Variant points of PIM for groups: what the documentation leaves open. Options[0] is DefaultConfig's.
var Variants = variant.Catalogue{
	{
		Name: "pim.exists-status", Options: []string{"400", "409"},
		Question: "HTTP status of RoleAssignmentExists: 400 per the beta PIM error table, 409 as ARM answers (reference §10.3 #1)",
	},
	{
		Name: "pim.does-not-exist-status", Options: []string{"400", "404"},
		Question: "HTTP status of RoleAssignmentDoesNotExist (adminUpdate/adminRemove of nothing): 400 believed, 404 handled by other clients (reference §10.3 #2)",
	},
	{
		Name: "pim.future-start-status", Options: []string{"Provisioned", "Granted", "ScheduleCreated"},
		Question: "status of an admin request whose schedule starts in the future (reference §10.3 #3)",
	},
	{
		Name: "pim.approval-timeout-status", Options: []string{"Canceled", "Denied"},
		Question: "status of an activation whose approval stage timed out (reference §10.3 #3)",
	},
	{
		Name: "pim.policy-ids", Options: []string{"onboarding", "every-update"},
		Question: "policy and policy-assignment IDs change when the group is onboarded to PIM (documented); the azuread provider claims they change on every update too",
	},
	{
		Name: "pim.schedule-expiration", Options: []string{"afterDateTime", "as-requested"},
		Question: "a schedule created from an afterDuration request reports afterDateTime with the computed end (the documented schedule samples) or the request's afterDuration",
		Profiles: map[string]string{variant.ProfileDocsExamples: "afterDateTime"},
	},
}

// SetVariants sets the configuration fields of the points in Variants from a selection.
func (c *Config) SetVariants(sel variant.Selection) {
	c.ExistsStatus = sel.Int("pim.exists-status", c.ExistsStatus)
	c.DoesNotExistStatus = sel.Int("pim.does-not-exist-status", c.DoesNotExistStatus)
	c.FutureStartStatus = sel.Option("pim.future-start-status")
	c.ApprovalTimeoutStatus = sel.Option("pim.approval-timeout-status")
	c.RegeneratePolicyIDsOnUpdate = sel.Is("pim.policy-ids", "every-update")
	c.SchedulesReportDateTime = sel.Is("pim.schedule-expiration", "afterDateTime")
}
