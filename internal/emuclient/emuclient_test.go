package emuclient_test

import (
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// TestAdminAndUser builds the admin's and n01's clients and checks that each signs in as itself.
func TestAdminAndUser(t *testing.T) {
	srv := emuclient.Start(t, emulator.DefaultConfig())
	f := srv.Fixtures()
	ctx := t.Context()

	admin, err := emuclient.Admin(ctx, srv, emuclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n01, err := emuclient.User(ctx, srv, f.N01.UPN, f.N01.Password, emuclient.Options{UserAgent: "emuclient-test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    *clients.Client
		want string
	}{
		{"admin", admin, f.AdminObjectID},
		{"n01", n01, f.N01.ID},
	} {
		got, err := tc.c.CallerObjectID(ctx)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !strings.EqualFold(got, tc.want) {
			t.Errorf("%s: caller object ID %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := emuclient.Endpoints(srv); got.GraphEndpoint != srv.URL() || got.AuthorityHost != srv.URL()+"/" {
		t.Errorf("endpoints %+v, want the emulator's URL %s", got, srv.URL())
	}
}

// TestCredentialErrorNamesPrincipal: a credential that cannot be built names the user and the client
// apart, not glued into one word.
func TestCredentialErrorNamesPrincipal(t *testing.T) {
	srv := emuclient.Start(t, emulator.DefaultConfig())
	f := srv.Fixtures()
	_, err := emuclient.User(t.Context(), srv, f.N01.UPN, "", emuclient.Options{})
	want := "user " + f.N01.UPN + " through public client " + f.PublicClientID + ":"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want it to contain %q", err, want)
	}
}
