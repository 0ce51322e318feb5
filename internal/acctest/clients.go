package acctest

import (
	"context"
	"sync"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/provider"
)

var (
	adminOnce   sync.Once
	adminClient *clients.Client
	adminErr    error
)

// AdminClient returns a client authenticated exactly as the provider under test is (from the same
// environment), for checks that read Graph and ARM directly instead of trusting Terraform state.
func AdminClient(t *testing.T) *clients.Client {
	t.Helper()
	PreCheck(t)
	adminOnce.Do(func() {
		adminClient, adminErr = provider.ClientFromEnvironment(context.Background(), "acctest", provider.WithClock(Clock))
	})
	if adminErr != nil {
		t.Fatalf("acctest: building the admin client: %v", adminErr)
	}
	return adminClient
}

// UserClient returns a client that acts as u with u's own delegated token (resource owner password
// grant through the public client), as a person using the portal or kubelogin would: PIM activation,
// approval and the permissions API answer for that user.
func UserClient(t *testing.T, u User) *clients.Client {
	t.Helper()
	admin := AdminClient(t)
	f := Fixture(t)
	ctx := context.Background()
	cred, _, err := clients.NewCredential(ctx, clients.AuthConfig{
		Method:    clients.AuthUsernamePassword,
		TenantID:  admin.TenantID,
		ClientID:  f.PublicClientID,
		Username:  u.UPN,
		Password:  u.Password,
		Endpoints: admin.Endpoints,
	})
	if err != nil {
		t.Fatalf("acctest: signing in %s: %v", u.UPN, err)
	}
	c, err := clients.New(ctx, clients.Config{
		TenantID:       admin.TenantID,
		SubscriptionID: admin.SubscriptionID,
		Credential:     cred,
		Endpoints:      admin.Endpoints,
		UserAgent:      "terraform-provider-aks/acctest",
		Consistency:    admin.Consistency,
		RedactValues:   []string{u.Password},
	})
	if err != nil {
		t.Fatalf("acctest: building %s's client: %v", u.UPN, err)
	}
	return c
}
