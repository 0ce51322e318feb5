package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// The frame every object shares: embed resourceBase, dataSourceBase or ephemeralBase (which embed
// withClient) to get Metadata from the type name and a Configure method that checks the provider data,
// and run each operation through run, which reads the request, checks the client and bounds the
// operation by its timeout before the operation's own code.

// withClient holds the provider's one *clients.Client.
type withClient struct {
	client *clients.Client
}

// setProviderData stores the provider data handed to Configure. Terraform calls Configure before the
// provider itself is configured (e.g. during validation); the data is nil then and that is not an error.
func (w *withClient) setProviderData(providerData any, kind string) diag.Diagnostics {
	var diags diag.Diagnostics
	if providerData == nil {
		return diags
	}
	c, ok := providerData.(*clients.Client)
	if !ok || c == nil {
		diags.AddError(
			fmt.Sprintf("Unexpected %s Configure Type", kind),
			fmt.Sprintf("Expected *clients.Client, got %T. This is a bug in the provider; please report it to the provider developers.", providerData),
		)
		return diags
	}
	w.client = c
	return diags
}

// requireClient reports a diagnostic and returns nil when an operation runs without a configured
// provider; operations must stop then.
func (w *withClient) requireClient(diags *diag.Diagnostics) *clients.Client {
	if w.client == nil {
		diags.AddError(
			"Provider Not Configured",
			"The aks provider was not configured before this operation ran, so it has no credentials or endpoints. "+
				"Check the provider block and the ARM_* environment variables; if they are set, this is a bug in the provider, please report it.",
		)
	}
	return w.client
}

// getter is the Get of a plan, state or configuration.
type getter func(context.Context, any) diag.Diagnostics

// timeoutFunc is one of the Create/Read/Update/Delete methods of a timeouts value.
type timeoutFunc func(context.Context, time.Duration) (time.Duration, diag.Diagnostics)

// run is the frame of an operation: it reads m with get, checks the provider is configured and bounds ctx
// by the timeout limit gives (asked once m is read: the configured one, and the default), then does the
// operation; it stops, diagnosed, when any of that fails.
func (w *withClient) run(ctx context.Context, get getter, m any, limit func() (timeoutFunc, time.Duration), diags *diag.Diagnostics, do func(context.Context, *clients.Client)) {
	diags.Append(get(ctx, m)...)
	c := w.requireClient(diags)
	if diags.HasError() {
		return
	}
	configured, def := limit()
	ctx, cancel := operationContext(ctx, configured, def, diags)
	defer cancel()
	do(ctx, c)
}

// op is one of a resource's timed operations.
type op int

const (
	opCreate op = iota
	opRead
	opUpdate
	opDelete
)

// verb names the operation in diagnostics ("Unable to Create ...").
func (o op) verb() string { return [...]string{"Create", "Read", "Update", "Delete"}[o] }

// planned reads what ModifyPlan works from: the plan, the configuration and the prior state (nil when
// creating), each with read (readModel, or the object's own reader); ok is false on destroy or when a
// read failed.
func planned[M any](ctx context.Context, req resource.ModifyPlanRequest, read func(context.Context, getter, *M) diag.Diagnostics, diags *diag.Diagnostics) (plan, config M, state *M, ok bool) {
	if req.Plan.Raw.IsNull() {
		return plan, config, nil, false
	}
	diags.Append(read(ctx, req.Plan.Get, &plan)...)
	diags.Append(read(ctx, req.Config.Get, &config)...)
	if !req.State.Raw.IsNull() {
		state = new(M)
		diags.Append(read(ctx, req.State.Get, state)...)
	}
	return plan, config, state, !diags.HasError()
}

// readModel reads a plan, state or configuration into a model as it is.
func readModel[M any](ctx context.Context, get getter, m *M) diag.Diagnostics { return get(ctx, m) }

// managedResource is what every resource of the provider implements: Configure (resourceBase), import
// (the standards ask it of every resource) and ModifyPlan (the plan-time checks).
type managedResource interface {
	resource.ResourceWithConfigure
	resource.ResourceWithImportState
	resource.ResourceWithModifyPlan
}

// resourceBase gives a resource (and a list resource, whose Metadata and Configure are the resource's)
// its Metadata, Configure and operation frame.
type resourceBase struct {
	withClient
	typeName string // after the provider's type name: "_role_binding"
	timeouts timeoutDefaults
}

func (r *resourceBase) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.typeName
}

func (r *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	resp.Diagnostics.Append(r.setProviderData(req.ProviderData, "Resource")...)
}

// run frames operation o on the model m (a pointer) read by get.
func (r *resourceBase) run(ctx context.Context, o op, get getter, m timed, diags *diag.Diagnostics, do func(context.Context, *clients.Client)) {
	r.withClient.run(ctx, get, m, func() (timeoutFunc, time.Duration) { return r.timeouts.of(o, m.timeoutsValue()) }, diags, do)
}

// dataSourceBase gives a data source its Metadata, Configure and read frame.
type dataSourceBase struct {
	withClient
	typeName    string
	readTimeout time.Duration
}

func (d *dataSourceBase) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + d.typeName
}

func (d *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	resp.Diagnostics.Append(d.setProviderData(req.ProviderData, "Data Source")...)
}

// read frames the data source's read of the configuration into m (a pointer to its model).
func (d *dataSourceBase) read(ctx context.Context, req datasource.ReadRequest, m timedRead, diags *diag.Diagnostics, do func(context.Context, *clients.Client)) {
	d.run(ctx, req.Config.Get, m, func() (timeoutFunc, time.Duration) { return m.timeoutsRead(), d.readTimeout }, diags, do)
}

// ephemeralBase gives an ephemeral resource its Metadata and Configure.
type ephemeralBase struct {
	withClient
	typeName string
}

func (e *ephemeralBase) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + e.typeName
}

func (e *ephemeralBase) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	resp.Diagnostics.Append(e.setProviderData(req.ProviderData, "Ephemeral Resource")...)
}
