package pim

import (
	"context"
	"fmt"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// GroupScheduleKind tells PIM for groups' two kinds of schedule apart: eligibilities
// (eligibilityScheduleRequests, eligibilitySchedules) and active assignments (assignmentScheduleRequests,
// assignmentSchedules). An administrator makes, changes and removes both with the same requests
// (adminAssign, adminUpdate, adminRemove), Graph reports both in the same shape and answers both with the
// same errors; the endpoints, the SDK types and the policy rules that govern them (Admin_Eligibility,
// Admin_Assignment) differ. The functions of eligibility_client.go serve both kinds through this.
type GroupScheduleKind int

const (
	// GroupEligible is an eligibility: the principal may activate the membership (or ownership).
	GroupEligible GroupScheduleKind = iota
	// GroupActive is an active assignment: the principal is a member (or owner) while it holds.
	GroupActive
)

// String is the kind in the words of messages: "eligibility", "active assignment".
func (k GroupScheduleKind) String() string {
	if k == GroupActive {
		return "active assignment"
	}
	return "eligibility"
}

// scope is the caller and level of the policy rules an administrator's request of this kind meets.
func (k GroupScheduleKind) scope() ruleScope {
	if k == GroupActive {
		return scopeAdminAssignment
	}
	return scopeAdminEligibility
}

// groupSchedule is what both kinds' schedule models have in common.
type groupSchedule interface {
	models.PrivilegedAccessScheduleable
	GetAccessId() *models.PrivilegedAccessGroupRelationships
	GetGroupId() *string
	GetMemberType() *models.PrivilegedAccessGroupMemberType
	GetPrincipalId() *string
}

// groupScheduleRequest is what both kinds' request models have in common.
type groupScheduleRequest interface {
	models.PrivilegedAccessScheduleRequestable
	SetAccessId(*models.PrivilegedAccessGroupRelationships)
	SetGroupId(*string)
	SetPrincipalId(*string)
}

// requestAnswer is what Graph reports of a schedule request.
type requestAnswer struct {
	ID, Status, TargetScheduleID string
	Justification                string
	Ticket                       models.TicketInfoable
}

func answerOf(r interface {
	GetId() *string
	GetStatus() *string
	GetTargetScheduleId() *string
	GetJustification() *string
	GetTicketInfo() models.TicketInfoable
}) requestAnswer {
	return requestAnswer{ID: deref(r.GetId()), Status: deref(r.GetStatus()), TargetScheduleID: deref(r.GetTargetScheduleId()),
		Justification: deref(r.GetJustification()), Ticket: r.GetTicketInfo()}
}

func (k GroupScheduleKind) newRequest() groupScheduleRequest {
	if k == GroupActive {
		return models.NewPrivilegedAccessGroupAssignmentScheduleRequest()
	}
	return models.NewPrivilegedAccessGroupEligibilityScheduleRequest()
}

func groupPIM(c *clients.Client) *identitygovernance.PrivilegedAccessGroupRequestBuilder {
	return clients.Graph(c).IdentityGovernance().PrivilegedAccess().Group()
}

// post sends a request built by newRequest.
func (k GroupScheduleKind) post(ctx context.Context, c *clients.Client, body groupScheduleRequest) (requestAnswer, error) {
	if k == GroupActive {
		b, ok := body.(models.PrivilegedAccessGroupAssignmentScheduleRequestable)
		if !ok {
			return requestAnswer{}, fmt.Errorf("internal error: %T is no assignment schedule request", body)
		}
		r, err := groupPIM(c).AssignmentScheduleRequests().Post(ctx, b, nil)
		if err != nil || r == nil {
			return requestAnswer{}, err
		}
		return answerOf(r), nil
	}
	b, ok := body.(models.PrivilegedAccessGroupEligibilityScheduleRequestable)
	if !ok {
		return requestAnswer{}, fmt.Errorf("internal error: %T is no eligibility schedule request", body)
	}
	r, err := groupPIM(c).EligibilityScheduleRequests().Post(ctx, b, nil)
	if err != nil || r == nil {
		return requestAnswer{}, err
	}
	return answerOf(r), nil
}

// readRequest reads one request with the properties listed in sel.
func (k GroupScheduleKind) readRequest(ctx context.Context, c *clients.Client, id string, sel []string) (requestAnswer, error) {
	if k == GroupActive {
		r, err := groupPIM(c).AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(id).Get(ctx,
			&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsPrivilegedAccessGroupAssignmentScheduleRequestItemRequestBuilderGetRequestConfiguration{
				QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsPrivilegedAccessGroupAssignmentScheduleRequestItemRequestBuilderGetQueryParameters{Select: sel},
			})
		if err != nil || r == nil {
			return requestAnswer{}, err
		}
		return answerOf(r), nil
	}
	r, err := groupPIM(c).EligibilityScheduleRequests().ByPrivilegedAccessGroupEligibilityScheduleRequestId(id).Get(ctx,
		&identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsPrivilegedAccessGroupEligibilityScheduleRequestItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsPrivilegedAccessGroupEligibilityScheduleRequestItemRequestBuilderGetQueryParameters{Select: sel},
		})
	if err != nil || r == nil {
		return requestAnswer{}, err
	}
	return answerOf(r), nil
}

