package pim

import (
	"context"
	"fmt"
	"time"

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

// requestParty is whom a group schedule request is about and why: a principal's access to a group, the
// justification and the ticket.
type requestParty struct {
	GroupID, PrincipalID       string
	AccessID                   AccessID
	Justification              string
	TicketNumber, TicketSystem string
}

// fillRequest sets the action and the party of a request of any kind (selfActivate as adminAssign); the
// ticket is sent when either of its parts is set.
func fillRequest(r groupScheduleRequest, action models.ScheduleRequestActions, p requestParty) {
	r.SetAction(&action)
	access := models.MEMBER_PRIVILEGEDACCESSGROUPRELATIONSHIPS
	if p.AccessID == AccessOwner {
		access = models.OWNER_PRIVILEGEDACCESSGROUPRELATIONSHIPS
	}
	r.SetAccessId(&access)
	r.SetGroupId(ptr(p.GroupID))
	r.SetPrincipalId(ptr(p.PrincipalID))
	if p.Justification != "" {
		r.SetJustification(ptr(p.Justification))
	}
	if p.TicketNumber != "" || p.TicketSystem != "" {
		t := models.NewTicketInfo()
		if p.TicketNumber != "" {
			t.SetTicketNumber(ptr(p.TicketNumber))
		}
		if p.TicketSystem != "" {
			t.SetTicketSystem(ptr(p.TicketSystem))
		}
		r.SetTicketInfo(t)
	}
}

// requestStart is the start a request sends: start, or now when it is zero, in UTC to the second.
func requestStart(start, now time.Time) time.Time {
	if start.IsZero() {
		start = now
	}
	return start.UTC().Truncate(time.Second)
}

// setSchedule sets a request's schedule: from start, with the expiration of type t, and its end or its
// duration (a plain string: kiota's ISODuration writer would send P180D as P25W5D).
func setSchedule(r groupScheduleRequest, start time.Time, t models.ExpirationPatternType, end *time.Time, duration *Duration) {
	info := models.NewRequestSchedule()
	info.SetStartDateTime(&start)
	exp := models.NewExpirationPattern()
	exp.SetTypeEscaped(&t)
	if end != nil {
		exp.SetEndDateTime(end)
	}
	if duration != nil {
		exp.SetAdditionalData(map[string]any{"duration": ptr(duration.String())})
	}
	info.SetExpiration(exp)
	r.SetScheduleInfo(info)
}

// requestAnswer is what Graph reports of a schedule request.
type requestAnswer struct {
	ID, Status, TargetScheduleID string
	Justification                string
	Ticket                       models.TicketInfoable
}

// requestModel is what both kinds' request models answer.
type requestModel interface {
	GetId() *string
	GetStatus() *string
	GetTargetScheduleId() *string
	GetJustification() *string
	GetTicketInfo() models.TicketInfoable
}

func answerOf(r requestModel) requestAnswer {
	return requestAnswer{ID: deref(r.GetId()), Status: deref(r.GetStatus()), TargetScheduleID: deref(r.GetTargetScheduleId()),
		Justification: deref(r.GetJustification()), Ticket: r.GetTicketInfo()}
}

// answered is Graph's answer to one request of either kind (none when r is nil).
func answered[R requestModel](r R, err error) (requestAnswer, error) {
	if err != nil || any(r) == nil {
		return requestAnswer{}, err
	}
	return answerOf(r), nil
}

// answers are the requests of a list of either kind (its first page).
func answers[R requestModel](list interface{ GetValue() []R }, err error) ([]requestAnswer, error) {
	if err != nil {
		return nil, err
	}
	var out []requestAnswer
	for _, r := range list.GetValue() {
		out = append(out, answerOf(r))
	}
	return out, nil
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
		return answered(groupPIM(c).AssignmentScheduleRequests().Post(ctx, b, nil))
	}
	b, ok := body.(models.PrivilegedAccessGroupEligibilityScheduleRequestable)
	if !ok {
		return requestAnswer{}, fmt.Errorf("internal error: %T is no eligibility schedule request", body)
	}
	return answered(groupPIM(c).EligibilityScheduleRequests().Post(ctx, b, nil))
}

// readRequest reads one request with the properties listed in sel.
func (k GroupScheduleKind) readRequest(ctx context.Context, c *clients.Client, id string, sel []string) (requestAnswer, error) {
	if k == GroupActive {
		return answered(groupPIM(c).AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(id).Get(ctx,
			&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsPrivilegedAccessGroupAssignmentScheduleRequestItemRequestBuilderGetRequestConfiguration{
				QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsPrivilegedAccessGroupAssignmentScheduleRequestItemRequestBuilderGetQueryParameters{Select: sel},
			}))
	}
	return answered(groupPIM(c).EligibilityScheduleRequests().ByPrivilegedAccessGroupEligibilityScheduleRequestId(id).Get(ctx,
		&identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsPrivilegedAccessGroupEligibilityScheduleRequestItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsPrivilegedAccessGroupEligibilityScheduleRequestItemRequestBuilderGetQueryParameters{Select: sel},
		}))
}

// listRequests lists the requests matching filter.
func (k GroupScheduleKind) listRequests(ctx context.Context, c *clients.Client, filter string) ([]requestAnswer, error) {
	if k == GroupActive {
		return answers(groupPIM(c).AssignmentScheduleRequests().Get(ctx, &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilderGetQueryParameters{Filter: &filter},
		}))
	}
	return answers(groupPIM(c).EligibilityScheduleRequests().Get(ctx, &identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetRequestConfiguration{
		QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilityScheduleRequestsRequestBuilderGetQueryParameters{Filter: &filter},
	}))
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
	if k == GroupActive {
		return schedulesOf(clients.Decode[models.PrivilegedAccessGroupAssignmentScheduleCollectionResponseable](body,
			models.CreatePrivilegedAccessGroupAssignmentScheduleCollectionResponseFromDiscriminatorValue))
	}
	return schedulesOf(clients.Decode[models.PrivilegedAccessGroupEligibilityScheduleCollectionResponseable](body,
		models.CreatePrivilegedAccessGroupEligibilityScheduleCollectionResponseFromDiscriminatorValue))
}

// schedulesOf are the schedules of a list of either kind.
func schedulesOf[S groupSchedule](list interface{ GetValue() []S }, err error) ([]groupSchedule, error) {
	if err != nil {
		return nil, err
	}
	var out []groupSchedule
	for _, s := range list.GetValue() {
		out = append(out, s)
	}
	return out, nil
}
