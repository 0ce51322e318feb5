package emulator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v6"
	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// TestSDKRetriesHonourRetryAfter injects 429s (and a 503) and shows both SDK pipelines retry after the
// Retry-After the emulator sends: 1s here, far from kiota's 3s default backoff and azcore's 10ms test delay.
func TestSDKRetriesHonourRetryAfter(t *testing.T) {
	srv, cred, g, ctx := startAdmin(t, emulator.Config{})
	f := srv.Fixtures()
	if _, err := g.Groups().Get(ctx, nil); err != nil { // warm the token cache
		t.Fatal(err)
	}

	srv.ResetStats()
	srv.SetFaults(emulator.Faults{Next429: 2, RetryAfter: time.Second})
	start := time.Now()
	if _, err := g.Groups().Get(ctx, nil); err != nil {
		t.Fatalf("Graph call through two 429s: %v", err)
	}
	if el := time.Since(start); el < 2*time.Second || el > 5*time.Second {
		t.Errorf("Graph retries took %v; want about two Retry-After waits of 1s", el)
	}
	st := srv.Stats()
	if st.Injected429 != 2 || st.Routes["GET /v1.0/groups"].Count != 1 || st.Routes["GET (graph injected 429)"].Count != 2 {
		t.Errorf("Graph stats: %+v", st)
	}

	mc, err := armcontainerservice.NewManagedClustersClient(f.SubscriptionID, cred, armOptions(srv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mc.Get(ctx, f.ResourceGroup, f.ClusterName, nil); err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(emulator.Faults{Next429: 1, Next5xx: 1, RetryAfter: time.Second})
	start = time.Now()
	if _, err := mc.Get(ctx, f.ResourceGroup, f.ClusterName, nil); err != nil {
		t.Fatalf("ARM call through a 429 and a 503: %v", err)
	}
	if el := time.Since(start); el < 2*time.Second || el > 5*time.Second {
		t.Errorf("ARM retries took %v; want about two Retry-After waits of 1s", el)
	}

	// With a permanent 429 rate the SDK gives up and reports the throttling error.
	srv.SetFaults(emulator.Faults{Rate429: 1, RetryAfter: 0})
	_, err = g.Groups().Get(ctx, nil)
	if status, code := odataCode(t, err); status != 429 || code != "TooManyRequests" {
		t.Errorf("persistent throttling: %d %s", status, code)
	}
	srv.SetFaults(emulator.Faults{})
}

// TestDropAfterWrite: the write is applied, the connection dropped; the caller cannot tell.
func TestDropAfterWrite(t *testing.T) {
	srv, cred, g, ctx := startAdmin(t, emulator.Config{})
	f := srv.Fixtures()
	if _, err := g.Groups().Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	srv.DropNextWrite("POST", "/v1.0/groups")
	name := uniqueName("dropped")
	body := models.NewGroup()
	body.SetDisplayName(&name)
	body.SetMailNickname(&name)
	body.SetMailEnabled(ptr(false))
	body.SetSecurityEnabled(ptr(true))
	if _, err := g.Groups().Post(ctx, body, nil); err == nil {
		t.Fatal("the dropped create returned a response")
	}
	found := 0
	for _, grp := range srv.Snapshot().Groups {
		if grp.DisplayName == name {
			found++
		}
	}
	if found != 1 || srv.Stats().Dropped != 1 {
		t.Errorf("dropped create: %d groups named %s, %d drops", found, name, srv.Stats().Dropped)
	}

	// azcore retries a PUT whose connection dropped; the retry finds the assignment and answers 200.
	grp := newGroup(t, g, uniqueName("grp-drop"))
	ra, err := armauthorization.NewRoleAssignmentsClient(f.SubscriptionID, cred, armOptions(srv))
	if err != nil {
		t.Fatal(err)
	}
	srv.DropNextWrite("PUT", "{scope...}/providers/Microsoft.Authorization/roleAssignments/*")
	name = uuid.NewString()
	_, err = ra.Create(ctx, f.ClusterID, name, armauthorization.RoleAssignmentCreateParameters{Properties: &armauthorization.RoleAssignmentProperties{
		RoleDefinitionID: ptr(roleDefID(srv, roleAKSReader)), PrincipalID: grp.GetId(), PrincipalType: ptr(armauthorization.PrincipalTypeGroup),
	}}, nil)
	if err != nil {
		t.Fatalf("PUT after a dropped connection: %v", err)
	}
	st := srv.Stats()
	if st.Dropped != 2 || st.Routes["PUT {scope...}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"].Count != 2 {
		t.Errorf("stats after dropped PUT: %+v", st.Routes)
	}
	n := 0
	for _, a := range srv.Snapshot().RoleAssignments {
		if strings.EqualFold(a.Name, name) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d assignments named %s", n, name)
	}
}
