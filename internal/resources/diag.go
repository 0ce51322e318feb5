package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// The provider's one diagnostics style: the summary is Title Case and names the operation and object
// ("Unable to Create PIM Group"); the detail says what happened, what to do next, and ends with
// "Original Error: ...". Every resource builds its error diagnostics through these helpers.

// What the provider's identity needs, worded for the "what to do next" part of a permission error.
const (
	grantGroupWrite = "the Microsoft Graph application permission Group.ReadWrite.All (admin consent required); " +
		"Group.Create is enough to create groups the identity then owns"
	grantGroupRead           = "the Microsoft Graph application permission Group.Read.All (or Group.ReadWrite.All)"
	grantRoleAssignableGroup = "the Microsoft Graph application permission RoleManagement.ReadWrite.Directory in addition to Group.ReadWrite.All"
	grantUserRead            = "the Microsoft Graph application permission User.Read.All (or Directory.Read.All)"
	grantRoleAssignmentWrite = `the Azure role "Role Based Access Control Administrator" (or "User Access Administrator") at the ` +
		`assignment's scope or above, which grants Microsoft.Authorization/roleAssignments/write and /delete`
	grantRoleAssignmentRead = `an Azure role with Microsoft.Authorization/roleAssignments/read at the scope (e.g. "Reader")`
	grantRoleDefinitionRead = `an Azure role with Microsoft.Authorization/roleDefinitions/read on the subscription (e.g. "Reader")`
	grantClusterRead        = `an Azure role with Microsoft.ContainerService/managedClusters/read on the cluster (e.g. "Reader" on its resource group)`
)

// errorSummary is the Title Case summary of a failed operation: "Unable to <Verb> <Object>".
func errorSummary(verb, object string) string {
	return "Unable to " + verb + " " + object
}

// errorDetail joins what happened, what to do next and the original error.
func errorDetail(what, next string, err error) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(what))
	if next != "" {
		b.WriteString("\n\n")
		b.WriteString(strings.TrimSpace(next))
	}
	if err != nil {
		b.WriteString("\n\nOriginal Error: ")
		b.WriteString(originalError(err))
	}
	return b.String()
}

// originalError renders an API error compactly ("HTTP 403 AuthorizationFailed: message") and any other
// error as is.
func originalError(err error) string {
	status, code := clients.StatusCode(err), clients.ErrorCode(err)
	if status == 0 && code == "" {
		return err.Error()
	}
	var parts []string
	if status != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", status))
	}
	if code != "" {
		parts = append(parts, code)
	}
	return strings.Join(parts, " ") + ": " + clients.ErrorMessage(err)
}

// apiErrorClass is a class of API errors, with what happened and what to do next; {verb}, {object},
// {timeout} and {grant} stand for the operation's verb (lower case), its object, its timeouts key and
// what the identity needs.
type apiErrorClass struct {
	is         func(error) bool
	what, next string
}

// apiErrorClasses are the classes apiErrorDetail explains, in the order it tries them; apiErrorOther
// explains the rest.
var apiErrorClasses = []apiErrorClass{
	{func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
		"The {verb} of the {object} did not finish within its timeout.",
		"Raise timeouts.{timeout} on the resource, or run the command again later: the service may be slow or throttling requests."},
	{func(err error) bool { return errors.Is(err, context.Canceled) },
		"The {verb} of the {object} was interrupted before it finished.",
		"Run the command again; the provider picks up where the interrupted run stopped."},
	{clients.IsPermissionDenied,
		"The service refused to {verb} the {object} because the provider's identity lacks a permission.",
		"Grant the provider's identity {grant}, then run the command again. New permissions can take a few minutes to take effect."},
	{clients.IsThrottled,
		"The service kept throttling requests (HTTP 429) while trying to {verb} the {object}, beyond what the retries could absorb.",
		"Run the command again later, lower Terraform's -parallelism, or raise the operation's timeout."},
	{clients.IsPrincipalNotFound,
		"The principal was not found in the directory.",
		"Check the principal ID and principal_type. If the principal was created moments ago, this is a replication delay; run the command again."},
	{clients.IsPolicyViolation,
		"A policy rejected the request to {verb} the {object}.",
		"Change the configuration to satisfy the policy named in the error below, or change the policy."},
	{clients.IsNotFound,
		"An object needed to {verb} the {object} does not exist.",
		"Check the IDs in the configuration; if the object was deleted outside Terraform, refresh and apply again."},
	{clients.IsConflict,
		"The request to {verb} the {object} conflicts with an existing object.",
		"Import the existing object into Terraform, or remove it, then run the command again."},
}

var apiErrorOther = apiErrorClass{
	what: "The service returned an error while trying to {verb} the {object}.",
	next: "Check the error below. If it is transient, run the command again; if it persists, report it with the request ID from the log (TF_LOG=DEBUG).",
}

// apiErrorDetail explains a failed API call by its error class. grant says what the provider's identity
// needs for this operation, for permission errors (unless the error names it itself).
func apiErrorDetail(verb, object string, err error, grant string) string {
	if hint, ok := clients.PermissionHint(err); ok {
		grant = hint
	}
	words := strings.NewReplacer("{verb}", strings.ToLower(verb), "{object}", object, "{timeout}", timeoutKey(verb), "{grant}", grant)
	class := apiErrorOther
	for _, c := range apiErrorClasses {
		if c.is(err) {
			class = c
			break
		}
	}
	return errorDetail(words.Replace(class.what), words.Replace(class.next), err)
}

// timeoutKey maps an operation verb to the attribute name in the timeouts object.
func timeoutKey(verb string) string {
	switch strings.ToLower(verb) {
	case "create", "import":
		return "create"
	case "update":
		return "update"
	case "delete":
		return "delete"
	default:
		return "read"
	}
}

// addImportIDError reports an import ID that is not expected (a noun phrase: "a role assignment ID"),
// with use, how to write one.
func addImportIDError(diags *diag.Diagnostics, object, id, expected, use string, err error) {
	diags.AddError(errorSummary("Import", object), errorDetail(fmt.Sprintf("%q is not %s.", id, expected), use, err))
}

// addAPIError adds the diagnostic for a failed API call.
func addAPIError(diags *diag.Diagnostics, verb, object string, err error, grant string) {
	diags.AddError(errorSummary(verb, object), apiErrorDetail(verb, object, err, grant))
}

// addAttributeAPIError is addAPIError scoped to the attribute whose value caused the error.
func addAttributeAPIError(diags *diag.Diagnostics, p path.Path, verb, object string, err error, grant string) {
	diags.AddAttributeError(p, errorSummary(verb, object), apiErrorDetail(verb, object, err, grant))
}
