package pim

import (
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pimcore"
)

// TestConfigVariants checks that each UNCONFIRMED choice follows its Config field.
func TestConfigVariants(t *testing.T) {
	t.Run("statuses of exists and does-not-exist", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.ExistsStatus, cfg.DoesNotExistStatus = 409, 404
		w := newWorld(t, cfg)
		w.mustCreate(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, uN01, "P1D"))
		_, err := w.create(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, uN01, "P1D"))
		wantErr(t, err, 409, "RoleAssignmentExists", "")
		_, err = w.create(pimcore.Eligibility, appCaller, durationInput("adminUpdate", gAdmin, uP01, "P1D"))
		wantErr(t, err, 404, "RoleAssignmentDoesNotExist", "")
	})
	t.Run("review result spelling and timeout status", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.ReviewResultAfterDecision, cfg.ApprovalTimeoutStatus = "Approved", "Denied"
		w := newWorld(t, cfg)
		w.mustCreate(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, gDefault, "P30D"))
		w.setApproval(pimcore.Approver{ID: uP01})
		r := w.mustCreate(pimcore.Assignment, n01Caller, durationInput("selfActivate", gAdmin, uN01, "PT1H"))
		w.e.mu.Lock()
		if err := w.e.decide(p01Caller, r.ID, r.ID, "Approve", "ok"); err != nil {
			t.Fatal(err)
		}
		w.e.mu.Unlock()
		if r.Stages[0].ReviewResult != "Approved" {
			t.Fatalf("reviewResult = %s", r.Stages[0].ReviewResult)
		}
		w.advance(2 * time.Hour)
		r2 := w.mustCreate(pimcore.Assignment, n01Caller, durationInput("selfActivate", gAdmin, uN01, "PT1H"))
		w.advance(25 * time.Hour)
		w.e.mu.Lock()
		w.e.sweep()
		w.e.mu.Unlock()
		if r2.Status != "Denied" || r2.Stages[0].Status != pimcore.StageExpired {
			t.Fatalf("timed out: %s / %s", r2.Status, r2.Stages[0].Status)
		}
	})
	t.Run("future start status and cancel", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.FutureStartStatus = "Granted"
		w := newWorld(t, cfg)
		in := durationInput("adminAssign", gAdmin, uN01, "P1D")
		in.ScheduleInfo.StartDateTime = ptr(w.now.Add(48 * time.Hour).Format(time.RFC3339))
		r := w.mustCreate(pimcore.Eligibility, appCaller, in)
		if r.Status != "Granted" || w.e.st.Schedules[r.TargetScheduleID].Active(w.now) {
			t.Fatalf("future request: %s", r.Status)
		}
		w.e.mu.Lock()
		err := w.e.cancelRequest(pimcore.Eligibility, appCaller, r.ID)
		w.e.mu.Unlock()
		if err != nil || r.Status != "Canceled" || w.e.st.Schedules[r.TargetScheduleID].Exists(w.now) {
			t.Fatalf("cancel of a future schedule: %v %s", err, r.Status)
		}
	})
	t.Run("schedules report the requested expiration", func(t *testing.T) {
		for _, report := range []bool{true, false} {
			cfg := DefaultConfig()
			cfg.SchedulesReportDateTime = report
			w := newWorld(t, cfg)
			r := w.mustCreate(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, uN01, "P25W5D"))
			rendered := w.e.renderSchedule(w.e.st.Schedules[r.TargetScheduleID])
			info, _ := rendered["scheduleInfo"].(map[string]any)
			exp, ok := info["expiration"].(map[string]any)
			if !ok {
				t.Fatalf("report=%v: no scheduleInfo.expiration object in %v", report, rendered)
			}
			want := map[bool]string{true: "afterDateTime", false: "afterDuration"}[report]
			if exp["type"] != want || (report && exp["endDateTime"] == nil) || (!report && exp["duration"] != "P180D") {
				t.Fatalf("report=%v: %v", report, exp)
			}
		}
	})
	t.Run("week durations", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.RejectWeekDurations = true
		w := newWorld(t, cfg)
		_, err := w.create(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, uN01, "P4W2D"))
		wantErr(t, err, 400, "InvalidRoleAssignmentRequest", "")
	})
	t.Run("minimum active age", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.MinimumActiveAge = 0
		w := newWorld(t, cfg)
		w.mustCreate(pimcore.Eligibility, appCaller, durationInput("adminAssign", gAdmin, uN01, "PT1M"))
		w.mustCreate(pimcore.Eligibility, appCaller, requestInput{Action: "adminRemove", AccessID: "member", GroupID: gAdmin, PrincipalID: uN01})
	})
}

func TestRenewAfterExpiry(t *testing.T) {
	w := newWorld(t, DefaultConfig())
	first := w.mustCreate(pimcore.Assignment, appCaller, durationInput("adminAssign", gAdmin, uP01, "PT1H"))
	w.advance(2 * time.Hour)
	_, err := w.create(pimcore.Assignment, appCaller, durationInput("adminExtend", gAdmin, uP01, "PT1H"))
	wantErr(t, err, 400, "RoleAssignmentDoesNotExist", "")
	renewed := w.mustCreate(pimcore.Assignment, appCaller, durationInput("adminRenew", gAdmin, uP01, "PT1H"))
	if renewed.TargetScheduleID == first.TargetScheduleID || !w.dir.IsMember(gAdmin, uP01, w.now) {
		t.Fatalf("renew: %s (first %s), member %v", renewed.TargetScheduleID, first.TargetScheduleID, w.dir.IsMember(gAdmin, uP01, w.now))
	}
}
