package rbac

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// Principal types a role binding accepts. Group is the default: it is what the scenario binds, and
// sending a type lets ARM skip the directory lookup that fails for principals created moments ago.
const (
	PrincipalUser             = "User"
	PrincipalGroup            = "Group"
	PrincipalServicePrincipal = "ServicePrincipal"
)

// PrincipalTypes lists the accepted principal types.
func PrincipalTypes() []string {
	return []string{PrincipalUser, PrincipalGroup, PrincipalServicePrincipal}
}

// AssignmentSpec is the desired role assignment.
type AssignmentSpec struct {
	// Scope in any accepted spelling; it is normalised before use.
	Scope string
	// RoleDefinitionID in any accepted form; the subscription form is sent.
	RoleDefinitionID string
	PrincipalID      string
	PrincipalType    string
	Description      string
	Condition        string
	ConditionVersion string
}

// Assignment is a role assignment as ARM reports it.
type Assignment struct {
	ID   string
	Name string
	// Scope is spelt as ARM reports it (the spelling it was created with).
	Scope            string
	RoleDefinitionID string
	PrincipalID      string
	PrincipalType    string
	Description      string
	Condition        string
	ConditionVersion string
}

// principalNotFoundInterval is the pause between tries while a new principal replicates.
var principalNotFoundInterval = 5 * time.Second

// errPrincipalMissing: Graph does not know the principal (yet).
var errPrincipalMissing = errors.New("principal not found in the directory")

func isPrincipalMissing(err error) bool { return errors.Is(err, errPrincipalMissing) }

// CreateAssignment creates the assignment under its deterministic name (AssignmentName), so a retried
// or interrupted create PUTs the same name and ARM answers 200 instead of creating a second assignment.
// The principal is first looked up in Graph as its principal type (ARM skips its own lookup when the
// type is sent, so a wrong ID would otherwise be accepted); a principal unknown to Graph, and ARM's
// PrincipalNotFound, are retried for the client's PrincipalNotFoundTimeout (*PrincipalNotFoundError
// after that); an existing assignment of the same principal, role and scope under another name is an
// *ExistingAssignmentError carrying its ID. ARM's answer to the PUT is the assignment: it is returned
// without reading it back (the contract lists no read lag for role assignments, and a read that missed
// it on a later plan would only lead to the same idempotent PUT under the same name).
func CreateAssignment(ctx context.Context, c *clients.Client, spec AssignmentSpec) (*Assignment, error) {
	sc, params, err := spec.prepare(c.SubscriptionID)
	if err != nil {
		return nil, err
	}
	name, err := AssignmentName(sc.ID, spec.RoleDefinitionID, spec.PrincipalID)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	// One window covers both waits for a principal that has not replicated yet: Graph not knowing it,
	// then ARM answering PrincipalNotFound.
	window := c.PrincipalNotFoundTimeout
	err = clients.RetryFor(ctx, window, principalNotFoundInterval, isPrincipalMissing, func(ctx context.Context) error {
		ok, err := principalKnown(ctx, c, spec.PrincipalID, spec.principalType())
		if err == nil && !ok {
			return errPrincipalMissing
		}
		return err
	})
	if errors.Is(err, errPrincipalMissing) {
		return nil, &PrincipalNotFoundError{PrincipalID: spec.PrincipalID, PrincipalType: spec.principalType(), Waited: time.Since(start),
			Err: fmt.Errorf("no %s with object ID %s is known to Microsoft Graph", strings.ToLower(spec.principalType()), spec.PrincipalID)}
	}
	if err != nil {
		return nil, fmt.Errorf("looking up principal %s: %w", spec.PrincipalID, err)
	}
	var created armauthorization.RoleAssignment
	markWritten(c, name)
	err = clients.RetryFor(ctx, max(0, window-time.Since(start)), principalNotFoundInterval, clients.IsPrincipalNotFound, func(ctx context.Context) error {
		resp, err := c.RoleAssignments.Create(ctx, sc.Wire, name, params, nil)
		created = resp.RoleAssignment
		return err
	})
	switch {
	case err == nil:
	case clients.IsPrincipalNotFound(err):
		return nil, &PrincipalNotFoundError{PrincipalID: spec.PrincipalID, PrincipalType: spec.principalType(), Waited: time.Since(start), Err: err}
	case clients.ErrorCode(err) == "RoleAssignmentExists":
		return nil, &ExistingAssignmentError{ID: findExisting(ctx, c, sc.ID, spec, err), Err: err}
	default:
		return nil, err
	}
	id := RoleAssignmentID{Scope: sc.ID, Name: name}
	a := assignmentFromARM(&created, id)
	// The ID as the scope was written: ARM echoes that spelling, and it is what imports back cleanly.
	a.ID = RoleAssignmentID{Scope: sc.ID, Name: name, WireScope: sc.Wire}.WireString()
	return a, nil
}

