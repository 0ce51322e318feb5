package resources

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

const (
	eligTestGroup     = "0f9a8b7c-1234-4abc-9def-0123456789ab"
	eligTestPrincipal = "5a1c0e2b-0000-4000-8000-00000000c0de"
	eligTestSchedule  = eligTestGroup + "_member_c3d1a9e0-7777-4a4a-9b9b-2222aaaa3333"
)

var eligTestStart = time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)

func eligTestDuration(s string) pimDurationValue {
	return pimDurationValue{StringValue: types.StringValue(s)}
}

func eligTestModel() pimEligibilityModel {
	return pimEligibilityModel{pimGroupScheduleModel: pimGroupScheduleModel{
		ID: types.StringValue(eligTestSchedule), GroupID: types.StringValue(eligTestGroup), PrincipalID: types.StringValue(eligTestPrincipal),
		AccessID: types.StringValue("member"),
		pimScheduleModel: pimScheduleModel{StartDateTime: types.StringValue(eligTestStart.Format(time.RFC3339)),
			Duration: eligTestDuration("P30D"), EndDateTime: types.StringNull(), Permanent: types.BoolValue(false),
			Justification: types.StringValue("on-call"), TicketNumber: types.StringNull(), TicketSystem: types.StringNull(),
			Status: types.StringValue("Provisioned"), EffectiveStartDateTime: types.StringValue(eligTestStart.Format(time.RFC3339)),
			EffectiveEndDateTime: types.StringValue(eligTestStart.Add(30 * 24 * time.Hour).Format(time.RFC3339))},
	}}
}

func eligTestEligibility(end time.Time) pim.Eligibility {
	return pim.Eligibility{
		ScheduleID: eligTestSchedule, Status: "Provisioned", Start: eligTestStart.Add(3 * time.Second), End: end,
		Key:            pim.EligibilityKey{GroupID: eligTestGroup, PrincipalID: eligTestPrincipal, AccessID: pim.AccessMember},
		ExpirationType: pim.ExpirationDateTime,
	}
}

// TestEligibilityFlattenDrift: Read keeps the configured form while Azure agrees, and shows a change made
// outside Terraform in the configured form, so the plan names the attribute that drifted.
func TestEligibilityFlattenDrift(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		name      string
		state     func(*pimEligibilityModel)
		end       time.Time // zero: permanent
		duration  string    // want; "" = null
		endTime   string
		permanent bool
	}{
		{name: "duration agrees within PIM's rounding", end: eligTestStart.Add(30*day + 40*time.Second), duration: "P30D"},
		{name: "duration extended outside Terraform", end: eligTestStart.Add(45 * day), duration: "P45D"},
		{name: "duration made permanent outside Terraform", end: time.Time{}, permanent: true},
		{name: "end agrees", state: func(m *pimEligibilityModel) {
			m.Duration = eligTestDuration("")
			m.Duration.StringValue = types.StringNull()
			m.EndDateTime = types.StringValue(eligTestStart.Add(10 * day).Format(time.RFC3339))
		}, end: eligTestStart.Add(10*day + time.Second), endTime: eligTestStart.Add(10 * day).Format(time.RFC3339)},
		{name: "end moved", state: func(m *pimEligibilityModel) {
			m.Duration.StringValue = types.StringNull()
			m.EndDateTime = types.StringValue(eligTestStart.Add(10 * day).Format(time.RFC3339))
		}, end: eligTestStart.Add(20 * day), endTime: eligTestStart.Add(20 * day).Format(time.RFC3339)},
		{name: "permanent given an end", state: func(m *pimEligibilityModel) {
			m.Duration.StringValue = types.StringNull()
			m.Permanent = types.BoolValue(true)
		}, end: eligTestStart.Add(5 * day), endTime: eligTestStart.Add(5 * day).Format(time.RFC3339)},
		{name: "import takes Azure's form", state: func(m *pimEligibilityModel) {
			*m = pimEligibilityModel{pimGroupScheduleModel: pimGroupScheduleModel{ID: types.StringValue(eligTestSchedule), GroupID: types.StringValue(eligTestGroup),
				AccessID: types.StringValue("member"), PrincipalID: types.StringNull(), pimScheduleModel: pimScheduleModel{StartDateTime: types.StringNull(),
					Duration: pimDurationValue{StringValue: types.StringNull()}, EndDateTime: types.StringNull(), Permanent: types.BoolNull()}}}
		}, end: eligTestStart.Add(7 * day), endTime: eligTestStart.Add(7 * day).Format(time.RFC3339)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := eligTestModel()
			if tt.state != nil {
				tt.state(&m)
			}
			groupScheduleFlatten(eligTestEligibility(tt.end), m.common())
			if got := m.Duration.ValueString(); got != tt.duration {
				t.Errorf("duration = %q, want %q", got, tt.duration)
			}
			if got := m.EndDateTime.ValueString(); got != tt.endTime {
				t.Errorf("end_date_time = %q, want %q", got, tt.endTime)
			}
			if m.Permanent.ValueBool() != tt.permanent {
				t.Errorf("permanent = %v, want %v", m.Permanent.ValueBool(), tt.permanent)
			}
			if m.PrincipalID.ValueString() != eligTestPrincipal || m.Status.ValueString() != "Provisioned" || m.StartDateTime.IsNull() {
				t.Errorf("identity or computed values not filled: %+v", m)
			}
			if tt.end.IsZero() != m.EffectiveEndDateTime.IsNull() {
				t.Errorf("effective_end_date_time = %v for end %v", m.EffectiveEndDateTime, tt.end)
			}
		})
	}
}

