package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// List resources (Terraform >= 1.14: `list` blocks in .tfquery.hcl files and `terraform query`) find
// existing objects of a resource type, each with its identity and, when asked, its full state, so they
// can be imported in bulk. One file per list resource, each a listOf; what they share is here.

// listOf is a list resource whose configuration is a C and which lists Ts: find returns those the
// configuration selects, result makes one of them a result.
type listOf[C, T any] struct {
	resourceBase // Metadata and Configure are the resource's: the signatures are the same
	description  string
	arguments    map[string]schema.Attribute
	find         func(ctx context.Context, c *clients.Client, cfg C, diags *diag.Diagnostics) []T
	result       func(ctx context.Context, c *clients.Client, req list.ListRequest, cfg C, item T) list.ListResult
}

var _ list.ListResourceWithConfigure = (*listOf[struct{}, struct{}])(nil)

func (l *listOf[C, T]) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{MarkdownDescription: l.description, Attributes: l.arguments}
}

// List finds the objects at once and makes their results as Terraform takes them; a result with an
// error ends the list.
func (l *listOf[C, T]) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg C
	diags := req.Config.Get(ctx, &cfg)
	c := l.requireClient(&diags)
	var items []T
	if !diags.HasError() {
		items = l.find(ctx, c, cfg, &diags)
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for _, item := range items {
			res := l.result(ctx, c, req, cfg, item)
			if !push(res) || res.Diagnostics.HasError() {
				return
			}
		}
	}
}

// listArgument is a string argument of a list block: required, or optional to narrow the list.
func listArgument(required bool, description string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{Required: required, Optional: !required, MarkdownDescription: description, Validators: validators}
}

// listResult is one result: the resource's state from model (a pointer to the resource's model), the
// identity taken from that state, and the state itself only when Terraform asked for it.
func listResult(ctx context.Context, req list.ListRequest, identity resourceIdentity, display string, model any) list.ListResult {
	res := req.NewListResult(ctx)
	res.DisplayName = display
	res.Diagnostics.Append(res.Resource.Set(ctx, model)...)
	if !res.Diagnostics.HasError() {
		res.Diagnostics.Append(identity.fill(ctx, res.Resource, res.Identity)...)
	}
	if !req.IncludeResource {
		res.Resource = nil
	}
	return res
}

// listNullObject is a null value of the listed resource's object attribute name (listed objects have no
// configuration, so no timeouts and no configuration-only objects).
func listNullObject(req list.ListRequest, name string) types.Object {
	var attrTypes map[string]attr.Type
	if a, ok := req.ResourceSchema.GetAttributes()[name]; ok {
		// timeouts.Type and object types both embed basetypes.ObjectType.
		if ot, ok := a.GetType().(interface{ AttributeTypes() map[string]attr.Type }); ok {
			attrTypes = ot.AttributeTypes()
		}
	}
	return types.ObjectNull(attrTypes)
}

// listNullTimeouts is a null `timeouts` attribute of the listed resource's schema.
func listNullTimeouts(req list.ListRequest) resourceTimeouts {
	return resourceTimeouts{timeouts.Value{Object: listNullObject(req, "timeouts")}}
}
