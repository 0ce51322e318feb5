package acctest

import (
	"sync"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
)

var grantPIMOnce sync.Once

// GrantPIMAdministration gives the provider's identity what PIM for Azure resources requires and the
// emulator's least-privilege seed (Role Based Access Control Administrator) lacks: "User Access
// Administrator" at the subscription, once per run. Against a tenant it does nothing: the identity must
// hold that role already (README, "Required permissions").
func GrantPIMAdministration(t *testing.T) {
	t.Helper()
	PreCheck(t)
	if Live() {
		return
	}
	srv := Emulator(t)
	grantPIMOnce.Do(func() {
		f := srv.Fixtures()
		rd, _ := arm.RoleByName("User Access Administrator")
		srv.ARM().AddRoleAssignment(arm.RoleAssignment{Scope: "/subscriptions/" + f.SubscriptionID, RoleDefinitionID: rd.ID,
			PrincipalID: f.AdminObjectID, PrincipalType: "ServicePrincipal"})
	})
}
