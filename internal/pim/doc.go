// Package pim is the domain of Entra groups and PIM for groups: group CRUD (create idempotency, owners,
// authoritative direct members), eligibility schedules (adminAssign/adminUpdate/adminRemove/cancel, read
// by schedule), the policy model (17 rules, defaults, mapping to and from the Graph rule models,
// per-rule PATCH, reset), activation and approval helpers, user look-ups, what the directory holds under
// a plan's object IDs (LookUpObjects: one getByIds request per run), ID parsers and the ISO-8601
// duration subset PIM accepts.
//
// It talks to Microsoft Graph through internal/clients and knows nothing about Terraform: callers get
// plain Go values and typed errors.
package pim
