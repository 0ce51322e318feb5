package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/directory"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
)

func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAKSToken: kubelogin's public client gets a v1 token for the AKS server application whose groups
// claim holds the user's groups at issuance, including a PIM membership active at that moment (and not
// one that has ended). Asking for CAE does not stretch its lifetime: the AKS API server is not CAE-enabled.
func TestAKSToken(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	f := srv.Fixtures()
	past := srv.Now().Add(-time.Hour)
	standing := srv.Directory().AddGroup(directory.Group{DisplayName: "default", SecurityEnabled: true, CreatedAt: past})
	nested := srv.Directory().AddGroup(directory.Group{DisplayName: "all-staff", SecurityEnabled: true, CreatedAt: past})
	activated := srv.Directory().AddGroup(directory.Group{DisplayName: "admin", SecurityEnabled: true, CreatedAt: past})
	srv.Directory().AddRelationship(standing.ID, f.N01.ID, "member", past)
	srv.Directory().AddRelationship(nested.ID, standing.ID, "member", past)
	srv.Directory().SetTimedRelationship(activated.ID, f.N01.ID, "member", srv.Now(), srv.Now().Add(time.Hour), "schedule-1")

	form := url.Values{
		"grant_type": {"password"}, "client_id": {entra.KubeloginClientID}, "username": {f.N01.UPN}, "password": {f.N01.Password},
		"scope": {entra.ResourceAKS + "/.default openid offline_access profile"}, "claims": {`{"access_token":{"xms_cc":{"values":["CP1"]}}}`},
	}
	status, body := tokenRequest(t, srv, form)
	if status != http.StatusOK {
		t.Fatalf("AKS token: %d %v", status, body)
	}
	tok, _ := body["access_token"].(string)
	c := jwtClaims(t, tok)
	groups, _ := c["groups"].([]any)
	var got []string
	for _, g := range groups {
		id, _ := g.(string)
		got = append(got, id)
	}
	slices.Sort(got)
	want := []string{standing.ID, nested.ID, activated.ID}
	slices.Sort(want)
	if c["aud"] != entra.ResourceAKS || c["iss"] != "https://sts.windows.net/"+f.TenantID+"/" || c["upn"] != f.N01.UPN ||
		c["oid"] != f.N01.ID || c["appid"] != entra.KubeloginClientID || c["ver"] != "1.0" || !slices.Equal(got, want) {
		t.Fatalf("AKS token claims %v, want groups %v", c, want)
	}
	exp, _ := c["exp"].(float64)
	iat, _ := c["iat"].(float64)
	if exp-iat != 3600 {
		t.Fatalf("AKS token lives %vs, want 3600 (no CAE lifetime)", exp-iat)
	}

	srv.AdvanceClock(61 * time.Minute)
	status, body = tokenRequest(t, srv, form)
	tok, _ = body["access_token"].(string)
	if groups, _ := jwtClaims(t, tok)["groups"].([]any); status != http.StatusOK || len(groups) != 2 {
		t.Fatalf("after the activation ended: %d, groups %v, want the two standing ones", status, groups)
	}
	graph := jwtClaims(t, plainToken(t, srv))
	if _, ok := graph["groups"]; ok {
		t.Fatalf("a Graph token carries groups: %v", graph)
	}
}

