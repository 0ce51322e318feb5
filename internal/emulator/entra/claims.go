package entra

import (
	"strings"
	"time"
)

// Resources (token audiences) the emulator issues tokens for, in their canonical form.
const (
	ResourceGraph = "https://graph.microsoft.com"
	ResourceARM   = "https://management.core.windows.net/"
	// ResourceAKS is the AKS server application (the "server ID" of kubelogin): the audience of the tokens
	// an AKS cluster with AKS-managed Entra integration accepts.
	ResourceAKS = "6dae42f8-4368-4678-94ff-3960e28e3630"
	// KubeloginClientID is the public client kubelogin and az aks get-credentials sign users in through.
	KubeloginClientID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"

	graphAppID = "00000003-0000-0000-c000-000000000000"
	armAppID   = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
)

// audiences maps every accepted way of naming a resource (lower-cased, trailing slash trimmed) to the
// canonical resource and to the audience a token requested that way carries.
var audiences = map[string]struct{ resource, aud string }{
	"https://graph.microsoft.com":         {ResourceGraph, "https://graph.microsoft.com"},
	graphAppID:                            {ResourceGraph, graphAppID},
	"https://management.core.windows.net": {ResourceARM, "https://management.core.windows.net/"},
	"https://management.azure.com":        {ResourceARM, "https://management.azure.com"},
	armAppID:                              {ResourceARM, armAppID},
	ResourceAKS:                           {ResourceAKS, ResourceAKS},
}

// resolveResource maps a requested resource identifier to (canonical resource, audience).
func resolveResource(id string) (resource, aud string, ok bool) {
	key := strings.ToLower(strings.TrimRight(id, "/"))
	a, found := audiences[key]
	if !found {
		return "", "", false
	}
	return a.resource, a.aud, true
}

// nationalAudiences are the Graph and ARM identifiers of the national clouds, for an emulator acting as one
// (Config.Cloud); there the public cloud's URLs are unknown resources, as they are to that cloud's Entra.
var nationalAudiences = map[string]map[string]struct{ resource, aud string }{
	CloudUSGovernment: {
		"https://graph.microsoft.us":                {ResourceGraph, "https://graph.microsoft.us"},
		"https://management.core.usgovcloudapi.net": {ResourceARM, "https://management.core.usgovcloudapi.net/"},
		"https://management.usgovcloudapi.net":      {ResourceARM, "https://management.usgovcloudapi.net"},
	},
	CloudChina: {
		"https://microsoftgraph.chinacloudapi.cn":  {ResourceGraph, "https://microsoftgraph.chinacloudapi.cn"},
		"https://management.core.chinacloudapi.cn": {ResourceARM, "https://management.core.chinacloudapi.cn/"},
		"https://management.chinacloudapi.cn":      {ResourceARM, "https://management.chinacloudapi.cn"},
	},
}

// Names of the national clouds an emulator can act as (Config.Cloud; "" is the public cloud).
const (
	CloudUSGovernment = "usgovernment"
	CloudChina        = "china"
)

// resolve maps a requested resource identifier to (canonical resource, audience) for this service's cloud.
// The emulator's own address (host, as the request reached it) is Microsoft Graph: the cloud metadata
// publishes it as microsoftGraphResourceId, and a published Graph resource ID is both Graph's base URL
// and a valid token resource, as in every real cloud.
func (s *Service) resolve(id, host string) (resource, aud string, ok bool) {
	key := strings.ToLower(strings.TrimRight(id, "/"))
	if a, found := nationalAudiences[s.cfg.Cloud][key]; found {
		return a.resource, a.aud, true
	}
	if host != "" && key == "https://"+strings.ToLower(host) {
		return ResourceGraph, "https://" + strings.ToLower(host), true
	}
	if s.cfg.Cloud != "" && strings.HasPrefix(key, "https://") {
		return "", "", false
	}
	return resolveResource(id)
}

// ResourceOf returns the canonical resource of a token audience for a front door reached at host ("" when
// unknown): Graph accepts only ResourceGraph tokens, ARM only ResourceARM.
func (s *Service) ResourceOf(aud, host string) string {
	r, _, ok := s.resolve(aud, host)
	if !ok {
		return ""
	}
	return r
}

// ResourceOfAudience returns the canonical resource of a token audience ("" when unknown). Front doors use
// it: Graph accepts only ResourceGraph tokens, ARM only ResourceARM.
func ResourceOfAudience(aud string) string {
	r, _, ok := resolveResource(aud)
	if !ok {
		return ""
	}
	return r
}

// Claims are the access-token claims of reference §2.3 (v1 tokens, as Graph and ARM receive them).
type Claims struct {
	Aud        string   `json:"aud"`
	Iss        string   `json:"iss"`
	Iat        int64    `json:"iat"`
	Nbf        int64    `json:"nbf"`
	Exp        int64    `json:"exp"`
	AppID      string   `json:"appid"`
	AppIDACR   string   `json:"appidacr"`
	IDP        string   `json:"idp,omitempty"`
	IDTyp      string   `json:"idtyp"`
	OID        string   `json:"oid"`
	Sub        string   `json:"sub"`
	TID        string   `json:"tid"`
	Roles      []string `json:"roles,omitempty"`
	Scp        string   `json:"scp,omitempty"`
	UPN        string   `json:"upn,omitempty"`
	UniqueName string   `json:"unique_name,omitempty"`
	Name       string   `json:"name,omitempty"`
	XmsCC      []string `json:"xms_cc,omitempty"`
	// Groups are the object IDs of the user's groups (transitive, at issuance) in tokens of resources that
	// ask for group claims; over the overage limit ClaimNames/ClaimSources point to Graph instead.
	Groups       []string               `json:"groups,omitempty"`
	ClaimNames   map[string]string      `json:"_claim_names,omitempty"`
	ClaimSources map[string]ClaimSource `json:"_claim_sources,omitempty"`
	UTI          string                 `json:"uti"`
	Ver          string                 `json:"ver"`
	// Typ distinguishes the emulator's refresh tokens (which are JWTs here, opaque in real Entra).
	Typ string `json:"emu_typ,omitempty"`
	// IssuedNano is when a refresh token was issued, to the nanosecond, so that a revocation in the same
	// second as a sign-in is ordered correctly against it.
	IssuedNano int64 `json:"emu_iat_ns,omitempty"`
}

// ClaimSource is an entry of _claim_sources: where the omitted claim can be read.
type ClaimSource struct {
	Endpoint string `json:"endpoint"`
}

// HasGroupsOverage reports whether the groups claim was left out for too many groups.
func (c Claims) HasGroupsOverage() bool { return c.ClaimNames["groups"] != "" }

// IsApp reports whether the token was issued to an application (client credentials).
func (c Claims) IsApp() bool { return c.IDTyp == "app" }

// Scopes returns the delegated scopes.
func (c Claims) Scopes() []string { return strings.Fields(c.Scp) }

// CAE reports whether the client declared CAE capability (xms_cc=CP1).
func (c Claims) CAE() bool {
	for _, v := range c.XmsCC {
		if v == "CP1" {
			return true
		}
	}
	return false
}

// ExpiresAt returns exp as a time.
func (c Claims) ExpiresAt() time.Time { return time.Unix(c.Exp, 0) }
