package directory

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// extraGroupProps are group properties the emulator does not model but keeps as sent and answers: on
// v1.0 and beta, resourceBehaviorOptions, resourceProvisioningOptions, uniqueName and assignedLabels; on
// beta only (betaGroupProps), writebackConfiguration and isManagementRestricted. Peer tooling sends them
// (the azuread provider sets writebackConfiguration and the options on every create, through beta).
var (
	extraGroupProps = map[string]bool{
		"resourceBehaviorOptions": true, "resourceProvisioningOptions": true, "uniqueName": true, "assignedLabels": true,
		"writebackConfiguration": true, "isManagementRestricted": true,
	}
	betaGroupProps = map[string]bool{"writebackConfiguration": true, "isManagementRestricted": true}
)

// acceptedGroupProp reports whether a group body may carry property k on r's Graph version.
func acceptedGroupProp(r *http.Request, k string) bool {
	return writableGroupProps[k] || (extraGroupProps[k] && (isBeta(r) || !betaGroupProps[k]))
}

// setExtraProps stores the extra properties of a group body (callers hold s.mu).
func setExtraProps(g *Group, in groupInput) {
	for k, v := range in.raw {
		if !extraGroupProps[k] {
			continue
		}
		if g.Extra == nil {
			g.Extra = map[string]json.RawMessage{}
		}
		g.Extra[k] = v
	}
}

// groupODataID is the @odata.id Graph gives a group in the answer to its creation and on beta reads
// (api-reference/beta/api/group-list.md, v1.0/api/group-post-groups.md).
func (s *Store) groupODataID(g *Group) string {
	return "https://graph.microsoft.com/v2/" + s.opt.TenantID + "/directoryObjects/" + g.ID + "/Microsoft.DirectoryServices.Group"
}

// withExtras adds the extra properties as stored and, on beta, what a beta read answers beyond v1.0: the
// group's @odata.id and writebackConfiguration's nulls when it was never set (callers hold s.mu).
func (s *Store) withExtras(r *http.Request, g *Group, m map[string]any) map[string]any {
	beta := isBeta(r)
	if beta {
		m["@odata.id"] = s.groupODataID(g)
		m["writebackConfiguration"] = map[string]any{"isEnabled": nil, "onPremisesGroupType": nil}
		m["isManagementRestricted"] = nil
	}
	for k, v := range g.Extra {
		if beta || !betaGroupProps[k] {
			m[k] = v
		}
	}
	return m
}

// groupMemberOf answers the groups a group is a member of (GET /groups/{id}/memberOf and
// transitiveMemberOf, api-reference/v1.0/api/group-list-memberof.md).
func (s *Store) groupMemberOf(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !requireID(w, r, permReadGroups, p["id"]) {
		return
	}
	s.writeMemberOf(w, r, p["id"], func(now time.Time) (string, bool) {
		if g := s.findGroup(p["id"], now); g != nil {
			return g.ID, true
		}
		return "", false
	})
}

// missingReference is the answer to a reference (a $ref body, an @odata.bind) naming an object the
// replica does not see: 404, or 400 with the same text (the graph.missing-reference variant; the azuread
// provider retries that 400 on group creation).
func (s *Store) missingReference(id string) *odata.Error {
	e := odata.NotFound(id)
	if s.opt.MissingReferenceIs400 {
		return odata.BadRequest(e.Message)
	}
	return e
}
