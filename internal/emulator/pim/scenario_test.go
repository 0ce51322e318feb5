package pim_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/uuid"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

const (
	roleAKSRBACReader = "7f6c6a51-bcf8-42ba-9220-52d62157d7db"
	roleAKSRBACAdmin  = "3498e952-d568-435e-9b2c-8d77e338d7f7"
	secretsRead       = "Microsoft.ContainerService/managedClusters/secrets/read"
	podsRead          = "Microsoft.ContainerService/managedClusters/pods/read"
)

// world is a running emulator reached only through the real SDK clients, as the provider reaches it.
type world struct {
	t   *testing.T
	srv *emulator.Server
}

func startWorld(t *testing.T) *world {
	srv, err := emulator.Start(emulator.Config{Seed: 7})
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return &world{t: t, srv: srv}
}

func (w *world) options() azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud: cloud.Configuration{
			ActiveDirectoryAuthorityHost: w.srv.URL() + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: w.srv.URL(), Audience: "https://management.core.windows.net/"},
			},
		},
		Transport: w.srv.HTTPClient(),
		Retry:     policy.RetryOptions{RetryDelay: 10 * time.Millisecond},
	}
}

func (w *world) adminCred() azcore.TokenCredential {
	f := w.srv.Fixtures()
	cred, err := azidentity.NewClientSecretCredential(f.TenantID, f.AdminClientID, f.AdminClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: w.options(), DisableInstanceDiscovery: true})
	if err != nil {
		w.t.Fatal(err)
	}
	return cred
}

func (w *world) userCred(u emulator.User) azcore.TokenCredential {
	//nolint:staticcheck // ROPC is how scenario users sign in to the emulator.
	cred, err := azidentity.NewUsernamePasswordCredential(w.srv.Fixtures().TenantID, w.srv.Fixtures().PublicClientID, u.UPN, u.Password,
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: w.options(), DisableInstanceDiscovery: true})
	if err != nil {
		w.t.Fatal(err)
	}
	return cred
}

func (w *world) graph(cred azcore.TokenCredential) *msgraphsdk.GraphServiceClient {
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred,
		[]string{"https://graph.microsoft.com/.default"}, []string{"graph.microsoft.com", "127.0.0.1"})
	if err != nil {
		w.t.Fatal(err)
	}
	opts := msgraphsdk.GetDefaultClientOptions()
	hc := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(w.srv.HTTPClient().Transport,
		msgraphcore.GetDefaultMiddlewaresWithOptions(&opts)...)}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, hc)
	if err != nil {
		w.t.Fatal(err)
	}
	adapter.SetBaseUrl(w.srv.URL() + "/v1.0")
	return newGraphServiceClient(adapter)
}

func (w *world) newGroup(g *msgraphsdk.GraphServiceClient, name string, members ...string) string {
	body := models.NewGroup()
	body.SetDisplayName(ptr(name))
	body.SetMailNickname(ptr(name))
	body.SetMailEnabled(ptr(false))
	body.SetSecurityEnabled(ptr(true))
	created, err := g.Groups().Post(ctx, body, nil)
	must(w.t, err)
	id := deref(created.GetId())
	for _, m := range members {
		ref := models.NewReferenceCreate()
		ref.SetOdataId(ptr("https://graph.microsoft.com/v1.0/directoryObjects/" + m))
		must(w.t, g.Groups().ByGroupId(id).Members().Ref().Post(ctx, ref, nil))
	}
	return id
}

func (w *world) assignRole(cred azcore.TokenCredential, principal, roleGUID string) {
	f := w.srv.Fixtures()
	c, err := armauthorization.NewRoleAssignmentsClient(f.SubscriptionID, cred, &arm.ClientOptions{ClientOptions: w.options()})
	must(w.t, err)
	_, err = c.Create(ctx, f.ClusterID, uuid.NewString(), armauthorization.RoleAssignmentCreateParameters{
		Properties: &armauthorization.RoleAssignmentProperties{
			PrincipalID:      ptr(principal),
			PrincipalType:    ptr(armauthorization.PrincipalTypeGroup),
			RoleDefinitionID: ptr("/subscriptions/" + f.SubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/" + roleGUID),
		}}, nil)
	must(w.t, err)
}

// holds reports whether the caller's effective permissions at the cluster (the permissions API) grant
// dataAction, applying wildcards and notDataActions.
func (w *world) holds(cred azcore.TokenCredential, dataAction string) bool {
	f := w.srv.Fixtures()
	c, err := armauthorization.NewPermissionsClient(f.SubscriptionID, cred, &arm.ClientOptions{ClientOptions: w.options()})
	must(w.t, err)
	pager := c.NewListForResourcePager(f.ResourceGroup, "Microsoft.ContainerService", "", "managedClusters", f.ClusterName, nil)
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		must(w.t, err)
		for _, p := range page.Value {
			if matchesAny(p.DataActions, dataAction) && !matchesAny(p.NotDataActions, dataAction) {
				return true
			}
		}
	}
	return false
}

