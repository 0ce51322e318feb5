package resources

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// resourceConstructors mirrors the provider's list (internal/provider/registry.go checks it is the same).
var resourceConstructors = []func() resource.Resource{
	NewPIMApprovalPolicyResource, NewPIMEligibilityResource, NewPIMGroupResource, NewRoleBindingResource,
	NewPIMRoleAssignmentResource, NewPIMRoleEligibilityResource, NewPIMRolePolicyResource,
}

// optionalResourceInterfaces are the framework's optional resource interfaces; withIdentity forwards
// those in forwardedInterfaces, and a resource implementing any other one would lose it when wrapped.
var (
	optionalResourceInterfaces = map[string]reflect.Type{
		"Configure":        reflect.TypeFor[resource.ResourceWithConfigure](),
		"ModifyPlan":       reflect.TypeFor[resource.ResourceWithModifyPlan](),
		"ValidateConfig":   reflect.TypeFor[resource.ResourceWithValidateConfig](),
		"ConfigValidators": reflect.TypeFor[resource.ResourceWithConfigValidators](),
		"ImportState":      reflect.TypeFor[resource.ResourceWithImportState](),
		"UpgradeState":     reflect.TypeFor[resource.ResourceWithUpgradeState](),
		"MoveState":        reflect.TypeFor[resource.ResourceWithMoveState](),
		"UpgradeIdentity":  reflect.TypeFor[resource.ResourceWithUpgradeIdentity](),
		"Identity":         reflect.TypeFor[resource.ResourceWithIdentity](),
	}
	forwardedInterfaces = map[string]bool{"Configure": true, "ModifyPlan": true, "ValidateConfig": true, "ConfigValidators": true, "ImportState": true}
)

// TestResourceIdentities: every resource has an identity whose attributes are string attributes of its
// schema, required for import; the wrapper keeps every optional interface of the resource.
func TestResourceIdentities(t *testing.T) {
	ctx := context.Background()
	for _, newR := range resourceConstructors {
		r := newR()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "aks"}, &meta)
		w, ok := r.(*identified)
		if !ok {
			t.Errorf("%s: no identity (wrap its constructor with withIdentity)", meta.TypeName)
			continue
		}
		for name, iface := range optionalResourceInterfaces {
			if reflect.TypeOf(w.inner).Implements(iface) && !forwardedInterfaces[name] {
				t.Errorf("%s implements %s, which withIdentity does not forward", meta.TypeName, name)
			}
		}
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		var is resource.IdentitySchemaResponse
		w.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &is)
		if diags := is.IdentitySchema.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("%s: identity schema invalid: %v", meta.TypeName, diags)
		}
		if len(is.IdentitySchema.Attributes) == 0 || len(is.IdentitySchema.Attributes) != len(w.identity) {
			t.Errorf("%s: identity schema has %d attributes, declared %d", meta.TypeName, len(is.IdentitySchema.Attributes), len(w.identity))
		}
		for _, a := range w.identity {
			_, ok := s.Schema.Attributes[a.name].(schema.StringAttribute)
			if !ok {
				t.Errorf("%s: identity attribute %s is not a string attribute of the schema", meta.TypeName, a.name)
			}
			if !is.IdentitySchema.Attributes[a.name].IsRequiredForImport() || a.description == "" {
				t.Errorf("%s: identity attribute %s must be required for import and described", meta.TypeName, a.name)
			}
		}
	}
}

// TestIdentityImportIDAndFill: an identity becomes the import ID in declared order, a missing value is
// an error on that attribute, and fill copies the identity out of a state.
func TestIdentityImportIDAndFill(t *testing.T) {
	ctx := context.Background()
	ri := pimEligibilityIdentity
	is := ri.schema()
	typ := is.Type().TerraformType(ctx)
	identity := &tfsdk.ResourceIdentity{Schema: is, Raw: tftypes.NewValue(typ, map[string]tftypes.Value{
		"group_id":     tftypes.NewValue(tftypes.String, "g"),
		"principal_id": tftypes.NewValue(tftypes.String, "p"),
		"access_id":    tftypes.NewValue(tftypes.String, "member"),
	})}
	id, diags := ri.importID(ctx, identity)
	if diags.HasError() || id != "g/p/member" {
		t.Fatalf("importID = %q, %v; want g/p/member", id, diags)
	}
	identity.Raw = tftypes.NewValue(typ, map[string]tftypes.Value{
		"group_id":     tftypes.NewValue(tftypes.String, "g"),
		"principal_id": tftypes.NewValue(tftypes.String, nil),
		"access_id":    tftypes.NewValue(tftypes.String, "member"),
	})
	if _, diags := ri.importID(ctx, identity); !diags.HasError() {
		t.Fatal("an identity without principal_id was accepted")
	}

	var s resource.SchemaResponse
	unwrapResource(NewPIMEligibilityResource()).Schema(ctx, resource.SchemaRequest{}, &s)
	state := tfsdk.State{Schema: s.Schema, Raw: tftypes.NewValue(s.Schema.Type().TerraformType(ctx), nil)}
	for attr, v := range map[string]string{"group_id": "G", "principal_id": "P", "access_id": "owner"} {
		if d := state.SetAttribute(ctx, path.Root(attr), v); d.HasError() {
			t.Fatal(d)
		}
	}
	out := &tfsdk.ResourceIdentity{Schema: is, Raw: tftypes.NewValue(typ, nil)}
	if d := ri.fill(ctx, state, out); d.HasError() {
		t.Fatal(d)
	}
	if id, _ := ri.importID(ctx, out); id != "G/P/owner" {
		t.Errorf("identity filled from state imports as %q, want G/P/owner", id)
	}
}
