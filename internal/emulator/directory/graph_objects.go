package directory

import (
	"net/http"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// visibleObject returns the polymorphic JSON of a visible principal (callers hold s.mu).
func (s *Store) visibleObject(id string, now time.Time) map[string]any {
	if !s.principalVisible(id, now) {
		return nil
	}
	return s.objectJSON(id)
}

func (s *Store) getDirectoryObject(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !isGUID(p["id"]) {
		odata.WriteErr(w, r, invalidID(p["id"]))
		return
	}
	s.mu.Lock()
	m := s.visibleObject(p["id"], s.opt.Now())
	s.mu.Unlock()
	if m == nil {
		if !require(w, r, permReadAll) {
			return
		}
		odata.WriteErr(w, r, odata.NotFound(p["id"]))
		return
	}
	t, _ := m["@odata.type"].(string)
	if !require(w, r, readPermsFor(t)) {
		return
	}
	if t == TypeUser {
		m = defaultUser(m)
	}
	writeEntity(w, r, http.StatusOK, "directoryObjects", m, nil)
}

func (s *Store) getByIDs(w http.ResponseWriter, r *http.Request, _ router.Params) {
	var body struct {
		IDs   []string `json:"ids"`
		Types []string `json:"types"`
	}
	if !odata.DecodeBody(w, r, &body) {
		return
	}
	if len(body.IDs) == 0 {
		odata.WriteErr(w, r, odata.BadRequest("Invalid value specified for property 'ids' of resource 'GetByIdsRequest'."))
		return
	}
	if len(body.IDs) > 1000 {
		odata.WriteErr(w, r, odata.BadRequest("The number of ids exceeds the maximum of 1000."))
		return
	}
	wantType := map[string]bool{}
	for _, t := range body.Types {
		t = strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(t, "#"), "microsoft.graph."))
		wantType["#microsoft.graph."+strings.ToLower(t)] = true
	}
	// The caller needs a read permission for at least one requested type, objects it may not read left
	// out; or Directory.Read.All (graph.getbyids-permission).
	if s.opt.GetByIDsNeedsDirectoryRead && !require(w, r, permReadAll) {
		return
	}
	canAny := false
	for _, t := range []string{TypeUser, TypeGroup, TypeServicePrincipal} {
		if (len(wantType) == 0 || wantType[strings.ToLower(t)]) && allowed(r, readPermsFor(t)) {
			canAny = true
		}
	}
	if !canAny {
		odata.WriteErr(w, r, odata.Forbidden())
		return
	}
	s.mu.Lock()
	now := s.opt.Now()
	var items []map[string]any
	for _, id := range body.IDs {
		m := s.visibleObject(id, now)
		if m == nil {
			continue
		}
		t, _ := m["@odata.type"].(string)
		if len(wantType) > 0 && !wantType[strings.ToLower(t)] {
			continue
		}
		if !allowed(r, readPermsFor(t)) {
			continue
		}
		if t == TypeUser {
			// v1.0 answers users with the default subset of their properties, as GET /directoryObjects/{id}.
			m = defaultUser(m)
		}
		items = append(items, m)
	}
	s.mu.Unlock()
	odata.WriteCollection(w, r, "directoryObjects", items, "")
}

func (s *Store) getServicePrincipal(w http.ResponseWriter, r *http.Request, p router.Params) {
	s.writeServicePrincipal(w, r, func(sp *ServicePrincipal) bool { return strings.EqualFold(sp.ID, p["id"]) }, p["id"])
}

func (s *Store) getServicePrincipalByAppID(w http.ResponseWriter, r *http.Request, appID string) {
	s.writeServicePrincipal(w, r, func(sp *ServicePrincipal) bool { return strings.EqualFold(sp.AppID, appID) }, appID)
}

func (s *Store) writeServicePrincipal(w http.ResponseWriter, r *http.Request, match func(*ServicePrincipal) bool, id string) {
	if !require(w, r, permReadSPs) {
		return
	}
	s.mu.Lock()
	now := s.opt.Now()
	var m map[string]any
	for _, sp := range s.sps {
		if match(sp) && s.visible(sp.CreatedAt, sp.DeletedAt, now) {
			m = spJSON(sp, s.opt.TenantID, false)
		}
	}
	s.mu.Unlock()
	if m == nil {
		odata.WriteErr(w, r, odata.NotFound(id))
		return
	}
	writeEntity(w, r, http.StatusOK, "servicePrincipals", m, nil)
}
