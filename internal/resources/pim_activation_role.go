package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/ephemeralvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// aks_pim_activation of an eligible Azure role at a scope (PIM for Azure resources): the role counterpart
// of the group activation in pim_activation_ephemeral_resource.go, with the same approval wait, reuse of
// an existing activation and close.

const roleActivationObject = "PIM Role Activation"

func roleActivationValidators() []ephemeral.ConfigValidator {
	return []ephemeral.ConfigValidator{
		ephemeralvalidator.ExactlyOneOf(path.MatchRoot("group_id"), path.MatchRoot("scope")),
		ephemeralvalidator.Conflicting(path.MatchRoot("group_id"), path.MatchRoot("role")),
		ephemeralvalidator.Conflicting(path.MatchRoot("group_id"), path.MatchRoot("role_definition_id")),
		ephemeralvalidator.Conflicting(path.MatchRoot("scope"), path.MatchRoot("access_id")),
		ephemeralvalidator.Conflicting(path.MatchRoot("role"), path.MatchRoot("role_definition_id")),
	}
}

// openRole activates the caller's eligible role at m.Scope.
func (r *pimActivationEphemeralResource) openRole(ctx context.Context, c *clients.Client, m pimActivationModel, resp *ephemeral.OpenResponse) {
	roleID := m.RoleDefinitionID.ValueString()
	switch {
	case roleID == "" && m.Role.ValueString() == "":
		resp.Diagnostics.AddAttributeError(path.Root("scope"), errorSummary("Open", roleActivationObject),
			"An activation at a scope needs the role: set role or role_definition_id.")
		return
	case roleID == "":
		rd, err := rbac.ResolveRoleByName(ctx, c, m.Role.ValueString())
		if err != nil {
			addAttributeAPIError(&resp.Diagnostics, path.Root("role"), "Resolve", "Role", err, grantRoleDefinitionRead)
			return
		}
		roleID = rd.ID
	case m.Role.IsNull() || m.Role.IsUnknown():
		if rd, err := rbac.ResolveRoleByID(ctx, c, roleID); err == nil {
			m.Role = types.StringValue(rd.Name)
		}
	}
	spec := armpim.ActivationSpec{Scope: m.Scope.ValueString(), RoleDefinitionID: roleID, Duration: m.Duration.Duration(),
		Justification: m.Justification.ValueString(), TicketNumber: m.TicketNumber.ValueString(), TicketSystem: m.TicketSystem.ValueString()}
	m.AccessID, m.GroupID = types.StringNull(), types.StringNull()
	m.RoleDefinitionID = types.StringValue(roleID)
	if m.Role.IsUnknown() {
		m.Role = types.StringNull()
	}
	openActivation(ctx, c, roleActivator(c, spec, fmt.Sprintf("role %s at %s", roleNameOr(m.Role, roleID), spec.Scope)), m, resp)
}

// roleActivator activates the caller's eligible role at a scope; what names them in sentences.
func roleActivator(c *clients.Client, spec armpim.ActivationSpec, what string) activator {
	of := func(a armpim.Activation) activation {
		return activation{requestID: a.RequestID, approvalID: a.ApprovalID, status: a.Status, start: a.Start, end: a.End}
	}
	return activator{object: roleActivationObject, what: what, approvers: "an approver of the role's policy",
		readGrant: "an Azure role with Microsoft.Authorization/roleAssignmentScheduleRequests/read at the scope",
		open: func(ctx context.Context) (activation, bool, error) {
			a, reused, err := roleActivationOpen(ctx, c, spec)
			return of(a), reused, err
		},
		refused: func(err error) string { return roleActivationErrorDetail(what, err) },
		wait: func(ctx context.Context, requestID string) (activation, error) {
			a, err := armpim.WaitActivation(ctx, c, requestID, armpim.Activation.IsProvisioned)
			return of(a), err
		},
		private: activationPrivate{Scope: spec.Scope, RoleDefinitionID: spec.RoleDefinitionID},
	}
}

func roleNameOr(name types.String, id string) string {
	if known(name) {
		return fmt.Sprintf("%q", name.ValueString())
	}
	return id
}

// roleActivationOpen requests the activation, or finds the one the caller already has (active, or
// pending approval) when PIM answers that it exists.
func roleActivationOpen(ctx context.Context, c *clients.Client, spec armpim.ActivationSpec) (armpim.Activation, bool, error) {
	a, err := armpim.SelfActivate(ctx, c, spec)
	var exists *armpim.ActivationExistsError
	if !errors.As(err, &exists) {
		return a, false, err
	}
	mine, lerr := armpim.MyActivations(ctx, c, spec.Scope, spec.RoleDefinitionID)
	if lerr != nil {
		return a, false, err
	}
	for i := len(mine) - 1; i >= 0; i-- {
		r := mine[i]
		if r.IsPendingApproval() || (r.IsProvisioned() && (r.End.IsZero() || r.End.After(c.Now()))) {
			return r, true, nil
		}
	}
	return a, false, err
}

// roleActivationErrorDetail explains a refused role activation in the user's terms.
func roleActivationErrorDetail(what string, err error) string {
	var pe *pim.PolicyRejectedError
	switch {
	case errors.As(err, &pe):
		return errorDetail(fmt.Sprintf("PIM refused the activation of %s: %s.", what, strings.Join(pe.Names(), ", ")),
			rejectionAdvice(pe, roleActivationAdvice), err)
	case clients.IsPermissionDenied(err):
		return errorDetail(fmt.Sprintf("The provider's identity may not activate %s.", what),
			"Activation is a call the principal makes for itself: authenticate as the eligible user (for example use_cli).", err)
	}
	return apiErrorDetail("Open", roleActivationObject, err, "an eligibility for the role at the scope")
}

// roleActivationCloser ends the role activation Open requested.
func roleActivationCloser(c *clients.Client, p activationPrivate) activationCloser {
	return activationCloser{what: "role " + p.RoleDefinitionID + " at " + p.Scope,
		read: func(ctx context.Context) (bool, string, time.Time, error) {
			a, err := armpim.ReadActivation(ctx, c, p.RequestID)
			return a.IsProvisioned(), a.Status, a.End, err
		},
		deactivate: func(ctx context.Context) (bool, error) {
			err := armpim.SelfDeactivate(ctx, c, p.Scope, p.RoleDefinitionID)
			if errors.Is(err, armpim.ErrNotActive) {
				return false, nil
			}
			return errors.Is(err, armpim.ErrTooNew), err
		},
	}
}
