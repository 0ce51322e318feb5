package pim

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

var eligibilityNow = time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)

func eligibilityTestSpec(s Schedule) EligibilitySpec {
	return EligibilitySpec{
		Key:           EligibilityKey{GroupID: idsGroup, PrincipalID: idsPrincipal, AccessID: AccessMember},
		Schedule:      s,
		Justification: "Standing eligibility for on-call engineers",
	}
}

// TestEligibilityRequestGolden pins the request bodies of every action: durations as plain ISO strings
// (not kiota's weeks), enums in Graph's camelCase, adminRemove without a schedule.
func TestEligibilityRequestGolden(t *testing.T) {
	t.Parallel()
	d180, _ := ParseDuration("P180D")
	owner := eligibilityTestSpec(Schedule{Permanent: true})
	owner.Key.AccessID = AccessOwner
	owner.TicketNumber, owner.TicketSystem = "INC-1234", "ServiceNow"
	tests := []struct {
		name   string
		action models.ScheduleRequestActions
		spec   EligibilitySpec
	}{
		{"assign_duration", models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, eligibilityTestSpec(Schedule{Duration: d180})},
		{"assign_end", models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, eligibilityTestSpec(Schedule{
			Start: eligibilityNow.Add(time.Hour), End: eligibilityNow.Add(30 * 24 * time.Hour)})},
		{"assign_permanent_owner_ticket", models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, owner},
		// A duration counts from the configured start, even one in the past that PIM moves to "now".
		{"assign_duration_past_start", models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, eligibilityTestSpec(Schedule{
			Start: eligibilityNow.Add(-24 * time.Hour), Duration: d180})},
		{"update_duration", models.ADMINUPDATE_SCHEDULEREQUESTACTIONS, eligibilityTestSpec(Schedule{
			Start: eligibilityNow.Add(-48 * time.Hour), Duration: d180})},
		{"remove", models.ADMINREMOVE_SCHEDULEREQUESTACTIONS, EligibilitySpec{Key: eligibilityTestSpec(Schedule{}).Key}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ruleGolden(t, "eligibility_"+tt.name, ruleWireJSON(t, eligibilityRequest(tt.action, tt.spec, eligibilityNow)))
		})
	}
}

// eligibilityFromFile maps a schedule the way ReadEligibility does: the SDK's model and the enums as sent.
func eligibilityFromFile(t *testing.T, file string) Eligibility {
	t.Helper()
	b := ruleTestdata(t, file)
	sched, err := clients.Decode[models.PrivilegedAccessGroupEligibilityScheduleable](b, models.CreatePrivilegedAccessGroupEligibilityScheduleFromDiscriminatorValue)
	if err != nil {
		t.Fatal(err)
	}
	return eligibilityFromSchedule(GroupEligible, sched, wireEnumsByID(b)[strings.ToLower(deref(sched.GetId()))])
}

func TestEligibilityFromSchedule(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 1, 1, 10, 0, 2, 765e6, time.UTC)
	d180, _ := ParseDuration("P180D")
	tests := []struct {
		file string
		want Eligibility
	}{
		{file: "graph_schedule_duration.json", want: Eligibility{
			ScheduleID: idsGroup + "_member_" + idsSuffix, CreatedUsing: idsSuffix, Status: "Provisioned",
			Key:   EligibilityKey{GroupID: idsGroup, PrincipalID: idsPrincipal, AccessID: AccessMember},
			Start: start, End: start.Add(180 * 24 * time.Hour), ExpirationType: ExpirationDuration, Duration: d180, MemberType: "direct"}},
		// PascalCase enums, as the list examples show them ("Direct": api-reference/v1.0/api/
		// privilegedaccessgroup-list-eligibilityschedules.md), which kiota's parsers drop: read from the JSON.
		{file: "graph_schedule_datetime.json", want: Eligibility{
			ScheduleID: idsGroup + "_owner_" + idsSuffix, CreatedUsing: idsSuffix, Status: "Provisioned",
			Key:   EligibilityKey{GroupID: idsGroup, PrincipalID: idsPrincipal, AccessID: AccessOwner},
			Start: time.Date(2025, 1, 1, 10, 0, 2, 0, time.UTC), End: time.Date(2025, 6, 30, 10, 0, 2, 0, time.UTC),
			ExpirationType: ExpirationDateTime, MemberType: "direct"}},
		{file: "graph_schedule_permanent.json", want: Eligibility{
			ScheduleID: idsGroup + "_member_" + idsSuffix, Status: "Provisioned",
			Key:   EligibilityKey{GroupID: idsGroup, PrincipalID: idsPrincipal, AccessID: AccessMember},
			Start: time.Date(2025, 1, 1, 10, 0, 2, 0, time.UTC), ExpirationType: ExpirationNone, MemberType: "direct"}},
		// An eligibility held through a group, spelt as the list examples do: FindEligibility must see
		// "group" to leave it alone rather than adopt another principal's schedule.
		{file: "graph_schedule_inherited.json", want: Eligibility{
			ScheduleID: idsGroup + "_member_" + idsSuffix, Status: "Provisioned",
			Key:   EligibilityKey{GroupID: idsGroup, PrincipalID: idsPrincipal, AccessID: AccessMember},
			Start: time.Date(2025, 1, 1, 10, 0, 2, 0, time.UTC), ExpirationType: ExpirationNone, MemberType: "group"}},
	}
	for _, tt := range tests {
		got := eligibilityFromFile(t, tt.file)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Duration{})); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tt.file, diff)
		}
	}
	perm := eligibilityFromFile(t, "graph_schedule_permanent.json")
	if !perm.Permanent() || perm.Ended(eligibilityNow.Add(10*365*24*time.Hour)) {
		t.Error("a permanent eligibility must never end")
	}
	dur := eligibilityFromFile(t, "graph_schedule_duration.json")
	if dur.Ended(start.Add(179*24*time.Hour)) || !dur.Ended(start.Add(181*24*time.Hour)) {
		t.Error("Ended does not follow the end of the schedule")
	}
	if !(Eligibility{Status: "Revoked"}).Ended(eligibilityNow) {
		t.Error("a revoked schedule has not ended")
	}
}