// UpdateAssignment changes the description and condition of an existing assignment (the only
// properties ARM lets change; scope, role and principal need a new assignment).
func UpdateAssignment(ctx context.Context, c *clients.Client, id string, spec AssignmentSpec) (*Assignment, error) {
	rid, err := ParseRoleAssignmentID(id)
	if err != nil {
		return nil, err
	}
	_, params, err := spec.prepare(c.SubscriptionID)
	if err != nil {
		return nil, err
	}
	markWritten(c, rid.Name)
	resp, err := c.RoleAssignments.Create(ctx, rid.Scope, rid.Name, params, nil)
	if err != nil {
		return nil, err
	}
	return assignmentFromARM(&resp.RoleAssignment, rid), nil
}

// GetAssignment reads an assignment by its ID; a missing one is an error IsAssignmentGone recognises.
// The result's ID and Scope are spelt as ARM reports them.
func GetAssignment(ctx context.Context, c *clients.Client, id string) (*Assignment, error) {
	rid, err := ParseRoleAssignmentID(id)
	if err != nil {
		return nil, err
	}
	resp, err := c.RoleAssignments.GetByID(ctx, rid.String(), nil)
	if err != nil {
		return nil, err
	}
	return assignmentFromARM(&resp.RoleAssignment, rid), nil
}

// DeleteAssignment deletes an assignment (a missing one is fine). ARM's answer to the DELETE is final:
// nothing waits on the assignment being gone, and a re-create PUTs the same name.
func DeleteAssignment(ctx context.Context, c *clients.Client, id string) error {
	rid, err := ParseRoleAssignmentID(id)
	if err != nil {
		return err
	}
	markWritten(c, rid.Name)
	if _, err := c.RoleAssignments.DeleteByID(ctx, rid.String(), nil); err != nil && !IsAssignmentGone(err) {
		return err
	}
	return nil
}

// IsAssignmentGone reports whether err says the assignment does not exist.
func IsAssignmentGone(err error) bool { return err != nil && clients.IsNotFound(err) }

func (s AssignmentSpec) principalType() string {
	if s.PrincipalType == "" {
		return PrincipalGroup
	}
	return s.PrincipalType
}

// prepare validates the spec and builds the PUT body.
func (s AssignmentSpec) prepare(subscriptionID string) (Scope, armauthorization.RoleAssignmentCreateParameters, error) {
	var params armauthorization.RoleAssignmentCreateParameters
	sc, err := NormalizeScope(s.Scope)
	if err != nil {
		return Scope{}, params, err
	}
	guid, err := RoleDefinitionGUID(s.RoleDefinitionID)
	if err != nil {
		return Scope{}, params, err
	}
	if !IsGUID(s.PrincipalID) {
		return Scope{}, params, fmt.Errorf("principal ID %q is not a GUID", s.PrincipalID)
	}
	pt := armauthorization.PrincipalType(s.principalType())
	props := &armauthorization.RoleAssignmentProperties{
		RoleDefinitionID: to.Ptr(SubscriptionRoleDefinitionID(subscriptionID, guid)),
		PrincipalID:      to.Ptr(s.PrincipalID),
		PrincipalType:    &pt,
	}
	if s.Description != "" {
		props.Description = to.Ptr(s.Description)
	}
	if s.Condition != "" {
		props.Condition = to.Ptr(s.Condition)
		v := s.ConditionVersion
		if v == "" {
			v = "2.0"
		}
		props.ConditionVersion = to.Ptr(v)
	}
	params.Properties = props
	return sc, params, nil
}

