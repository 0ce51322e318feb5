// Package emuclient builds internal/clients clients for the principals of an internal/emulator server:
// its admin service principal and its seeded users, on the emulator's clock (a test that moves it with
// AdvanceClock moves the provider code's time of day too). It is for test harnesses and the demo; the provider
// itself never uses it (it reads the ARM_* environment).
package emuclient

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// Endpoints are the emulator's endpoints as the provider resolves them from its ARM_* environment.
func Endpoints(srv *emulator.Server) clients.Endpoints {
	env := map[string]string{}
	for _, v := range srv.Env() {
		env[v.Name] = v.Value
	}
	return clients.Endpoints{
		AuthorityHost:           env["ARM_AUTHORITY_HOST"],
		GraphEndpoint:           env["ARM_GRAPH_ENDPOINT"],
		GraphAudience:           env["ARM_GRAPH_AUDIENCE"],
		ResourceManagerEndpoint: env["ARM_RESOURCE_MANAGER_ENDPOINT"],
		ResourceManagerAudience: env["ARM_RESOURCE_MANAGER_AUDIENCE"],
	}
}

// Options tune the client; the zero value of each field means the clients package's default.
type Options struct {
	Consistency              clients.ConsistencyOptions
	PrincipalNotFoundTimeout time.Duration
	// UserAgent is sent by the credential and the client.
	UserAgent string
	// RedactValues are literal secrets to remove from logs; Admin adds the client secret, User the password.
	RedactValues []string
	// WrapTransport, when set, wraps the transport of the client's Graph and ARM requests (not the
	// sign-in): tests put answers a tenant can give but the emulator has no reason to there.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// SharedReads: see clients.Config.SharedReads.
	SharedReads bool
}

// Admin returns a client of the emulator's admin service principal (client secret).
func Admin(ctx context.Context, srv *emulator.Server, o Options) (*clients.Client, error) {
	f := srv.Fixtures()
	o.RedactValues = append([]string{f.AdminClientSecret}, o.RedactValues...)
	return build(ctx, srv, clients.AuthConfig{
		Method: clients.AuthClientSecret, ClientID: f.AdminClientID, ClientSecret: f.AdminClientSecret,
	}, o)
}

// User returns a client signed in as upn with the resource owner password grant through the emulator's
// public client: every request carries that user's own delegated token.
func User(ctx context.Context, srv *emulator.Server, upn, password string, o Options) (*clients.Client, error) {
	o.RedactValues = append([]string{password}, o.RedactValues...)
	return build(ctx, srv, clients.AuthConfig{
		Method: clients.AuthUsernamePassword, ClientID: srv.Fixtures().PublicClientID, Username: upn, Password: password,
	}, o)
}

// build completes auth with the emulator's tenant, endpoints and transport and builds the client.
func build(ctx context.Context, srv *emulator.Server, auth clients.AuthConfig, o Options) (*clients.Client, error) {
	f := srv.Fixtures()
	ep := Endpoints(srv)
	tr := srv.HTTPClient().Transport
	auth.TenantID, auth.Endpoints, auth.Transport, auth.UserAgent = f.TenantID, ep, tr, o.UserAgent
	cred, desc, err := clients.NewCredential(ctx, auth)
	if err != nil {
		return nil, fmt.Errorf("credential for %s: %w", principal(auth), err)
	}
	if o.WrapTransport != nil {
		tr = o.WrapTransport(tr)
	}
	c, err := clients.New(ctx, clients.Config{
		TenantID: f.TenantID, SubscriptionID: f.SubscriptionID, Credential: cred, Endpoints: ep, Transport: tr,
		UserAgent: o.UserAgent, Consistency: o.Consistency, PrincipalNotFoundTimeout: o.PrincipalNotFoundTimeout,
		RedactValues: o.RedactValues, Clock: srv, SharedReads: o.SharedReads,
	})
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", desc, err)
	}
	return c, nil
}

// principal names who signs in, for errors (the words clients.NewCredential uses for its description).
func principal(auth clients.AuthConfig) string {
	if auth.Method == clients.AuthUsernamePassword {
		return fmt.Sprintf("user %s through public client %s", auth.Username, auth.ClientID)
	}
	return "client ID " + auth.ClientID
}

// Principals are clients of the emulator's admin and of its two seeded users, n01 (the requester of the
// scenario) and p01 (the approver), all with the same options.
type Principals struct {
	Admin, N01, P01 *clients.Client
}

// All builds the clients of Principals.
func All(ctx context.Context, srv *emulator.Server, o Options) (Principals, error) {
	f := srv.Fixtures()
	var p Principals
	var err error
	if p.Admin, err = Admin(ctx, srv, o); err != nil {
		return p, err
	}
	if p.N01, err = User(ctx, srv, f.N01.UPN, f.N01.Password, o); err != nil {
		return p, err
	}
	p.P01, err = User(ctx, srv, f.P01.UPN, f.P01.Password, o)
	return p, err
}
