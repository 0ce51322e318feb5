package reliability

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// drift is one out-of-band change: what another administrator (or a script, or the portal) does to an
// object Terraform manages, the resource address whose change the next plan must propose, and that
// change's actions as the JSON plan lists them ("create", "update").
type drift struct {
	name    string
	address string
	action  string
	change  func(t *testing.T, ctx context.Context, c *clients.Client, s emulator.Snapshot, prefix string)
}

var drifts = []drift{
	{name: "group deleted", address: `module.aks_pim_access.aks_pim_group.this["admin"]`, action: "create",
		change: func(t *testing.T, ctx context.Context, c *clients.Client, s emulator.Snapshot, prefix string) {
			g := snapGroup(t, s, prefix+"-admin")
			if err := clients.Graph(c).Groups().ByGroupId(g.ID).Delete(ctx, nil); err != nil {
				t.Fatalf("deleting group %s: %v", g.ID, err)
			}
		}},
	{name: "role assignment deleted", address: `module.aks_pim_access.aks_role_binding.this["admin-rbac-admin"]`, action: "create",
		change: func(t *testing.T, ctx context.Context, c *clients.Client, s emulator.Snapshot, prefix string) {
			a := snapAssignment(t, s, snapGroup(t, s, prefix+"-admin").ID, "Azure Kubernetes Service RBAC Admin")
			if _, err := c.RoleAssignments.DeleteByID(ctx, a.ID, nil); err != nil {
				t.Fatalf("deleting role assignment %s: %v", a.ID, err)
			}
		}},
	{name: "eligibility removed", address: `module.aks_pim_access.aks_pim_eligibility.this["node-access"]`, action: "create",
		change: func(t *testing.T, ctx context.Context, c *clients.Client, s emulator.Snapshot, prefix string) {
			g := snapGroup(t, s, prefix+"-node-access")
			for _, sc := range s.PIM.EligibilitySchedules {
				if strings.EqualFold(sc.GroupID, g.ID) {
					key := pim.EligibilityKey{GroupID: sc.GroupID, PrincipalID: sc.PrincipalID, AccessID: pim.AccessID(sc.AccessID)}
					if err := pim.DeleteEligibility(ctx, c, sc.ID, key); err != nil {
						t.Fatalf("removing eligibility %s: %v", sc.ID, err)
					}
					return
				}
			}
			t.Fatalf("no eligibility on %s", g.DisplayName)
		}},
	{name: "policy rule changed", address: `module.aks_pim_access.aks_pim_approval_policy.this["admin"]`, action: "update",
		change: func(t *testing.T, ctx context.Context, c *clients.Client, s emulator.Snapshot, prefix string) {
			key := pim.PolicyKey{GroupID: snapGroup(t, s, prefix+"-admin").ID, AccessID: pim.AccessMember}
			st, err := pim.ReadPolicy(ctx, c, key)
			if err != nil {
				t.Fatalf("reading the policy: %v", err)
			}
			p := st.Rules.Policy()
			// Someone turns approval off in the portal: activations would no longer need an approver.
			p.Approval.Required = false
			p.Approval.ApproverGroups, p.Approval.ApproverUsers = nil, nil
			if _, _, err := pim.ApplyPolicy(ctx, c, key, p); err != nil {
				t.Fatalf("changing the policy: %v", err)
			}
		}},
	{name: "member removed", address: `module.aks_pim_access.aks_pim_group.this["default"]`, action: "update",
		change: func(t *testing.T, ctx context.Context, c *clients.Client, s emulator.Snapshot, prefix string) {
			g := snapGroup(t, s, prefix+"-default")
			if len(g.Members) == 0 {
				t.Fatalf("group %s has no member to remove", g.DisplayName)
			}
			if err := clients.Graph(c).Groups().ByGroupId(g.ID).Members().ByDirectoryObjectId(g.Members[0]).Ref().Delete(ctx, nil); err != nil {
				t.Fatalf("removing member %s: %v", g.Members[0], err)
			}
		}},
	{name: "member added", address: `module.aks_pim_access.aks_pim_group.this["approver"]`, action: "update",
		change: func(t *testing.T, ctx context.Context, c *clients.Client, s emulator.Snapshot, prefix string) {
			g := snapGroup(t, s, prefix+"-approver")
			n01 := snapUser(t, s, "n01")
			ref := models.NewReferenceCreate()
			u := c.Endpoints.GraphEndpoint + "/v1.0/directoryObjects/" + n01
			ref.SetOdataId(&u)
			if err := clients.Graph(c).Groups().ByGroupId(g.ID).Members().Ref().Post(ctx, ref, nil); err != nil {
				t.Fatalf("adding n01 to %s: %v", g.DisplayName, err)
			}
		}},
	{name: "group description changed", address: `module.aks_pim_access.aks_pim_group.this["node-access"]`, action: "update",
		change: func(t *testing.T, ctx context.Context, c *clients.Client, s emulator.Snapshot, prefix string) {
			g := snapGroup(t, s, prefix+"-node-access")
			body := models.NewGroup()
			d := "changed in the portal"
			body.SetDescription(&d)
			if _, err := clients.Graph(c).Groups().ByGroupId(g.ID).Patch(ctx, body, nil); err != nil {
				t.Fatalf("changing the description of %s: %v", g.DisplayName, err)
			}
		}},
}

