package main

import (
	"context"
	"fmt"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// userClient signs a scenario user in through the emulator's public client with the password grant
// (ROPC) and builds the same clients.Client the provider builds: every call below is a real Graph or
// ARM request with that user's own token.
func (e *environment) userClient(ctx context.Context, upn, password string) (*clients.Client, error) {
	return e.client(ctx, clients.AuthConfig{
		Method: clients.AuthUsernamePassword, ClientID: e.fixtures.PublicClientID, Username: upn, Password: password,
	})
}

func (e *environment) client(ctx context.Context, auth clients.AuthConfig) (*clients.Client, error) {
	ep := e.endpoints()
	tr := e.srv.HTTPClient().Transport
	auth.TenantID, auth.Endpoints, auth.Transport, auth.UserAgent = e.fixtures.TenantID, ep, tr, "aks-demo"
	cred, desc, err := clients.NewCredential(ctx, auth)
	if err != nil {
		return nil, fmt.Errorf("credential for %s: %w", auth.Username+auth.ClientID, err)
	}
	c, err := clients.New(ctx, clients.Config{
		TenantID: e.fixtures.TenantID, SubscriptionID: e.fixtures.SubscriptionID, Credential: cred,
		Endpoints: ep, Transport: tr, UserAgent: "aks-demo",
	})
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", desc, err)
	}
	return c, nil
}
