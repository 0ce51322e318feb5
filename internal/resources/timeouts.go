package resources

import (
	"context"
	"fmt"
	"time"

	dstimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	ephtimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/ephemeral/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	ephschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// timeoutDefaults are an object's default operation timeouts; a zero value means the object has no
// such operation.
type timeoutDefaults struct {
	Create, Read, Update, Delete time.Duration
}

// of is operation o's timeout: as configured in t, else the default.
func (d timeoutDefaults) of(o op, t timeouts.Value) (timeoutFunc, time.Duration) {
	configured := [...]timeoutFunc{t.Create, t.Read, t.Update, t.Delete}
	defaults := [...]time.Duration{d.Create, d.Read, d.Update, d.Delete}
	return configured[o], defaults[o]
}

// resourceTimeouts is the `timeouts` attribute of a resource; every resource model embeds it.
type resourceTimeouts struct {
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (t *resourceTimeouts) timeoutsValue() timeouts.Value { return t.Timeouts }

// timed is a resource model (a pointer to it): what an operation's timeout is read from.
type timed interface{ timeoutsValue() timeouts.Value }

// dataSourceTimeouts is the `timeouts` attribute of a data source; every data source model embeds it.
type dataSourceTimeouts struct {
	Timeouts dstimeouts.Value `tfsdk:"timeouts"`
}

func (t *dataSourceTimeouts) timeoutsRead() timeoutFunc { return t.Timeouts.Read }

// timedRead is a data source model (a pointer to it): what the read's timeout is read from.
type timedRead interface{ timeoutsRead() timeoutFunc }

const timeoutFormat = ` A duration such as "30s", "10m" or "1h30m".`

// timeoutsAttribute is the `timeouts` nested attribute of a resource, documenting each default.
func timeoutsAttribute(ctx context.Context, d timeoutDefaults) schema.Attribute {
	opts := timeouts.Opts{
		Create: d.Create > 0, Read: d.Read > 0, Update: d.Update > 0, Delete: d.Delete > 0,
		CreateDescription: fmt.Sprintf("How long a create may take, including waiting until the object is consistently readable. Default %s.", d.Create) + timeoutFormat,
		ReadDescription:   fmt.Sprintf("How long a refresh may take. Default %s.", d.Read) + timeoutFormat,
		UpdateDescription: fmt.Sprintf("How long an update may take. Default %s.", d.Update) + timeoutFormat,
		DeleteDescription: fmt.Sprintf("How long a delete may take, including waiting until the object is gone. Default %s.", d.Delete) + timeoutFormat,
	}
	a, ok := timeouts.Attributes(ctx, opts).(schema.SingleNestedAttribute)
	if !ok {
		panic("timeouts.Attributes no longer returns a SingleNestedAttribute")
	}
	a.MarkdownDescription = "Operation timeouts. Every operation is bounded: retries and consistency waits stop at the deadline."
	return a
}

// dataSourceTimeoutsAttribute is the `timeouts` nested attribute of a data source.
func dataSourceTimeoutsAttribute(ctx context.Context, read time.Duration) dsschema.Attribute {
	a, ok := dstimeouts.AttributesWithOpts(ctx, dstimeouts.Opts{
		ReadDescription: fmt.Sprintf("How long the read may take. Default %s.", read) + timeoutFormat,
	}).(dsschema.SingleNestedAttribute)
	if !ok {
		panic("dstimeouts.AttributesWithOpts no longer returns a SingleNestedAttribute")
	}
	a.MarkdownDescription = "Operation timeouts."
	return a
}

// ephemeralTimeoutsAttribute is the `timeouts` nested attribute of an ephemeral resource.
func ephemeralTimeoutsAttribute(ctx context.Context, openDescription string) ephschema.Attribute {
	a, ok := ephtimeouts.AttributesWithOpts(ctx, ephtimeouts.Opts{OpenDescription: openDescription + timeoutFormat}).(ephschema.SingleNestedAttribute)
	if !ok {
		panic("ephtimeouts.AttributesWithOpts no longer returns a SingleNestedAttribute")
	}
	a.MarkdownDescription = "Operation timeouts."
	return a
}

// operationContext bounds ctx by the configured (or default) timeout of one operation. get is one of
// the Create/Read/Update/Delete methods of a timeouts value.
func operationContext(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, ds := get(ctx, def)
	diags.Append(ds...)
	if d <= 0 {
		d = def
	}
	return context.WithTimeout(ctx, d)
}
