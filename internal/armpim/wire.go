package armpim

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// The two kinds of schedule have twin SDK clients and models; these adapters give the package one view of
// both: a request as sent and answered, and a schedule as read.

// request is a schedule request as the package sends it and reads the answer.
type request struct {
	Name        string
	RequestType armauthorization.RequestType
	Target
	Start          time.Time // zero: now
	ExpirationType armauthorization.Type
	Duration       string
	End            time.Time
	Justification  string
	TicketNumber   string
	TicketSystem   string
	Condition      string
	Version        string
	// Answered only:
	Status         string
	TargetSchedule string // reference to the schedule made or acted on (an ID, or a bare name)
	ApprovalID     string
	LinkedEligible string
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// put sends a schedule request of kind k at the target's scope.
func put(ctx context.Context, c *clients.Client, k Kind, r request) (request, error) {
	var start *time.Time
	if !r.Start.IsZero() {
		start = to.Ptr(r.Start.UTC())
	}
	var end *time.Time
	if !r.End.IsZero() {
		end = to.Ptr(r.End.UTC())
	}
	var exp *armauthorization.Type
	if r.ExpirationType != "" {
		exp = to.Ptr(r.ExpirationType)
	}
	hasSchedule := r.RequestType != armauthorization.RequestTypeAdminRemove && r.RequestType != armauthorization.RequestTypeSelfDeactivate
	if k == Eligible {
		props := &armauthorization.RoleEligibilityScheduleRequestProperties{
			PrincipalID: to.Ptr(r.PrincipalID), RoleDefinitionID: to.Ptr(r.RoleDefinitionID), RequestType: to.Ptr(r.RequestType),
			Justification: optional(r.Justification), Condition: optional(r.Condition), ConditionVersion: optional(r.Version),
		}
		if hasSchedule {
			props.ScheduleInfo = &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfo{StartDateTime: start,
				Expiration: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoExpiration{Type: exp, Duration: optional(r.Duration), EndDateTime: end}}
		}
		if r.TicketNumber != "" || r.TicketSystem != "" {
			props.TicketInfo = &armauthorization.RoleEligibilityScheduleRequestPropertiesTicketInfo{TicketNumber: optional(r.TicketNumber), TicketSystem: optional(r.TicketSystem)}
		}
		resp, err := c.Schedules.EligibilityRequests.Create(ctx, r.Scope, r.Name, armauthorization.RoleEligibilityScheduleRequest{Properties: props}, nil)
		if err != nil {
			return request{}, err
		}
		return eligibilityRequestOf(&resp.RoleEligibilityScheduleRequest), nil
	}
	props := &armauthorization.RoleAssignmentScheduleRequestProperties{
		PrincipalID: to.Ptr(r.PrincipalID), RoleDefinitionID: to.Ptr(r.RoleDefinitionID), RequestType: to.Ptr(r.RequestType),
		Justification: optional(r.Justification), Condition: optional(r.Condition), ConditionVersion: optional(r.Version),
		LinkedRoleEligibilityScheduleID: optional(r.LinkedEligible),
	}
	if hasSchedule {
		props.ScheduleInfo = &armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfo{StartDateTime: start,
			Expiration: &armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfoExpiration{Type: exp, Duration: optional(r.Duration), EndDateTime: end}}
	}
	if r.TicketNumber != "" || r.TicketSystem != "" {
		props.TicketInfo = &armauthorization.RoleAssignmentScheduleRequestPropertiesTicketInfo{TicketNumber: optional(r.TicketNumber), TicketSystem: optional(r.TicketSystem)}
	}
	resp, err := c.Schedules.AssignmentRequests.Create(ctx, r.Scope, r.Name, armauthorization.RoleAssignmentScheduleRequest{Properties: props}, nil)
	if err != nil {
		return request{}, err
	}
	return assignmentRequestOf(&resp.RoleAssignmentScheduleRequest), nil
}

// getRequest reads a request by scope and name.
func getRequest(ctx context.Context, c *clients.Client, k Kind, scope, name string) (request, error) {
	if k == Eligible {
		resp, err := c.Schedules.EligibilityRequests.Get(ctx, scope, name, nil)
		if err != nil {
			return request{}, err
		}
		return eligibilityRequestOf(&resp.RoleEligibilityScheduleRequest), nil
	}
	resp, err := c.Schedules.AssignmentRequests.Get(ctx, scope, name, nil)
	if err != nil {
		return request{}, err
	}
	return assignmentRequestOf(&resp.RoleAssignmentScheduleRequest), nil
}

func eligibilityRequestOf(m *armauthorization.RoleEligibilityScheduleRequest) request {
	r := request{Name: val(m.Name)}
	if p := m.Properties; p != nil {
		r.Target = Target{Scope: val(p.Scope), RoleDefinitionID: val(p.RoleDefinitionID), PrincipalID: val(p.PrincipalID)}
		r.Status, r.TargetSchedule, r.ApprovalID = string(val(p.Status)), val(p.TargetRoleEligibilityScheduleID), val(p.ApprovalID)
		r.Justification = val(p.Justification)
		if t := p.TicketInfo; t != nil {
			r.TicketNumber, r.TicketSystem = val(t.TicketNumber), val(t.TicketSystem)
		}
		if s := p.ScheduleInfo; s != nil && s.Expiration != nil {
			r.ExpirationType, r.Duration = val(s.Expiration.Type), val(s.Expiration.Duration)
		}
	}
	return r
}

func assignmentRequestOf(m *armauthorization.RoleAssignmentScheduleRequest) request {
	r := request{Name: val(m.Name)}
	if p := m.Properties; p != nil {
		r.Target = Target{Scope: val(p.Scope), RoleDefinitionID: val(p.RoleDefinitionID), PrincipalID: val(p.PrincipalID)}
		r.Status, r.TargetSchedule, r.ApprovalID = string(val(p.Status)), val(p.TargetRoleAssignmentScheduleID), val(p.ApprovalID)
		r.Justification, r.LinkedEligible = val(p.Justification), val(p.LinkedRoleEligibilityScheduleID)
		if t := p.TicketInfo; t != nil {
			r.TicketNumber, r.TicketSystem = val(t.TicketNumber), val(t.TicketSystem)
		}
		if p.RequestType != nil {
			r.RequestType = *p.RequestType
		}
		if s := p.ScheduleInfo; s != nil {
			r.Start = timeOf(s.StartDateTime)
			if e := s.Expiration; e != nil {
				r.ExpirationType, r.Duration, r.End = val(e.Type), val(e.Duration), timeOf(e.EndDateTime)
			}
		}
	}
	return r
}

// getSchedule reads a schedule by scope and name.
func getSchedule(ctx context.Context, c *clients.Client, k Kind, scope, name string) (Schedule, error) {
	if k == Eligible {
		resp, err := c.Schedules.EligibilitySchedules.Get(ctx, scope, name, nil)
		if err != nil {
			return Schedule{}, err
		}
		return eligibilityScheduleOf(&resp.RoleEligibilitySchedule), nil
	}
	resp, err := c.Schedules.AssignmentSchedules.Get(ctx, scope, name, nil)
	if err != nil {
		return Schedule{}, err
	}
	return assignmentScheduleOf(&resp.RoleAssignmentSchedule), nil
}

// listSchedules lists the schedules of kind k at scope with the given $filter (the 2020-10-01 clients
// encode it themselves).
func listSchedules(ctx context.Context, c *clients.Client, k Kind, scope, filter string) ([]Schedule, error) {
	if k == Eligible {
		ms, err := clients.ARMItems(ctx, c.Schedules.EligibilitySchedules.NewListForScopePager(scope, &armauthorization.RoleEligibilitySchedulesClientListForScopeOptions{Filter: optional(filter)}),
			func(p armauthorization.RoleEligibilitySchedulesClientListForScopeResponse) []*armauthorization.RoleEligibilitySchedule {
				return p.Value
			})
		return schedulesOf(ms, err, eligibilityScheduleOf)
	}
	ms, err := clients.ARMItems(ctx, c.Schedules.AssignmentSchedules.NewListForScopePager(scope, &armauthorization.RoleAssignmentSchedulesClientListForScopeOptions{Filter: optional(filter)}),
		func(p armauthorization.RoleAssignmentSchedulesClientListForScopeResponse) []*armauthorization.RoleAssignmentSchedule {
			return p.Value
		})
	return schedulesOf(ms, err, assignmentScheduleOf)
}

// schedulesOf maps the schedules of a list answered without error.
func schedulesOf[M any](ms []M, err error, of func(M) Schedule) ([]Schedule, error) {
	if err != nil {
		return nil, err
	}
	var out []Schedule
	for _, m := range ms {
		out = append(out, of(m))
	}
	return out, nil
}

// listAssignmentRequests lists the activation and assignment requests at scope that filter selects
// (asRequestor(), asApprover()).
func listAssignmentRequests(ctx context.Context, c *clients.Client, scope, filter string) ([]*armauthorization.RoleAssignmentScheduleRequest, error) {
	return clients.ARMItems(ctx, c.Schedules.AssignmentRequests.NewListForScopePager(scope, &armauthorization.RoleAssignmentScheduleRequestsClientListForScopeOptions{Filter: optional(filter)}),
		func(p armauthorization.RoleAssignmentScheduleRequestsClientListForScopeResponse) []*armauthorization.RoleAssignmentScheduleRequest {
			return p.Value
		})
}

func eligibilityScheduleOf(m *armauthorization.RoleEligibilitySchedule) Schedule {
	s := Schedule{Kind: Eligible, ID: val(m.ID), Name: val(m.Name)}
	if p := m.Properties; p != nil {
		s.Target = Target{Scope: val(p.Scope), RoleDefinitionID: val(p.RoleDefinitionID), PrincipalID: val(p.PrincipalID)}
		s.PrincipalType, s.Status, s.MemberType = string(val(p.PrincipalType)), string(val(p.Status)), string(val(p.MemberType))
		s.Start, s.End = timeOf(p.StartDateTime), timeOf(p.EndDateTime)
		s.Condition, s.ConditionVersion, s.RequestID = val(p.Condition), val(p.ConditionVersion), val(p.RoleEligibilityScheduleRequestID)
	}
	return s
}

func assignmentScheduleOf(m *armauthorization.RoleAssignmentSchedule) Schedule {
	s := Schedule{Kind: Active, ID: val(m.ID), Name: val(m.Name)}
	if p := m.Properties; p != nil {
		s.Target = Target{Scope: val(p.Scope), RoleDefinitionID: val(p.RoleDefinitionID), PrincipalID: val(p.PrincipalID)}
		s.PrincipalType, s.Status, s.MemberType = string(val(p.PrincipalType)), string(val(p.Status)), string(val(p.MemberType))
		s.AssignmentType = string(val(p.AssignmentType))
		s.Start, s.End = timeOf(p.StartDateTime), timeOf(p.EndDateTime)
		s.Condition, s.ConditionVersion, s.RequestID = val(p.Condition), val(p.ConditionVersion), val(p.RoleAssignmentScheduleRequestID)
	}
	return s
}

// val dereferences an optional SDK value (its zero value when absent).
func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
