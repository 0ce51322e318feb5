package resources

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// The schedule of a PIM eligibility or assignment, shared by aks_pim_eligibility, aks_pim_assignment and
// the PIM role schedules (aks_pim_role_eligibility, aks_pim_role_assignment): when it holds as configured (a start and
// exactly one of duration, end_date_time and permanent), the audit fields of the request that makes it,
// and the schedule as Azure reports it. How the attributes map to a pim.Schedule, when a plan needs a new
// request, and what Azure reports written back in the configured expiration form.

// scheduleTimeouts are those of the PIM schedules; Delete includes PIM's five-minute minimum age of a new
// schedule.
var scheduleTimeouts = timeoutDefaults{Create: 10 * time.Minute, Read: 5 * time.Minute, Update: 10 * time.Minute, Delete: 15 * time.Minute}

// scheduleDrift is how far Azure's end may be from the configured one before Read reports a change: PIM
// sets start and end from its own clock when it processes a request.
const scheduleDrift = 2 * time.Minute

// pimScheduleModel holds the schedule attributes; objects embed it in their models.
type pimScheduleModel struct {
	StartDateTime          types.String     `tfsdk:"start_date_time"`
	Duration               pimDurationValue `tfsdk:"duration"`
	EndDateTime            types.String     `tfsdk:"end_date_time"`
	Permanent              types.Bool       `tfsdk:"permanent"`
	Justification          types.String     `tfsdk:"justification"`
	TicketNumber           types.String     `tfsdk:"ticket_number"`
	TicketSystem           types.String     `tfsdk:"ticket_system"`
	Status                 types.String     `tfsdk:"status"`
	EffectiveStartDateTime types.String     `tfsdk:"effective_start_date_time"`
	EffectiveEndDateTime   types.String     `tfsdk:"effective_end_date_time"`
}

// pimScheduleAttributes are the schedule attributes; noun names what they schedule ("eligibility") and
// permanentNote says which policy setting refuses a permanent one.
func pimScheduleAttributes(noun, permanentNote string) map[string]schema.Attribute {
	rfc3339 := stringCheck{desc: "an RFC 3339 date and time such as 2025-07-01T09:00:00Z", check: checkScheduleTime}
	start := keptString("When the " + noun + " starts (RFC 3339). Default: when it is created, as Azure records it. " +
		"A start in the past is moved to the request time by PIM. `duration` counts from this start.")
	start.Optional, start.Validators = true, []validator.String{rfc3339}
	return map[string]schema.Attribute{
		"start_date_time": start,
		"duration": schema.StringAttribute{
			MarkdownDescription: "How long the " + noun + " lasts from `start_date_time`, an ISO-8601 duration in days, hours or " +
				"minutes (`P180D`, `PT12H`). Years, months and weeks (`P1Y`, `P6M`) are rejected, as PIM rejects them.",
			CustomType: pimDurationType{},
			Optional:   true,
		},
		"end_date_time":             optionalStringAttribute("When the "+noun+" ends (RFC 3339).", rfc3339),
		"permanent":                 defaultedBool("Whether the "+noun+" never expires. Default `false`. "+permanentNote, false),
		"justification":             optionalStringAttribute("Reason recorded with the request (required when the " + noun + "'s policy requires a justification)."),
		"ticket_number":             optionalStringAttribute("Ticket number recorded with the request. Requires `ticket_system`."),
		"ticket_system":             optionalStringAttribute("Ticket system of `ticket_number`. Requires `ticket_number`."),
		"status":                    keptString("Status of the schedule as Azure reports it (`Provisioned` for a live " + noun + ")."),
		"effective_start_date_time": keptString("Start of the schedule as Azure reports it."),
		"effective_end_date_time":   keptString("End of the schedule as Azure reports it; null when permanent."),
	}
}

// validate checks the ticket pair and the schedule on its own, at validation time; now is the provider's
// clock (validation may run before the provider is configured: the nil client's Now is the wall clock),
// w the words of the messages.
func (m pimScheduleModel) validate(diags *diag.Diagnostics, now time.Time, w findingWords) {
	if !m.TicketNumber.IsUnknown() && !m.TicketSystem.IsUnknown() && m.TicketNumber.IsNull() != m.TicketSystem.IsNull() {
		// On the attribute that is set: Terraform cannot point at an absent one.
		attr := "ticket_number"
		if m.TicketNumber.IsNull() {
			attr = "ticket_system"
		}
		diags.AddAttributeError(path.Root(attr), "Incomplete Ticket Information", "ticket_number and ticket_system go together: set both or neither.")
	}
	if m.Permanent.IsNull() {
		m.Permanent = types.BoolValue(false)
	}
	if s, known := m.schedule(); known {
		addFindingsAbout(diags, s.Validate(now), scheduleFindingPath, w)
	}
}

// checkScheduleTime accepts RFC 3339 date-times that exist on the calendar: the pattern alone lets
// 2030-13-01T00:00:00Z through, which the schedule checks would then silently treat as unset.
func checkScheduleTime(s string) error {
	if !pimRFC3339Pattern.MatchString(s) {
		return fmt.Errorf("%q is not of the form 2025-07-01T09:00:00Z", s)
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return fmt.Errorf("%q is not a valid date and time: %w", s, err)
	}
	return nil
}

func scheduleTime(v types.String) (time.Time, bool) {
	if v.IsNull() || v.IsUnknown() {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v.ValueString())
	return t, err == nil
}

func scheduleTimeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// schedule reads the schedule attributes; known is false while the expiration is unknown. An unknown
// start (not configured, so Azure will set it at creation) counts as "now".
func (m pimScheduleModel) schedule() (s pim.Schedule, known bool) {
	if m.Duration.IsUnknown() || m.EndDateTime.IsUnknown() || m.Permanent.IsUnknown() {
		return s, false
	}
	s.Start, _ = scheduleTime(m.StartDateTime)
	s.Duration = m.Duration.Duration()
	s.End, _ = scheduleTime(m.EndDateTime)
	s.Permanent = m.Permanent.ValueBool()
	return s, true
}

// needsRequest reports whether moving from state to m needs an update request: the schedule would end
// (or start) somewhere else, or the recorded justification or ticket changes. A change of form only (an
// imported end_date_time now written as the duration that reaches it) needs none.
func (m pimScheduleModel) needsRequest(state pimScheduleModel) bool {
	if !m.Justification.Equal(state.Justification) || !m.TicketNumber.Equal(state.TicketNumber) || !m.TicketSystem.Equal(state.TicketSystem) {
		return true
	}
	s, known := m.schedule()
	if !known {
		return true
	}
	if !m.StartDateTime.Equal(state.StartDateTime) {
		ps, _ := scheduleTime(m.StartDateTime)
		ss, _ := scheduleTime(state.StartDateTime)
		if !scheduleNear(ps, ss) {
			return true
		}
	}
	effEnd, _ := scheduleTime(state.EffectiveEndDateTime)
	switch {
	case s.Permanent:
		return !state.EffectiveEndDateTime.IsNull()
	case state.EffectiveEndDateTime.IsNull():
		return true
	case !s.Duration.IsZero():
		anchor, ok := scheduleTime(m.StartDateTime)
		if !ok {
			return true
		}
		return !scheduleNear(anchor.Add(s.Duration.Std()), effEnd)
	default:
		return !scheduleNear(s.End, effEnd)
	}
}

func scheduleNear(a, b time.Time) bool {
	d := a.Sub(b)
	return d <= scheduleDrift && d >= -scheduleDrift
}

// reportedSchedule is a schedule as Azure reports it: status, start, end (zero: permanent), and the
// duration when Azure says the schedule was requested as one.
type reportedSchedule struct {
	Status     string
	Start, End time.Time
	Duration   pim.Duration
}

// flatten writes what Azure reports into m. The configured expiration form is kept while Azure agrees
// with it; a different end (changed outside Terraform) is written in that form so the plan shows the
// difference. With no form yet (import) the one Azure reports is used.
func (m *pimScheduleModel) flatten(r reportedSchedule) {
	permanent := r.End.IsZero()
	m.Status = types.StringValue(r.Status)
	m.EffectiveStartDateTime = scheduleTimeString(r.Start)
	m.EffectiveEndDateTime = scheduleTimeString(r.End)
	if m.StartDateTime.IsNull() || m.StartDateTime.IsUnknown() {
		m.StartDateTime = scheduleTimeString(r.Start)
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
		m.EndDateTime = scheduleTimeString(r.End)
		m.Permanent = types.BoolValue(false)
	}
	switch {
	case m.Permanent.ValueBool():
		if !permanent {
			setEnd()
		}
	case !m.Duration.IsNull():
		if permanent {
			setPermanent()
			return
		}
		anchor, ok := scheduleTime(m.StartDateTime)
		if !ok || scheduleNear(anchor.Add(m.Duration.Duration().Std()), r.End) {
			return
		}
		if d := r.End.Sub(anchor).Round(time.Minute); d >= time.Minute {
			m.Duration = newPIMDuration(pim.DurationOf(d))
		} else {
			setEnd()
		}
	case !m.EndDateTime.IsNull():
		if permanent {
			setPermanent()
			return
		}
		if end, ok := scheduleTime(m.EndDateTime); !ok || !scheduleNear(end, r.End) {
			m.EndDateTime = scheduleTimeString(r.End)
		}
	default: // imported: no form yet
		switch {
		case permanent:
			setPermanent()
		case !r.Duration.IsZero():
			m.Duration = newPIMDuration(r.Duration)
		default:
			setEnd()
		}
	}
}

// keepReported copies what Azure reported from state into m, for an update that sends no request.
func (m *pimScheduleModel) keepReported(state pimScheduleModel) {
	m.Status, m.EffectiveStartDateTime, m.EffectiveEndDateTime = state.Status, state.EffectiveStartDateTime, state.EffectiveEndDateTime
}

// markReportedUnknown marks what Azure will report afresh, for a plan that sends a request.
func (m *pimScheduleModel) markReportedUnknown() {
	m.Status, m.EffectiveStartDateTime, m.EffectiveEndDateTime = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
}

// rejectedAttribute is the attribute to change for a policy rejection of the request m made: the
// schedule's expiration form for ExpirationRule, the ticket for TicketingRule, else the justification.
func (m pimScheduleModel) rejectedAttribute(pe *pim.PolicyRejectedError) path.Path {
	switch {
	case pe.Has(pim.FailedExpiration) && m.Permanent.ValueBool():
		return path.Root("permanent")
	case pe.Has(pim.FailedExpiration) && !m.Duration.IsNull():
		return path.Root("duration")
	case pe.Has(pim.FailedExpiration):
		return path.Root("end_date_time")
	case pe.Has(pim.FailedTicketing):
		return path.Root("ticket_number")
	}
	return path.Root("justification")
}
