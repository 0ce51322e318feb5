package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

// Contract tests of ARM against the azure-rest-api-specs examples, with plain net/http (wire) and the
// examples' JSON. Paths are those of azure-rest-api-specs/specification.

const (
	armDefault   = "https://management.core.windows.net//.default"
	rolesAPI     = "?api-version=2022-04-01"
	aksAPI       = "?api-version=2025-02-01"
	aksReaderDef = "7f6c6a51-bcf8-42ba-9220-52d62157d7db" // Azure Kubernetes Service RBAC Reader
)

// TestDocsRoleAssignmentDefinitionIDForm (issue 13 item 11): the role assignment examples
// (authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/
// RoleAssignments_CreateForResource.json, RoleAssignments_Get.json) answer roleDefinitionId in the
// tenant-level form whatever form the PUT sent; real ARM commonly answers the subscription form. Both
// are served, for PUT, GET and list.
func TestDocsRoleAssignmentDefinitionIDForm(t *testing.T) {
	for spec, tenantForm := range map[variant.Spec]bool{"docs-examples": true, "default": false} {
		srv := startEmulator(t, emulator.Config{Variants: spec})
		f := srv.Fixtures()
		arm := appWire(t, srv, armDefault)
		graph := appWire(t, srv, "https://graph.microsoft.com/.default")
		gid := str(graph.must(http.StatusCreated, "POST", "/v1.0/groups", map[string]any{
			"displayName": "rbac", "mailEnabled": false, "mailNickname": uniqueName("rbac"), "securityEnabled": true,
		}).Body, "id")
		subForm := "/subscriptions/" + f.SubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/" + aksReaderDef
		want := subForm
		if tenantForm {
			want = "/providers/Microsoft.Authorization/roleDefinitions/" + aksReaderDef
		}
		path := f.ClusterID + "/providers/Microsoft.Authorization/roleAssignments/" + uuid.NewString()
		put := arm.must(http.StatusCreated, "PUT", path+rolesAPI, map[string]any{"properties": map[string]any{
			"roleDefinitionId": subForm, "principalId": gid, "principalType": "Group",
		}})
		get := arm.must(http.StatusOK, "GET", path+rolesAPI, nil)
		listed := list(arm.must(http.StatusOK, "GET", f.ClusterID+"/providers/Microsoft.Authorization/roleAssignments"+rolesAPI+"&$filter=principalId+eq+'"+gid+"'", nil).Body, "value")
		if len(listed) != 1 {
			t.Fatalf("%s: %d assignments of the group", spec, len(listed))
		}
		for name, a := range map[string]map[string]any{"PUT": put.Body, "GET": get.Body, "list": listed[0]} {
			if got := str(obj(a, "properties"), "roleDefinitionId"); !strings.EqualFold(got, want) {
				t.Errorf("%s: %s answers roleDefinitionId %s, want %s", spec, name, got, want)
			}
		}
	}
}

// TestDocsClusterETags (item 12): a managed cluster, each of its agentPoolProfiles and each agent pool
// carry an eTag, with the documented properties the emulator had left out (linuxProfile, the load
// balancer profile, availability zones): aks/stable/2025-02-01/examples/ManagedClustersGet.json and
// AgentPoolsGet.json. The tag is stable while the resource is unchanged.
func TestDocsClusterETags(t *testing.T) {
	f := shared.Fixtures()
	arm := appWire(t, shared, armDefault)
	c := arm.must(http.StatusOK, "GET", f.ClusterID+aksAPI, nil).Body
	props := obj(c, "properties")
	if str(c, "eTag") == "" || obj(props, "linuxProfile") == nil || obj(obj(props, "networkProfile"), "loadBalancerProfile") == nil {
		t.Fatalf("cluster without eTag or documented properties: %v", c)
	}
	for _, p := range list(props, "agentPoolProfiles") {
		if str(p, "eTag") == "" || p["availabilityZones"] == nil {
			t.Errorf("agentPoolProfiles[%s] without eTag or zones: %v", str(p, "name"), p)
		}
	}
	pools := list(arm.must(http.StatusOK, "GET", f.ClusterID+"/agentPools"+aksAPI, nil).Body, "value")
	if len(pools) == 0 {
		t.Fatal("no agent pools")
	}
	for _, p := range pools {
		if str(obj(p, "properties"), "eTag") == "" {
			t.Errorf("agent pool %s without properties.eTag", str(p, "name"))
		}
	}
	if again := arm.must(http.StatusOK, "GET", f.ClusterID+aksAPI, nil).Body; str(again, "eTag") != str(c, "eTag") {
		t.Errorf("eTag of an unchanged cluster changed: %s, %s", str(c, "eTag"), str(again, "eTag"))
	}
}
