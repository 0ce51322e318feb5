package acctest

import (
	"testing"
)

// GrantPIMAdministration gives the provider's identity what PIM for Azure resources requires and the
// emulator's least-privilege seed (Role Based Access Control Administrator) lacks: "User Access
// Administrator" at the subscription (idempotent). Against a tenant it does nothing: the identity must
// hold that role already (README, "Required permissions").
func GrantPIMAdministration(t *testing.T) {
	t.Helper()
	PreCheck(t)
	if Live() {
		return
	}
	Emulator(t).GrantPIMAdministration()
}
