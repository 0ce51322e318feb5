package clients

import (
	"net/url"
	"strings"
)

// ARMFilter encodes a $filter expression for the ARM list operations that append it to the query
// string unencoded (roleAssignments List*, marked x-ms-skip-url-encoding in the spec): a raw space
// there makes an invalid request line that ARM rejects with an HTML 400. Spaces become %20 and quotes
// %27, e.g. ARMFilter("principalId eq 'x'") = "principalId%20eq%20%27x%27". Do not use it for the
// roleDefinitions list, which encodes its filter itself.
func ARMFilter(expr string) string {
	return strings.ReplaceAll(url.QueryEscape(expr), "+", "%20")
}
