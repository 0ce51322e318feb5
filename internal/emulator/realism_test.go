package emulator_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// TestReplicationDelay: a new group is invisible to Graph reads and to ARM principal lookups for the
// delay (unless principalType is set); a deleted one stays visible for the delay.
func TestReplicationDelay(t *testing.T) {
	srv, cred, g, ctx := startAdmin(t, emulator.Config{ReplicationDelay: 30 * time.Second})
	f := srv.Fixtures()
	grp := newGroup(t, g, uniqueName("grp-lag"))
	gid := *grp.GetId()

	_, err := g.Groups().ByGroupId(gid).Get(ctx, nil)
	if status, code := odataCode(t, err); status != 404 || code != "Request_ResourceNotFound" {
		t.Errorf("read right after create: %d %s", status, code)
	}
	ra, err := armauthorization.NewRoleAssignmentsClient(f.SubscriptionID, cred, armOptions(srv))
	if err != nil {
		t.Fatal(err)
	}
	create := func(ptype *armauthorization.PrincipalType) error {
		_, err := ra.Create(ctx, f.ClusterID, uuid.NewString(), armauthorization.RoleAssignmentCreateParameters{Properties: &armauthorization.RoleAssignmentProperties{
			RoleDefinitionID: ptr(roleDefID(srv, roleAKSReader)), PrincipalID: &gid, PrincipalType: ptype,
		}}, nil)
		return err
	}
	if status, code := armCode(t, create(nil)); status != 400 || code != "PrincipalNotFound" {
		t.Errorf("assignment to a new principal without principalType: %d %s", status, code)
	}
	if err := create(ptr(armauthorization.PrincipalTypeGroup)); err != nil {
		t.Errorf("assignment with principalType during the delay: %v", err)
	}
	err = g.Groups().ByGroupId(gid).Members().Ref().Post(ctx, refBody(f.N01.ID), nil)
	if status, _ := odataCode(t, err); status != 404 {
		t.Errorf("adding a member to a group not yet replicated: %d", status)
	}

	srv.AdvanceClock(31 * time.Second)
	if _, err := g.Groups().ByGroupId(gid).Get(ctx, nil); err != nil {
		t.Errorf("read after the delay: %v", err)
	}
	if err := g.Groups().ByGroupId(gid).Delete(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Groups().ByGroupId(gid).Get(ctx, nil); err != nil {
		t.Errorf("a deleted group should stay readable during the delay: %v", err)
	}
	srv.AdvanceClock(31 * time.Second)
	_, err = g.Groups().ByGroupId(gid).Get(ctx, nil)
	if status, _ := odataCode(t, err); status != 404 {
		t.Errorf("deleted group after the delay: %d", status)
	}
}

// TestStatePersists: the world survives a restart from --state, fixtures included.
func TestStatePersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	srv, err := emulator.Start(emulator.Config{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	g := graphFor(t, srv, adminCred(t, srv))
	grp := newGroup(t, g, uniqueName("grp-persist"))
	srv.AdvanceClock(3 * time.Hour)
	before := srv.Fixtures()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	again := startEmulator(t, emulator.Config{StatePath: path})
	after := again.Fixtures()
	if before.TenantID != after.TenantID || before.AdminClientSecret != after.AdminClientSecret || before.ClusterID != after.ClusterID {
		t.Errorf("fixtures changed across restart")
	}
	if d := time.Until(again.Now()); d < 3*time.Hour-time.Minute {
		t.Errorf("clock offset lost: %v", d)
	}
	got, err := graphFor(t, again, adminCred(t, again)).Groups().ByGroupId(*grp.GetId()).Get(ctxT(t), nil)
	if err != nil || *got.GetDisplayName() != *grp.GetDisplayName() {
		t.Errorf("group after restart: %v", err)
	}
}

// TestAdminAPIAndEnvFile covers the command's contract surface in-process: the env file's names and
// order, and the admin endpoints.
func TestAdminAPIAndEnvFile(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	path := filepath.Join(t.TempDir(), "emu.env")
	if err := srv.WriteEnvFile(path); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var names []string
	values := map[string]string{}
	for sc := bufio.NewScanner(file); sc.Scan(); {
		line, ok := strings.CutPrefix(sc.Text(), "export ")
		if !ok {
			t.Fatalf("line without export: %q", sc.Text())
		}
		name, value, _ := strings.Cut(line, "=")
		names = append(names, name)
		values[name] = value
	}
	want := []string{"ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "ARM_AUTHORITY_HOST",
		"ARM_GRAPH_ENDPOINT", "ARM_GRAPH_AUDIENCE", "ARM_RESOURCE_MANAGER_ENDPOINT", "ARM_RESOURCE_MANAGER_AUDIENCE", "ARM_USE_CLI",
		"SSL_CERT_FILE", "AZEMU_URL", "AZEMU_CLUSTER_ID", "AZEMU_RESOURCE_GROUP", "AZEMU_NODE_RESOURCE_GROUP",
		"AZEMU_USER_N01_ID", "AZEMU_USER_N01_UPN", "AZEMU_USER_N01_PASSWORD", "AZEMU_USER_P01_ID", "AZEMU_USER_P01_UPN",
		"AZEMU_USER_P01_PASSWORD", "AZEMU_PUBLIC_CLIENT_ID", "AZEMU_ADMIN_OBJECT_ID", "AZEMU_SSH_KNOWN_HOSTS", "AZEMU_SSH_NODES", "AZEMU_VARIANTS"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("env file names: %s", diff)
	}
	if values["ARM_AUTHORITY_HOST"] != srv.URL()+"/" || values["SSL_CERT_FILE"] != srv.CACertFile() || values["AZEMU_CLUSTER_ID"] != srv.Fixtures().ClusterID {
		t.Errorf("env values: %v", values)
	}
	if _, err := os.Stat(values["SSL_CERT_FILE"]); err != nil {
		t.Errorf("CA bundle: %v", err)
	}
	checkNodeAddresses(t, srv, values["AZEMU_SSH_KNOWN_HOSTS"], values["AZEMU_SSH_NODES"])

	client := srv.HTTPClient()
	post := func(path, body string) *http.Response {
		resp, err := client.Post(srv.URL()+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	before := srv.Now()
	if resp := post("/_emulator/clock", `{"advance":"PT2H"}`); resp.StatusCode != 200 {
		t.Errorf("advance clock: %d", resp.StatusCode)
	}
	if d := srv.Now().Sub(before); d < 2*time.Hour || d > 2*time.Hour+time.Minute {
		t.Errorf("clock moved %v", d)
	}
	if resp := post("/_emulator/clock", `{"advance":"soon"}`); resp.StatusCode != 400 {
		t.Errorf("bad duration: %d", resp.StatusCode)
	}
	doWithToken(t, srv, "", srv.URL()+"/v1.0/groups") // one unauthenticated Graph request
	resp, err := client.Get(srv.URL() + "/_emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	var st emulator.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.Requests != 1 {
		t.Errorf("stats: %v %+v", err, st)
	}
	resp.Body.Close()
	if resp := post("/_emulator/stats/reset", ""); resp.StatusCode != 204 || srv.Stats().Requests != 0 {
		t.Errorf("reset stats: %d", resp.StatusCode)
	}
	state, err := client.Get(srv.URL() + "/_emulator/state")
	if err != nil {
		t.Fatal(err)
	}
	defer state.Body.Close()
	var world map[string]json.RawMessage
	if err := json.NewDecoder(state.Body).Decode(&world); err != nil || world["directory"] == nil || world["arm"] == nil {
		t.Errorf("state: %v keys %d", err, len(world))
	}
}

func TestSnapshotCopiesTheWorld(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Clusters: 3})
	snap := srv.Snapshot()
	if len(srv.Fixtures().ClusterIDs) != 3 || len(snap.Users) != 2 || len(snap.RoleAssignments) != 1 || snap.RoleAssignments[0].RoleName != "Role Based Access Control Administrator" {
		t.Errorf("snapshot: %d clusters, %d users, %+v", len(srv.Fixtures().ClusterIDs), len(snap.Users), snap.RoleAssignments)
	}
	var perms []string
	for _, sp := range snap.ServicePrincipals {
		if sp.ID == srv.Fixtures().AdminObjectID {
			perms = sp.GraphPermissions
		}
	}
	if diff := cmp.Diff(emulator.AdminGraphPermissionsDefault, perms); diff != "" {
		t.Errorf("admin Graph permissions: %s", diff)
	}
}