func matchesAny(patterns []*string, action string) bool {
	for _, p := range patterns {
		re := "(?i)^" + strings.ReplaceAll(regexp.QuoteMeta(deref(p)), `\*`, ".*") + "$"
		if regexp.MustCompile(re).MatchString(action) {
			return true
		}
	}
	return false
}

func memberIDs(t *testing.T, g *msgraphsdk.GraphServiceClient, group string) []string {
	res, err := g.Groups().ByGroupId(group).Members().Get(ctx, nil)
	must(t, err)
	var ids []string
	for _, m := range res.GetValue() {
		ids = append(ids, deref(m.GetId()))
	}
	return ids
}

// TestScenarioActivationGrantsClusterSecrets is the scenario's just-in-time control-plane access: n01,
// through the default group, holds only RBAC Reader; after p01 approves n01's activation of admin (which
// holds RBAC Admin) n01 may read secrets, and loses that when the activation ends on the clock.
func TestScenarioActivationGrantsClusterSecrets(t *testing.T) {
	w := startWorld(t)
	f := w.srv.Fixtures()
	adminCred := w.adminCred()
	admin := w.graph(adminCred)
	gDefault := w.newGroup(admin, "default-"+uuid.NewString()[:8], f.N01.ID)
	gAdmin := w.newGroup(admin, "admin-"+uuid.NewString()[:8])
	gApprover := w.newGroup(admin, "approver-"+uuid.NewString()[:8], f.P01.ID)
	w.assignRole(adminCred, gDefault, roleAKSRBACReader)
	w.assignRole(adminCred, gAdmin, roleAKSRBACAdmin)

	n01Cred, p01Cred := w.userCred(f.N01), w.userCred(f.P01)
	if !w.holds(n01Cred, podsRead) || w.holds(n01Cred, secretsRead) {
		t.Fatalf("before activation n01 must read pods and not secrets")
	}

	_, err := pimGroup(admin).EligibilityScheduleRequests().Post(ctx, eligibilityRequest(t, reqSpec{
		action: models.ADMINASSIGN_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: gDefault, duration: "P30D",
		justification: "scenario"}), nil)
	must(t, err)
	requireApproval(t, admin, gAdmin, gApprover)

	n01, p01 := w.graph(n01Cred), w.graph(p01Cred)
	req, err := pimGroup(n01).AssignmentScheduleRequests().Post(ctx, assignmentRequest(t, reqSpec{
		action: models.SELFACTIVATE_SCHEDULEREQUESTACTIONS, group: gAdmin, principal: f.N01.ID, duration: "PT2H",
		justification: "rotate secrets"}), nil)
	must(t, err)
	id := deref(req.GetId())
	if deref(req.GetStatus()) != "PendingApproval" || w.holds(n01Cred, secretsRead) {
		t.Fatalf("activation: %v", req.GetStatus())
	}
	_, err = pimGroup(n01).AssignmentApprovals().ByApprovalId(id).Stages().ByApprovalStageId(id).Patch(ctx, decision("Approve", "self"), nil)
	wantGraphErr(t, err, 403, "Authorization_RequestDenied", "")
	mine, err := pimGroup(p01).AssignmentApprovals().FilterByCurrentUserWithOn(ptr("approver")).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	must(t, err)
	if len(mine.GetValue()) != 1 {
		t.Fatalf("p01 sees %d approvals", len(mine.GetValue()))
	}
	stageID := deref(mine.GetValue()[0].GetStages()[0].GetId())
	_, err = pimGroup(p01).AssignmentApprovals().ByApprovalId(id).Stages().ByApprovalStageId(stageID).Patch(ctx, decision("Approve", "ok"), nil)
	must(t, err)
	_, err = pimGroup(p01).AssignmentApprovals().ByApprovalId(id).Stages().ByApprovalStageId(stageID).Patch(ctx, decision("Approve", "again"), nil)
	wantGraphErr(t, err, 409, "Conflict", "")

	got, err := pimGroup(n01).AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(id).Get(ctx, nil)
	must(t, err)
	if deref(got.GetStatus()) != "Provisioned" || !slices.Contains(memberIDs(t, admin, gAdmin), f.N01.ID) {
		t.Fatalf("after approval: %v, members %v", got.GetStatus(), memberIDs(t, admin, gAdmin))
	}
	if !w.holds(n01Cred, secretsRead) {
		t.Fatalf("n01 lacks %s while active in admin", secretsRead)
	}

	w.srv.AdvanceClock(2*time.Hour + time.Minute)
	if w.holds(n01Cred, secretsRead) || slices.Contains(memberIDs(t, admin, gAdmin), f.N01.ID) {
		t.Fatalf("n01 keeps admin access after the activation ended")
	}
	if !w.holds(n01Cred, podsRead) {
		t.Fatalf("n01 lost its standing access")
	}
}
