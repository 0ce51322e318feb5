package resources

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// Builders of the attribute shapes several schemas share, so that a schema says what differs (the name,
// the description, a validator) and the shapes stay alike. The framework's resource, data source and
// ephemeral schemas are distinct types: these build resource attributes unless their name says otherwise.

// keptString is a computed string that keeps its state value through plans: it changes with a new object,
// or when Read reports a change.
func keptString(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
}

// derivedString is an optional string the plan derives when the configuration leaves it out.
func derivedString(description string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Optional: true, Computed: true, Validators: validators}
}

// optionalStringAttribute is an optional string, checked by validators.
func optionalStringAttribute(description string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Optional: true, Validators: validators}
}

// replacingObjectID is the required object ID of a directory object the object is for: changing it
// replaces the object.
func replacingObjectID(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Required: true,
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}, Validators: []validator.String{objectIDValidator()}}
}

// accessIDAttribute is PIM for groups' access_id, `member` (the default) or `owner`: changing it
// replaces the object.
func accessIDAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Optional: true, Computed: true,
		Default: stringdefault.StaticString(string(pim.AccessMember)), PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		Validators: []validator.String{stringvalidator.OneOf(pim.AccessIDs...)}}
}

// defaultedBool is an optional boolean with a default.
func defaultedBool(description string, def bool) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: description, Optional: true, Computed: true, Default: booldefault.StaticBool(def)}
}

// defaultedDuration is an optional ISO-8601 duration with a default.
func defaultedDuration(description string, def pim.Duration) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, CustomType: pimDurationType{}, Optional: true, Computed: true,
		Default: stringdefault.StaticString(def.String())}
}

// wiredRules describes the attributes of a schedule's wired policy rule (policy_eligible_assignment,
// policy_active_assignment); justification and mfa only for active assignments.
type wiredRules struct {
	expirationRequired, maximumDuration string
	justification, mfa                  string
}

// wiredPolicyAttribute is a schedule resource's wired policy rule: the eligible_assignment or
// active_assignment object of its policy resource, assigned as a whole, for plan-time checks.
func wiredPolicyAttribute(description string, w wiredRules) schema.SingleNestedAttribute {
	attrs := map[string]schema.Attribute{
		"expiration_required": schema.BoolAttribute{MarkdownDescription: w.expirationRequired, Required: true},
		"maximum_duration":    schema.StringAttribute{MarkdownDescription: w.maximumDuration, CustomType: pimDurationType{}, Optional: true},
	}
	if w.justification != "" {
		attrs["require_justification"] = schema.BoolAttribute{MarkdownDescription: w.justification, Optional: true}
		attrs["require_mfa"] = schema.BoolAttribute{MarkdownDescription: w.mfa, Optional: true}
	}
	return schema.SingleNestedAttribute{MarkdownDescription: description, Optional: true, Attributes: attrs}
}

// computedString is a data source's computed string.
func computedString(description string) dsschema.StringAttribute {
	return dsschema.StringAttribute{Computed: true, MarkdownDescription: description}
}

// computedBool is a data source's computed boolean.
func computedBool(description string) dsschema.BoolAttribute {
	return dsschema.BoolAttribute{Computed: true, MarkdownDescription: description}
}

// computedList is a data source's computed list of strings.
func computedList(description string) dsschema.ListAttribute {
	return dsschema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: description}
}

// computedMapOf is a data source's computed map of objects with attributes attrs.
func computedMapOf(description string, attrs map[string]dsschema.Attribute) dsschema.MapNestedAttribute {
	return dsschema.MapNestedAttribute{Computed: true, MarkdownDescription: description, NestedObject: dsschema.NestedAttributeObject{Attributes: attrs}}
}

// computedListOf is a data source's computed list of objects with attributes attrs.
func computedListOf(description string, attrs map[string]dsschema.Attribute) dsschema.ListNestedAttribute {
	return dsschema.ListNestedAttribute{Computed: true, MarkdownDescription: description, NestedObject: dsschema.NestedAttributeObject{Attributes: attrs}}
}

// lookupKey is a data source's way to name what it reads: set it (or another key), or read it back.
func lookupKey(description string, validators ...validator.String) dsschema.StringAttribute {
	return dsschema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: description, Validators: validators}
}
