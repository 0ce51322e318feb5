package resources

import "github.com/hashicorp/terraform-plugin-framework/types"

// known reports whether a value is set and known.
func known(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}

// optionalString maps the API's "no value" (empty string) to null, so that an unset optional attribute
// does not read back as "" and show a diff.
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
