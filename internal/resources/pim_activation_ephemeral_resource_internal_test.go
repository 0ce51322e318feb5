package resources

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// The ephemeral activation is driven here through its Open and Close methods, with the client of a user
// (n01) signed in to a private emulator: the provider cannot sign users in with a password, and Close's
// behaviour depends on PIM's minimum active age, which this emulator sets to ten minutes so that "too
// new" and "old enough" are decided by its clock, not by how fast the machine is.

const actTestMinimumAge = 10 * time.Minute

type actTestWorld struct {
	srv             *emulator.Server
	f               emulator.Fixtures
	admin, n01, p01 *clients.Client
	open, approval  string // groups: no approval needed / approval by the approver group
}

func actTestSetup(t *testing.T) *actTestWorld {
	t.Helper()
	cfg := emulator.DefaultConfig()
	cfg.PIM.MinimumActiveAge = actTestMinimumAge
	srv, who := emuclient.StartAll(t, cfg, emuclient.Quick())
	w := &actTestWorld{srv: srv, f: srv.Fixtures()}
	w.admin, w.n01, w.p01 = who.Admin, who.N01, who.P01

	ctx := t.Context()
	w.open = actTestGroup(t, w.admin, "open")
	w.approval = actTestGroup(t, w.admin, "approval")
	approver := actTestGroup(t, w.admin, "approver", w.f.P01.ID)
	policy := pim.DefaultPolicy()
	policy.Approval.Required = true
	policy.Approval.ApproverGroups = []string{approver}
	if _, _, err := pim.ApplyPolicy(ctx, w.admin, pim.PolicyKey{GroupID: w.approval, AccessID: pim.AccessMember}, policy); err != nil {
		t.Fatal(err)
	}
	d, _ := pim.ParseDuration("P1D")
	for _, g := range []string{w.open, w.approval} {
		if _, err := pim.CreateEligibility(ctx, w.admin, pim.EligibilitySpec{
			Key:      pim.EligibilityKey{GroupID: g, PrincipalID: w.f.N01.ID, AccessID: pim.AccessMember},
			Schedule: pim.Schedule{Duration: d}, Justification: "n01 may activate",
		}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func actTestGroup(t *testing.T, c *clients.Client, name string, members ...string) string {
	t.Helper()
	return emuclient.NewGroup(t, c, "eph-"+name, members...)
}

// actTestRun is one Open (and, when closed, its Close) of the ephemeral resource as the framework would
// call them.
type actTestRun struct {
	model   pimActivationModel
	diags   diag.Diagnostics
	private ephemeral.OpenResponse
}

func actTestOpen(t *testing.T, c *clients.Client, config map[string]tftypes.Value) actTestRun {
	t.Helper()
	ctx := t.Context()
	r := &pimActivationEphemeralResource{}
	r.client = c
	var sr ephemeral.SchemaResponse
	r.Schema(ctx, ephemeral.SchemaRequest{}, &sr)
	typ, ok := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("schema type is not an object")
	}
	attrs := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := config[name]; ok {
			attrs[name] = v
		} else {
			attrs[name] = tftypes.NewValue(at, nil)
		}
	}
	req := ephemeral.OpenRequest{Config: tfsdk.Config{Schema: sr.Schema, Raw: tftypes.NewValue(typ, attrs)}}
	resp := ephemeral.OpenResponse{Result: tfsdk.EphemeralResultData{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}}
	// The framework hands Open an initialised private-data store; its type is internal to the framework.
	pv := reflect.ValueOf(&resp.Private).Elem()
	pv.Set(reflect.New(pv.Type().Elem()))
	r.Open(ctx, req, &resp)
	run := actTestRun{diags: resp.Diagnostics, private: resp}
	if !resp.Diagnostics.HasError() {
		run.diags.Append(resp.Result.Get(ctx, &run.model)...)
	}
	return run
}

func actTestClose(t *testing.T, c *clients.Client, run actTestRun) diag.Diagnostics {
	t.Helper()
	r := &pimActivationEphemeralResource{}
	r.client = c
	var resp ephemeral.CloseResponse
	r.Close(t.Context(), ephemeral.CloseRequest{Private: run.private.Private}, &resp)
	return resp.Diagnostics
}

func actTestConfig(group, justification string, extra map[string]tftypes.Value) map[string]tftypes.Value {
	cfg := map[string]tftypes.Value{
		"group_id": tftypes.NewValue(tftypes.String, group),
		"duration": tftypes.NewValue(tftypes.String, "PT1H"),
	}
	if justification != "" {
		cfg["justification"] = tftypes.NewValue(tftypes.String, justification)
	}
	for k, v := range extra {
		cfg[k] = v
	}
	return cfg
}

func actTestHasDiag(diags diag.Diagnostics, summary string) bool {
	for _, d := range diags {
		if strings.Contains(d.Summary(), summary) {
			return true
		}
	}
	return false
}

func actTestActive(t *testing.T, w *actTestWorld, group string) int {
	t.Helper()
	got, err := pim.AssignmentInstances(t.Context(), w.admin, group, w.f.N01.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(got)
}

// TestPIMActivationEphemeralOpenClose: Open activates for the signed-in user; Close cannot end it within
// PIM's minimum age and says so; a second Open reuses the live activation and its Close leaves it alone;
// an activation old enough is ended by Close; the policy's justification rule is reported by name.
func TestPIMActivationEphemeralOpenClose(t *testing.T) {
	w := actTestSetup(t)

	run := actTestOpen(t, w.n01, actTestConfig(w.open, "", nil))
	if !run.diags.HasError() || !strings.Contains(run.diags[0].Detail(), "JustificationRule") {
		t.Fatalf("Open without justification: diagnostics %v, want an error naming JustificationRule", run.diags)
	}

	first := actTestOpen(t, w.n01, actTestConfig(w.open, "CHG-1", nil))
	if first.diags.HasError() {
		t.Fatalf("Open: %v", first.diags)
	}
	m := first.model
	if m.Status.ValueString() != pim.StatusProvisioned || !m.Active.ValueBool() || m.Reused.ValueBool() ||
		m.PrincipalID.ValueString() != w.f.N01.ID || m.AccessID.ValueString() != "member" || m.EndDateTime.IsNull() {
		t.Fatalf("Open result = %+v, want a fresh provisioned activation of n01 with an end", m)
	}
	if actTestActive(t, w, w.open) != 1 {
		t.Fatal("n01 is not active after Open")
	}

	again := actTestOpen(t, w.n01, actTestConfig(w.open, "CHG-1", nil))
	if again.diags.HasError() || !again.model.Reused.ValueBool() || again.model.RequestID.ValueString() != m.RequestID.ValueString() {
		t.Fatalf("second Open: %v / %+v, want the first activation reused", again.diags, again.model)
	}
	if d := actTestClose(t, w.n01, again); len(d) != 0 || actTestActive(t, w, w.open) != 1 {
		t.Fatalf("Close of a reused activation: %v; it must leave the activation alone", d)
	}

	if d := actTestClose(t, w.n01, first); !actTestHasDiag(d, "Left Active Until It Expires") || actTestActive(t, w, w.open) != 1 {
		t.Fatalf("Close within the minimum age: %v, want a warning and the activation still active", d)
	}

	// Past the first activation's end, a new one; once it is older than PIM's minimum, Close ends it.
	w.srv.AdvanceClock(time.Hour + time.Minute)
	third := actTestOpen(t, w.n01, actTestConfig(w.open, "CHG-2", map[string]tftypes.Value{"deactivate_on_close": tftypes.NewValue(tftypes.Bool, true)}))
	if third.diags.HasError() || third.model.Reused.ValueBool() || !third.model.Active.ValueBool() {
		t.Fatalf("Open after expiry: %v / %+v, want a new activation", third.diags, third.model)
	}
	w.srv.AdvanceClock(actTestMinimumAge + time.Minute)
	if d := actTestClose(t, w.n01, third); d.HasError() || len(d) != 0 {
		t.Fatalf("Close after the minimum age: %v", d)
	}
	if n := actTestActive(t, w, w.open); n != 0 {
		t.Fatalf("after Close n01 still holds %d active assignment(s)", n)
	}
}

// TestPIMActivationEphemeralApproval: with approval required Open reports PendingApproval with a warning,
// Close leaves the request for the approver, the next Open reports the same pending request, and
// wait_for_approval returns once p01 approves.
func TestPIMActivationEphemeralApproval(t *testing.T) {
	w := actTestSetup(t)
	ctx := t.Context()

	run := actTestOpen(t, w.n01, actTestConfig(w.approval, "CHG-3", nil))
	if run.diags.HasError() || run.model.Status.ValueString() != pim.StatusPendingApproval || run.model.Active.ValueBool() ||
		run.model.ApprovalID.IsNull() || !actTestHasDiag(run.diags, "Pending Approval") {
		t.Fatalf("Open with approval required: %v / %+v, want PendingApproval and a warning", run.diags, run.model)
	}
	if d := actTestClose(t, w.n01, run); d.HasError() {
		t.Fatalf("Close of a pending activation: %v", d)
	}
	pending, err := pim.MyPendingApprovals(ctx, w.p01)
	if err != nil || len(pending) != 1 || pending[0].Approval.ID != run.model.ApprovalID.ValueString() {
		t.Fatalf("after Close p01's pending approvals = %+v, %v; want the request still waiting", pending, err)
	}

	// p01 approves while Open waits.
	go func() {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			time.Sleep(300 * time.Millisecond)
			if err := pim.DecideApproval(context.Background(), w.p01, run.model.ApprovalID.ValueString(), pim.DecisionApprove, "ok"); err == nil {
				return
			}
		}
	}()
	waited := actTestOpen(t, w.n01, actTestConfig(w.approval, "CHG-3", map[string]tftypes.Value{"wait_for_approval": tftypes.NewValue(tftypes.Bool, true)}))
	if waited.diags.HasError() || !waited.model.Reused.ValueBool() || waited.model.Status.ValueString() != pim.StatusProvisioned || !waited.model.Active.ValueBool() {
		t.Fatalf("Open waiting for approval: %v / %+v, want the pending request reused and provisioned", waited.diags, waited.model)
	}
	if actTestActive(t, w, w.approval) != 1 {
		t.Fatal("n01 is not active after the approval")
	}
}

// waitFault makes the reads of one activation request fail the way a tenant can while Open waits for
// its approval: hang until the caller's deadline, or answer 403.
type waitFault struct {
	next      http.RoundTripper
	requestID string
	mode      string // "hang", "forbid" or "" (pass through)
}

func (f *waitFault) RoundTrip(r *http.Request) (*http.Response, error) {
	// A group's request ID is a GUID below /assignmentScheduleRequests/; a role's is the ARM resource ID.
	path := strings.ToLower(r.URL.Path)
	ours := strings.HasSuffix(path, "/assignmentschedulerequests/"+strings.ToLower(f.requestID)) || path == strings.ToLower(f.requestID)
	if f.mode == "" || r.Method != http.MethodGet || !ours {
		return f.next.RoundTrip(r)
	}
	if f.mode == "hang" {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	body := `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}`
	return &http.Response{
		StatusCode: http.StatusForbidden, Status: "403 Forbidden", Request: r,
		Header: http.Header{"Content-Type": []string{"application/json"}},
		Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
	}, nil
}

// TestPIMActivationEphemeralWaitFailure: when the wait for approval ends without an approval, the error
// names the request and its real cause: the open timeout while still pending, a refused read, or the
// approver's denial; never an empty request ID and status.
func TestPIMActivationEphemeralWaitFailure(t *testing.T) {
	w := actTestSetup(t)
	fault := &waitFault{}
	o := emuclient.Quick()
	o.WrapTransport = func(next http.RoundTripper) http.RoundTripper { fault.next = next; return fault }
	n01, err := emuclient.User(t.Context(), w.srv, w.f.N01.UPN, w.f.N01.Password, o)
	if err != nil {
		t.Fatal(err)
	}
	pending := actTestOpen(t, n01, actTestConfig(w.approval, "CHG-4", nil))
	if pending.diags.HasError() || pending.model.Status.ValueString() != pim.StatusPendingApproval {
		t.Fatalf("Open: %v / %+v, want a pending activation", pending.diags, pending.model)
	}
	id := pending.model.RequestID.ValueString()
	fault.requestID = id
	openTimeout := func(d string) map[string]tftypes.Value {
		typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"open": tftypes.String}}
		return map[string]tftypes.Value{
			"wait_for_approval": tftypes.NewValue(tftypes.Bool, true),
			"timeouts":          tftypes.NewValue(typ, map[string]tftypes.Value{"open": tftypes.NewValue(tftypes.String, d)}),
		}
	}
	detail := func(run actTestRun) string {
		t.Helper()
		if !run.diags.HasError() {
			t.Fatalf("Open: %v, want an error", run.diags)
		}
		return run.diags[0].Detail()
	}
	for _, c := range []struct {
		mode string
		want []string
	}{
		{"hang", []string{"(request " + id + ")", pim.StatusPendingApproval, "timeouts.open", "Original Error:", "deadline exceeded"}},
		{"forbid", []string{"(request " + id + ")", "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup", "HTTP 403 Authorization_RequestDenied"}},
	} {
		fault.mode = c.mode
		d := detail(actTestOpen(t, n01, actTestConfig(w.approval, "CHG-4", openTimeout("3s"))))
		for _, want := range c.want {
			if !strings.Contains(d, want) {
				t.Errorf("%s: detail lacks %q:\n%s", c.mode, want, d)
			}
		}
	}

	fault.mode = ""
	go func() {
		time.Sleep(500 * time.Millisecond)
		_ = pim.DecideApproval(context.Background(), w.p01, pending.model.ApprovalID.ValueString(), pim.DecisionDeny, "no")
	}()
	d := detail(actTestOpen(t, n01, actTestConfig(w.approval, "CHG-4", openTimeout("30s"))))
	for _, want := range []string{"(request " + id + ")", "status Denied", "new activation"} {
		if !strings.Contains(d, want) {
			t.Errorf("denied: detail lacks %q:\n%s", want, d)
		}
	}
}

