package clients

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Error codes by class. Graph (directory, PIM) and ARM codes share one table because callers ask about
// the class, not the API.
var (
	notFoundCodes = codeSet("Request_ResourceNotFound", "ResourceNotFound", "NotFound", "RoleAssignmentNotFound",
		"RoleDefinitionDoesNotExist", "ResourceGroupNotFound", "SubscriptionNotFound", "ParentResourceNotFound",
		"RoleAssignmentDoesNotExist")
	conflictCodes = codeSet("RoleAssignmentExists", "Conflict", "ObjectConflict", "Request_MultipleObjectsWithSameKeyValue",
		"RoleAssignmentUpdateNotPermitted", "Request_ResourceAlreadyExists")
	principalNotFoundCodes = codeSet("PrincipalNotFound", "SubjectNotFound")
	throttledCodes         = codeSet("TooManyRequests", "Throttled", "activityLimitReached")
	policyCodes            = codeSet("RoleAssignmentRequestPolicyValidationFailed", "InvalidPolicy", "InvalidPolicyEnabledRules",
		"RequestDisallowedByPolicy", "PolicyViolation", "RoleAssignmentRequestAcrsValidationFailed")
	permissionCodes = codeSet("Authorization_RequestDenied", "AuthorizationFailed", "Forbidden", "LinkedAuthorizationFailed",
		"PermissionScopeNotGranted", "InsufficientPermissions", "Authorization_IdentityNotFound", "accessDenied")
)

// Graph reports duplicate member/owner references as a 400 with this text instead of a conflict code,
// and (the graph.remove-non-member and graph.missing-reference variants) missing ones likewise.
const (
	graphDuplicateReference = "added object references already exist"
	graphMissingReference   = "removed object references do not exist"
	graphMissingObject      = "does not exist or one of its queried reference-property objects are not present"
)

func codeSet(codes ...string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[strings.ToLower(c)] = true
	}
	return m
}

// StatusCode is the HTTP status behind a Graph or ARM error (0 when the error did not come from a
// response, e.g. a transport failure).
func StatusCode(err error) int {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	var be *BatchItemError
	if errors.As(err, &be) {
		return be.Status
	}
	var api abstractions.ApiErrorable
	if errors.As(err, &api) {
		return api.GetStatusCode()
	}
	return 0
}

// ErrorCode is the service's error code: the Graph ODataError code or the ARM ResponseError code ("" if
// the error carries none).
func ErrorCode(err error) string {
	code, _, _ := serviceError(err)
	return code
}

// ErrorMessage is the service's human-readable message, without SDK decoration. It never panics on a
// Graph error without a message (ODataError.Error does).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if _, message, ok := serviceError(err); ok {
		return message
	}
	return err.Error()
}

// serviceError is the code and message of a Graph, ARM or $batch item error (ok); a Graph or ARM error
// without a message gets its status text.
func serviceError(err error) (code, message string, ok bool) {
	var od *odataerrors.ODataError
	if errors.As(err, &od) {
		if e := od.GetErrorEscaped(); e != nil {
			if e.GetCode() != nil {
				code = *e.GetCode()
			}
			if e.GetMessage() != nil {
				return code, *e.GetMessage(), true
			}
		}
		if message = od.Message; message == "" {
			message = http.StatusText(od.ResponseStatusCode)
		}
		return code, message, true
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		code, message = armErrorBody(re)
		if re.ErrorCode != "" {
			code = re.ErrorCode
		}
		if message == "" {
			message = http.StatusText(re.StatusCode)
		}
		return code, message, true
	}
	var be *BatchItemError
	if errors.As(err, &be) {
		return be.Code, be.Message, true
	}
	return "", "", false
}

// armErrorBody decodes {"error":{"code","message"}} (or the older {"odata.error":...}) from the
// buffered response of an ARM error.
func armErrorBody(re *azcore.ResponseError) (code, message string) {
	if re.RawResponse == nil {
		return "", ""
	}
	body, err := runtime.Payload(re.RawResponse)
	if err != nil || len(body) == 0 {
		return "", ""
	}
	var doc struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		OData struct {
			Code    string `json:"code"`
			Message struct {
				Value string `json:"value"`
			} `json:"message"`
		} `json:"odata.error"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return "", ""
	}
	if doc.Error.Code != "" || doc.Error.Message != "" {
		return doc.Error.Code, doc.Error.Message
	}
	return doc.OData.Code, doc.OData.Message.Value
}

func hasCode(err error, set map[string]bool) bool {
	c := ErrorCode(err)
	return c != "" && set[strings.ToLower(c)]
}

// IsNotFound: the object does not exist (404, or a not-found code on another status), or Graph's 400
// for a reference to an object it does not see (yet) or a removed reference that is not there.
func IsNotFound(err error) bool {
	if err == nil {
		return false
	}
	if StatusCode(err) == http.StatusNotFound || hasCode(err, notFoundCodes) {
		return true
	}
	msg := strings.ToLower(ErrorMessage(err))
	return StatusCode(err) == http.StatusBadRequest && (strings.Contains(msg, graphMissingReference) || strings.Contains(msg, graphMissingObject))
}

// IsConflict: the object already exists or clashes with another (409, RoleAssignmentExists, duplicate
// member reference, ...).
func IsConflict(err error) bool {
	if err == nil {
		return false
	}
	if StatusCode(err) == http.StatusConflict || hasCode(err, conflictCodes) {
		return true
	}
	return StatusCode(err) == http.StatusBadRequest && strings.Contains(strings.ToLower(ErrorMessage(err)), graphDuplicateReference)
}

// IsPrincipalNotFound: the principal is not (yet) visible to the service, typically replication delay
// after the principal was created.
func IsPrincipalNotFound(err error) bool {
	return err != nil && hasCode(err, principalNotFoundCodes)
}

// IsThrottled: the service refused the request for rate reasons and retries did not get through.
func IsThrottled(err error) bool {
	return err != nil && (StatusCode(err) == http.StatusTooManyRequests || hasCode(err, throttledCodes))
}

// IsPolicyViolation: a PIM policy rule or an Azure Policy assignment rejected the request; retrying the
// same request cannot succeed.
func IsPolicyViolation(err error) bool {
	return err != nil && hasCode(err, policyCodes)
}

// IsPermissionDenied: the caller lacks a Graph permission or an Azure role (403 or a denial code).
func IsPermissionDenied(err error) bool {
	return err != nil && (StatusCode(err) == http.StatusForbidden || hasCode(err, permissionCodes))
}
