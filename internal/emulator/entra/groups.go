package entra

import (
	"time"
)

// GroupOverageLimit is how many groups a JWT carries at most: a user in more groups gets the overage
// claims (_claim_names/_claim_sources) instead, and the resource reads the groups from Graph.
const GroupOverageLimit = 200

// groupClaimResources are the resources whose app registration asks for group claims
// (groupMembershipClaims). The AKS server application does, so that the cluster can authorize by group;
// Graph and ARM tokens carry no groups.
var groupClaimResources = map[string]bool{ResourceAKS: true}

// addGroupClaims puts the user's groups, as they are now (transitively, with the PIM memberships active
// at this moment), into a user token of a resource that asks for them.
func (s *Service) addGroupClaims(c *Claims, resource string) {
	if !groupClaimResources[resource] {
		return
	}
	groups := s.cfg.Directory.MemberOf(c.OID, s.cfg.Now())
	if len(groups) > GroupOverageLimit {
		c.ClaimNames = map[string]string{"groups": "src1"}
		c.ClaimSources = map[string]ClaimSource{"src1": {
			Endpoint: "https://graph.windows.net/" + s.cfg.TenantID + "/users/" + c.OID + "/getMemberObjects",
		}}
		return
	}
	c.Groups = groups
}

// revokedGrant answers a refresh token issued before the user's sessions were revoked (Graph
// revokeSignInSessions, a password reset), with the dates Entra quotes.
func revokedGrant(issued, validFrom time.Time) *grantError {
	const layout = "2006-01-02T15:04:05.0000000Z"
	return &grantError{400, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '" +
		issued.UTC().Format(layout) + "' and the TokensValidFrom date (before which tokens are not valid) for this user is '" + validFrom.UTC().Format(layout) + "'."}
}
