package arm

import "github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"

// Variant points of ARM. Options[0] is the default.
var Variants = variant.Catalogue{
	{
		Name: "arm.role-definition-id", Options: []string{"subscription", "tenant"},
		Question: "form of a role assignment's roleDefinitionId in answers: the subscription-prefixed form real ARM commonly answers (reference §7), or the tenant-level /providers/Microsoft.Authorization/roleDefinitions/{id} of the azure-rest-api-specs examples (RoleAssignments_Get, _Create), whatever form the PUT sent",
		Profiles: map[string]string{variant.ProfileDocsExamples: "tenant"},
	},
	{
		Name: "arm.metadata-2022", Options: []string{"object", "list"},
		Question: "shape of /metadata/endpoints?api-version=2022-09-01: one cloud object, which go-azure-sdk decodes in its live tests against the public, China and US Government clouds, or a list of clouds as api-version 2019-05-01 answers (Azure CLI)",
	},
}

// SetVariants sets the options of the points in Variants from a selection.
func (o *Options) SetVariants(sel variant.Selection) {
	o.TenantRoleDefinitionIDs = sel.Is("arm.role-definition-id", "tenant")
	o.MetadataListFor2022 = sel.Is("arm.metadata-2022", "list")
}
