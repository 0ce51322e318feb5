package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// frameworkServer is what the framework's protocol 6 server implements: the list resource, action and
// state store servers too, which the plugin server finds by type assertion, so the wrapper keeps them.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

// Protocol6 serves p over protocol 6 as providerserver.NewProtocol6 does, except that what a request
// brought with it is released once it has been answered.
//
// terraform-plugin-framework (v1.19) keeps the cancel function of every request's context until
// Terraform stops the provider (proto6server.registerContext appends it to a list only StopProvider
// empties), and through it the whole context: the plugin SDK's loggers, the gRPC stream and its
// headers, about 10 KB a request. Terraform sends four requests per resource in a plan (validate,
// upgrade, read, plan), so a 2,800-resource plan kept 110 MB live and peaked at 440 MiB RSS
// (BENCHMARKS.md, issue 14). Each request that Terraform sends once per resource or data source
// instance therefore reaches the framework through a requestContext that forgets the plugin server's
// context when the request returns; the framework then keeps about 200 bytes a request.
func Protocol6(p func() provider.Provider) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		inner := providerserver.NewProtocol6(p())()
		fs, ok := inner.(frameworkServer)
		if !ok {
			// The framework dropped an optional server: serving it unwrapped keeps every RPC working.
			return inner
		}
		return releasingServer{fs}
	}
}

// releasingServer hands the per-instance requests to the framework through a requestContext.
type releasingServer struct {
	frameworkServer
}

// released runs one request with a context that is let go of when it returns.
func released[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := newRequestContext(ctx)
	defer rc.release()
	return call(rc, req)
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.UpgradeResourceState)
}

func (s releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return released(ctx, req, s.frameworkServer.UpgradeResourceIdentity)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return released(ctx, req, s.frameworkServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return released(ctx, req, s.frameworkServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.ImportResourceState)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return released(ctx, req, s.frameworkServer.ReadDataSource)
}

// requestContext is a request's context until release, then a cancelled context without values: work
// that outlives its request (a shared $batch another request started) loses only its log lines.
type requestContext struct {
	parent   atomic.Pointer[context.Context] // nil once released
	done     <-chan struct{}
	deadline time.Time
	hasDL    bool
	err      atomic.Pointer[error] // the parent's error when it was released, if any
}

func newRequestContext(parent context.Context) *requestContext {
	c := &requestContext{done: parent.Done()}
	c.deadline, c.hasDL = parent.Deadline()
	c.parent.Store(&parent)
	return c
}

// release forgets the parent; Done keeps answering with the parent's channel (the same value on every
// call, as context requires), which the plugin server closes when it ends the request.
func (c *requestContext) release() {
	p := c.parent.Swap(nil)
	if p == nil {
		return
	}
	if err := (*p).Err(); err != nil {
		c.err.Store(&err)
	}
}

func (c *requestContext) Deadline() (time.Time, bool) { return c.deadline, c.hasDL }

func (c *requestContext) Done() <-chan struct{} { return c.done }

func (c *requestContext) Err() error {
	if p := c.parent.Load(); p != nil {
		return (*p).Err()
	}
	if err := c.err.Load(); err != nil {
		return *err
	}
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}

func (c *requestContext) Value(key any) any {
	if p := c.parent.Load(); p != nil {
		return (*p).Value(key)
	}
	return nil
}
