package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// stringCheck is a string validator backed by a domain parser, so that plan-time validation and the
// API layer accept exactly the same values.
type stringCheck struct {
	desc  string
	check func(string) error
}

var _ validator.String = stringCheck{}

func (v stringCheck) Description(context.Context) string         { return v.desc }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.desc }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value",
			fmt.Sprintf("%s must be %s.\n\n%s", req.Path, v.desc, err))
	}
}

func objectIDValidator() validator.String {
	return stringCheck{desc: "an object ID (a GUID)", check: func(s string) error {
		if !pim.IsObjectID(s) {
			return fmt.Errorf("%q is not a GUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
		}
		return nil
	}}
}

// parses is the check that a value parses with parse.
func parses[T any](parse func(string) (T, error)) func(string) error {
	return func(s string) error {
		_, err := parse(s)
		return err
	}
}

func clusterIDValidator() validator.String {
	return stringCheck{desc: "an AKS cluster resource ID", check: parses(rbac.ParseClusterID)}
}

func scopeValidator() validator.String {
	return stringCheck{desc: "a role assignment scope (a management group, subscription, resource group or resource ID)", check: parses(rbac.NormalizeScope)}
}

func roleDefinitionIDValidator() validator.String {
	return stringCheck{desc: "a role definition ID (/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{guid}, or the tenant-level form)",
		check: parses(rbac.RoleDefinitionGUID)}
}

func nodePoolNameValidator() validator.String {
	return stringCheck{desc: "an AKS node pool name", check: rbac.ValidateNodePoolName}
}

func namespaceValidator() validator.String {
	return stringCheck{desc: "a Kubernetes namespace name", check: rbac.ValidateNamespaceName}
}

func mailNicknameValidator() validator.String {
	return stringCheck{desc: "a valid mail nickname", check: pim.ValidateMailNickname}
}
