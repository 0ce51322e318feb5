package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// How aks_pim_activation opens either kind of activation, a group's (PIM for groups) or a role's at a
// scope (PIM for Azure resources): request it or reuse the caller's, wait for its approval when asked,
// report it, and leave Close what it needs to end it.

// activation is an activation request as Open reports it, whichever kind.
type activation struct {
	requestID, approvalID, status string
	start, end                    time.Time
}

func (a activation) pending() bool     { return strings.EqualFold(a.status, pim.StatusPendingApproval) }
func (a activation) provisioned() bool { return strings.EqualFold(a.status, pim.StatusProvisioned) }

// activator is one kind of activation of one target.
type activator struct {
	object string // in diagnostics: "PIM Activation"
	what   string // what is activated, in sentences: "group {id}"
	// approvers are who approve it; readGrant what the identity needs to read the request while waiting.
	approvers, readGrant string
	// open requests the activation, or finds the caller's existing one (reused); refused explains its
	// failure.
	open    func(context.Context) (a activation, reused bool, err error)
	refused func(error) string
	// wait waits until the request is provisioned; it answers what it read last (zero when no read
	// succeeded).
	wait func(ctx context.Context, requestID string) (activation, error)
	// held fills in the window of a provisioned activation where the request does not tell it.
	held func(context.Context, *activation)
	// private is what Close needs to end it, but for the request and whether to end it.
	private activationPrivate
}

// openActivation opens act and reports it in m, the result and the private data for Close.
func openActivation(ctx context.Context, c *clients.Client, act activator, m pimActivationModel, resp *ephemeral.OpenResponse) {
	a, reused, err := act.open(ctx)
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("Open", act.object), act.refused(err))
		return
	}
	if a.pending() && m.WaitForApproval.ValueBool() {
		tflog.Info(ctx, "waiting for the activation to be approved", map[string]any{"request_id": a.requestID, "approval_id": a.approvalID})
		last, err := act.wait(ctx, a.requestID)
		if err != nil {
			resp.Diagnostics.AddError(errorSummary("Open", act.object), act.waitErrorDetail(a, last, err))
			return
		}
		a = last
	}
	if a.provisioned() && act.held != nil {
		act.held(ctx, &a)
	}
	me, _ := c.CallerObjectID(ctx)
	m.PrincipalID = types.StringValue(me)
	m.RequestID = types.StringValue(a.requestID)
	m.ApprovalID = types.StringValue(a.approvalID)
	m.Status = types.StringValue(a.status)
	m.Active = types.BoolValue(a.provisioned())
	m.Reused = types.BoolValue(reused)
	m.StartDateTime = timeString(a.start)
	m.EndDateTime = timeString(a.end)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
	if a.pending() {
		resp.Diagnostics.AddWarning("PIM Activation Pending Approval",
			fmt.Sprintf("The activation of %s (request %s) waits for approval. It takes effect once %s approves it; run Terraform "+
				"again then, or set wait_for_approval = true.", act.what, a.requestID, act.approvers))
	}
	p := act.private
	p.RequestID, p.Deactivate = a.requestID, !reused && (m.DeactivateOnClose.IsNull() || m.DeactivateOnClose.ValueBool())
	priv, _ := json.Marshal(p)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, activationPrivateKey, priv)...)
	tflog.Info(ctx, "PIM activation opened", map[string]any{"of": act.what, "request_id": a.requestID, "status": a.status, "reused": reused})
}

// waitErrorDetail explains why the wait for approval of the pending request ended without one; last
// is what the wait read last (zero when no read succeeded).
func (act activator) waitErrorDetail(pending, last activation, err error) string {
	status := last.status
	if status == "" {
		status = pending.status
	}
	subject := fmt.Sprintf("The activation of %s (request %s)", act.what, pending.requestID)
	switch {
	case pim.ActivationRequest{Status: last.status}.IsFinal():
		return errorDetail(fmt.Sprintf("%s ended with status %s before it was provisioned.", subject, status),
			"A denied, canceled or expired request cannot be approved any more: request a new activation (run Terraform again).", err)
	case errors.Is(err, context.DeadlineExceeded):
		return errorDetail(fmt.Sprintf("%s was still %s when timeouts.open ran out.", subject, status),
			"Ask "+act.approvers+" to approve it (Privileged Identity Management > Approve requests), "+
				"raise timeouts.open, or set wait_for_approval = false and run Terraform again once it is approved.", err)
	case clients.IsPermissionDenied(err):
		return errorDetail(fmt.Sprintf("%s was %s, but reading it while waiting for its approval was refused.", subject, status),
			"Grant the provider's identity "+act.readGrant+", or set wait_for_approval = false.", err)
	}
	return errorDetail(fmt.Sprintf("%s was %s when waiting for its approval failed.", subject, status),
		"If the error below is transient, run Terraform again: the pending request is reused, not requested twice.", err)
}
