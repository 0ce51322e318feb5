package clients

import (
	"errors"
	"fmt"
	"testing"
)

func TestWithPermissionHint(t *testing.T) {
	t.Parallel()
	denied := fmt.Errorf("reading: %w", &BatchItemError{Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges"})
	hinted := fmt.Errorf("creating the group: %w", WithPermissionHint(denied, "X.Read.All"))
	if grant, ok := PermissionHint(hinted); !ok || grant != "X.Read.All" {
		t.Errorf("PermissionHint = %q, %v; want the attached grant through further wrapping", grant, ok)
	}
	if !IsPermissionDenied(hinted) || StatusCode(hinted) != 403 {
		t.Errorf("the hint hides the refusal: denied=%v status=%d", IsPermissionDenied(hinted), StatusCode(hinted))
	}
	other := &BatchItemError{Status: 500, Message: "boom"}
	if got := WithPermissionHint(other, "X.Read.All"); !errors.Is(got, other) {
		t.Errorf("a non-permission error was changed: %v", got)
	}
	if _, ok := PermissionHint(WithPermissionHint(other, "X.Read.All")); ok {
		t.Error("a server error carries a permission hint")
	}
}
