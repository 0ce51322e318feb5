package rbac

import (
	"fmt"
	"strings"
	"time"
)

// RoleNotFoundError: no role definition has this name at the subscription.
type RoleNotFoundError struct {
	Name  string
	Scope string
}

func (e *RoleNotFoundError) Error() string {
	return fmt.Sprintf("no role definition named %q is visible at %s", e.Name, e.Scope)
}

// AmbiguousRoleError: several role definitions share the name (custom roles can).
type AmbiguousRoleError struct {
	Name string
	IDs  []string
}

func (e *AmbiguousRoleError) Error() string {
	return fmt.Sprintf("%d role definitions are named %q: %s", len(e.IDs), e.Name, strings.Join(e.IDs, ", "))
}

// RoleDefinitionNotFoundError: no role definition has this ID.
type RoleDefinitionNotFoundError struct {
	ID  string
	Err error
}

func (e *RoleDefinitionNotFoundError) Error() string {
	return fmt.Sprintf("role definition %s does not exist: %v", e.ID, e.Err)
}

func (e *RoleDefinitionNotFoundError) Unwrap() error { return e.Err }

// ClusterNotFoundError: the cluster (or its resource group or subscription) does not exist.
type ClusterNotFoundError struct {
	ID  ClusterID
	Err error
}

func (e *ClusterNotFoundError) Error() string {
	return fmt.Sprintf("AKS cluster %q was not found in resource group %q of subscription %s: %v", e.ID.Name, e.ID.ResourceGroup, e.ID.SubscriptionID, e.Err)
}

func (e *ClusterNotFoundError) Unwrap() error { return e.Err }

// ExistingAssignmentError: ARM refused the create because the same principal already holds the same
// role at the same scope under another assignment name.
type ExistingAssignmentError struct {
	// ID is the existing assignment's resource ID ("" when ARM did not say and it could not be found).
	ID  string
	Err error
}

func (e *ExistingAssignmentError) Error() string {
	if e.ID == "" {
		return "the principal already holds this role at this scope under another role assignment: " + e.Err.Error()
	}
	return fmt.Sprintf("the principal already holds this role at this scope through role assignment %s", e.ID)
}

func (e *ExistingAssignmentError) Unwrap() error { return e.Err }

// PrincipalNotFoundError: ARM kept answering PrincipalNotFound for the whole retry window.
type PrincipalNotFoundError struct {
	PrincipalID   string
	PrincipalType string
	Waited        time.Duration
	Err           error
}

func (e *PrincipalNotFoundError) Error() string {
	return fmt.Sprintf("principal %s (type %s) was still not found after retrying for %s: %v", e.PrincipalID, e.PrincipalType, e.Waited.Round(time.Second), e.Err)
}

func (e *PrincipalNotFoundError) Unwrap() error { return e.Err }

// UnsupportedSubscriptionError: the cluster lives in another subscription than the provider's, which
// the ARM clients of this provider instance cannot reach.
type UnsupportedSubscriptionError struct {
	ClusterSubscription, ProviderSubscription string
}

func (e *UnsupportedSubscriptionError) Error() string {
	return fmt.Sprintf("the cluster is in subscription %s but the provider is configured for subscription %s; "+
		"configure a provider (alias) with subscription_id = %q for this cluster", e.ClusterSubscription, e.ProviderSubscription, e.ClusterSubscription)
}
