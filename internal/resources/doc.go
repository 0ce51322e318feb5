// Package resources holds the provider's Terraform resources, data sources and ephemeral resources, one
// file per object, plus the helpers they share: the Configure mixins (base.go), timeouts (timeouts.go)
// and the one diagnostics style of the provider (diag.go). Resources translate between Terraform values
// and the domain packages (internal/pim, internal/rbac); they never build URLs or JSON themselves.
package resources