func TestEligibilityNeedsRequest(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		name string
		plan func(*pimEligibilityModel)
		want bool
	}{
		{name: "nothing", plan: func(*pimEligibilityModel) {}},
		{name: "same length spelled differently", plan: func(m *pimEligibilityModel) { m.Duration = eligTestDuration("PT720H") }},
		{name: "wired policy only", plan: func(m *pimEligibilityModel) { m.PolicyEligibleAssignment = types.ObjectNull(policyEligibleTypes) }},
		{name: "end that equals start+duration", plan: func(m *pimEligibilityModel) {
			m.Duration.StringValue = types.StringNull()
			m.EndDateTime = types.StringValue(eligTestStart.Add(30 * day).Format(time.RFC3339))
		}},
		{name: "longer", plan: func(m *pimEligibilityModel) { m.Duration = eligTestDuration("P60D") }, want: true},
		{name: "permanent", plan: func(m *pimEligibilityModel) {
			m.Duration.StringValue = types.StringNull()
			m.Permanent = types.BoolValue(true)
		}, want: true},
		{name: "justification", plan: func(m *pimEligibilityModel) { m.Justification = types.StringValue("new reason") }, want: true},
		{name: "ticket", plan: func(m *pimEligibilityModel) {
			m.TicketNumber, m.TicketSystem = types.StringValue("INC-1"), types.StringValue("SNOW")
		}, want: true},
		{name: "start moved", plan: func(m *pimEligibilityModel) {
			m.StartDateTime = types.StringValue(eligTestStart.Add(day).Format(time.RFC3339))
		}, want: true},
		{name: "start respelled", plan: func(m *pimEligibilityModel) {
			m.StartDateTime = types.StringValue(eligTestStart.In(time.FixedZone("CET", 3600)).Format(time.RFC3339))
		}},
	}
	for _, tt := range tests {
		state := eligTestModel()
		plan := eligTestModel()
		tt.plan(&plan)
		if got := plan.needsRequest(state.pimScheduleModel); got != tt.want {
			t.Errorf("%s: needsRequest = %v, want %v", tt.name, got, tt.want)
		}
	}
}
