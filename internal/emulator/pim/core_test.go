package pim

import (
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

const (
	gAdmin    = "aaaaaaaa-0000-4000-8000-000000000001"
	gDefault  = "aaaaaaaa-0000-4000-8000-000000000002"
	gApprover = "aaaaaaaa-0000-4000-8000-000000000003"
	uN01      = "bbbbbbbb-0000-4000-8000-000000000001"
	uP01      = "bbbbbbbb-0000-4000-8000-000000000002"
	uOwner    = "bbbbbbbb-0000-4000-8000-000000000003"
	spAdmin   = "cccccccc-0000-4000-8000-000000000001"
)

var (
	appCaller = reqctx.Caller{ObjectID: spAdmin, AppID: "app-client-id", IsApp: true}
	n01Caller = reqctx.Caller{ObjectID: uN01, UPN: "n01@contoso.test"}
	p01Caller = reqctx.Caller{ObjectID: uP01, UPN: "p01@contoso.test"}
)

type world struct {
	t   *testing.T
	dir *FakeDirectory
	now time.Time
	e   *Engine
}

func newWorld(t *testing.T, cfg Config) *world {
	w := &world{t: t, dir: NewFakeDirectory(), now: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	for id, name := range map[string]string{gAdmin: "admin", gDefault: "default", gApprover: "approver"} {
		w.dir.Add(id, KindGroup, name)
	}
	w.dir.Add(uN01, KindUser, "n01")
	w.dir.Add(uP01, KindUser, "p01")
	w.dir.Add(uOwner, KindUser, "owner")
	w.dir.Add(spAdmin, KindServicePrincipal, "admin-sp")
	w.dir.AddMember(gDefault, uN01)
	w.dir.AddMember(gApprover, uP01)
	w.dir.AddOwner(gApprover, uOwner)
	w.e = New(w.dir, func() time.Time { return w.now }, cfg)
	return w
}

func (w *world) advance(d time.Duration) { w.now = w.now.Add(d) }

func ptr[T any](v T) *T { return &v }

func durationInput(action, group, principal, d string) requestInput {
	return requestInput{Action: action, AccessID: "member", GroupID: group, PrincipalID: principal,
		Justification: ptr("because"),
		ScheduleInfo:  &pimcore.ScheduleInput{Expiration: &pimcore.ExpirationInput{Type: ptr("afterDuration"), Duration: ptr(d)}}}
}

func (w *world) create(k pimcore.Kind, c reqctx.Caller, in requestInput) (*request, *apiError) {
	w.e.mu.Lock()
	defer w.e.mu.Unlock()
	return w.e.createRequest(k, c, in)
}

func (w *world) mustCreate(k pimcore.Kind, c reqctx.Caller, in requestInput) *request {
	w.t.Helper()
	r, err := w.create(k, c, in)
	if err != nil {
		w.t.Fatalf("create %s %s: %v", k, in.Action, err)
	}
	return r
}

func (w *world) setApproval(approvers ...pimcore.Approver) {
	w.e.mu.Lock()
	defer w.e.mu.Unlock()
	p, _ := w.e.policy(gAdmin, "member")
	ap := pimcore.FindRule(p.Rules, "Approval_EndUser_Assignment")
	ap.Setting.IsApprovalRequired = true
	ap.Setting.ApprovalStages[0].Primary = approvers
	w.e.savePolicy(gAdmin, "member", p.Rules, spAdmin)
}

func wantErr(t *testing.T, err *apiError, status int, code, msgPart string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %d %s, got success", status, code)
	}
	if err.Status != status || err.Code != code || !strings.Contains(err.Message, msgPart) {
		t.Fatalf("want %d %s containing %q, got %v", status, code, msgPart, err)
	}
}

func TestRequestValidation(t *testing.T) {
	noExp := requestInput{Action: "adminAssign", AccessID: "member", GroupID: gAdmin, PrincipalID: uN01,
		ScheduleInfo: &pimcore.ScheduleInput{Expiration: &pimcore.ExpirationInput{Type: ptr("noExpiration")}}}
	tests := []struct {
		name    string
		kind    pimcore.Kind
		in      requestInput
		status  int
		code    string
		msgPart string
	}{
		{"year duration", pimcore.Eligibility, durationInput("adminAssign", gAdmin, uN01, "P1Y"), 400, "InvalidRoleAssignmentRequest", ""},
		{"month duration", pimcore.Eligibility, durationInput("adminAssign", gAdmin, uN01, "P6M"), 400, "InvalidRoleAssignmentRequest", ""},
		{"unknown action", pimcore.Eligibility, durationInput("selfActivate", gAdmin, uN01, "P1D"), 400, "InvalidRoleAssignmentRequest", ""},
		{"bad access", pimcore.Eligibility, func() requestInput {
			in := durationInput("adminAssign", gAdmin, uN01, "P1D")
			in.AccessID = "guest"
			return in
		}(), 400, "InvalidRoleAssignmentRequest", ""},
		{"recurrence", pimcore.Eligibility, func() requestInput {
			in := durationInput("adminAssign", gAdmin, uN01, "P1D")
			in.ScheduleInfo.Recurrence = []byte(`{"pattern":{}}`)
			return in
		}(), 400, "InvalidRoleAssignmentRequest", "Recurrence"},
		{"missing schedule", pimcore.Eligibility, requestInput{Action: "adminAssign", AccessID: "member", GroupID: gAdmin, PrincipalID: uN01},
			400, "InvalidRoleAssignmentRequest", "scheduleInfo"},
		{"too short", pimcore.Eligibility, durationInput("adminAssign", gAdmin, uN01, "PT4M"), 400, "InvalidRoleAssignmentRequest", ""},
		{"P1Y fails before existence", pimcore.Eligibility, durationInput("adminAssign", "aaaaaaaa-0000-4000-8000-00000000ffff", uN01, "P1Y"),
			400, "InvalidRoleAssignmentRequest", ""},
		{"unknown group", pimcore.Eligibility, durationInput("adminAssign", "aaaaaaaa-0000-4000-8000-00000000ffff", uN01, "P1D"), 400, "ResourceNotFound", ""},
		{"unknown principal", pimcore.Eligibility, durationInput("adminAssign", gAdmin, "bbbbbbbb-0000-4000-8000-00000000ffff", "P1D"), 400, "SubjectNotFound", ""},
		{"permanent eligibility", pimcore.Eligibility, noExp, 400, "RoleAssignmentRequestPolicyValidationFailed", `["ExpirationRule"]`},
		{"eligibility over a year", pimcore.Eligibility, durationInput("adminAssign", gAdmin, uN01, "P366D"),
			400, "RoleAssignmentRequestPolicyValidationFailed", `["ExpirationRule"]`},
		{"active assignment: all failed rules", pimcore.Assignment, noExp, 400, "RoleAssignmentRequestPolicyValidationFailed",
			`["ExpirationRule","JustificationRule"]`},
		{"active assignment over 180 days", pimcore.Assignment, durationInput("adminAssign", gAdmin, uN01, "P25W6D"),
			400, "RoleAssignmentRequestPolicyValidationFailed", `["ExpirationRule"]`},
		{"remove nothing", pimcore.Eligibility, requestInput{Action: "adminRemove", AccessID: "member", GroupID: gAdmin, PrincipalID: uN01},
			400, "RoleAssignmentDoesNotExist", "does not exist"},
		{"update nothing", pimcore.Eligibility, durationInput("adminUpdate", gAdmin, uN01, "P1D"), 400, "RoleAssignmentDoesNotExist", ""},
		{"activate without eligibility", pimcore.Assignment, durationInput("selfActivate", gAdmin, uN01, "PT1H"),
			400, "RoleAssignmentRequestPolicyValidationFailed", `["EligibilityRule"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, DefaultConfig())
			c := appCaller
			if tt.in.Action == "selfActivate" && tt.kind == pimcore.Assignment {
				c = n01Caller
			}
			_, err := w.create(tt.kind, c, tt.in)
			wantErr(t, err, tt.status, tt.code, tt.msgPart)
			if len(w.e.st.Requests) != 0 || len(w.e.st.Schedules) != 0 {
				t.Fatalf("a rejected request left state behind: %d requests, %d schedules",
					len(w.e.st.Requests), len(w.e.st.Schedules))
			}
		})
	}
}

func TestEligibilityLifecycle(t *testing.T) {
	w := newWorld(t, DefaultConfig())
	in := durationInput("AdminAssign", gAdmin, uN01, "P180D")
	in.AccessID = "Member"
	in.ScheduleInfo.StartDateTime = ptr(w.now.Add(-24 * time.Hour).Format(time.RFC3339))
	r := w.mustCreate(pimcore.Eligibility, appCaller, in)
	if r.Status != "Provisioned" || r.Action != "adminAssign" || r.AccessID != "member" {
		t.Fatalf("request = %s %s %s, want Provisioned adminAssign member", r.Status, r.Action, r.AccessID)
	}
	if want := gAdmin + "_member_" + r.ID; r.TargetScheduleID != want {
		t.Fatalf("targetScheduleId = %s, want %s", r.TargetScheduleID, want)
	}
	if !r.Start.Equal(w.now) {
		t.Fatalf("past start not normalised to now: %v", r.Start)
	}
	s := w.e.st.Schedules[r.TargetScheduleID]
	if s == nil || !s.End.Equal(w.now.Add(180*24*time.Hour)) {
		t.Fatalf("schedule = %+v", s)
	}
	if len(w.dir.Timed()) != 0 {
		t.Fatalf("an eligibility must not create a membership")
	}

	_, err := w.create(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, uN01, "P10D"))
	wantErr(t, err, 400, "RoleAssignmentExists", "already exists")

	upd := w.mustCreate(pimcore.Eligibility, appCaller, durationInput("adminUpdate", gAdmin, uN01, "P90D"))
	if upd.TargetScheduleID == r.TargetScheduleID || !strings.HasSuffix(upd.TargetScheduleID, upd.ID) {
		t.Fatalf("update must target a new schedule, got %s (old %s)", upd.TargetScheduleID, r.TargetScheduleID)
	}
	if w.e.st.Schedules[r.TargetScheduleID].Exists(w.now) {
		t.Fatalf("the replaced schedule is still effective")
	}

	rm := requestInput{Action: "adminRemove", AccessID: "member", GroupID: gAdmin, PrincipalID: uN01}
	_, err = w.create(pimcore.Eligibility, appCaller, rm)
	wantErr(t, err, 400, "ActiveDurationTooShort", "")
	w.advance(5 * time.Minute)
	gone := w.mustCreate(pimcore.Eligibility, appCaller, rm)
	if gone.Status != "Revoked" || gone.TargetScheduleID != upd.TargetScheduleID {
		t.Fatalf("removal = %s targeting %s, want Revoked targeting %s", gone.Status, gone.TargetScheduleID, upd.TargetScheduleID)
	}
	_, err = w.create(pimcore.Eligibility, appCaller, rm)
	wantErr(t, err, 400, "RoleAssignmentDoesNotExist", "")
}

func TestActiveAssignmentCreatesMembership(t *testing.T) {
	w := newWorld(t, DefaultConfig())
	r := w.mustCreate(pimcore.Assignment, appCaller, durationInput("adminAssign", gAdmin, uP01, "PT2H"))
	rel, ok := w.dir.Timed()[r.TargetScheduleID]
	if !ok || rel.Access != "member" || !rel.End.Equal(w.now.Add(2*time.Hour)) {
		t.Fatalf("timed relationship = %+v, %v", rel, ok)
	}
	ext := w.mustCreate(pimcore.Assignment, appCaller, durationInput("adminExtend", gAdmin, uP01, "PT4H"))
	timed := w.dir.Timed()
	if _, old := timed[r.TargetScheduleID]; old || len(timed) != 1 || timed[ext.TargetScheduleID].End.IsZero() {
		t.Fatalf("extend must replace the relationship: %+v", timed)
	}
}

func TestSelfActivationThroughGroupEligibility(t *testing.T) {
	w := newWorld(t, DefaultConfig())
	w.mustCreate(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, gDefault, "P30D"))

	over := durationInput("selfActivate", gAdmin, uN01, "PT9H")
	over.Justification = nil
	_, err := w.create(pimcore.Assignment, n01Caller, over)
	wantErr(t, err, 400, "RoleAssignmentRequestPolicyValidationFailed", `["ExpirationRule","JustificationRule"]`)

	_, err = w.create(pimcore.Assignment, p01Caller, durationInput("selfActivate", gAdmin, uN01, "PT1H"))
	wantErr(t, err, 400, "InvalidRoleAssignmentRequest", "principalId")

	r := w.mustCreate(pimcore.Assignment, n01Caller, durationInput("selfActivate", gAdmin, uN01, "PT1H"))
	if r.Status != "Provisioned" || r.MemberType != "group" {
		t.Fatalf("activation = %s memberType %s, want Provisioned group", r.Status, r.MemberType)
	}
	s := w.e.st.Schedules[r.TargetScheduleID]
	if s.AssignmentType != "activated" || s.MemberType != "group" || s.ActivatedUsing == "" {
		t.Fatalf("schedule = %+v", s)
	}
	if !w.dir.IsMember(gAdmin, uN01, w.now) {
		t.Fatalf("n01 is not a member of admin after activation")
	}
	_, err = w.create(pimcore.Assignment, n01Caller, durationInput("selfActivate", gAdmin, uN01, "PT1H"))
	wantErr(t, err, 400, "RoleAssignmentExists", "")

	deact := requestInput{Action: "SelfDeactivate", AccessID: "member", GroupID: gAdmin, PrincipalID: uN01}
	_, err = w.create(pimcore.Assignment, n01Caller, deact)
	wantErr(t, err, 400, "ActiveDurationTooShort", "")
	w.advance(10 * time.Minute)
	d := w.mustCreate(pimcore.Assignment, n01Caller, deact)
	if d.Status != "Revoked" || w.dir.IsMember(gAdmin, uN01, w.now) {
		t.Fatalf("deactivation = %s, still member = %v", d.Status, w.dir.IsMember(gAdmin, uN01, w.now))
	}
}

func TestApprovalFlow(t *testing.T) {
	w := newWorld(t, DefaultConfig())
	w.mustCreate(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, gDefault, "P30D"))
	w.dir.AddMember(gApprover, uN01) // the requester is an approver too, and still may not approve
	w.setApproval(pimcore.Approver{ID: gApprover, Group: true})

	r := w.mustCreate(pimcore.Assignment, n01Caller, durationInput("selfActivate", gAdmin, uN01, "PT2H"))
	if r.Status != "PendingApproval" || r.ApprovalID != r.ID || len(r.Stages) != 1 || r.Stages[0].ID != r.ID {
		t.Fatalf("pending activation = %+v", r)
	}
	if w.dir.IsMember(gAdmin, uN01, w.now) {
		t.Fatalf("member before approval")
	}
	_, err := w.create(pimcore.Assignment, n01Caller, durationInput("selfActivate", gAdmin, uN01, "PT2H"))
	wantErr(t, err, 400, "PendingRoleAssignmentRequest", "")

	decide := func(c reqctx.Caller, result, justification string) *apiError {
		w.e.mu.Lock()
		defer w.e.mu.Unlock()
		return w.e.decide(c, r.ID, r.ID, result, justification)
	}
	wantErr(t, decide(n01Caller, "Approve", "ok"), 403, "Authorization_RequestDenied", "requestor")
	wantErr(t, decide(reqctx.Caller{ObjectID: uOwner}, "Approve", "ok"), 403, "Authorization_RequestDenied", "not an approver")
	wantErr(t, decide(appCaller, "Approve", "ok"), 403, "Authorization_RequestDenied", "")
	wantErr(t, decide(p01Caller, "Approve", ""), 400, "BadRequest", "justification")
	wantErr(t, decide(p01Caller, "Maybe", "ok"), 400, "BadRequest", "reviewResult")

	w.advance(time.Hour)
	if err := decide(p01Caller, "approve", "ok"); err != nil {
		t.Fatalf("approve: %v", err)
	}
	wantErr(t, decide(p01Caller, "Deny", "no"), 409, "Conflict", "")
	// reviewResult after a decision: Approved, as api-reference/v1.0/resources/approvalstage.md lists it.
	if r.Status != "Provisioned" || r.Stages[0].ReviewResult != "Approved" || r.Stages[0].ReviewedBy != uP01 {
		t.Fatalf("after approval: %s %+v", r.Status, r.Stages[0])
	}
	s := w.e.st.Schedules[r.TargetScheduleID]
	if !s.Start.Equal(w.now) || !s.End.Equal(w.now.Add(2*time.Hour)) {
		t.Fatalf("activation approved late must start at approval: %v..%v", s.Start, *s.End)
	}
	if !w.dir.IsMember(gAdmin, uN01, w.now) {
		t.Fatalf("not a member after approval")
	}
	w.advance(2 * time.Hour)
	if w.dir.IsMember(gAdmin, uN01, w.now) || s.Active(w.now) {
		t.Fatalf("still active after the end")
	}
}

func TestApprovalDenyCancelTimeout(t *testing.T) {
	for _, tt := range []struct {
		name string
		act  func(w *world, r *request) *apiError
		want string
	}{
		{"deny", func(w *world, r *request) *apiError { return w.e.decide(p01Caller, r.ID, r.ID, "Deny", "no") }, "Denied"},
		{"cancel", func(w *world, r *request) *apiError { return w.e.cancelRequest(pimcore.Assignment, n01Caller, r.ID) }, "Canceled"},
		{"timeout", func(w *world, r *request) *apiError {
			w.advance(24*time.Hour - time.Second)
			if w.e.sweep() {
				return &apiError{Message: "timed out early"}
			}
			w.advance(time.Second)
			if !w.e.sweep() {
				return &apiError{Message: "did not time out"}
			}
			return nil
		}, "Canceled"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, DefaultConfig())
			w.mustCreate(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, gDefault, "P30D"))
			w.setApproval(pimcore.Approver{ID: uP01})
			r := w.mustCreate(pimcore.Assignment, n01Caller, durationInput("selfActivate", gAdmin, uN01, "PT2H"))
			w.e.mu.Lock()
			err := tt.act(w, r)
			w.e.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tt.want || w.dir.IsMember(gAdmin, uN01, w.now) {
				t.Fatalf("status %s (want %s), member %v", r.Status, tt.want, w.dir.IsMember(gAdmin, uN01, w.now))
			}
			w.e.mu.Lock()
			defer w.e.mu.Unlock()
			wantErr(t, w.e.cancelRequest(pimcore.Assignment, n01Caller, r.ID), 400, "InvalidRoleAssignmentRequest", "cannot be canceled")
		})
	}
}

func TestPolicyIDsChangeAtOnboarding(t *testing.T) {
	for _, regenerate := range []bool{true, false} {
		cfg := DefaultConfig()
		cfg.RegeneratePolicyIDsOnOnboarding = regenerate
		w := newWorld(t, cfg)
		before, _ := w.e.policy(gAdmin, "member")
		owner, _ := w.e.policy(gAdmin, "owner")
		again, _ := w.e.policy(gAdmin, "member")
		if before.ID() != again.ID() || before.GUID == owner.GUID || len(before.Rules) != 17 {
			t.Fatalf("fresh policies: member %s/%s, owner %s, %d rules", before.ID(), again.ID(), owner.ID(), len(before.Rules))
		}
		if !strings.HasPrefix(before.ID(), "Group_"+gAdmin+"_") || before.AssignmentID() != before.ID()+"_member" {
			t.Fatalf("ID formats: %s %s", before.ID(), before.AssignmentID())
		}
		w.mustCreate(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, uN01, "P10D"))
		after, _ := w.e.policy(gAdmin, "member")
		if (after.ID() != before.ID()) != regenerate {
			t.Fatalf("regenerate=%v: before %s after %s", regenerate, before.ID(), after.ID())
		}
		if _, ok := w.e.policyByID(before.ID()); ok == regenerate {
			t.Fatalf("regenerate=%v: old ID resolves = %v", regenerate, ok)
		}
		if _, ok := w.e.policyByAssignmentID(after.AssignmentID()); !ok {
			t.Fatalf("new assignment ID does not resolve")
		}
	}
}
