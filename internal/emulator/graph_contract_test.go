package emulator_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	kiotaazure "github.com/microsoft/kiota-authentication-azure-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/directoryobjects"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

func TestGraphUsers(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	g, ctx := adminGraph(t)

	byID, err := g.Users().ByUserId(f.N01.ID).Get(ctx, nil)
	if err != nil {
		t.Fatalf("get user by ID: %v", err)
	}
	// The SDK sends the UPN with @ as %40.
	byUPN, err := g.Users().ByUserId(f.P01.UPN).Get(ctx, nil)
	if err != nil {
		t.Fatalf("get user by UPN: %v", err)
	}
	if *byID.GetUserPrincipalName() != f.N01.UPN || *byUPN.GetId() != f.P01.ID {
		t.Errorf("got %s / %s", *byID.GetUserPrincipalName(), *byUPN.GetId())
	}
	filter := "userPrincipalName eq '" + f.N01.UPN + "'"
	list, err := g.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: &filter}})
	if err != nil {
		t.Fatalf("list users with filter: %v", err)
	}
	if n := len(list.GetValue()); n != 1 || *list.GetValue()[0].GetId() != f.N01.ID {
		t.Errorf("filtered list returned %d users", n)
	}

	_, err = g.Users().ByUserId("nobody@"+f.Domain).Get(ctx, nil)
	if status, code := odataCode(t, err); status != 404 || code != "Request_ResourceNotFound" {
		t.Errorf("missing user: %d %s", status, code)
	}

	// The admin holds User.Read.All only: creating a user is refused.
	u := models.NewUser()
	u.SetAccountEnabled(ptr(true))
	u.SetDisplayName(ptr("new user"))
	u.SetMailNickname(ptr("newuser"))
	u.SetUserPrincipalName(ptr("newuser@" + f.Domain))
	pp := models.NewPasswordProfile()
	pp.SetPassword(ptr("Passw0rd!x"))
	u.SetPasswordProfile(pp)
	_, err = g.Users().Post(ctx, u, nil)
	if status, code := odataCode(t, err); status != 403 || code != "Authorization_RequestDenied" {
		t.Errorf("create user without User.ReadWrite.All: %d %s", status, code)
	}

	// With the permission, creation works and the new user can sign in.
	srv := startEmulator(t, emulator.Config{AdminGraphPermissions: append(append([]string{}, emulator.AdminGraphPermissionsDefault...), "User.ReadWrite.All")})
	g2 := graphFor(t, srv, adminCred(t, srv))
	u.SetUserPrincipalName(ptr("newuser@" + srv.Fixtures().Domain))
	created, err := g2.Users().Post(ctx, u, nil)
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	_, err = g2.Users().Post(ctx, u, nil)
	if status, code := odataCode(t, err); status != 400 || code != "Request_BadRequest" {
		t.Errorf("duplicate UPN: %d %s", status, code)
	}
	newUser := emulator.User{UPN: *created.GetUserPrincipalName(), Password: "Passw0rd!x"}
	if _, err := graphFor(t, srv, userCred(t, srv, newUser)).Me().Get(ctx, nil); err != nil {
		t.Errorf("new user cannot sign in: %v", err)
	}
}

