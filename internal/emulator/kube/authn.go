package kube

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
)

// user is the authenticated subject of a request, as the API server and the authorization webhook see it.
type user struct {
	Name      string   // the upn of a user token, the oid otherwise; the CN of a client certificate
	OID       string   // Entra object ID (tokens only)
	AADGroups []string // the Entra group object IDs: from the token, or from the directory on overage
	Overage   bool     // the groups were read from the directory because the token had too many
	Groups    []string // every group the API server reports (whoami): AADGroups or certificate organizations, plus system:authenticated
	Masters   bool     // a local-account certificate of group system:masters
}

// authenticate identifies the caller: a client certificate of the cluster's CA when local accounts are
// enabled, or the bearer token of a cluster with Entra integration (a token of the AKS server
// application, unexpired). It returns false for anything else, which the API server answers 401.
func (cs *clusterServer) authenticate(r *http.Request, c arm.Cluster) (user, bool) {
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 && len(r.TLS.PeerCertificates) > 0 {
		if c.DisableLocalAccounts {
			return user{}, false
		}
		cert := r.TLS.PeerCertificates[0]
		u := user{Name: cert.Subject.CommonName, Groups: append(append([]string{}, cert.Subject.Organization...), "system:authenticated")}
		u.Masters = slices.Contains(cert.Subject.Organization, "system:masters")
		return u, true
	}
	if !c.AADManaged {
		return user{}, false
	}
	claims, err := cs.m.opt.Tokens.Validate(r.Header.Get("Authorization"))
	var expired *entra.ExpiredError
	switch {
	case errors.As(err, &expired):
		cs.m.logf("azemu: kube %s: 401: the token of %s expired at %s (emulator clock %s)", cs.name, nameOf(expired.Claims),
			expired.Claims.ExpiresAt().UTC().Format("15:04:05"), expired.Now.UTC().Format("15:04:05"))
		return user{}, false
	case err != nil:
		return user{}, false
	case entra.ResourceOfAudience(claims.Aud) != entra.ResourceAKS:
		cs.m.logf("azemu: kube %s: 401: token audience %q is not the AKS server application", cs.name, claims.Aud)
		return user{}, false
	}
	u := user{Name: nameOf(claims), OID: claims.OID}
	groups := claims.Groups
	if claims.HasGroupsOverage() && cs.m.opt.Directory != nil {
		// guard reads the groups from Graph when the token says there are too many to carry.
		groups, u.Overage = cs.m.opt.Directory.MemberOf(claims.OID, cs.m.opt.Now()), true
	}
	for _, g := range groups {
		// guard passes only object IDs on to Azure.
		if _, err := uuid.Parse(g); err == nil {
			u.AADGroups = append(u.AADGroups, strings.ToLower(g))
		}
	}
	u.Groups = append(append([]string{}, u.AADGroups...), "system:authenticated")
	return u, true
}

// nameOf is how guard names a token's subject: its upn, or its object ID (service principals).
func nameOf(c entra.Claims) string {
	if c.UPN != "" {
		return c.UPN
	}
	return c.OID
}
