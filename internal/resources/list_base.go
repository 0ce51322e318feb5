package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// List resources (Terraform >= 1.14: `list` blocks in .tfquery.hcl files and `terraform query`) find
// existing objects of a resource type, each with its identity and, when asked, its full state, so they
// can be imported in bulk. One file per list resource; what they share is here.

// listBase gives a list resource its Configure method (the resource one: the signatures are the same).
type listBase struct{ resourceBase }

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

// listNullTimeouts is a null `timeouts` value of the listed resource's schema.
func listNullTimeouts(req list.ListRequest) timeouts.Value {
	return timeouts.Value{Object: listNullObject(req, "timeouts")}
}
