package resources

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// pimDurationType is a string holding one of the ISO-8601 durations PIM accepts. Values compare by
// length, so "PT480M" in the configuration and "PT8H" from Graph are the same value and never a diff, and
// invalid spellings (P6M, P1Y, PT1.5H) are rejected when the configuration is validated.
type pimDurationType struct {
	basetypes.StringType
}

var (
	_ basetypes.StringTypable                    = pimDurationType{}
	_ basetypes.StringValuableWithSemanticEquals = pimDurationValue{}
	_ xattr.ValidateableAttribute                = pimDurationValue{}
)

func (t pimDurationType) Equal(o attr.Type) bool {
	_, ok := o.(pimDurationType)
	return ok
}

func (t pimDurationType) String() string { return "pimDurationType" }

func (t pimDurationType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return pimDurationValue{StringValue: in}, nil
}

func (t pimDurationType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return pimDurationValue{StringValue: s}, nil
}

func (t pimDurationType) ValueType(context.Context) attr.Value { return pimDurationValue{} }

// pimDurationValue is a value of pimDurationType.
type pimDurationValue struct {
	basetypes.StringValue
}

func (v pimDurationValue) Type(context.Context) attr.Type { return pimDurationType{} }

func (v pimDurationValue) Equal(o attr.Value) bool {
	other, ok := o.(pimDurationValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals keeps the configured spelling when Graph reports the same length differently.
func (v pimDurationValue) StringSemanticEquals(_ context.Context, o basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := o.(pimDurationValue)
	if !ok {
		return false, diags
	}
	return pim.DurationsEqual(v.ValueString(), other.ValueString()), diags
}

// ValidateAttribute rejects what PIM would reject, at validation time, with the parser's explanation.
func (v pimDurationValue) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if _, err := pim.ParseDuration(v.ValueString()); err != nil {
		// The detail names the attribute: Terraform shows errors on nested attributes (activation.maximum_duration)
		// on the enclosing block, so the path in the text is what tells the user which value is wrong.
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid PIM Duration",
			fmt.Sprintf("%s: %s. PIM accepts ISO-8601 durations in days, hours, minutes and seconds only, such as P30D, PT8H or PT1H30M.", req.Path, err))
	}
}

// Duration returns the parsed duration (zero when null, unknown or invalid; validation reports invalid).
func (v pimDurationValue) Duration() pim.Duration {
	if v.IsNull() || v.IsUnknown() {
		return pim.Duration{}
	}
	d, _ := pim.ParseDuration(v.ValueString())
	return d
}

func newPIMDuration(d pim.Duration) pimDurationValue {
	if d.IsZero() {
		return pimDurationValue{StringValue: basetypes.NewStringNull()}
	}
	return pimDurationValue{StringValue: basetypes.NewStringValue(d.String())}
}

// Patterns of the PIM resources' string validators.
var (
	pimEmailPattern       = regexp.MustCompile(`^[^@\s,;]+@[^@\s,;]+$`)
	pimAuthContextPattern = regexp.MustCompile(`^c([1-9]|[1-9][0-9])$`)
	// RFC 3339 as time.RFC3339 parses it (a fraction of a second is allowed, a zone is required).
	pimRFC3339Pattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)
)
