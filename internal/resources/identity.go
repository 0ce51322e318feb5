package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform >= 1.12, `import { identity = {...} }`, list resources): the attributes
// that name a resource's remote object, stored beside its state. Every resource of this provider has
// one, declared once in its file as a resourceIdentity and attached by its constructor:
//
//	func NewXResource() resource.Resource { return withIdentity(&xResource{}, xIdentity) }
//
// (withMutableIdentity when the identifying attributes may change in place.)
// withIdentity then gives the resource its identity schema, fills the identity from the state after
// every create, read and update, and turns an import by identity into the import ID the resource's
// ImportState already parses. The attributes must be string attributes of the resource's schema with
// the same names, and their values joined by "/" in the declared order must be an import ID the
// resource accepts (TestResourceIdentities checks both for every resource).

// identityAttribute is one attribute of an identity.
type identityAttribute struct {
	name        string
	description string
}

// resourceIdentity is a resource type's identity, in import-ID order.
type resourceIdentity []identityAttribute

func (ri resourceIdentity) schema() identityschema.Schema {
	attrs := make(map[string]identityschema.Attribute, len(ri))
	for _, a := range ri {
		attrs[a.name] = identityschema.StringAttribute{RequiredForImport: true, Description: a.description}
	}
	return identityschema.Schema{Attributes: attrs}
}

// importID joins the identity's values into the resource's import ID.
func (ri resourceIdentity) importID(ctx context.Context, identity *tfsdk.ResourceIdentity) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	parts := make([]string, 0, len(ri))
	for _, a := range ri {
		var v types.String
		diags.Append(identity.GetAttribute(ctx, path.Root(a.name), &v)...)
		if diags.HasError() {
			return "", diags
		}
		if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
			diags.AddAttributeError(path.Root(a.name), "Missing Identity Attribute", errorDetail(
				fmt.Sprintf("The import block's identity has no value for %q.", a.name),
				fmt.Sprintf("Give every identity attribute (%s), or import by id instead.", ri.names()),
				nil))
			return "", diags
		}
		parts = append(parts, v.ValueString())
	}
	return strings.Join(parts, "/"), diags
}

// fill copies the identity's attributes from a state (or plan) holding them. A null source attribute
// stays null: the framework accepts a partial identity and fills in the rest on the next read.
func (ri resourceIdentity) fill(ctx context.Context, from interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}, identity *tfsdk.ResourceIdentity) diag.Diagnostics {
	var diags diag.Diagnostics
	if identity == nil {
		return diags
	}
	for _, a := range ri {
		var v types.String
		diags.Append(from.GetAttribute(ctx, path.Root(a.name), &v)...)
		if v.IsUnknown() {
			continue
		}
		diags.Append(identity.SetAttribute(ctx, path.Root(a.name), v)...)
	}
	return diags
}

func (ri resourceIdentity) names() string {
	n := make([]string, len(ri))
	for i, a := range ri {
		n[i] = a.name
	}
	return strings.Join(n, ", ")
}

// withIdentity attaches identity to a resource. The wrapper forwards every optional interface this
// provider's resources implement; TestResourceIdentities fails when a resource implements one it does
// not forward.
func withIdentity(r managedResource, identity resourceIdentity) resource.Resource {
	return &identified{inner: r, identity: identity}
}

// withMutableIdentity is withIdentity for a resource whose identifying attributes may change in place
// (an ARM PIM schedule that AdminUpdate replaces by a new one under a new ID): Terraform then accepts a
// new identity after an update or a refresh.
func withMutableIdentity(r managedResource, identity resourceIdentity) resource.Resource {
	return &identified{inner: r, identity: identity, mutable: true}
}

type identified struct {
	inner    managedResource
	identity resourceIdentity
	mutable  bool
}

var (
	_ resource.ResourceWithIdentity         = (*identified)(nil)
	_ managedResource                       = (*identified)(nil)
	_ resource.ResourceWithValidateConfig   = (*identified)(nil)
	_ resource.ResourceWithConfigValidators = (*identified)(nil)
)

func (r *identified) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.inner.Metadata(ctx, req, resp)
	if r.mutable {
		resp.ResourceBehavior.MutableIdentity = true
	}
}

func (r *identified) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.inner.Schema(ctx, req, resp)
}

func (r *identified) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = r.identity.schema()
}

func (r *identified) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.inner.Create(ctx, req, resp)
	if !resp.State.Raw.IsNull() {
		resp.Diagnostics.Append(r.identity.fill(ctx, resp.State, resp.Identity)...)
	}
}

func (r *identified) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// First from the prior state: a read that finds the object gone must still answer an identity, and
	// state written before this provider had identities has none.
	if resp.Identity != nil && resp.Identity.Raw.IsFullyNull() {
		resp.Diagnostics.Append(r.identity.fill(ctx, req.State, resp.Identity)...)
	}
	r.inner.Read(ctx, req, resp)
	if !resp.Diagnostics.HasError() && !resp.State.Raw.IsNull() {
		resp.Diagnostics.Append(r.identity.fill(ctx, resp.State, resp.Identity)...)
	}
}

func (r *identified) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.inner.Update(ctx, req, resp)
	if !resp.State.Raw.IsNull() {
		resp.Diagnostics.Append(r.identity.fill(ctx, resp.State, resp.Identity)...)
	}
}

func (r *identified) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	r.inner.Delete(ctx, req, resp)
}

func (r *identified) Configure(ctx context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.inner.Configure(ctx, req, resp)
}

func (r *identified) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.inner.ModifyPlan(ctx, req, resp)
}

func (r *identified) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if v, ok := r.inner.(resource.ResourceWithValidateConfig); ok {
		v.ValidateConfig(ctx, req, resp)
	}
}

func (r *identified) ConfigValidators(ctx context.Context) []resource.ConfigValidator {
	if v, ok := r.inner.(resource.ResourceWithConfigValidators); ok {
		return v.ConfigValidators(ctx)
	}
	return nil
}

// ImportState hands an import by identity to the resource's own ImportState as the import ID the
// identity stands for, so both ways of importing share one parser and one set of errors.
func (r *identified) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil {
		id, diags := r.identity.importID(ctx, req.Identity)
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			return
		}
		req.ID = id
	}
	r.inner.ImportState(ctx, req, resp)
}

// unwrapResource returns the resource a wrapper such as withIdentity holds (for tests and list
// resources that reuse a resource's schema).
func unwrapResource(r resource.Resource) resource.Resource {
	if w, ok := r.(*identified); ok {
		return w.inner
	}
	return r
}
