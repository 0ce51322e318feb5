package resources

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

var _ datasource.DataSourceWithConfigValidators = (*userDataSource)(nil)

// NewUserDataSource is the aks_user data source: a Microsoft Entra user looked up by user principal
// name or object ID (the scenario looks its users up rather than creating them).
func NewUserDataSource() datasource.DataSource {
	return &userDataSource{dataSourceBase{typeName: "_user", readTimeout: 5 * time.Minute}}
}

type userDataSource struct{ dataSourceBase }

type userDataSourceModel struct {
	dataSourceTimeouts
	ObjectID          types.String `tfsdk:"object_id"`
	UserPrincipalName types.String `tfsdk:"user_principal_name"`
	DisplayName       types.String `tfsdk:"display_name"`
	Mail              types.String `tfsdk:"mail"`
}

func (d *userDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a Microsoft Entra user by `user_principal_name` or `object_id`, for example to make an " +
			"existing user a member of an `aks_pim_group`. One Microsoft Graph request.\n\n" +
			"Required Microsoft Graph application permission: `User.Read.All` (or `Directory.Read.All`).",
		Attributes: map[string]schema.Attribute{
			"object_id": lookupKey("The user's object ID. Exactly one of `object_id` and `user_principal_name` must be set.", objectIDValidator()),
			"user_principal_name": lookupKey("The user's sign-in name, e.g. `n01@contoso.onmicrosoft.com`. Exactly one of `object_id` and " +
				"`user_principal_name` must be set."),
			"display_name": computedString("The user's display name."),
			"mail":         computedString("The user's email address (empty when the user has no mailbox)."),
			"timeouts":     dataSourceTimeoutsAttribute(ctx, d.readTimeout),
		},
	}
}

func (d *userDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("object_id"), path.MatchRoot("user_principal_name")),
	}
}

func (d *userDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m userDataSourceModel
	d.read(ctx, req, &m, &resp.Diagnostics, func(ctx context.Context, c *clients.Client) {
		key, attr := m.ObjectID.ValueString(), path.Root("object_id")
		if m.ObjectID.IsNull() {
			key, attr = m.UserPrincipalName.ValueString(), path.Root("user_principal_name")
		}
		u, err := pim.LookupUser(ctx, c, key)
		if err != nil {
			if errors.Is(err, pim.ErrUserNotFound) {
				resp.Diagnostics.AddAttributeError(attr, errorSummary("Read", "User"), errorDetail(
					fmt.Sprintf("No user with %s %q exists in the tenant.", attr, key),
					"Check the value; a guest's user principal name contains #EXT#. If the user was created moments ago, run the command again.",
					err))
				return
			}
			addAttributeAPIError(&resp.Diagnostics, attr, "Read", "User", err, grantUserRead)
			return
		}
		// The configured key stays as written (Terraform rejects a data source that changes its inputs);
		// the other one comes from Graph.
		if m.ObjectID.IsNull() {
			m.ObjectID = types.StringValue(u.ID)
		}
		if m.UserPrincipalName.IsNull() {
			m.UserPrincipalName = types.StringValue(u.UserPrincipalName)
		}
		m.DisplayName, m.Mail = types.StringValue(u.DisplayName), types.StringValue(u.Mail)
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	})
}
