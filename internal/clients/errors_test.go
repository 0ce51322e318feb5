package clients

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
)

// TestErrorClasses drives real SDK calls against scripted error bodies, so the classes are checked on
// the error types the SDKs actually return (ODataError, ResponseError), not on hand-built values.
func TestErrorClasses(t *testing.T) {
	t.Parallel()
	type classes struct{ notFound, conflict, principal, throttled, policy, denied bool }
	cases := map[string]struct {
		api     string // graph or arm
		status  int
		code    string
		message string
		want    classes
	}{
		"graph 404":                    {"graph", 404, "Request_ResourceNotFound", "Resource 'x' does not exist", classes{notFound: true}},
		"graph duplicate member":       {"graph", 400, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'members'.", classes{conflict: true}},
		"graph unreplicated reference": {"graph", 400, "Request_BadRequest", "Resource 'x' does not exist or one of its queried reference-property objects are not present.", classes{notFound: true}},
		"graph missing member":         {"graph", 400, "Request_BadRequest", "One or more removed object references do not exist for the following modified properties: 'members'.", classes{notFound: true}},
		"graph denied":                 {"graph", 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", classes{denied: true}},
		"graph throttled":              {"graph", 429, "TooManyRequests", "slow down", classes{throttled: true}},
		"pim policy":                   {"graph", 400, "RoleAssignmentRequestPolicyValidationFailed", "ExpirationRule", classes{policy: true}},
		"pim exists":                   {"graph", 400, "RoleAssignmentExists", "The Role assignment already exists.", classes{conflict: true}},
		"pim subject not found":        {"graph", 400, "SubjectNotFound", "The subject is not found.", classes{principal: true}},
		"pim nothing to remove":        {"graph", 400, "RoleAssignmentDoesNotExist", "gone", classes{notFound: true}},
		"arm 404":                      {"arm", 404, "RoleAssignmentNotFound", "The role assignment 'x' is not found.", classes{notFound: true}},
		"arm exists":                   {"arm", 409, "RoleAssignmentExists", "The role assignment already exists.", classes{conflict: true}},
		"arm principal not found":      {"arm", 400, "PrincipalNotFound", "Principal x does not exist in the directory y.", classes{principal: true}},
		"arm authorization failed":     {"arm", 403, "AuthorizationFailed", "The client 'x' does not have authorization", classes{denied: true}},
		"arm throttled":                {"arm", 429, "TooManyRequests", "throttled", classes{throttled: true}},
		"arm azure policy":             {"arm", 403, "RequestDisallowedByPolicy", "disallowed", classes{policy: true, denied: true}},
		"arm plain bad request":        {"arm", 400, "InvalidRoleAssignmentId", "not a GUID", classes{}},
		"graph plain bad request":      {"graph", 400, "Request_BadRequest", "Invalid value", classes{}},
		"arm update not permitted":     {"arm", 409, "RoleAssignmentUpdateNotPermitted", "not allowed", classes{conflict: true}},
		"graph 404 without a code":     {"graph", 404, "", "", classes{notFound: true}},
		"arm 404 without a body":       {"arm", 404, "", "", classes{notFound: true}},
		"graph error without message":  {"graph", 400, "Request_BadRequest", "", classes{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			transport := &fakeTransport{handler: func(r *http.Request, _ []byte) *http.Response {
				if tc.code == "" && tc.message == "" {
					return jsonResponse(tc.status, nil)
				}
				inner := map[string]any{"code": tc.code}
				if tc.message != "" {
					inner["message"] = tc.message
				}
				return jsonResponse(tc.status, map[string]any{"error": inner})
			}}
			// A tiny retry budget: throttled cases give up at once instead of waiting out the backoff.
			c, err := New(ctx, Config{SubscriptionID: "sub-1", Credential: newFakeCredential(), Transport: transport, Retry: RetryOptions{Budget: time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			if tc.api == "graph" {
				_, err = Graph(c).Groups().ByGroupId("g-1").Get(ctx, nil)
			} else {
				_, err = c.RoleAssignments.Create(ctx, "/subscriptions/sub-1", "a9e2fc3c-0b5f-4e8e-9b1a-3c8e8d6f7a10",
					armauthorization.RoleAssignmentCreateParameters{Properties: &armauthorization.RoleAssignmentProperties{
						PrincipalID: to.Ptr("p"), RoleDefinitionID: to.Ptr("r"),
					}}, nil)
			}
			if err == nil {
				t.Fatal("want an error")
			}
			got := classes{IsNotFound(err), IsConflict(err), IsPrincipalNotFound(err), IsThrottled(err), IsPolicyViolation(err), IsPermissionDenied(err)}
			if got != tc.want {
				t.Errorf("classes = %+v, want %+v (code %q)", got, tc.want, ErrorCode(err))
			}
			if ErrorCode(err) != tc.code {
				t.Errorf("ErrorCode = %q, want %q", ErrorCode(err), tc.code)
			}
			if StatusCode(err) != tc.status {
				t.Errorf("StatusCode = %d, want %d", StatusCode(err), tc.status)
			}
			wantMsg := tc.message
			if wantMsg == "" {
				wantMsg = http.StatusText(tc.status)
			}
			if tc.api == "graph" && tc.code == "" {
				wantMsg = "The server returned an unexpected status code with no response body: 404" // kiota's own text
			}
			if got := ErrorMessage(err); got != wantMsg {
				t.Errorf("ErrorMessage = %q, want %q", got, wantMsg)
			}
			// Wrapping by domain code must not hide the class.
			wrapped := fmt.Errorf("creating: %w", err)
			if IsNotFound(wrapped) != tc.want.notFound || ErrorCode(wrapped) != tc.code {
				t.Error("classification does not see through wrapping")
			}
		})
	}
	for _, f := range []func(error) bool{IsNotFound, IsConflict, IsPrincipalNotFound, IsThrottled, IsPolicyViolation, IsPermissionDenied} {
		if f(nil) || f(context.Canceled) {
			t.Error("nil and non-API errors belong to no class")
		}
	}
	if ErrorCode(nil) != "" || ErrorMessage(nil) != "" {
		t.Error("nil error has no code or message")
	}
}

func TestARMFilter(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"principalId eq 'a1b2'":                    "principalId%20eq%20%27a1b2%27",
		"atScope() and assignedTo('x')":            "atScope%28%29%20and%20assignedTo%28%27x%27%29",
		"roleName eq 'AKS RBAC Reader' & co+other": "roleName%20eq%20%27AKS%20RBAC%20Reader%27%20%26%20co%2Bother",
	}
	for in, want := range cases {
		if got := ARMFilter(in); got != want {
			t.Errorf("ARMFilter(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestARMFilterOnTheWire checks what the roleAssignments list (which appends $filter unencoded) sends.
func TestARMFilterOnTheWire(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	transport := &fakeTransport{handler: func(*http.Request, []byte) *http.Response { return jsonResponse(200, map[string]any{"value": []any{}}) }}
	c, err := New(ctx, Config{SubscriptionID: "sub-1", Credential: newFakeCredential(), Transport: transport})
	if err != nil {
		t.Fatal(err)
	}
	pager := c.RoleAssignments.NewListForScopePager("/subscriptions/sub-1", &armauthorization.RoleAssignmentsClientListForScopeOptions{
		Filter: to.Ptr(ARMFilter("principalId eq 'p-1'")),
	})
	if _, err := pager.NextPage(ctx); err != nil {
		t.Fatal(err)
	}
	got := transport.requests()[0].URL
	want := "https://management.azure.com/subscriptions/sub-1/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=principalId%20eq%20%27p-1%27"
	if got != want {
		t.Errorf("request URL\n got %s\nwant %s", got, want)
	}
}
