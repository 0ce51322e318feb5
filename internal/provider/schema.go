package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
)

// providerSchema is generated from the settings table: every attribute is optional (each has an
// environment fallback or a default) and documents its variables.
func providerSchema() schema.Schema {
	attrs := make(map[string]schema.Attribute, len(settings))
	for _, s := range settings {
		md := s.markdown()
		switch s.kind {
		case kindBool:
			attrs[s.name] = schema.BoolAttribute{Optional: true, MarkdownDescription: md}
		case kindInt:
			attrs[s.name] = schema.Int64Attribute{Optional: true, MarkdownDescription: md}
		default:
			attrs[s.name] = schema.StringAttribute{Optional: true, Sensitive: s.sensitive, MarkdownDescription: md}
		}
	}
	return schema.Schema{
		MarkdownDescription: "Manages just-in-time access to Azure Kubernetes Service with Entra PIM for groups: security groups, " +
			"Azure RBAC role assignments at AKS scopes, PIM-for-groups eligibilities and their approval policies. " +
			"It authenticates like the azurerm and azuread providers, from the same `ARM_*` environment variables.",
		Attributes: attrs,
	}
}