func TestEligibilityMatches(t *testing.T) {
	t.Parallel()
	d180, _ := ParseDuration("P180D")
	d90, _ := ParseDuration("P90D")
	existing := Eligibility{Key: EligibilityKey{GroupID: strings.ToUpper(idsGroup), PrincipalID: idsPrincipal, AccessID: AccessMember},
		Start: eligibilityNow.Add(time.Minute), End: eligibilityNow.Add(time.Minute + 180*24*time.Hour)}
	tests := []struct {
		name string
		spec EligibilitySpec
		want bool
	}{
		{"same duration", eligibilityTestSpec(Schedule{Duration: d180}), true},
		{"other duration", eligibilityTestSpec(Schedule{Duration: d90}), false},
		{"permanent vs bounded", eligibilityTestSpec(Schedule{Permanent: true}), false},
		{"same end", eligibilityTestSpec(Schedule{End: eligibilityNow.Add(180 * 24 * time.Hour)}), true},
		{"other end", eligibilityTestSpec(Schedule{End: eligibilityNow.Add(100 * 24 * time.Hour)}), false},
		{"other access", func() EligibilitySpec {
			s := eligibilityTestSpec(Schedule{Duration: d180})
			s.Key.AccessID = AccessOwner
			return s
		}(), false},
		{"future start elsewhere", eligibilityTestSpec(Schedule{Start: eligibilityNow.Add(48 * time.Hour), Duration: d180}), false},
	}
	for _, tt := range tests {
		if got := existing.Matches(tt.spec, eligibilityNow, eligibilityAdoptTolerance); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
	perm := Eligibility{Key: existing.Key, Start: eligibilityNow}
	if !perm.Matches(eligibilityTestSpec(Schedule{Permanent: true}), eligibilityNow, eligibilityAdoptTolerance) {
		t.Error("a permanent eligibility does not match a permanent spec")
	}
}

func TestClassifyRequestError(t *testing.T) {
	t.Parallel()
	graphErr := func(code, msg string) error {
		e := odataerrors.NewODataError()
		main := odataerrors.NewMainError()
		main.SetCode(&code)
		main.SetMessage(&msg)
		e.SetErrorEscaped(main)
		e.ResponseStatusCode = 400
		return e
	}
	err := classifyRequestError(GroupEligible, graphErr("RoleAssignmentRequestPolicyValidationFailed", `The following policy rules failed: ["ExpirationRule","JustificationRule"]`))
	var pe *PolicyRejectedError
	if !errors.As(err, &pe) {
		t.Fatalf("not a PolicyRejectedError: %v", err)
	}
	if diff := cmp.Diff([]FailedCheck{{FailedExpiration, RuleExpirationAdminEligibility}, {FailedJustification, RuleEnablementAdminEligibility}}, pe.Failed); diff != "" {
		t.Errorf("failed checks (-want +got):\n%s", diff)
	}
	for _, want := range []string{"ExpirationRule (policy rule Expiration_Admin_Eligibility)", "JustificationRule"} {
		if !strings.Contains(pe.Error(), want) {
			t.Errorf("%q does not contain %q", pe.Error(), want)
		}
	}
	var odata *odataerrors.ODataError
	if !errors.As(err, &odata) {
		t.Error("the Graph error is not kept for the Original Error line")
	}
	if other := graphErr("InvalidRoleAssignmentRequest", "The role assignment request is invalid."); classifyRequestError(GroupEligible, other) != other {
		t.Error("other errors must pass through unchanged")
	}
	// An active assignment's request meets the Admin_Assignment rules.
	err = classifyRequestError(GroupActive, graphErr("RoleAssignmentRequestPolicyValidationFailed", `The following policy rules failed: ["ExpirationRule"]`))
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[0].Rule != RuleExpirationAdminAssignment {
		t.Errorf("active assignment rejection %v, want ExpirationRule of %s", err, RuleExpirationAdminAssignment)
	}
}

// TestEligibilityRefusesIncompleteSchedule: a spec without an expiration never reaches Graph (it would be
// sent as an end date of year 1).
func TestEligibilityRefusesIncompleteSchedule(t *testing.T) {
	t.Parallel()
	c := &clients.Client{} // no Graph client: any request would panic
	spec := eligibilityTestSpec(Schedule{})
	var f Finding
	if _, err := CreateEligibility(t.Context(), c, spec); !errors.As(err, &f) || f.Check != CheckScheduleForm {
		t.Fatalf("CreateEligibility without expiration: %v", err)
	}
	spec.Schedule = Schedule{Start: eligibilityNow, End: eligibilityNow.Add(-time.Hour)}
	if _, err := UpdateEligibility(t.Context(), c, spec); !errors.As(err, &f) || f.Check != CheckEndBeforeStart {
		t.Fatalf("UpdateEligibility ending before its start: %v", err)
	}
}
