package directory

import (
	"net/http"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// revokeSignInSessions is POST /users/{id}/revokeSignInSessions (and /me/...): it invalidates the
// user's refresh tokens (and session cookies) issued until now by moving signInSessionsValidFromDateTime.
// Access tokens already issued stay valid until they expire: they cannot be revoked.
func (s *Store) revokeSignInSessions(w http.ResponseWriter, r *http.Request, p router.Params) {
	c := caller(r)
	id := p["id"]
	if id == "" {
		if c.IsApp {
			odata.WriteErr(w, r, odata.BadRequest("/me request is only valid with delegated authentication flow."))
			return
		}
		id = c.ObjectID
	}
	if !require(w, r, permRevoke) {
		return
	}
	s.mu.Lock()
	now := s.opt.Now()
	u := s.findUser(id, now)
	if u == nil {
		s.mu.Unlock()
		odata.WriteErr(w, r, odata.NotFound(id))
		return
	}
	u.SignInSessionsValidFrom = &now
	s.unlockChanged()
	odata.WriteJSON(w, http.StatusOK, map[string]any{"@odata.context": odata.Context(r, "Edm.Boolean"), "value": true})
}