func TestGraphGroupLifecycle(t *testing.T) {
	t.Parallel()
	g, ctx := adminGraph(t)
	name := uniqueName("grp-lifecycle")
	created := newGroup(t, g, name)
	id := *created.GetId()
	if created.GetSecurityEnabled() == nil || !*created.GetSecurityEnabled() || created.GetCreatedDateTime() == nil || created.GetGroupTypes() == nil {
		t.Errorf("created group lacks default properties: %+v", created)
	}

	// $select returns exactly the selected properties (plus id and the context annotation).
	resp := rawRequest(t, shared, adminCred(t, shared), "https://graph.microsoft.com/.default", http.MethodGet,
		shared.URL()+"/v1.0/groups/"+id+"?%24select=displayName,securityEnabled")
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if diff := cmp.Diff([]string{"@odata.context", "displayName", "id", "securityEnabled"}, keys); diff != "" {
		t.Errorf("$select keys: %s", diff)
	}

	patch := models.NewGroup()
	patch.SetDescription(ptr("updated"))
	if _, err := g.Groups().ByGroupId(id).Patch(ctx, patch, nil); err != nil {
		t.Fatalf("patch: %v", err)
	}
	got, err := g.Groups().ByGroupId(id).Get(ctx, &groups.GroupItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: []string{"id", "description"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetDescription() == nil || *got.GetDescription() != "updated" {
		t.Errorf("description after patch: %v", got.GetDescription())
	}
	if err := g.Groups().ByGroupId(id).Delete(ctx, nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = g.Groups().ByGroupId(id).Get(ctx, nil)
	if status, code := odataCode(t, err); status != 404 || code != "Request_ResourceNotFound" {
		t.Errorf("get after delete: %d %s", status, code)
	}
	err = g.Groups().ByGroupId(id).Delete(ctx, nil)
	if status, code := odataCode(t, err); status != 404 || code != "Request_ResourceNotFound" {
		t.Errorf("second delete: %d %s", status, code)
	}
	_, err = g.Groups().ByGroupId("not-a-guid").Get(ctx, nil)
	if status, code := odataCode(t, err); status != 400 || code != "Request_BadRequest" {
		t.Errorf("malformed ID: %d %s", status, code)
	}

	// Creation errors.
	bad := models.NewGroup()
	bad.SetDisplayName(ptr("no nickname"))
	bad.SetMailEnabled(ptr(false))
	bad.SetSecurityEnabled(ptr(true))
	_, err = g.Groups().Post(ctx, bad, nil)
	if status, code := odataCode(t, err); status != 400 || code != "Request_BadRequest" {
		t.Errorf("missing mailNickname: %d %s", status, code)
	}
	bad.SetMailNickname(ptr("has space"))
	_, err = g.Groups().Post(ctx, bad, nil)
	if status, code := odataCode(t, err); status != 400 || code != "Request_BadRequest" {
		t.Errorf("invalid mailNickname: %d %s", status, code)
	}
}

// TestGraphGroupListPaging lists with $filter and $top and follows @odata.nextLink with the SDK's page
// iterator.
func TestGraphGroupListPaging(t *testing.T) {
	t.Parallel()
	g, ctx := adminGraph(t)
	prefix := uniqueName("grp-page")
	want := map[string]bool{}
	for i := 0; i < 7; i++ {
		grp := newGroup(t, g, prefix+"-"+string(rune('a'+i)))
		want[*grp.GetId()] = true
	}
	filter := "startswith(displayName,'" + prefix + "')"
	top := int32(3)
	first, err := g.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Filter: &filter, Top: &top, Select: []string{"id", "displayName"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.GetValue()) != 3 || first.GetOdataNextLink() == nil {
		t.Fatalf("first page: %d items, nextLink %v", len(first.GetValue()), first.GetOdataNextLink())
	}
	it, err := msgraphcore.NewPageIterator[models.Groupable](first, g.GetAdapter(), models.CreateGroupCollectionResponseFromDiscriminatorValue)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	if err := it.Iterate(ctx, func(grp models.Groupable) bool { got[*grp.GetId()] = true; return true }); err != nil {
		t.Fatalf("iterate: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged groups: %s", diff)
	}

	eq := "displayName eq '" + prefix + "-c'"
	one, err := g.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Filter: &eq}})
	if err != nil || len(one.GetValue()) != 1 {
		t.Fatalf("eq filter: %v, %d", err, len(one.GetValue()))
	}
	ne := "displayName ne 'x'"
	_, err = g.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Filter: &ne}})
	if status, code := odataCode(t, err); status != 400 || code != "Request_UnsupportedQuery" {
		t.Errorf("ne without ConsistencyLevel: %d %s", status, code)
	}
}

func refBody(id string) models.ReferenceCreateable {
	ref := models.NewReferenceCreate()
	ref.SetOdataId(ptr("https://graph.microsoft.com/v1.0/directoryObjects/" + id))
	return ref
}

