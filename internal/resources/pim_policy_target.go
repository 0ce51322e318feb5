package resources

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// policyTarget is the policy a policy resource manages, a group's (aks_pim_approval_policy) or a role's at
// a scope (aks_pim_role_policy): the domain package's calls bound to its key, and how its failures are
// told. Writing, reading and resetting it go the same way for both.
type policyTarget struct {
	id       string // the resource's ID
	object   string // in diagnostics: "PIM Approval Policy"
	notFound error  // the domain package's ErrPolicyNotFound
	explain  func(diags *diag.Diagnostics, verb string, err error)
	read     func(context.Context) (pim.Policy, error)
	// apply writes the rules that differ from desired and answers the policy then held, its ID and how
	// many rules it wrote.
	apply func(ctx context.Context, desired pim.Policy) (held pim.Policy, policyID string, written int, err error)
	// reset writes back what destroy leaves (resetTo in the log) and answers how many rules it wrote.
	reset   func(context.Context) (written int, err error)
	resetTo string
}

// write makes the policy say what settings says and returns the settings the service then holds (with
// settings' spellings); ok is false when it failed (diagnosed).
func (t policyTarget) write(ctx context.Context, verb string, settings policySettingsModel, diags *diag.Diagnostics) (policySettingsModel, bool) {
	desired, known, ds := policyExpand(ctx, settings)
	diags.Append(ds...)
	if ds.HasError() {
		return settings, false
	}
	if !known {
		diags.AddError(errorSummary(verb, t.object), "Some policy values were still unknown at apply time. This is a bug in the provider; please report it.")
		return settings, false
	}
	held, policyID, written, err := t.apply(ctx, desired)
	if err != nil {
		t.explain(diags, verb, err)
		return settings, false
	}
	tflog.Info(ctx, "PIM policy written", map[string]any{"id": t.id, "rules_written": written, "policy_id": policyID})
	out := settings
	policyFlatten(ctx, held, settings, &out)
	return out, true
}

// readSettings returns the settings the service holds (with prior's spellings); found is false when the
// policy is gone (its scope or group deleted), ok when reading failed (diagnosed).
func (t policyTarget) readSettings(ctx context.Context, prior policySettingsModel, diags *diag.Diagnostics) (settings policySettingsModel, found, ok bool) {
	held, err := t.read(ctx)
	switch {
	case errors.Is(err, t.notFound):
		tflog.Warn(ctx, "PIM policy not found (its group or scope deleted?); removing it from state", map[string]any{"id": t.id})
		return prior, false, true
	case err != nil:
		t.explain(diags, "Read", err)
		return prior, false, false
	}
	settings = prior
	policyFlatten(ctx, held, prior, &settings)
	return settings, true, true
}

// resetPolicy writes back what destroy leaves: a policy cannot be deleted.
func (t policyTarget) resetPolicy(ctx context.Context, diags *diag.Diagnostics) {
	written, err := t.reset(ctx)
	switch {
	case errors.Is(err, t.notFound):
		tflog.Warn(ctx, "PIM policy not found on destroy (its group or scope deleted?); nothing to reset", map[string]any{"id": t.id})
	case err != nil:
		t.explain(diags, "Delete", err)
	default:
		tflog.Info(ctx, "PIM policy reset to "+t.resetTo, map[string]any{"id": t.id, "rules_written": written})
	}
}
