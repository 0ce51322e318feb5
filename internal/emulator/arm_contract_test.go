package emulator_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v6"
	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

const (
	roleAKSReader  = "7f6c6a51-bcf8-42ba-9220-52d62157d7db"
	roleAKSAdmin   = "3498e952-d568-435e-9b2c-8d77e338d7f7"
	roleAKSWriter  = "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb"
	roleReader     = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	roleClusterUsr = "4abbcc35-e782-43d8-92c5-2d3f1bd2253f"
)

func roleDefID(srv *emulator.Server, guid string) string {
	return "/subscriptions/" + srv.Fixtures().SubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/" + guid
}

func TestARMRoleDefinitions(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	client, err := armauthorization.NewRoleDefinitionsClient(adminCred(t, shared), armOptions(shared))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	scope := "/subscriptions/" + f.SubscriptionID
	list := func(filter string) []*armauthorization.RoleDefinition {
		t.Helper()
		var out []*armauthorization.RoleDefinition
		pager := client.NewListPager(scope, &armauthorization.RoleDefinitionsClientListOptions{Filter: &filter})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("list %q: %v", filter, err)
			}
			out = append(out, page.Value...)
		}
		return out
	}
	for name, guid := range map[string]string{
		"Azure Kubernetes Service RBAC Writer":    roleAKSWriter,
		"Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
		"User Access Administrator":               "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
		"Virtual Machine User Login":              "fb879df8-f326-4884-b1cf-06f3ad86be52",
	} {
		got := list("roleName eq '" + name + "'") // the SDK encodes spaces as +
		if len(got) != 1 || *got[0].Name != guid || *got[0].ID != roleDefID(shared, guid) || *got[0].Properties.RoleType != "BuiltInRole" {
			t.Errorf("roleName eq %q: %d results", name, len(got))
		}
	}
	if got := list("roleName eq 'No Such Role'"); len(got) != 0 {
		t.Errorf("unknown role name returned %d definitions", len(got))
	}
	// %20 encoding works as well as +.
	resp := rawRequest(t, shared, adminCred(t, shared), "https://management.core.windows.net//.default", http.MethodGet,
		shared.URL()+scope+"/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01&$filter=roleName%20eq%20%27Reader%27")
	if resp.StatusCode != 200 {
		t.Errorf("%%20-encoded filter: %d", resp.StatusCode)
	}

	byID, err := client.GetByID(ctx, "/providers/Microsoft.Authorization/roleDefinitions/"+roleAKSReader, nil)
	if err != nil {
		t.Fatal(err)
	}
	perms := byID.Properties.Permissions[0]
	for _, da := range perms.DataActions {
		if strings.Contains(*da, "secrets") {
			t.Errorf("AKS RBAC Reader grants %s", *da)
		}
	}
	_, err = client.Get(ctx, scope, "00000000-0000-0000-0000-000000000123", nil)
	if status, code := armCode(t, err); status != 404 || code != "RoleDefinitionDoesNotExist" {
		t.Errorf("unknown definition: %d %s", status, code)
	}
}

