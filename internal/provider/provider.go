// Package provider defines the aks provider: its configuration schema, the environment fallbacks, and the
// wiring that turns a configuration into one *clients.Client shared by every resource and data source.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// RegistryAddress is where Terraform finds this provider; dev overrides and tests use the same address.
const RegistryAddress = "registry.terraform.io/aks-pim/aks"

// TypeName prefixes every resource and data source type name (aks_pim_group, ...).
const TypeName = "aks"

var _ provider.Provider = (*aksProvider)(nil)

type aksProvider struct {
	version string
}

// New returns a constructor for a fresh provider instance, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &aksProvider{version: version} }
}

func (p *aksProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

func (p *aksProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{}
}

func (p *aksProvider) Configure(_ context.Context, _ provider.ConfigureRequest, _ *provider.ConfigureResponse) {
}

func (p *aksProvider) Resources(_ context.Context) []func() resource.Resource { return nil }

func (p *aksProvider) DataSources(_ context.Context) []func() datasource.DataSource { return nil }
