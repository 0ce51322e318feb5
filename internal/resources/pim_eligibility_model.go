package resources

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// How aks_pim_eligibility's attributes map to a PIM schedule: date-times and durations, the spec of
// an adminAssign or adminUpdate request, when a plan needs a new request, and what Azure reports written
// back in the configured expiration form.

// eligibilityCheckTime accepts RFC 3339 date-times that exist on the calendar: the pattern alone lets
// 2030-13-01T00:00:00Z through, which the schedule checks would then silently treat as unset.
func eligibilityCheckTime(s string) error {
	if !pimRFC3339Pattern.MatchString(s) {
		return fmt.Errorf("%q is not of the form 2025-07-01T09:00:00Z", s)
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return fmt.Errorf("%q is not a valid date and time: %w", s, err)
	}
	return nil
}

func eligibilityTime(v types.String) (time.Time, bool) {
	if v.IsNull() || v.IsUnknown() {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v.ValueString())
	return t, err == nil
}

func eligibilityTimeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// eligibilitySchedule reads the schedule attributes; known is false while the expiration is unknown. An
// unknown start (not configured, so Azure will set it at creation) counts as "now".
func eligibilitySchedule(m pimEligibilityModel) (s pim.Schedule, known bool) {
	if m.Duration.IsUnknown() || m.EndDateTime.IsUnknown() || m.Permanent.IsUnknown() {
		return s, false
	}
	s.Start, _ = eligibilityTime(m.StartDateTime)
	s.Duration = m.Duration.Duration()
	s.End, _ = eligibilityTime(m.EndDateTime)
	s.Permanent = m.Permanent.ValueBool()
	return s, true
}

func eligibilitySpec(m pimEligibilityModel) pim.EligibilitySpec {
	s, _ := eligibilitySchedule(m)
	return pim.EligibilitySpec{
		Key: pim.EligibilityKey{
			GroupID: m.GroupID.ValueString(), PrincipalID: m.PrincipalID.ValueString(), AccessID: pim.AccessID(m.AccessID.ValueString()),
		},
		Schedule:      s,
		Justification: m.Justification.ValueString(),
		TicketNumber:  m.TicketNumber.ValueString(),
		TicketSystem:  m.TicketSystem.ValueString(),
	}
}

// eligibilityNeedsRequest reports whether moving from state to plan needs an adminUpdate: the schedule
// would end (or start) somewhere else, or the recorded justification or ticket changes. A change of form
// only (an imported end_date_time now written as the duration that reaches it) needs none.
func eligibilityNeedsRequest(plan, state pimEligibilityModel) bool {
	if !plan.Justification.Equal(state.Justification) || !plan.TicketNumber.Equal(state.TicketNumber) || !plan.TicketSystem.Equal(state.TicketSystem) {
		return true
	}
	s, known := eligibilitySchedule(plan)
	if !known {
		return true
	}
	if !plan.StartDateTime.Equal(state.StartDateTime) {
		ps, _ := eligibilityTime(plan.StartDateTime)
		ss, _ := eligibilityTime(state.StartDateTime)
		if !eligibilityNear(ps, ss) {
			return true
		}
	}
	effEnd, _ := eligibilityTime(state.EffectiveEndDateTime)
	switch {
	case s.Permanent:
		return !state.EffectiveEndDateTime.IsNull()
	case state.EffectiveEndDateTime.IsNull():
		return true
	case !s.Duration.IsZero():
		anchor, ok := eligibilityTime(plan.StartDateTime)
		if !ok {
			return true
		}
		return !eligibilityNear(anchor.Add(s.Duration.Std()), effEnd)
	default:
		return !eligibilityNear(s.End, effEnd)
	}
}

func eligibilityNear(a, b time.Time) bool {
	d := a.Sub(b)
	return d <= eligibilityDrift && d >= -eligibilityDrift
}