func TestGraphMembersAndOwners(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	g, ctx := adminGraph(t)
	parent := newGroup(t, g, uniqueName("grp-parent"))
	child := newGroup(t, g, uniqueName("grp-child"))
	pid, cid := *parent.GetId(), *child.GetId()
	members := g.Groups().ByGroupId(pid).Members()

	for _, id := range []string{f.N01.ID, cid} {
		if err := members.Ref().Post(ctx, refBody(id), nil); err != nil {
			t.Fatalf("add member %s: %v", id, err)
		}
	}
	err := members.Ref().Post(ctx, refBody(f.N01.ID), nil)
	if status, code := odataCode(t, err); status != 400 || code != "Request_BadRequest" {
		t.Errorf("duplicate member: %d %s", status, code)
	}
	err = members.Ref().Post(ctx, refBody("00000000-0000-0000-0000-00000000dead"), nil)
	if status, code := odataCode(t, err); status != 404 || code != "Request_ResourceNotFound" {
		t.Errorf("unknown member: %d %s", status, code)
	}

	list, err := members.Get(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, m := range list.GetValue() {
		switch m.(type) {
		case models.Userable:
			kinds[*m.GetId()] = "user"
		case models.Groupable:
			kinds[*m.GetId()] = "group"
		default:
			kinds[*m.GetId()] = "directoryObject"
		}
	}
	if diff := cmp.Diff(map[string]string{f.N01.ID: "user", cid: "group"}, kinds); diff != "" {
		t.Errorf("members materialised as: %s", diff)
	}

	// Both removal forms.
	if err := members.ByDirectoryObjectId(f.N01.ID).Ref().Delete(ctx, nil); err != nil {
		t.Fatalf("remove via /members/{id}/$ref: %v", err)
	}
	refURL := "https://graph.microsoft.com/v1.0/directoryObjects/" + cid
	if err := members.Ref().Delete(ctx, &groups.ItemMembersRefRequestBuilderDeleteRequestConfiguration{
		QueryParameters: &groups.ItemMembersRefRequestBuilderDeleteQueryParameters{Id: &refURL}}); err != nil {
		t.Fatalf("remove via /members/$ref?@id=: %v", err)
	}
	err = members.ByDirectoryObjectId(f.N01.ID).Ref().Delete(ctx, nil)
	if status, code := odataCode(t, err); status != 404 || code != "Request_ResourceNotFound" {
		t.Errorf("remove non-member: %d %s", status, code)
	}
	if list, _ := members.Get(ctx, nil); len(list.GetValue()) != 0 {
		t.Errorf("members left: %d", len(list.GetValue()))
	}

	owners := g.Groups().ByGroupId(pid).Owners()
	if err := owners.Ref().Post(ctx, refBody(f.P01.ID), nil); err != nil {
		t.Fatalf("add owner: %v", err)
	}
	err = owners.Ref().Post(ctx, refBody(f.P01.ID), nil)
	if status, code := odataCode(t, err); status != 400 || code != "Request_BadRequest" {
		t.Errorf("duplicate owner: %d %s", status, code)
	}
	err = owners.Ref().Post(ctx, refBody(cid), nil)
	if status, code := odataCode(t, err); status != 400 || code != "Request_BadRequest" {
		t.Errorf("group as owner: %d %s", status, code)
	}
	ol, err := owners.Get(ctx, nil)
	if err != nil || len(ol.GetValue()) != 1 {
		t.Fatalf("owners: %v %d", err, len(ol.GetValue()))
	}
	if _, ok := ol.GetValue()[0].(models.Userable); !ok {
		t.Errorf("owner is %T, want a user", ol.GetValue()[0])
	}
	refURL = "https://graph.microsoft.com/v1.0/users/" + f.P01.ID
	if err := owners.Ref().Delete(ctx, &groups.ItemOwnersRefRequestBuilderDeleteRequestConfiguration{
		QueryParameters: &groups.ItemOwnersRefRequestBuilderDeleteQueryParameters{Id: &refURL}}); err != nil {
		t.Fatalf("remove owner: %v", err)
	}
}

func TestGraphDirectoryObjects(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	g, ctx := adminGraph(t)
	grp := newGroup(t, g, uniqueName("grp-dirobj"))
	obj, err := g.DirectoryObjects().ByDirectoryObjectId(f.N01.ID).Get(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := obj.(models.Userable); !ok {
		t.Errorf("directory object is %T, want a user", obj)
	}
	body := directoryobjects.NewGetByIdsPostRequestBody()
	body.SetIds([]string{f.N01.ID, *grp.GetId(), "00000000-0000-0000-0000-00000000beef"})
	body.SetTypes([]string{"user", "group"})
	res, err := g.DirectoryObjects().GetByIds().PostAsGetByIdsPostResponse(ctx, body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.GetValue()) != 2 {
		t.Errorf("getByIds returned %d objects, want 2", len(res.GetValue()))
	}
	// Reading service principals needs Application.Read.All, which the least-privilege admin lacks.
	_, err = g.ServicePrincipalsWithAppId(&f.AdminClientID).Get(ctx, nil)
	if status, code := odataCode(t, err); status != 403 || code != "Authorization_RequestDenied" {
		t.Errorf("service principal without Application.Read.All: %d %s", status, code)
	}
}

// TestGraphGetByIDsPermission: directoryObjects/getByIds answers users with v1.0's default properties;
// who may call it is the graph.getbyids-permission point: the least-privilege admin (Group.ReadWrite.All,
// User.Read.All) may under "type", and is refused 403 under "directory" (Directory.Read.All only).
func TestGraphGetByIDsPermission(t *testing.T) {
	t.Parallel()
	for _, opt := range []string{"type", "directory"} {
		srv := startEmulator(t, emulator.Config{Variants: variant.Spec("graph.getbyids-permission=" + opt)})
		f := srv.Fixtures()
		g := graphFor(t, srv, adminCred(t, srv))
		body := directoryobjects.NewGetByIdsPostRequestBody()
		body.SetIds([]string{f.N01.ID})
		res, err := g.DirectoryObjects().GetByIds().PostAsGetByIdsPostResponse(ctxT(t), body, nil)
		if opt == "directory" {
			if status, code := odataCode(t, err); status != 403 || code != "Authorization_RequestDenied" {
				t.Errorf("%s: getByIds without Directory.Read.All: %d %s, want 403", opt, status, code)
			}
			continue
		}
		if err != nil || len(res.GetValue()) != 1 {
			t.Fatalf("%s: getByIds: %v", opt, err)
		}
		u, ok := res.GetValue()[0].(models.Userable)
		if !ok || u.GetUserPrincipalName() == nil || u.GetAccountEnabled() != nil {
			t.Errorf("%s: getByIds answered %T with accountEnabled %v, want a user with the default properties only", opt, res.GetValue()[0], u.GetAccountEnabled())
		}
	}
}

// TestGraphRejectsMissingToken is the SDK host allow-list mistake: without the emulator host in the
// allowed hosts the SDK sends no token, and the emulator answers Graph's 401.
func TestGraphRejectsMissingToken(t *testing.T) {
	t.Parallel()
	// The hosts msgraphsdk.NewGraphServiceClientWithCredentials allows: the emulator is not among them.
	defaultHosts := []string{"graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "graph.microsoft.de", "microsoftgraph.chinacloudapi.cn", "canary.graph.microsoft.com"}
	auth, err := kiotaazure.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(adminCred(t, shared), []string{"https://graph.microsoft.com/.default"}, defaultHosts)
	if err != nil {
		t.Fatal(err)
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapter(auth)
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(shared.URL() + "/v1.0")
	g := msgraphsdk.NewGraphServiceClient(adapter)
	_, err = g.Groups().Get(ctxT(t), nil)
	if status, code := odataCode(t, err); status != 401 || code != "InvalidAuthenticationToken" {
		t.Errorf("request without token: %d %s", status, code)
	}
	// An ARM token is not a Graph token.
	resp := rawRequest(t, shared, adminCred(t, shared), "https://management.core.windows.net//.default", http.MethodGet, shared.URL()+"/v1.0/groups")
	if code := errorBody(t, resp); resp.StatusCode != 401 || code != "InvalidAuthenticationToken" {
		t.Errorf("ARM token on Graph: %d %s", resp.StatusCode, code)
	}
}

func TestGraphDelegatedPermissions(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	g := graphFor(t, shared, userCred(t, shared, f.N01))
	body := models.NewGroup()
	body.SetDisplayName(ptr("by a user"))
	body.SetMailNickname(ptr("byauser"))
	body.SetMailEnabled(ptr(false))
	body.SetSecurityEnabled(ptr(true))
	_, err := g.Groups().Post(ctxT(t), body, nil)
	if status, code := odataCode(t, err); status != 403 || code != "Authorization_RequestDenied" {
		t.Errorf("user creating a group: %d %s", status, code)
	}
	// Group.Read.All is granted to users: listing works.
	if _, err := g.Groups().Get(ctxT(t), nil); err != nil {
		t.Errorf("user listing groups: %v", err)
	}
}

// TestGraphGzipBody: request bodies arrive gzip-compressed from the SDK; a raw gzip body works the same.
func TestGraphGzipBody(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.WriteString(zw, `{"displayName":"gz","mailNickname":"gz","mailEnabled":false,"securityEnabled":true,"@odata.type":"#microsoft.graph.group"}`); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	req, _ := http.NewRequest(http.MethodPost, shared.URL()+"/v1.0/groups", &buf)
	req.Header.Set("Authorization", "Bearer "+plainToken(t, shared))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := shared.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 201 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("gzip create: %d %s", resp.StatusCode, b)
	}
	for _, h := range []string{"request-id", "client-request-id", "Location"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
}
