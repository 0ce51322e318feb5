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
		Name: "pim.review-result", Options: []string{"Approved", "Approve"},
		Question: "reviewResult of an approval stage after a decision: the approvalStage resource page lists NotReviewed, Approved, Denied; the decided stages of the approval examples show the PATCH input's Approve (reference §10.3 #4)",
		Profiles: map[string]string{variant.ProfileResourcePages: "Approved", variant.ProfileDocsExamples: "Approve"},
	},
	{
		Name: "pim.enum-case", Options: []string{"lower", "capitalised"},
		Question: "spelling of memberType and assignmentType in schedules and instances: the resource pages say direct/group and assigned/activated, the list examples show Direct/Group and Assigned",
		Profiles: map[string]string{variant.ProfileResourcePages: "lower", variant.ProfileDocsExamples: "capitalised"},
	},
	{
		Name: "pim.stage-id", Options: []string{"request-id", "distinct"},
		Question: "ID of an approval's first stage: the request's ID (the PIM-for-groups approval sample) or an ID of its own",
		Profiles: map[string]string{variant.ProfileDocsExamples: "request-id"},
	},
	{
		Name: "pim.unfiltered-schedules", Options: []string{"empty", "400"},
		Question: "a schedule or instance list without $filter: the list pages say $filter is required (400); reported to answer an application nothing and a user their own (docs-contrib#8628)",
		Profiles: map[string]string{variant.ProfileResourcePages: "400"},
	},
	{
		Name: "pim.app-created-by", Options: []string{"application", "user"},
		Question: "createdBy of a request an application made: under application or under user (reference §10.3 #8)",
	},
	{
		Name: "pim.rule-order", Options: []string{"fixed", "varies"},
		Question: "order of a policy's rules: one order for every policy, or each its own (the two policies of the PIM-for-groups list example differ)",
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
	c.ReviewResultAfterDecision = sel.Option("pim.review-result")
	c.EnumCase = sel.Option("pim.enum-case")
	c.StageIDs = sel.Option("pim.stage-id")
	c.UnfilteredSchedules = sel.Option("pim.unfiltered-schedules")
	c.AppCreatedBy = sel.Option("pim.app-created-by")
	c.RuleOrder = sel.Option("pim.rule-order")
	c.SelectOmitsID = sel.Is("graph.select-id", "when-selected")
}
