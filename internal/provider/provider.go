// Package provider defines the aks provider: its configuration schema, the environment fallbacks, and the
// wiring that turns a configuration into one *clients.Client shared by every resource and data source.
package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// RegistryAddress is where Terraform finds this provider; dev overrides and tests use the same address.
const RegistryAddress = "registry.terraform.io/aks-pim/aks"

// TypeName prefixes every resource and data source type name (aks_pim_group, ...).
const TypeName = "aks"

var (
	_ provider.Provider                       = (*aksProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*aksProvider)(nil)
	_ provider.ProviderWithListResources      = (*aksProvider)(nil)
)

type aksProvider struct {
	version string
	// The process environment, file system and network, replaceable in this package's tests only.
	getenv    func(string) string
	readFile  func(string) ([]byte, error)
	transport http.RoundTripper
	clock     clients.Clock
}

// New returns a constructor for a fresh provider instance, as providerserver expects.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider { return newProvider(version, opts...) }
}

// Option changes how a provider instance is built; for test harnesses.
type Option func(*aksProvider)

// WithClock gives the provider's clients a clock of the harness's (the emulator's, so that a test moving
// it moves the provider's time too); the default is the wall clock.
func WithClock(c clients.Clock) Option { return func(p *aksProvider) { p.clock = c } }

func newProvider(version string, opts ...Option) *aksProvider {
	p := &aksProvider{version: version, getenv: os.Getenv, readFile: os.ReadFile}
	for _, o := range opts {
		o(p)
	}
	return p
}

func (p *aksProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

func (p *aksProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

func (p *aksProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	attrs := map[string]string{}
	for _, s := range settings {
		v, diags := readAttribute(ctx, req, s)
		resp.Diagnostics.Append(diags...)
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(s.name), "Unknown Provider Setting",
				fmt.Sprintf("The value of `%s` is not known until apply, but the provider must be configured before planning. "+
					"Use a value known at plan time (a variable or a literal), or set %s in the environment instead.", s.name, s.envs[0]))
			continue
		}
		if str, ok := attributeString(v); ok {
			attrs[s.name] = str
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	c, diags := p.buildClient(ctx, attrs)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = c
	resp.DataSourceData = c
	resp.EphemeralResourceData = c
	resp.ListResourceData = c
}

// buildClient resolves the settings (provider block values in attrs, then the environment) into a
// credential, endpoints and knobs, and builds the one *clients.Client every object of this provider
// instance shares.
func (p *aksProvider) buildClient(ctx context.Context, attrs map[string]string) (*clients.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := input{attrs: attrs, getenv: p.getenv, readFile: p.readFile}
	r, d := resolve(in)
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, r.secrets...)
	ctx = tflog.MaskMessageStrings(ctx, r.secrets...)

	transport := p.transport
	if transport == nil {
		transport = defaultTransport()
	}
	endpoints, err := r.endpoints(ctx, &http.Client{Transport: transport})
	if err != nil {
		diags.AddAttributeError(path.Root(attrMetadataHost), "Unable to Resolve Cloud Endpoints",
			"The provider could not determine the Entra ID, Graph and resource manager endpoints. Check `metadata_host` (ARM_METADATA_HOSTNAME), "+
				"`environment` (ARM_ENVIRONMENT) and the endpoint settings.\n\nOriginal Error: "+err.Error())
		return nil, diags
	}

	userAgent := "terraform-provider-aks/" + p.version
	auth := r.auth
	auth.Endpoints, auth.Transport, auth.UserAgent = endpoints, transport, userAgent
	cred, description, err := clients.NewCredential(ctx, auth)
	if err != nil {
		diags.AddError("Unable to Build the Provider Credential",
			fmt.Sprintf("The provider could not set up %s. Check the settings named above.\n\nOriginal Error: %s", r.authReason, err))
		return nil, diags
	}
	tflog.Info(ctx, "Configured the aks provider", map[string]any{
		"credential":                description,
		"selected_by":               r.authReason,
		"authority_host":            endpoints.AuthorityHost,
		"graph_endpoint":            endpoints.GraphEndpoint,
		"resource_manager_endpoint": endpoints.ResourceManagerEndpoint,
		"instance_discovery":        !endpoints.IsCustomAuthority(),
		"subscription_id":           r.subscriptionID,
	})

	c, err := clients.New(ctx, clients.Config{
		TenantID:                 auth.TenantID,
		SubscriptionID:           r.subscriptionID,
		Credential:               cred,
		Endpoints:                endpoints,
		UserAgent:                userAgent,
		Transport:                transport,
		Consistency:              r.consistency,
		PrincipalNotFoundTimeout: r.principalNotFoundTimeout,
		SharedReads:              r.sharedReads,
		RedactValues:             r.secrets,
		Clock:                    p.clock,
	})
	if err != nil {
		diags.AddError("Unable to Build the Azure Clients",
			"The provider could not build its Graph and resource manager clients from the endpoints above.\n\nOriginal Error: "+err.Error())
		return nil, diags
	}
	return c, diags
}

// ClientFromEnvironment builds the client an empty `provider "aks" {}` block would get from the
// environment: the acceptance harness, make demo and make bench use it for checks against the APIs, so
// that they authenticate exactly as the provider under test does.
func ClientFromEnvironment(ctx context.Context, version string, opts ...Option) (*clients.Client, error) {
	c, diags := newProvider(version, opts...).buildClient(ctx, map[string]string{})
	if diags.HasError() {
		var msgs []string
		for _, d := range diags.Errors() {
			msgs = append(msgs, d.Summary()+": "+d.Detail())
		}
		return nil, errors.New(strings.Join(msgs, "; "))
	}
	return c, nil
}

func (p *aksProvider) Resources(_ context.Context) []func() resource.Resource {
	return resourceConstructors()
}

func (p *aksProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return dataSourceConstructors()
}

func (p *aksProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return ephemeralResourceConstructors()
}

// ListResources are the list resources of `terraform query` (Terraform >= 1.14): groups, role
// bindings and eligibilities, to find existing objects and import them in bulk.
func (p *aksProvider) ListResources(_ context.Context) []func() list.ListResource {
	return listResourceConstructors()
}

// readAttribute reads one setting from the configuration with the Go type of its schema attribute.
func readAttribute(ctx context.Context, req provider.ConfigureRequest, s setting) (attr.Value, diag.Diagnostics) {
	switch s.kind {
	case kindBool:
		var v types.Bool
		d := req.Config.GetAttribute(ctx, path.Root(s.name), &v)
		return v, d
	case kindInt:
		var v types.Int64
		d := req.Config.GetAttribute(ctx, path.Root(s.name), &v)
		return v, d
	default:
		var v types.String
		d := req.Config.GetAttribute(ctx, path.Root(s.name), &v)
		return v, d
	}
}

// attributeString renders a known, non-null attribute the way the environment would spell it.
func attributeString(v attr.Value) (string, bool) {
	if v.IsNull() || v.IsUnknown() {
		return "", false
	}
	switch t := v.(type) {
	case types.Bool:
		return strconv.FormatBool(t.ValueBool()), true
	case types.Int64:
		return strconv.FormatInt(t.ValueInt64(), 10), true
	case types.String:
		return t.ValueString(), true
	}
	return "", false
}