// TestARMRoleAssignments walks the role assignment contract through armauthorization/v2: create (201),
// identical re-PUT (200), conflicts, lookups, filters, the namespace sub-scope, delete (200 then 204).
func TestARMRoleAssignments(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	g := graphFor(t, shared, adminCred(t, shared))
	grp := newGroup(t, g, uniqueName("grp-rbac"))
	gid := *grp.GetId()
	client, err := armauthorization.NewRoleAssignmentsClient(f.SubscriptionID, adminCred(t, shared), armOptions(shared))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	cluster := f.ClusterID
	params := func(role, principal string, ptype *armauthorization.PrincipalType) armauthorization.RoleAssignmentCreateParameters {
		return armauthorization.RoleAssignmentCreateParameters{Properties: &armauthorization.RoleAssignmentProperties{
			RoleDefinitionID: ptr(roleDefID(shared, role)), PrincipalID: ptr(principal), PrincipalType: ptype,
			Description: ptr("managed by the contract test"),
		}}
	}
	group := ptr(armauthorization.PrincipalTypeGroup)
	name := uuid.NewString()

	var raw *http.Response
	created, err := client.Create(policy.WithCaptureResponse(ctx, &raw), cluster, name, params(roleAKSReader, gid, group), nil)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if raw.StatusCode != 201 || !strings.EqualFold(*created.Properties.Scope, cluster) || *created.Properties.PrincipalType != "Group" {
		t.Errorf("create: status %d scope %s", raw.StatusCode, *created.Properties.Scope)
	}
	if raw.Header.Get("x-ms-request-id") == "" || raw.Header.Get("x-ms-ratelimit-remaining-subscription-writes") == "" {
		t.Errorf("ARM headers missing: %v", raw.Header)
	}
	if _, err := client.Create(policy.WithCaptureResponse(ctx, &raw), cluster, name, params(roleAKSReader, gid, group), nil); err != nil || raw.StatusCode != 200 {
		t.Errorf("identical re-PUT: %v (status %d)", err, raw.StatusCode)
	}

	errCases := map[string]struct {
		scope, name string
		params      armauthorization.RoleAssignmentCreateParameters
		status      int
		code        string
	}{
		"same triple, other name":      {cluster, uuid.NewString(), params(roleAKSReader, gid, group), 409, "RoleAssignmentExists"},
		"same name, other role":        {cluster, name, params(roleAKSWriter, gid, group), 409, "RoleAssignmentUpdateNotPermitted"},
		"unknown principal":            {cluster, uuid.NewString(), params(roleAKSReader, uuid.NewString(), nil), 400, "PrincipalNotFound"},
		"principal type mismatch":      {cluster, uuid.NewString(), params(roleAKSWriter, gid, ptr(armauthorization.PrincipalTypeUser)), 400, "UnmatchedPrincipalType"},
		"name is not a GUID":           {cluster, "not-a-guid", params(roleAKSReader, gid, group), 400, "InvalidRoleAssignmentId"},
		"unknown role definition":      {cluster, uuid.NewString(), params("00000000-0000-0000-0000-0000000000aa", gid, group), 400, "RoleDefinitionDoesNotExist"},
		"unknown resource group":       {"/subscriptions/" + f.SubscriptionID + "/resourceGroups/nope", uuid.NewString(), params(roleReader, gid, group), 404, "ResourceGroupNotFound"},
		"unknown cluster":              {strings.TrimSuffix(cluster, f.ClusterName) + "nope", uuid.NewString(), params(roleReader, gid, group), 404, "ResourceNotFound"},
		"unknown subscription":         {"/subscriptions/" + uuid.NewString(), uuid.NewString(), params(roleReader, gid, group), 404, "SubscriptionNotFound"},
		"unknown agent pool sub-scope": {cluster + "/agentPools/nope", uuid.NewString(), params(roleReader, gid, group), 404, "ResourceNotFound"},
	}
	for n, tc := range errCases {
		_, err := client.Create(ctx, tc.scope, tc.name, tc.params, nil)
		if status, code := armCode(t, err); status != tc.status || code != tc.code {
			t.Errorf("%s: got %d %s, want %d %s", n, status, code, tc.status, tc.code)
		}
		if tc.code == "RoleAssignmentExists" && !strings.Contains(err.Error(), strings.ReplaceAll(name, "-", "")) {
			t.Errorf("RoleAssignmentExists does not name the existing assignment: %v", err)
		}
	}

	// Paths are case-insensitive; the canonical casing is echoed.
	upper := strings.ToUpper(strings.Replace(cluster, "resourcegroups", "RESOURCEGROUPS", 1))
	got, err := client.Get(ctx, upper, name, nil)
	if err != nil || *got.Properties.Scope != *created.Properties.Scope {
		t.Errorf("case-insensitive get: %v", err)
	}
	_, err = client.Get(ctx, cluster, uuid.NewString(), nil)
	if status, code := armCode(t, err); status != 404 || code != "RoleAssignmentNotFound" {
		t.Errorf("missing assignment: %d %s", status, code)
	}

	// A namespace sub-scope assignment is listed at the cluster scope (below the scope).
	nsName := uuid.NewString()
	if _, err := client.Create(ctx, cluster+"/namespaces/payments", nsName, params(roleAKSWriter, gid, group), nil); err != nil {
		t.Fatalf("namespace assignment: %v", err)
	}
	listAt := func(scope, filter string) map[string]string {
		t.Helper()
		names := map[string]string{}
		pager := client.NewListForScopePager(scope, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: &filter})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("list %q: %v", filter, err)
			}
			for _, a := range page.Value {
				names[*a.Name] = *a.Properties.Scope
			}
		}
		return names
	}
	// The provider must pre-encode the filter (the SDK appends it raw).
	byPrincipal := listAt(cluster, url.PathEscape("principalId eq '"+gid+"'"))
	if len(byPrincipal) != 2 || !strings.EqualFold(byPrincipal[nsName], cluster+"/namespaces/payments") {
		t.Errorf("principalId filter at cluster: %v", byPrincipal)
	}
	atScope := listAt(cluster, url.PathEscape("atScope() and principalId eq '"+gid+"'"))
	if len(atScope) != 1 {
		t.Errorf("atScope() filter: %v", atScope)
	}
	if all := listAt(cluster, ""); all[name] == "" || all[nsName] == "" {
		t.Errorf("unfiltered list misses assignments: %v", all)
	}
	pager := client.NewListForScopePager(cluster, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: ptr(url.PathEscape("principalName eq 'x'"))})
	_, err = pager.NextPage(ctx)
	if status, code := armCode(t, err); status != 400 || code != "UnsupportedQuery" {
		t.Errorf("unsupported filter: %d %s", status, code)
	}
	// An unencoded filter puts spaces in the request line; the server refuses it before any handler.
	pager = client.NewListForScopePager(cluster, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: ptr("principalId eq '" + gid + "'")})
	if _, err = pager.NextPage(ctx); err == nil {
		t.Errorf("a raw-space filter was accepted")
	}

	del, err := client.Delete(policy.WithCaptureResponse(ctx, &raw), cluster, name, nil)
	if err != nil || raw.StatusCode != 200 || del.Name == nil || *del.Name != name {
		t.Errorf("delete: %v status %d", err, raw.StatusCode)
	}
	if _, err := client.Delete(policy.WithCaptureResponse(ctx, &raw), cluster, name, nil); err != nil || raw.StatusCode != 204 {
		t.Errorf("second delete: %v status %d", err, raw.StatusCode)
	}
}

