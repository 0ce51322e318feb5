package emulator

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/directory"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/storekit"
)

const (
	seedDomain   = "aksemu.onmicrosoft.com"
	seedLocation = "eastus"
)

// randomSecret returns a shell-safe secret in the style of Entra client secrets.
func randomSecret(rnd *rand.Rand, prefix string, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
	b := []byte(prefix)
	for i := 0; i < n; i++ {
		b = append(b, alphabet[rnd.Intn(len(alphabet))])
	}
	return string(b)
}

// seedIdentity creates the tenant's fixed identities: the IDs and secrets that the env file exports.
func seedIdentity(rnd *rand.Rand) Fixtures {
	f := Fixtures{
		TenantID:       storekit.NewGUID(rnd),
		SubscriptionID: storekit.NewGUID(rnd),
		Domain:         seedDomain,
		Location:       seedLocation,
	}
	f.AdminClientID = storekit.NewGUID(rnd)
	f.AdminObjectID = storekit.NewGUID(rnd)
	f.AdminClientSecret = randomSecret(rnd, "azemu", 35)
	f.PublicClientID = storekit.NewGUID(rnd)
	f.N01 = User{ID: storekit.NewGUID(rnd), UPN: "n01@" + seedDomain, Password: randomSecret(rnd, "N01-", 16), DisplayName: "n01"}
	f.P01 = User{ID: storekit.NewGUID(rnd), UPN: "p01@" + seedDomain, Password: randomSecret(rnd, "P01-", 16), DisplayName: "p01"}
	f.FederatedSubject = "system:serviceaccount:aks-pim:terraform"
	f.FederatedAudience = "api://AzureADTokenExchange"
	return f
}

// seedWorld fills the directory and ARM with the default world. Seeded objects are dated a day back so
// a replication delay never hides them.
func (s *Server) seedWorld(certDER []byte) error {
	f := &s.fixtures
	past := s.clock.Now().Add(-24 * time.Hour)
	s.dir.AddApplication(directory.App{
		AppID: f.AdminClientID, DisplayName: "terraform-provider-aks (azemu admin)",
		Secrets: []string{f.AdminClientSecret}, CertificatesDER: [][]byte{certDER},
		Federated: []directory.Federated{{Issuer: f.FederatedIssuer, Subject: f.FederatedSubject, Audience: f.FederatedAudience}},
	}, directory.ServicePrincipal{ID: f.AdminObjectID, CreatedAt: past,
		AppRoles: map[string][]string{entra.ResourceGraph: append([]string(nil), s.cfg.AdminGraphPermissions...)}})
	s.dir.AddApplication(directory.App{
		AppID: f.PublicClientID, DisplayName: "azemu public client", PublicClient: true,
		DelegatedScopes: map[string][]string{
			entra.ResourceGraph: append([]string(nil), s.cfg.UserDelegatedScopes...),
			entra.ResourceARM:   {"user_impersonation"},
		},
	}, directory.ServicePrincipal{CreatedAt: past})
	for _, u := range []User{f.N01, f.P01} {
		s.dir.AddUser(directory.User{
			ID: u.ID, UserPrincipalName: u.UPN, DisplayName: u.DisplayName, MailNickname: u.DisplayName,
			AccountEnabled: true, Password: u.Password, CreatedAt: past,
		})
	}

	for i := 1; i <= s.cfg.Clusters; i++ {
		rg, name := "rg-aks-demo", "aks-demo"
		if i > 1 {
			rg, name = fmt.Sprintf("rg-aks-demo-%d", i), fmt.Sprintf("aks-demo-%d", i)
		}
		s.arm.AddResourceGroup(arm.ResourceGroup{Name: rg, Location: seedLocation})
		id := s.arm.AddCluster(arm.Cluster{
			Name: name, ResourceGroup: rg, Location: seedLocation, KubernetesVersion: s.cfg.KubernetesVersions[(i-1)%len(s.cfg.KubernetesVersions)],
			AADManaged: true, AzureRBAC: true, DisableLocalAccounts: true,
			Pools: []arm.AgentPool{
				{Name: "system", Mode: "System", Count: 3, VMSize: "Standard_D4ds_v5"},
				{Name: "user", Mode: "User", Count: 2, VMSize: "Standard_D4ds_v5"},
			},
		})
		f.ClusterIDs = append(f.ClusterIDs, id)
		if i == 1 {
			f.ClusterID, f.ClusterName, f.ResourceGroup = id, name, rg
			f.NodeResourceGroup = "MC_" + rg + "_" + name + "_" + seedLocation
			f.NodePools = []string{"system", "user"}
		}
	}
	if s.cfg.AdminARMRole != "-" {
		rd, ok := arm.RoleByName(s.cfg.AdminARMRole)
		if !ok {
			return fmt.Errorf("emulator: unknown AdminARMRole %q", s.cfg.AdminARMRole)
		}
		s.arm.AddRoleAssignment(arm.RoleAssignment{
			Name: storekit.NewGUID(s.seedRand), Scope: "/subscriptions/" + f.SubscriptionID, RoleDefinitionID: rd.ID,
			PrincipalID: f.AdminObjectID, PrincipalType: "ServicePrincipal", CreatedOn: past, UpdatedOn: past,
		})
	}
	return nil
}
