package armpim

import (
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// state is everything the engine persists. Policies nobody changed are not stored: they are derived from
// their scope and role until the first change.
type state = pimcore.Tables[request, schedule, policy]

// target is what a request or schedule is about: a role at a scope for a principal.
type target struct {
	Scope         string `json:"scope"`  // canonical casing
	RoleID        string `json:"roleId"` // role definition GUID, lower case
	PrincipalID   string `json:"principalId"`
	PrincipalType string `json:"principalType"`
}

type request struct {
	target
	pimcore.Request
	Name             string  `json:"name"`
	RequestType      string  `json:"requestType"`
	RequestorID      string  `json:"requestorId"`
	Condition        *string `json:"condition,omitempty"`
	ConditionVersion *string `json:"conditionVersion,omitempty"`
	TargetSchedule   string  `json:"targetSchedule,omitempty"` // name of the schedule created or acted on
	TargetInstance   string  `json:"targetInstance,omitempty"`
	LinkedEligible   string  `json:"linkedEligible,omitempty"` // eligibility schedule an activation uses
	ApprovalName     string  `json:"approvalName,omitempty"`
}

type schedule struct {
	target
	pimcore.Schedule           // memberType Direct | Group, assignmentType Assigned | Activated
	Name             string    `json:"name"`
	RequestName      string    `json:"requestName"`
	Updated          time.Time `json:"updated"`
	LinkedEligible   string    `json:"linkedEligible,omitempty"`
	Condition        *string   `json:"condition,omitempty"`
	ConditionVersion *string   `json:"conditionVersion,omitempty"`
	// Instance names the current instance: for an active assignment, the role assignment ARM holds while
	// the schedule is active (the instance's originRoleAssignmentId).
	Instance string `json:"instance"`
}

// policy is the role management policy of one role at one scope, once it differs from the defaults.
type policy struct {
	Name           string     `json:"name"`
	Scope          string     `json:"scope"`
	RoleID         string     `json:"roleId"`
	Rules          []rule     `json:"rules"`
	LastModified   *time.Time `json:"lastModified,omitempty"`
	LastModifiedBy string     `json:"lastModifiedBy,omitempty"`
}
