package emulator_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

// Contract tests of the directory against the documentation's pages and peer clients, with plain
// net/http (wire) and the pages' example JSON.

// TestDocsGroupCreateAnswersODataID (issue 13 item 12): POST /groups answers the group with its
// @odata.id (api-reference/v1.0/api/group-post-groups.md, the security group example).
func TestDocsGroupCreateAnswersODataID(t *testing.T) {
	c := appWire(t, shared, "https://graph.microsoft.com/.default")
	g := c.must(http.StatusCreated, "POST", "/v1.0/groups", map[string]any{
		"description": "Self help community for library", "displayName": "Library Assist", "groupTypes": []string{},
		"mailEnabled": false, "mailNickname": uniqueName("library"), "securityEnabled": true,
	})
	id := str(g.Body, "id")
	want := "https://graph.microsoft.com/v2/" + shared.Fixtures().TenantID + "/directoryObjects/" + id + "/Microsoft.DirectoryServices.Group"
	if str(g.Body, "@odata.id") != want || g.Header.Get("Location") != want {
		t.Fatalf("@odata.id %q, Location %q, want %s", str(g.Body, "@odata.id"), g.Header.Get("Location"), want)
	}
}

// TestBetaGroupsAsPeerToolingUsesThem (item 3): the group and membership paths under /beta, which the
// azuread provider uses for every group (peer-providers reference §2.1), with beta's extra group
// properties (api-reference/beta/resources/group.md: writebackConfiguration, resourceBehaviorOptions)
// accepted and read back; v1.0 still refuses them.
func TestBetaGroupsAsPeerToolingUsesThem(t *testing.T) {
	c := appWire(t, shared, "https://graph.microsoft.com/.default")
	f := shared.Fixtures()
	body := map[string]any{
		"displayName": "beta " + uniqueName("g"), "mailEnabled": false, "mailNickname": uniqueName("beta"), "securityEnabled": true,
		"writebackConfiguration":  map[string]any{"isEnabled": false},
		"resourceBehaviorOptions": []string{}, "resourceProvisioningOptions": []string{},
		"owners@odata.bind": []string{"https://graph.microsoft.com/beta/directoryObjects/" + f.AdminObjectID},
	}
	v1 := map[string]any{"displayName": "v1", "mailEnabled": false, "mailNickname": uniqueName("v1"), "securityEnabled": true, "writebackConfiguration": map[string]any{"isEnabled": false}}
	if a := c.do("POST", "/v1.0/groups", v1); a.Status != http.StatusBadRequest || !strings.Contains(string(a.Raw), "writebackConfiguration") {
		t.Fatalf("v1.0 accepted a beta-only property: %d %s", a.Status, a.Raw)
	}
	g := c.must(http.StatusCreated, "POST", "/beta/groups", body)
	id := str(g.Body, "id")
	if ctx := str(g.Body, "@odata.context"); !strings.Contains(ctx, "/beta/$metadata#groups") {
		t.Fatalf("@odata.context of a beta answer: %q", ctx)
	}
	read := c.must(http.StatusOK, "GET", "/beta/groups/"+id, nil)
	if wb := obj(read.Body, "writebackConfiguration"); wb["isEnabled"] != false || str(read.Body, "@odata.id") == "" {
		t.Fatalf("beta read: %s", read.Raw)
	}
	c.must(http.StatusNoContent, "PATCH", "/beta/groups/"+id, map[string]any{"displayName": "TERRAFORM_UPDATE_" + uniqueName("x"), "writebackConfiguration": map[string]any{"isEnabled": true}})
	if wb := obj(c.must(http.StatusOK, "GET", "/beta/groups/"+id, nil).Body, "writebackConfiguration"); wb["isEnabled"] != true {
		t.Fatalf("beta PATCH of writebackConfiguration not kept: %v", wb)
	}
	c.must(http.StatusNoContent, "POST", "/beta/groups/"+id+"/members/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/beta/directoryObjects/" + f.N01.ID})
	members := list(c.must(http.StatusOK, "GET", "/beta/groups/"+id+"/members?$select=id", nil).Body, "value")
	owners := list(c.must(http.StatusOK, "GET", "/beta/groups/"+id+"/owners", nil).Body, "value")
	if len(members) != 1 || str(members[0], "id") != f.N01.ID || len(owners) != 1 || str(owners[0], "id") != f.AdminObjectID {
		t.Fatalf("beta members %v, owners %v", members, owners)
	}
	c.must(http.StatusNoContent, "DELETE", "/beta/groups/"+id+"/members/"+f.N01.ID+"/$ref", nil)
	filtered := list(c.must(http.StatusOK, "GET", "/beta/groups?$filter=displayName+eq+'"+strings.ReplaceAll(str(read.Body, "displayName"), " ", "+")+"'", nil).Body, "value")
	if len(filtered) != 0 { // renamed by the PATCH
		t.Fatalf("beta list by the old name: %v", filtered)
	}
	c.must(http.StatusNoContent, "DELETE", "/beta/groups/"+id, nil)
	c.must(http.StatusNotFound, "GET", "/v1.0/groups/"+id, nil)
}