// TestAKSTokenGroupsOverage: over 200 groups the token carries the overage claims, pointing at the
// user's getMemberObjects, instead of the groups.
func TestAKSTokenGroupsOverage(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	f := srv.Fixtures()
	past := srv.Now().Add(-time.Hour)
	for i := 0; i <= entra.GroupOverageLimit; i++ {
		g := srv.Directory().AddGroup(directory.Group{DisplayName: "team", SecurityEnabled: true, CreatedAt: past})
		srv.Directory().AddRelationship(g.ID, f.N01.ID, "member", past)
	}
	status, body := tokenRequest(t, srv, url.Values{
		"grant_type": {"password"}, "client_id": {entra.KubeloginClientID}, "username": {f.N01.UPN}, "password": {f.N01.Password},
		"scope": {entra.ResourceAKS + "/.default"},
	})
	if status != http.StatusOK {
		t.Fatalf("AKS token: %d %v", status, body)
	}
	tok, _ := body["access_token"].(string)
	c := jwtClaims(t, tok)
	names, _ := c["_claim_names"].(map[string]any)
	sources, _ := c["_claim_sources"].(map[string]any)
	src, _ := sources["src1"].(map[string]any)
	if _, ok := c["groups"]; ok || names["groups"] != "src1" ||
		src["endpoint"] != "https://graph.windows.net/"+f.TenantID+"/users/"+f.N01.ID+"/getMemberObjects" {
		t.Fatalf("token of a user in %d groups: %v", entra.GroupOverageLimit+1, c)
	}
}

// TestRevokeSignInSessions: Graph's revokeSignInSessions makes the user's refresh tokens fail with
// AADSTS50173 and the dates Entra quotes; access tokens already issued keep working; a new sign-in works.
func TestRevokeSignInSessions(t *testing.T) {
	cfg := emulator.DefaultConfig()
	cfg.AdminGraphPermissions = append(cfg.AdminGraphPermissions, "User.RevokeSessions.All")
	srv := startEmulator(t, cfg)
	f := srv.Fixtures()
	signIn := url.Values{
		"grant_type": {"password"}, "client_id": {entra.KubeloginClientID}, "username": {f.N01.UPN}, "password": {f.N01.Password},
		"scope": {entra.ResourceAKS + "/.default openid offline_access"},
	}
	_, body := tokenRequest(t, srv, signIn)
	rt, _ := body["refresh_token"].(string)
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {entra.KubeloginClientID}, "refresh_token": {rt}, "scope": {entra.ResourceAKS + "/.default"}}
	if status, body := tokenRequest(t, srv, refresh); status != http.StatusOK {
		t.Fatalf("refresh before the revocation: %d %v", status, body)
	}

	users := srv.URL() + "/v1.0/users/" + f.N01.ID + "/revokeSignInSessions"
	req, _ := http.NewRequest(http.MethodPost, users, nil)
	req.Header.Set("Authorization", "Bearer "+userGraphToken(t, srv, f.N01))
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("revocation without User.RevokeSessions.All: HTTP %d, want 403", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPost, users, nil)
	req.Header.Set("Authorization", "Bearer "+plainToken(t, srv))
	resp, err = srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	odataContext, _ := out["@odata.context"].(string)
	if resp.StatusCode != http.StatusOK || out["value"] != true || !strings.HasSuffix(odataContext, "$metadata#Edm.Boolean") {
		t.Fatalf("revokeSignInSessions: HTTP %d %v", resp.StatusCode, out)
	}

	status, body := tokenRequest(t, srv, refresh)
	desc, _ := body["error_description"].(string)
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" ||
		!strings.HasPrefix(desc, "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '") ||
		!strings.Contains(desc, "' and the TokensValidFrom date (before which tokens are not valid) for this user is '") {
		t.Fatalf("refresh after the revocation: %d %v", status, body)
	}
	if status, body := tokenRequest(t, srv, signIn); status != http.StatusOK {
		t.Fatalf("a new sign-in after the revocation: %d %v", status, body)
	}
}

func userGraphToken(t *testing.T, srv *emulator.Server, u emulator.User) string {
	t.Helper()
	status, body := tokenRequest(t, srv, url.Values{
		"grant_type": {"password"}, "client_id": {srv.Fixtures().PublicClientID}, "username": {u.UPN}, "password": {u.Password},
		"scope": {"https://graph.microsoft.com/.default"},
	})
	if status != http.StatusOK {
		t.Fatalf("Graph token of %s: %d %v", u.UPN, status, body)
	}
	tok, _ := body["access_token"].(string)
	return tok
}