func TestARMAuthorizationFailed(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	n01 := userCred(t, shared, f.N01)
	ra, err := armauthorization.NewRoleAssignmentsClient(f.SubscriptionID, n01, armOptions(shared))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ra.Create(ctxT(t), f.ClusterID, uuid.NewString(), armauthorization.RoleAssignmentCreateParameters{Properties: &armauthorization.RoleAssignmentProperties{
		RoleDefinitionID: ptr(roleDefID(shared, roleAKSAdmin)), PrincipalID: ptr(f.N01.ID),
	}}, nil)
	if status, code := armCode(t, err); status != 403 || code != "AuthorizationFailed" {
		t.Fatalf("user writing a role assignment: %d %s", status, code)
	}
	if !containsAll(err.Error(), f.N01.ID, "Microsoft.Authorization/roleAssignments/write", f.ClusterID) {
		t.Errorf("AuthorizationFailed message: %v", err)
	}
	mc, err := armcontainerservice.NewManagedClustersClient(f.SubscriptionID, n01, armOptions(shared))
	if err != nil {
		t.Fatal(err)
	}
	_, err = mc.Get(ctxT(t), f.ResourceGroup, f.ClusterName, nil)
	if status, code := armCode(t, err); status != 403 || code != "AuthorizationFailed" {
		t.Errorf("user without any role reading the cluster: %d %s", status, code)
	}
}

func TestARMManagedClusters(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	cred := adminCred(t, shared)
	ctx := ctxT(t)
	mc, err := armcontainerservice.NewManagedClustersClient(f.SubscriptionID, cred, armOptions(shared))
	if err != nil {
		t.Fatal(err)
	}
	got, err := mc.Get(ctx, f.ResourceGroup, f.ClusterName, nil)
	if err != nil {
		t.Fatalf("get cluster: %v", err)
	}
	p := got.Properties
	if *got.ID != f.ClusterID || !*p.AADProfile.Managed || !*p.AADProfile.EnableAzureRBAC || !*p.DisableLocalAccounts ||
		*p.NodeResourceGroup != f.NodeResourceGroup || len(p.AgentPoolProfiles) != 2 || *p.AADProfile.TenantID != f.TenantID {
		t.Errorf("cluster facts: %+v", p)
	}
	count := 0
	for pager := mc.NewListByResourceGroupPager(f.ResourceGroup, nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		count += len(page.Value)
	}
	if count != 1 {
		t.Errorf("clusters in resource group: %d", count)
	}
	for pager := mc.NewListPager(nil); pager.More(); {
		if _, err := pager.NextPage(ctx); err != nil {
			t.Fatal(err)
		}
	}
	_, err = mc.Get(ctx, f.ResourceGroup, "nope", nil)
	if status, code := armCode(t, err); status != 404 || code != "ResourceNotFound" {
		t.Errorf("missing cluster: %d %s", status, code)
	}
	_, err = mc.Get(ctx, "rg-nope", f.ClusterName, nil)
	if status, code := armCode(t, err); status != 404 || code != "ResourceGroupNotFound" {
		t.Errorf("missing resource group: %d %s", status, code)
	}

	ap, err := armcontainerservice.NewAgentPoolsClient(f.SubscriptionID, cred, armOptions(shared))
	if err != nil {
		t.Fatal(err)
	}
	var pools []string
	for pager := ap.NewListPager(f.ResourceGroup, f.ClusterName, nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, pool := range page.Value {
			pools = append(pools, *pool.Name)
		}
	}
	if strings.Join(pools, ",") != "system,user" {
		t.Errorf("pools: %v", pools)
	}
	user, err := ap.Get(ctx, f.ResourceGroup, f.ClusterName, "user", nil)
	if err != nil || *user.Properties.Mode != armcontainerservice.AgentPoolModeUser {
		t.Errorf("get pool: %v", err)
	}
}