// TestDriftDetectedAndRepaired makes each out-of-band change to an applied scenario, then checks that the
// next plan proposes the expected change to the affected resource (in the JSON plan's resource_changes:
// its address appears in the text plan anyway, in the "Refreshing state..." line) and that apply
// restores the world as applied.
func TestDriftDetectedAndRepaired(t *testing.T) {
	m := mode()
	e := newEnv(t, envOptions{configure: func(c *emulator.Config) { c.ReplicationDelay = m.replicationDelay }})
	ws := e.workspace("scenario", nil)
	before := worldOf(e.srv.Snapshot())
	e.apply(ws)
	want := worldOf(e.srv.Snapshot())
	requireScenarioWorld(t, before, want)
	c := e.client()
	repaired := 0
	for _, d := range drifts {
		t.Run(d.name, func(t *testing.T) {
			e := e.sub(t)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			// Replication first: what was written must be visible before someone changes it.
			time.Sleep(m.replicationDelay)
			d.change(t, ctx, c, e.srv.Snapshot(), e.prefix)
			time.Sleep(m.replicationDelay)
			if diff := cmp.Diff(want, worldOf(e.srv.Snapshot())); diff == "" {
				t.Fatal("the out-of-band change changed nothing in the emulator")
			}
			got, res := e.plannedChange(ws, d.address)
			if got != d.action {
				t.Fatalf("the plan after %q proposes %q for %s, want %q:\n%s", d.name, got, d.address, d.action, tail(res.Stdout, 6000))
			}
			e.apply(ws)
			e.requireEmptyPlan(ws, "after repairing "+d.name)
			if diff := cmp.Diff(want, worldOf(e.srv.Snapshot())); diff != "" {
				t.Fatalf("after repairing %q the world differs from the applied one (-want +got):\n%s", d.name, diff)
			}
			repaired++
		})
	}
	figures.add("drift kinds detected and repaired", int64(repaired))
	figures.add("drift kinds tried", int64(len(drifts)))
}

func snapGroup(t *testing.T, s emulator.Snapshot, name string) emulator.SnapshotGroup {
	t.Helper()
	for _, g := range s.Groups {
		if g.DisplayName == name && !g.Deleted {
			return g
		}
	}
	t.Fatalf("no live group %q in the emulator", name)
	return emulator.SnapshotGroup{}
}

func snapAssignment(t *testing.T, s emulator.Snapshot, principalID, role string) emulator.SnapshotRoleAssignment {
	t.Helper()
	for _, a := range s.RoleAssignments {
		if strings.EqualFold(a.PrincipalID, principalID) && a.RoleName == role {
			return a
		}
	}
	t.Fatalf("no %q assignment for %s", role, principalID)
	return emulator.SnapshotRoleAssignment{}
}

func snapUser(t *testing.T, s emulator.Snapshot, upnPrefix string) string {
	t.Helper()
	for _, u := range s.Users {
		if strings.HasPrefix(strings.ToLower(u.UserPrincipalName), upnPrefix+"@") {
			return u.ID
		}
	}
	t.Fatalf("no user %s@ in the emulator", upnPrefix)
	return ""
}
