package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// withClient holds the provider's one *clients.Client. Embed resourceBase, dataSourceBase or
// ephemeralBase (which embed it) in every object to get a Configure method that checks the provider
// data, and call requireClient at the start of each operation.
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

// resourceBase gives a resource its Configure method.
type resourceBase struct{ withClient }

func (r *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	resp.Diagnostics.Append(r.setProviderData(req.ProviderData, "Resource")...)
}

// dataSourceBase gives a data source its Configure method.
type dataSourceBase struct{ withClient }

func (d *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	resp.Diagnostics.Append(d.setProviderData(req.ProviderData, "Data Source")...)
}

// ephemeralBase gives an ephemeral resource its Configure method.
type ephemeralBase struct{ withClient }

func (e *ephemeralBase) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	resp.Diagnostics.Append(e.setProviderData(req.ProviderData, "Ephemeral Resource")...)
}