// TestGroupMemberOf (item 4): GET /groups/{id}/memberOf lists the groups the group is a direct member
// of, transitiveMemberOf also those above them (api-reference/v1.0/api/group-list-memberof.md,
// group-list-transitivememberof.md); azuread calls memberOf after every group create and read.
func TestGroupMemberOf(t *testing.T) {
	c := appWire(t, shared, "https://graph.microsoft.com/.default")
	mk := func(name string) string {
		return str(c.must(http.StatusCreated, "POST", "/v1.0/groups", map[string]any{
			"displayName": name, "mailEnabled": false, "mailNickname": uniqueName("m"), "securityEnabled": true,
		}).Body, "id")
	}
	inner, middle, outer := mk("inner"), mk("middle"), mk("outer")
	for _, pair := range [][2]string{{middle, inner}, {outer, middle}} {
		c.must(http.StatusNoContent, "POST", "/v1.0/groups/"+pair[0]+"/members/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + pair[1]})
	}
	for path, want := range map[string][]string{
		"/v1.0/groups/" + inner + "/memberOf":           {middle},
		"/beta/groups/" + inner + "/memberOf":           {middle},
		"/v1.0/groups/" + inner + "/transitiveMemberOf": {middle, outer},
		"/v1.0/groups/" + outer + "/memberOf":           {},
	} {
		got := list(c.must(http.StatusOK, "GET", path, nil).Body, "value")
		var ids []string
		for _, g := range got {
			if str(g, "@odata.type") != "#microsoft.graph.group" {
				t.Errorf("%s: item without its type: %v", path, g)
			}
			ids = append(ids, str(g, "id"))
		}
		sort.Strings(ids)
		sort.Strings(want)
		if strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Errorf("%s = %v, want %v", path, ids, want)
		}
	}
	c.must(http.StatusNotFound, "GET", "/v1.0/groups/"+shared.Fixtures().N01.ID+"/memberOf", nil)
}

// TestRemoveNonMemberVariants: removing a reference that is not there answers 404 (group-delete-members.md)
// or 400 "removed object references do not exist" under graph.remove-non-member=400.
func TestRemoveNonMemberVariants(t *testing.T) {
	for spec, want := range map[variant.Spec]int{"graph.remove-non-member=404": http.StatusNotFound, "graph.remove-non-member=400": http.StatusBadRequest} {
		srv := startEmulator(t, emulator.Config{Variants: spec})
		c := appWire(t, srv, "https://graph.microsoft.com/.default")
		gid := str(c.must(http.StatusCreated, "POST", "/v1.0/groups", map[string]any{
			"displayName": "rm", "mailEnabled": false, "mailNickname": uniqueName("rm"), "securityEnabled": true,
		}).Body, "id")
		a := c.do("DELETE", "/v1.0/groups/"+gid+"/members/"+srv.Fixtures().N01.ID+"/$ref", nil)
		if a.Status != want || (want == http.StatusBadRequest && !strings.Contains(string(a.Raw), "removed object references do not exist")) {
			t.Errorf("%s: %d %s", spec, a.Status, a.Raw)
		}
	}
}
