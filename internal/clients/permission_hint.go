package clients

import "errors"

// PermissionHintError wraps a refused request with what grants it, when that is not what the operation
// as a whole needs: creating a group fails with 403 because a PIM read inside it was refused, and telling
// the user to grant Group.ReadWrite.All (which they have) would send them the wrong way.
type PermissionHintError struct {
	Grant string // the permission or role, worded to follow "Grant the provider's identity"
	Err   error
}

func (e *PermissionHintError) Error() string { return e.Err.Error() }
func (e *PermissionHintError) Unwrap() error { return e.Err }

// WithPermissionHint attaches grant to err when err is a permission refusal; other errors pass unchanged.
func WithPermissionHint(err error, grant string) error {
	if !IsPermissionDenied(err) {
		return err
	}
	return &PermissionHintError{Grant: grant, Err: err}
}

// PermissionHint returns the grant attached to err by WithPermissionHint, if any.
func PermissionHint(err error) (string, bool) {
	var h *PermissionHintError
	if errors.As(err, &h) {
		return h.Grant, true
	}
	return "", false
}
