// Package rbac is the domain of Azure RBAC at AKS scopes: the cluster and role-assignment ID formats,
// the scope builder (cluster, resource group, node resource group, node pool, namespace), deterministic
// role-assignment names, role-definition resolution with a per-instance cache, cluster facts, and role
// assignment CRUD with a bounded PrincipalNotFound retry and adoption hints for existing assignments.
//
// It knows nothing about Terraform: callers get plain Go values and typed errors, and turn them into
// diagnostics themselves.
package rbac
