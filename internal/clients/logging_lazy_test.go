package clients

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"
)

// The TRACE detail of a request (redacted headers and bodies) is computed only when the line is
// written, not at levels that drop it.
func TestLazyLogFieldIsRenderedOnlyWhenWritten(t *testing.T) {
	t.Parallel()
	calls := 0
	field := lazy(func() any { calls++; return "redacted body" })

	ctx := tfsdklog.NewRootProviderLogger(t.Context(), tfsdklog.WithLevel(hclog.Info))
	tflog.Trace(ctx, "HTTP request detail", map[string]any{"request_body": field})
	if calls != 0 {
		t.Errorf("rendered %d times at INFO, want 0", calls)
	}

	var out bytes.Buffer
	ctx = tflogtest.RootLogger(t.Context(), &out)
	tflog.Trace(ctx, "HTTP request detail", map[string]any{"request_body": field})
	if calls != 1 || !strings.Contains(out.String(), `"request_body":"redacted body"`) {
		t.Errorf("at TRACE: rendered %d times, output %q", calls, out.String())
	}
}