func assignmentFromARM(ra *armauthorization.RoleAssignment, fallback RoleAssignmentID) *Assignment {
	a := &Assignment{ID: fallback.String(), Name: fallback.Name, Scope: fallback.Scope}
	if ra.ID != nil {
		if rid, err := ParseRoleAssignmentID(*ra.ID); err == nil {
			a.ID, a.Name, a.Scope = rid.String(), rid.Name, rid.Scope
		}
	}
	if p := ra.Properties; p != nil {
		a.RoleDefinitionID = deref(p.RoleDefinitionID)
		a.PrincipalID = deref(p.PrincipalID)
		a.PrincipalType = string(deref(p.PrincipalType))
		a.Description = deref(p.Description)
		a.Condition = deref(p.Condition)
		a.ConditionVersion = deref(p.ConditionVersion)
		if p.Scope != nil {
			if _, err := NormalizeScope(*p.Scope); err == nil {
				a.Scope = *p.Scope // as ARM spells it; compare with SameScope
			}
		}
	}
	return a
}

// ARM's RoleAssignmentExists message may end with "The ID of the existing role assignment is
// <32 hex digits>." (the name without dashes).
var existingIDRE = regexp.MustCompile(`(?i)existing role assignment is ([0-9a-f]{32})`)

// listAssignmentsAt lists the role assignments at scope (and, as ARM answers it, above and below),
// following pages; with an error, those of the pages listed before it.
func listAssignmentsAt(ctx context.Context, c *clients.Client, scope string, opts *armauthorization.RoleAssignmentsClientListForScopeOptions) ([]*armauthorization.RoleAssignment, error) {
	return clients.ARMItems(ctx, c.RoleAssignments.NewListForScopePager(scope, opts),
		func(p armauthorization.RoleAssignmentsClientListForScopeResponse) []*armauthorization.RoleAssignment {
			return p.Value
		})
}

// findExisting looks for the assignment that made ARM answer RoleAssignmentExists: same principal, role
// and scope under another name. It lists the principal's assignments at the scope and falls back to the
// name ARM put in its message. "" when neither works; the caller still reports the conflict.
func findExisting(ctx context.Context, c *clients.Client, scope string, spec AssignmentSpec, cause error) string {
	// A failed page leaves the pages listed before it to search.
	ras, _ := listAssignmentsAt(ctx, c, scope, &armauthorization.RoleAssignmentsClientListForScopeOptions{
		Filter: to.Ptr(clients.ARMFilter("principalId eq '" + spec.PrincipalID + "'")),
	})
	for _, ra := range ras {
		if ra == nil || ra.ID == nil || ra.Properties == nil {
			continue
		}
		p := ra.Properties
		if strings.EqualFold(deref(p.PrincipalID), spec.PrincipalID) &&
			SameRoleDefinition(deref(p.RoleDefinitionID), spec.RoleDefinitionID) &&
			SameScope(deref(p.Scope), scope) {
			if rid, err := ParseRoleAssignmentID(*ra.ID); err == nil {
				return rid.String()
			}
			return *ra.ID
		}
	}
	if m := existingIDRE.FindStringSubmatch(clients.ErrorMessage(cause)); m != nil {
		h := strings.ToLower(m[1])
		return RoleAssignmentID{Scope: scope, Name: h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]}.String()
	}
	return ""
}