// eligibilityFlatten writes what Azure reports into m. The configured expiration form is kept while Azure
// agrees with it; a different end (changed outside Terraform) is written in that form so the plan shows
// the difference. With no form yet (import) the one Azure reports is used.
func eligibilityFlatten(e pim.Eligibility, m *pimEligibilityModel) {
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
	m.Status = types.StringValue(e.Status)
	m.EffectiveStartDateTime = eligibilityTimeString(e.Start)
	m.EffectiveEndDateTime = eligibilityTimeString(e.End)
	if m.StartDateTime.IsNull() || m.StartDateTime.IsUnknown() {
		m.StartDateTime = eligibilityTimeString(e.Start)
	}
	if m.Permanent.IsNull() || m.Permanent.IsUnknown() {
		m.Permanent = types.BoolValue(false)
	}
	setPermanent := func() {
		m.Duration = newPIMDuration(pim.Duration{})
		m.EndDateTime = types.StringNull()
		m.Permanent = types.BoolValue(true)
	}
	setEnd := func() {
		m.Duration = newPIMDuration(pim.Duration{})
		m.EndDateTime = eligibilityTimeString(e.End)
		m.Permanent = types.BoolValue(false)
	}
	switch {
	case m.Permanent.ValueBool():
		if !e.Permanent() {
			setEnd()
		}
	case !m.Duration.IsNull():
		if e.Permanent() {
			setPermanent()
			return
		}
		anchor, ok := eligibilityTime(m.StartDateTime)
		if !ok || eligibilityNear(anchor.Add(m.Duration.Duration().Std()), e.End) {
			return
		}
		if d := e.End.Sub(anchor).Round(time.Minute); d >= time.Minute {
			m.Duration = newPIMDuration(pim.DurationOf(d))
		} else {
			setEnd()
		}
	case !m.EndDateTime.IsNull():
		if e.Permanent() {
			setPermanent()
			return
		}
		if end, ok := eligibilityTime(m.EndDateTime); !ok || !eligibilityNear(end, e.End) {
			m.EndDateTime = eligibilityTimeString(e.End)
		}
	default: // imported: no form yet
		switch {
		case e.Permanent():
			setPermanent()
		case e.ExpirationType == pim.ExpirationDuration && !e.Duration.IsZero():
			m.Duration = newPIMDuration(e.Duration)
		default:
			setEnd()
		}
	}
}

// eligibilityAPIError explains a failed eligibility operation.
func eligibilityAPIError(diags *diag.Diagnostics, verb string, m pimEligibilityModel, err error) {
	var pe *pim.PolicyViolationError
	var exists *pim.EligibilityExistsError
	var failed *pim.RequestFailedError
	switch {
	case errors.As(err, &pe):
		attr := path.Root("justification")
		for _, f := range pe.Failed {
			if f == "ExpirationRule" {
				switch {
				case m.Permanent.ValueBool():
					attr = path.Root("permanent")
				case !m.Duration.IsNull():
					attr = path.Root("duration")
				default:
					attr = path.Root("end_date_time")
				}
			}
			if f == "TicketingRule" {
				attr = path.Root("ticket_number")
			}
		}
		diags.AddAttributeError(attr, errorSummary(verb, eligibilityObject), errorDetail(
			"Graph rejected the eligibility: "+pe.Error()+".", pe.Advice(), err))
	case errors.As(err, &exists):
		diags.AddError(errorSummary(verb, eligibilityObject), errorDetail(
			exists.Error()+". It was not made by this resource (or not with this schedule), so it is not adopted.",
			fmt.Sprintf("Import it (terraform import aks_pim_eligibility.<name> %s, or an import block with that ID) and let the "+
				"configuration update it, or remove it outside Terraform and apply again.", exists.ImportID()),
			err))
	case errors.As(err, &failed):
		diags.AddError(errorSummary(verb, eligibilityObject), errorDetail(
			"PIM accepted the request but could not carry it out: "+failed.Error()+".",
			"Check the principal and the group (PIM for groups excludes dynamic and on-premises-synced groups), then apply again.",
			err))
	default:
		addAPIError(diags, verb, eligibilityObject, err, grantEligibility)
	}
}