// listRequests lists the requests matching filter.
func (k GroupScheduleKind) listRequests(ctx context.Context, c *clients.Client, filter string) ([]requestAnswer, error) {
	var out []requestAnswer
	if k == GroupActive {
		resp, err := groupPIM(c).AssignmentScheduleRequests().Get(ctx, &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilderGetQueryParameters{Filter: &filter},
		})
		if err != nil {
			return nil, err
		}
		for _, r := range resp.GetValue() {
			out = append(out, answerOf(r))
		}
		return out, nil
	}
	resp, err := groupPIM(c).EligibilityScheduleRequests().Get(ctx, &identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetRequestConfiguration{
		QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetQueryParameters{Filter: &filter},
	})
	if err != nil {
		return nil, err
	}
	for _, r := range resp.GetValue() {
		out = append(out, answerOf(r))
	}
	return out, nil
}

// cancel withdraws a pending request.
func (k GroupScheduleKind) cancel(ctx context.Context, c *clients.Client, id string) error {
	if k == GroupActive {
		return groupPIM(c).AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(id).Cancel().Post(ctx, nil)
	}
	return groupPIM(c).EligibilityScheduleRequests().ByPrivilegedAccessGroupEligibilityScheduleRequestId(id).Cancel().Post(ctx, nil)
}

// scheduleRequest is the GET of one schedule, sent raw so the enums can be read as sent (wire_enums.go).
func (k GroupScheduleKind) scheduleRequest(ctx context.Context, c *clients.Client, id string) (*abstractions.RequestInformation, error) {
	if k == GroupActive {
		return groupPIM(c).AssignmentSchedules().ByPrivilegedAccessGroupAssignmentScheduleId(id).ToGetRequestInformation(ctx, nil)
	}
	return groupPIM(c).EligibilitySchedules().ByPrivilegedAccessGroupEligibilityScheduleId(id).ToGetRequestInformation(ctx, nil)
}

// listSchedulesRequest is the GET of the schedules matching filter, sent raw like scheduleRequest.
func (k GroupScheduleKind) listSchedulesRequest(ctx context.Context, c *clients.Client, filter string) (*abstractions.RequestInformation, error) {
	if k == GroupActive {
		return groupPIM(c).AssignmentSchedules().ToGetRequestInformation(ctx, &identitygovernance.PrivilegedAccessGroupAssignmentSchedulesRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentSchedulesRequestBuilderGetQueryParameters{Filter: &filter},
		})
	}
	return groupPIM(c).EligibilitySchedules().ToGetRequestInformation(ctx, &identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetRequestConfiguration{
		QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetQueryParameters{Filter: &filter},
	})
}

func (k GroupScheduleKind) decodeSchedule(body []byte) (groupSchedule, error) {
	if k == GroupActive {
		return clients.Decode[models.PrivilegedAccessGroupAssignmentScheduleable](body, models.CreatePrivilegedAccessGroupAssignmentScheduleFromDiscriminatorValue)
	}
	return clients.Decode[models.PrivilegedAccessGroupEligibilityScheduleable](body, models.CreatePrivilegedAccessGroupEligibilityScheduleFromDiscriminatorValue)
}

func (k GroupScheduleKind) decodeSchedules(body []byte) ([]groupSchedule, error) {
	var out []groupSchedule
	if k == GroupActive {
		resp, err := clients.Decode[models.PrivilegedAccessGroupAssignmentScheduleCollectionResponseable](body,
			models.CreatePrivilegedAccessGroupAssignmentScheduleCollectionResponseFromDiscriminatorValue)
		if err != nil {
			return nil, err
		}
		for _, s := range resp.GetValue() {
			out = append(out, s)
		}
		return out, nil
	}
	resp, err := clients.Decode[models.PrivilegedAccessGroupEligibilityScheduleCollectionResponseable](body,
		models.CreatePrivilegedAccessGroupEligibilityScheduleCollectionResponseFromDiscriminatorValue)
	if err != nil {
		return nil, err
	}
	for _, s := range resp.GetValue() {
		out = append(out, s)
	}
	return out, nil
}