// TestPIMRoleActivationWaitFailure: the role activation's wait for approval reports the pending request
// and its real cause like the group activation's; it once overwrote the pending request with the empty
// value of a failed read ("(request ) was not approved: status \"\"").
func TestPIMRoleActivationWaitFailure(t *testing.T) {
	cfg := emulator.DefaultConfig()
	cfg.AdminARMRole = "User Access Administrator" // to write the role's policy and the eligibility
	srv, who := emuclient.StartAll(t, cfg, emuclient.Quick())
	w := &actTestWorld{srv: srv, f: srv.Fixtures(), admin: who.Admin}
	ctx := t.Context()
	rd, err := rbac.ResolveRoleByName(ctx, w.admin, "Azure Kubernetes Service RBAC Admin")
	if err != nil {
		t.Fatal(err)
	}
	key := armpim.PolicyKey{Scope: w.f.ClusterID, RoleDefinitionID: rd.ID}
	st, err := armpim.ReadPolicy(ctx, w.admin, key)
	if err != nil {
		t.Fatal(err)
	}
	policy := st.Rules.Policy()
	policy.Activation.RequireMFA = false // no emulator token carries MFA (armpim.activation-mfa)
	policy.Approval = pim.ApprovalRules{Required: true, ApproverUsers: []string{w.f.P01.ID}, ApproverJustificationRequired: true, TimeoutDays: 1}
	if _, _, err := armpim.ApplyPolicy(ctx, w.admin, key, policy); err != nil {
		t.Fatal(err)
	}
	d, _ := pim.ParseDuration("P1D")
	if _, err := armpim.Create(ctx, w.admin, armpim.Spec{Kind: armpim.Eligible, Schedule: pim.Schedule{Duration: d}, Justification: "n01 may activate",
		Target: armpim.Target{Scope: w.f.ClusterID, RoleDefinitionID: rd.ID, PrincipalID: w.f.N01.ID}}); err != nil {
		t.Fatal(err)
	}
	fault := &waitFault{}
	o := emuclient.Quick()
	o.WrapTransport = func(next http.RoundTripper) http.RoundTripper { fault.next = next; return fault }
	n01, err := emuclient.User(ctx, w.srv, w.f.N01.UPN, w.f.N01.Password, o)
	if err != nil {
		t.Fatal(err)
	}
	config := func(extra map[string]tftypes.Value) map[string]tftypes.Value {
		cfg := map[string]tftypes.Value{
			"scope":         tftypes.NewValue(tftypes.String, w.f.ClusterID),
			"role":          tftypes.NewValue(tftypes.String, rd.Name),
			"duration":      tftypes.NewValue(tftypes.String, "PT1H"),
			"justification": tftypes.NewValue(tftypes.String, "INC-7"),
		}
		for k, v := range extra {
			cfg[k] = v
		}
		return cfg
	}
	pending := actTestOpen(t, n01, config(nil))
	if pending.diags.HasError() || pending.model.Status.ValueString() != pim.StatusPendingApproval {
		t.Fatalf("Open: %v / %+v, want a pending role activation", pending.diags, pending.model)
	}
	id := pending.model.RequestID.ValueString()
	fault.requestID, fault.mode = id, "forbid"
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"open": tftypes.String}}
	run := actTestOpen(t, n01, config(map[string]tftypes.Value{
		"wait_for_approval": tftypes.NewValue(tftypes.Bool, true),
		"timeouts":          tftypes.NewValue(typ, map[string]tftypes.Value{"open": tftypes.NewValue(tftypes.String, "3s")}),
	}))
	if !run.diags.HasError() {
		t.Fatalf("Open: %v, want an error", run.diags)
	}
	detail := run.diags[0].Detail()
	for _, want := range []string{"(request " + id + ")", pim.StatusPendingApproval, "reading it while waiting", "HTTP 403"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, detail)
		}
	}
}
