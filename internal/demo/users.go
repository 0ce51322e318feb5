package main

import (
	"context"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
)

// userClient signs a scenario user in through the emulator's public client with the password grant
// (ROPC) and builds the same clients.Client the provider builds: every call below is a real Graph or
// ARM request with that user's own token.
func (e *environment) userClient(ctx context.Context, upn, password string) (*clients.Client, error) {
	return emuclient.User(ctx, e.srv, upn, password, emuclient.Options{UserAgent: "aks-demo"})
}
