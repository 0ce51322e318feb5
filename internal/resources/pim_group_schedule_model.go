package resources

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// How the attributes of aks_pim_eligibility and aks_pim_assignment map to a PIM-for-groups request and
// back (the schedule's own mapping is pimScheduleModel's).

func (r *pimGroupScheduleResource[M, P]) spec(m *pimGroupScheduleModel) pim.EligibilitySpec {
	s, _ := m.schedule()
	return pim.EligibilitySpec{
		Key: pim.EligibilityKey{
			Kind: r.k.kind, GroupID: m.GroupID.ValueString(), PrincipalID: m.PrincipalID.ValueString(), AccessID: pim.AccessID(m.AccessID.ValueString()),
		},
		Schedule:      s,
		Justification: m.Justification.ValueString(),
		TicketNumber:  m.TicketNumber.ValueString(),
		TicketSystem:  m.TicketSystem.ValueString(),
	}
}

// groupScheduleFlatten writes what Graph reports into m (the schedule through pimScheduleModel.flatten).
func groupScheduleFlatten(e pim.Eligibility, m *pimGroupScheduleModel) {
	m.ID = types.StringValue(e.ScheduleID)
	if m.GroupID.IsNull() || !pim.SameObjectID(m.GroupID.ValueString(), e.Key.GroupID) {
		m.GroupID = types.StringValue(e.Key.GroupID)
	}
	if m.PrincipalID.IsNull() || !pim.SameObjectID(m.PrincipalID.ValueString(), e.Key.PrincipalID) {
		m.PrincipalID = types.StringValue(e.Key.PrincipalID)
	}
	if e.Key.AccessID != "" {
		m.AccessID = types.StringValue(string(e.Key.AccessID))
	}
	r := reportedSchedule{Status: e.Status, Start: e.Start, End: e.End}
	if e.ExpirationType == pim.ExpirationDuration {
		r.Duration = e.Duration
	}
	m.flatten(r)
}

// apiError explains a failed operation on a group schedule.
func (r *pimGroupScheduleResource[M, P]) apiError(diags *diag.Diagnostics, verb string, m *pimGroupScheduleModel, err error) {
	var pe *pim.PolicyRejectedError
	var exists *pim.EligibilityExistsError
	var failed *pim.RequestFailedError
	switch {
	case errors.As(err, &pe):
		diags.AddAttributeError(m.rejectedAttribute(pe), errorSummary(verb, r.k.object), errorDetail(
			"Graph rejected the "+r.k.noun+": "+pe.Error()+".", rejectionAdvice(pe, r.k.advice), err))
	case errors.As(err, &exists):
		diags.AddError(errorSummary(verb, r.k.object), errorDetail(
			exists.Error()+". It was not made by this resource (or not with this schedule), so it is not adopted.",
			fmt.Sprintf("Import it (terraform import aks%s.<name> %s, or an import block with that ID) and let the "+
				"configuration update it, or remove it outside Terraform and apply again.", r.typeName, exists.ImportID()),
			err))
	case errors.As(err, &failed):
		diags.AddError(errorSummary(verb, r.k.object), errorDetail(
			"PIM accepted the request but could not carry it out: "+failed.Error()+".",
			"Check the principal and the group (PIM for groups excludes dynamic and on-premises-synced groups), then apply again.",
			err))
	default:
		addAPIError(diags, verb, r.k.object, err, r.k.grant)
	}
}
