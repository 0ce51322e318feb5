package pim

import (
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// state is everything the engine persists. Group policies that were never touched are not stored: they
// are derived from the group ID until the first change.
type state = pimcore.Tables[request, schedule, groupPolicy]

// identity is the createdBy of a request.
type identity struct {
	ID    string `json:"id"`
	IsApp bool   `json:"isApp,omitempty"`
}

type request struct {
	pimcore.Request
	ID               string     `json:"id"`
	Completed        *time.Time `json:"completed,omitempty"`
	ApprovalID       string     `json:"approvalId,omitempty"`
	CustomData       *string    `json:"customData,omitempty"`
	CreatedBy        identity   `json:"createdBy"`
	Action           string     `json:"action"`
	IsValidationOnly bool       `json:"isValidationOnly,omitempty"`
	AccessID         string     `json:"accessId"`
	PrincipalID      string     `json:"principalId"`
	GroupID          string     `json:"groupId"`
	TargetScheduleID string     `json:"targetScheduleId"`
	ActivatedUsing   string     `json:"activatedUsing,omitempty"` // eligibility schedule an activation uses
}

type schedule struct {
	pimcore.Schedule        // memberType direct | group, assignmentType assigned | activated
	ID               string `json:"id"`
	CreatedUsing     string `json:"createdUsing"`
	AccessID         string `json:"accessId"`
	PrincipalID      string `json:"principalId"`
	GroupID          string `json:"groupId"`
	ActivatedUsing   string `json:"activatedUsing,omitempty"`
}

// groupPolicy holds a group's onboarding state and its member and owner policies once they differ from
// the derived defaults.
type groupPolicy struct {
	Onboarded bool                     `json:"onboarded"`
	Access    map[string]*accessPolicy `json:"access"`
}

type accessPolicy struct {
	GUID           string     `json:"guid"`
	Rules          []rule     `json:"rules,omitempty"` // nil: the defaults
	LastModified   *time.Time `json:"lastModified,omitempty"`
	LastModifiedBy string     `json:"lastModifiedBy,omitempty"`
}
