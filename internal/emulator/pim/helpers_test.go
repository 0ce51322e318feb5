package pim_test

import (
	"context"
	"errors"
	"github.com/google/go-cmp/cmp"
	"strings"
	"testing"
	"time"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

// graphErr decodes an SDK error into the status, code and message the emulator answered.
func graphErr(t *testing.T, err error) (int, string, string) {
	t.Helper()
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) {
		t.Fatalf("want an ODataError, got %T %v", err, err)
	}
	me := oe.GetErrorEscaped()
	return oe.ResponseStatusCode, deref(me.GetCode()), deref(me.GetMessage())
}

func wantGraphErr(t *testing.T, err error, status int, code, msgPart string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %d %s, got success", status, code)
	}
	gotStatus, gotCode, msg := graphErr(t, err)
	if gotStatus != status || gotCode != code || !strings.Contains(msg, msgPart) {
		t.Fatalf("want %d %s containing %q, got %d %s %q", status, code, msgPart, gotStatus, gotCode, msg)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		if _, code, msg := graphErrMaybe(err); code != "" {
			t.Fatalf("%s: %s", code, msg)
		}
		t.Fatal(err)
	}
}

func graphErrMaybe(err error) (int, string, string) {
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) {
		return 0, "", ""
	}
	return oe.ResponseStatusCode, deref(oe.GetErrorEscaped().GetCode()), deref(oe.GetErrorEscaped().GetMessage())
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// schedule builds scheduleInfo: a duration ("P30D"), "noExpiration", or "" for none.
func schedule(t *testing.T, start *time.Time, d string) models.RequestScheduleable {
	si := models.NewRequestSchedule()
	si.SetStartDateTime(start)
	exp := models.NewExpirationPattern()
	if d == "noExpiration" {
		exp.SetTypeEscaped(ptr(models.NOEXPIRATION_EXPIRATIONPATTERNTYPE))
	} else {
		dur, err := serialization.ParseISODuration(d)
		if err != nil {
			t.Fatal(err)
		}
		exp.SetTypeEscaped(ptr(models.AFTERDURATION_EXPIRATIONPATTERNTYPE))
		exp.SetDuration(dur)
	}
	si.SetExpiration(exp)
	return si
}

type reqSpec struct {
	action        models.ScheduleRequestActions
	group         string
	principal     string
	duration      string // "" for no scheduleInfo
	justification string
	start         *time.Time
	ticket        bool
}

// scheduleRequest is what eligibility and assignment schedule requests both let a test set.
type scheduleRequest interface {
	SetAccessId(*models.PrivilegedAccessGroupRelationships)
	SetAction(*models.ScheduleRequestActions)
	SetGroupId(*string)
	SetPrincipalId(*string)
	SetJustification(*string)
}

// fillRequest sets the fields both kinds of request take from s.
func fillRequest(r scheduleRequest, s reqSpec) {
	r.SetAccessId(ptr(models.MEMBER_PRIVILEGEDACCESSGROUPRELATIONSHIPS))
	r.SetAction(ptr(s.action))
	r.SetGroupId(ptr(s.group))
	r.SetPrincipalId(ptr(s.principal))
	if s.justification != "" {
		r.SetJustification(ptr(s.justification))
	}
}

func eligibilityRequest(t *testing.T, s reqSpec) models.PrivilegedAccessGroupEligibilityScheduleRequestable {
	r := models.NewPrivilegedAccessGroupEligibilityScheduleRequest()
	fillRequest(r, s)
	if s.duration != "" {
		r.SetScheduleInfo(schedule(t, s.start, s.duration))
	}
	return r
}

func assignmentRequest(t *testing.T, s reqSpec) models.PrivilegedAccessGroupAssignmentScheduleRequestable {
	r := models.NewPrivilegedAccessGroupAssignmentScheduleRequest()
	fillRequest(r, s)
	if s.ticket {
		ti := models.NewTicketInfo()
		ti.SetTicketNumber(ptr("INC-1"))
		ti.SetTicketSystem(ptr("ServiceNow"))
		r.SetTicketInfo(ti)
	}
	if s.duration != "" {
		r.SetScheduleInfo(schedule(t, s.start, s.duration))
	}
	return r
}

func pimGroup(c *msgraphsdk.GraphServiceClient) *identitygovernance.PrivilegedAccessGroupRequestBuilder {
	return c.IdentityGovernance().PrivilegedAccess().Group()
}

func filterQuery(f string) *identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetRequestConfiguration {
	return &identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetRequestConfiguration{
		QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilitySchedulesRequestBuilderGetQueryParameters{Filter: ptr(f)}}
}

func parseISO(s string) (*serialization.ISODuration, error) { return serialization.ParseISODuration(s) }

func cmpDiff(a, b any) string { return cmp.Diff(a, b) }

// within reports whether t (as Graph wrote it, to 100 ns) lies between two readings of the emulator's
// clock, which moves in real time.
func within(t, from, to time.Time) bool {
	return !t.Before(from.Truncate(100*time.Nanosecond)) && !t.After(to)
}