// TestARMWire covers what the SDKs do not expose: api-version handling, cloud metadata, HEAD on resource
// groups, scale sets in the node resource group, and ARM's 401 bodies.
func TestARMWire(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	cred := adminCred(t, shared)
	const armScope = "https://management.core.windows.net//.default"
	get := func(path string) *http.Response {
		return rawRequest(t, shared, cred, armScope, http.MethodGet, shared.URL()+path)
	}
	cases := map[string]struct {
		path   string
		status int
		code   string
	}{
		"missing api-version":   {f.ClusterID, 400, "MissingApiVersionParameter"},
		"unknown AKS version":   {f.ClusterID + "?api-version=2019-01-01", 400, "NoRegisteredProviderFound"},
		"unknown authz version": {"/subscriptions/" + f.SubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions?api-version=1999-01-01", 400, "InvalidApiVersionParameter"},
	}
	for name, tc := range cases {
		resp := get(tc.path)
		if code := errorBody(t, resp); resp.StatusCode != tc.status || code != tc.code {
			t.Errorf("%s: %d %s", name, resp.StatusCode, code)
		}
	}
	resp := get("/subscriptions/" + f.SubscriptionID + "/resourceGroups/" + f.NodeResourceGroup + "/providers/Microsoft.Compute/virtualMachineScaleSets?api-version=2024-07-01")
	var vmss struct {
		Value []struct{ Name string } `json:"value"`
	}
	if err := jsonDecode(resp, &vmss); err != nil || len(vmss.Value) != 2 {
		t.Errorf("scale sets in node resource group: %v %+v", err, vmss)
	}
	head := rawRequest(t, shared, cred, armScope, http.MethodHead, shared.URL()+"/subscriptions/"+f.SubscriptionID+"/resourcegroups/"+f.ResourceGroup+"?api-version=2021-04-01")
	headMissing := rawRequest(t, shared, cred, armScope, http.MethodHead, shared.URL()+"/subscriptions/"+f.SubscriptionID+"/resourcegroups/nope?api-version=2021-04-01")
	if head.StatusCode != 204 || headMissing.StatusCode != 404 {
		t.Errorf("HEAD resource group: %d / %d", head.StatusCode, headMissing.StatusCode)
	}

	// The cloud metadata has tests of its own (TestCloudMetadataShapes).

	noToken := doWithToken(t, shared, "", shared.URL()+f.ClusterID+"?api-version=2025-02-01")
	if code := errorBody(t, noToken); noToken.StatusCode != 401 || code != "AuthenticationFailed" {
		t.Errorf("no token: %d %s", noToken.StatusCode, code)
	}
	garbage := doWithToken(t, shared, "not.a.token", shared.URL()+f.ClusterID+"?api-version=2025-02-01")
	if code := errorBody(t, garbage); garbage.StatusCode != 401 || code != "InvalidAuthenticationToken" {
		t.Errorf("invalid token: %d %s", garbage.StatusCode, code)
	}
	graphGarbage := doWithToken(t, shared, "not.a.token", shared.URL()+"/v1.0/groups")
	if code := errorBody(t, graphGarbage); graphGarbage.StatusCode != 401 || code != "InvalidAuthenticationToken" {
		t.Errorf("invalid token on Graph: %d %s", graphGarbage.StatusCode, code)
	}
	sub := get("/subscriptions/" + f.SubscriptionID + "?api-version=2022-12-01")
	var subBody map[string]any
	if err := jsonDecode(sub, &subBody); err != nil || subBody["subscriptionId"] != f.SubscriptionID || subBody["tenantId"] != f.TenantID {
		t.Errorf("subscription: %v %v", err, subBody)
	}
	graphTok := doWithToken(t, shared, plainToken(t, shared), shared.URL()+f.ClusterID+"?api-version=2025-02-01")
	if code := errorBody(t, graphTok); graphTok.StatusCode != 401 || code != "InvalidAuthenticationTokenAudience" {
		t.Errorf("Graph token on ARM: %d %s", graphTok.StatusCode, code)
	}
}
