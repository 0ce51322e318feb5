package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// Every error diagnostic: a Title Case summary naming the operation, then what happened, what to do
// next, and the original error, with the class-specific advice.
func TestAPIErrorDiagnostics(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		err  error
		want []string // substrings of the detail, in order
	}{
		"permission denied names the grant": {
			err:  &clients.BatchItemError{Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."},
			want: []string{"lacks a permission", "Grant the provider's identity " + grantGroupWrite, "Original Error: HTTP 403 Authorization_RequestDenied: Insufficient privileges"},
		},
		"timeout names the timeouts attribute": {
			err:  fmt.Errorf("waiting: %w", context.DeadlineExceeded),
			want: []string{"did not finish within its timeout", "Raise timeouts.create", "Original Error: waiting: context deadline exceeded"},
		},
		"throttling": {
			err:  &clients.BatchItemError{Status: 429, Code: "TooManyRequests", Message: "slow down"},
			want: []string{"throttling", "-parallelism", "HTTP 429 TooManyRequests: slow down"},
		},
		"principal not found": {
			err:  &clients.BatchItemError{Status: 400, Code: "PrincipalNotFound", Message: "Principal x does not exist"},
			want: []string{"principal was not found", "principal_type", "replication"},
		},
		"conflict suggests import": {
			err:  &clients.BatchItemError{Status: 409, Code: "Conflict", Message: "exists"},
			want: []string{"conflicts with an existing object", "Import"},
		},
		"not found": {
			err:  &clients.BatchItemError{Status: 404, Code: "Request_ResourceNotFound", Message: "gone"},
			want: []string{"does not exist", "Check the IDs"},
		},
		"policy": {
			err:  &clients.BatchItemError{Status: 400, Code: "RoleAssignmentRequestPolicyValidationFailed", Message: "ExpirationRule"},
			want: []string{"A policy rejected", "ExpirationRule"},
		},
		"anything else": {
			err:  errors.New("connection reset"),
			want: []string{"returned an error", "TF_LOG=DEBUG", "Original Error: connection reset"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var d diag.Diagnostics
			addAPIError(&d, "Create", "PIM Group", tc.err, grantGroupWrite)
			if len(d) != 1 || d[0].Summary() != "Unable to Create PIM Group" {
				t.Fatalf("diagnostics %v", d)
			}
			detail := d[0].Detail()
			rest := detail
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("detail lacks %q (in order):\n%s", w, detail)
				}
				rest = rest[i+len(w):]
			}
			if !strings.Contains(detail, "\n\nOriginal Error: ") {
				t.Errorf("no Original Error paragraph:\n%s", detail)
			}
		})
	}
	var d diag.Diagnostics
	addAttributeAPIError(&d, path.Root("role"), "Read", "Role Binding", errors.New("x"), grantRoleAssignmentRead)
	if wp, ok := d[0].(diag.DiagnosticWithPath); !ok || !wp.Path().Equal(path.Root("role")) {
		t.Errorf("not an attribute error on role: %v", d[0])
	}
	if got := timeoutKey("Delete"); got != "delete" {
		t.Errorf("timeoutKey(Delete) = %q", got)
	}
}

// The Configure mixin: nil provider data is not an error (validation runs unconfigured); a wrong type
// is; operations without a client stop with a clear error.
func TestConfigureMixin(t *testing.T) {
	t.Parallel()
	var w withClient
	if d := w.setProviderData(nil, "Resource"); d.HasError() || w.client != nil {
		t.Errorf("nil provider data: %v", d)
	}
	if d := w.setProviderData("not a client", "Resource"); !d.HasError() || !strings.Contains(d[0].Summary(), "Unexpected Resource Configure Type") {
		t.Errorf("wrong type: %v", d)
	}
	var d diag.Diagnostics
	if c := w.requireClient(&d); c != nil || !d.HasError() || d[0].Summary() != "Provider Not Configured" {
		t.Errorf("requireClient without a client: %v %v", c, d)
	}
	c := &clients.Client{}
	if d := w.setProviderData(c, "Resource"); d.HasError() || w.client != c {
		t.Errorf("client: %v", d)
	}
}
