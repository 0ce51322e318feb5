package directory

import (
	"crypto/x509"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
)

var _ entra.Directory = (*Store)(nil)

// Application returns the sign-in view of an app registration and its service principal.
func (s *Store) Application(appID string) (entra.Application, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[key(appID)]
	if !ok {
		return entra.Application{}, false
	}
	out := entra.Application{
		AppID: a.AppID, DisplayName: a.DisplayName, ServicePrincipalID: a.ServicePrincipalID,
		Secrets: append([]string(nil), a.Secrets...), PublicClient: a.PublicClient,
		DelegatedScopes: copyScopes(a.DelegatedScopes),
	}
	for _, der := range a.CertificatesDER {
		if c, err := x509.ParseCertificate(der); err == nil {
			out.Certificates = append(out.Certificates, c)
		}
	}
	for _, f := range a.Federated {
		out.Federated = append(out.Federated, entra.FederatedCredential{Issuer: f.Issuer, Subject: f.Subject, Audience: f.Audience})
	}
	if sp, ok := s.sps[key(a.ServicePrincipalID)]; ok {
		if !s.visible(sp.CreatedAt, sp.DeletedAt, s.opt.Now()) {
			return entra.Application{}, false
		}
		out.AppRoles = copyScopes(sp.AppRoles)
	}
	return out, true
}

// Account returns a visible, signable user by UPN or object ID.
func (s *Store) Account(upnOrID string) (entra.Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Now()
	for _, u := range s.users {
		if (strings.EqualFold(u.UserPrincipalName, upnOrID) || strings.EqualFold(u.ID, upnOrID)) && s.visible(u.CreatedAt, u.DeletedAt, now) && u.DeletedAt == nil {
			a := entra.Account{ObjectID: u.ID, UPN: u.UserPrincipalName, DisplayName: u.DisplayName, Password: u.Password, Enabled: u.AccountEnabled}
			if u.SignInSessionsValidFrom != nil {
				a.TokensValidFrom = *u.SignInSessionsValidFrom
			}
			return a, true
		}
	}
	return entra.Account{}, false
}

func copyScopes(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// --- seeding (in-process API used by the server's seed and by tests) ---

// stamp gives an object the seeding API stores the ID and creation time the caller left empty: a new
// GUID, now (callers hold s.mu).
func (s *Store) stamp(id *string, created *time.Time) {
	if *id == "" {
		*id = s.newID()
	}
	if created.IsZero() {
		*created = s.opt.Now()
	}
}

// AddUser stores u; an empty ID is generated, a zero CreatedAt means now.
func (s *Store) AddUser(u User) User {
	s.mu.Lock()
	s.stamp(&u.ID, &u.CreatedAt)
	cp := u
	s.users[key(u.ID)] = &cp
	s.unlockChanged()
	return u
}

// AddGroup stores g; an empty ID is generated, a zero CreatedAt means now.
func (s *Store) AddGroup(g Group) Group {
	s.mu.Lock()
	s.stamp(&g.ID, &g.CreatedAt)
	if g.GroupTypes == nil {
		g.GroupTypes = []string{}
	}
	if g.SecurityIdentifier == "" {
		g.SecurityIdentifier = securityIdentifier(g.ID)
	}
	cp := g
	s.groups[key(g.ID)] = &cp
	s.unlockChanged()
	return g
}

// AddApplication stores an app registration and its service principal (IDs generated when empty).
func (s *Store) AddApplication(a App, sp ServicePrincipal) (App, ServicePrincipal) {
	s.mu.Lock()
	if a.AppID == "" {
		a.AppID = s.newID()
	}
	s.stamp(&sp.ID, &sp.CreatedAt)
	if sp.DisplayName == "" {
		sp.DisplayName = a.DisplayName
	}
	sp.AppID = a.AppID
	a.ServicePrincipalID = sp.ID
	ca, csp := a, sp
	s.apps[key(a.AppID)] = &ca
	s.sps[key(sp.ID)] = &csp
	s.unlockChanged()
	return a, sp
}

// AddRelationship makes principalID a permanent member or owner of groupID as of at.
func (s *Store) AddRelationship(groupID, principalID, kind string, at time.Time) {
	s.mu.Lock()
	if s.liveRel(groupID, principalID, kind) == nil {
		s.rels = append(s.rels, &Relationship{GroupID: groupID, PrincipalID: principalID, Kind: kind, AddedAt: at})
	}
	s.unlockChanged()
}

// SetAppRoles replaces the application permissions a service principal holds on resource.
func (s *Store) SetAppRoles(spID, resource string, roles []string) {
	s.mu.Lock()
	if sp, ok := s.sps[key(spID)]; ok {
		if sp.AppRoles == nil {
			sp.AppRoles = map[string][]string{}
		}
		sp.AppRoles[resource] = append([]string(nil), roles...)
	}
	s.unlockChanged()
}
