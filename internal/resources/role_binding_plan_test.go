package resources

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

const (
	planTestSub     = "00000000-0000-0000-0000-00000000a001"
	planTestCluster = "/subscriptions/" + planTestSub + "/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1"
)

func str(s string) types.String { return types.StringValue(s) }

var (
	null    = types.StringNull()
	unknown = types.StringUnknown()
)

// The derived inputs are never unknown after apply, follow an explicit scope, keep their state value
// while the scope is the same, and are null where the kind does not use them.
func TestRoleBindingDeriveInputs(t *testing.T) {
	t.Parallel()
	type fields struct{ Cluster, Kind, Pool, NS types.String }
	get := func(m scopeRoleModel) fields { return fields{m.ClusterID, m.ScopeKind, m.NodePool, m.Namespace} }
	cases := map[string]struct {
		scope  types.String
		config scopeRoleModel
		state  *scopeRoleModel
		want   fields
	}{
		"explicit node pool scope": {
			scope: str(planTestCluster + "/nodepools/system"),
			want:  fields{str(planTestCluster), str("node_pool"), str("system"), null},
		},
		"explicit namespace scope": {
			scope: str(planTestCluster + "/namespaces/payments"),
			want:  fields{str(planTestCluster), str("namespace"), null, str("payments")},
		},
		"explicit resource group": {
			scope: str("/subscriptions/" + planTestSub + "/resourceGroups/rg"),
			want:  fields{null, null, null, null},
		},
		"configured cluster and kind": {
			scope:  str("/subscriptions/" + planTestSub + "/resourceGroups/MC_rg"),
			config: scopeRoleModel{ClusterID: str(planTestCluster), ScopeKind: str("node_resource_group")},
			want:   fields{str(planTestCluster), str("node_resource_group"), null, null},
		},
		"unknown scope": {
			scope: unknown,
			want:  fields{unknown, unknown, unknown, unknown},
		},
		"same scope keeps an imported cluster": {
			scope: str("/subscriptions/" + planTestSub + "/resourceGroups/rg"),
			state: &scopeRoleModel{Scope: str("/subscriptions/" + planTestSub + "/resourcegroups/rg"),
				ClusterID: str(planTestCluster), ScopeKind: str("resource_group"), NodePool: null, Namespace: null},
			want: fields{str(planTestCluster), str("resource_group"), null, null},
		},
		"changed scope drops the state values": {
			scope: str(planTestCluster),
			state: &scopeRoleModel{Scope: str("/subscriptions/" + planTestSub + "/resourceGroups/rg"),
				ClusterID: str(planTestCluster), ScopeKind: str("resource_group"), NodePool: null, Namespace: null},
			want: fields{str(planTestCluster), str("cluster"), null, null},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := scopeRoleModel{Scope: tc.scope}
			deriveScopeInputs(&m, tc.config, tc.state) // zero-valued config fields are null

			if diff := cmp.Diff(tc.want, get(m)); diff != "" {
				t.Errorf("unexpected difference: %s", diff)
			}
		})
	}
}

func TestRoleBindingConditionVersion(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		condition, configured, prior types.String
		want                         types.String
	}{
		"no condition":          {condition: null, configured: null, prior: null, want: null},
		"condition, no version": {condition: str("x"), configured: null, prior: null, want: str("2.0")},
		"configured":            {condition: str("x"), configured: str("2.0"), prior: null, want: str("2.0")},
		"unknown condition":     {condition: unknown, configured: null, prior: null, want: unknown},
		"kept from state":       {condition: str("x"), configured: null, prior: str("2.0"), want: str("2.0")},
	}
	for name, tc := range cases {
		if got := conditionVersion(tc.condition, tc.configured, tc.prior); !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
}

// planTestClient starts an emulator with a second cluster that does not use Azure RBAC, and returns an
// admin client.
func planTestClient(t *testing.T) (*clients.Client, emulator.Fixtures, string) {
	t.Helper()
	srv := emuclient.Start(t, emulator.DefaultConfig())
	f := srv.Fixtures()
	plain := srv.ARM().AddCluster(arm.Cluster{Name: "aks-plain", ResourceGroup: f.ResourceGroup, AADManaged: true, AzureRBAC: false,
		Pools: []arm.AgentPool{{Name: "system", Mode: "System", Count: 1, VMSize: "Standard_D2s_v5"}}})
	c, err := emuclient.Admin(t.Context(), srv, emuclient.Quick())
	if err != nil {
		t.Fatal(err)
	}
	return c, f, plain
}

func diagText(d diag.Diagnostics) string {
	var b strings.Builder
	for _, x := range d {
		b.WriteString(x.Severity().String() + ": " + x.Summary() + ": " + x.Detail() + "\n")
	}
	return b.String()
}

// The planner against an emulator: the node resource group comes from the cluster; a missing cluster and
// an unknown role are errors on the right attribute; a missing node pool and a Kubernetes role on a cluster
// without Azure RBAC are warnings.
func TestRoleBindingPlannerAgainstEmulator(t *testing.T) {
	c, f, plain := planTestClient(t)
	ctx := t.Context()
	cfg := func(cluster, kind, pool string) scopeRoleModel {
		m := scopeRoleModel{Scope: null, ClusterID: str(cluster), ScopeKind: str(kind), NodePool: null, Namespace: null}
		if pool != "" {
			m.NodePool = str(pool)
		}
		return m
	}

	var d diag.Diagnostics
	p := scopeRolePlanner{c: c, diags: &d}
	got := p.scope(ctx, cfg(f.ClusterID, "node_resource_group", ""), nil)
	segs := strings.Split(f.ClusterID, "/")
	if want := strings.Join(segs[:4], "/") + "/" + f.NodeResourceGroup; got.ValueString() != want || d.HasError() {
		t.Errorf("node resource group scope = %v (%s), want %s", got, diagText(d), want)
	}

	d = nil
	p = scopeRolePlanner{c: c, diags: &d}
	got = p.scope(ctx, cfg(f.ClusterID, "node_pool", "nosuchpool"), nil)
	if !strings.HasSuffix(got.ValueString(), "/agentPools/nosuchpool") || d.WarningsCount() != 1 || !strings.Contains(diagText(d), "Node Pool Not Found") {
		t.Errorf("missing pool: scope %v, diagnostics %s", got, diagText(d))
	}

	d = nil
	p = scopeRolePlanner{c: c, diags: &d}
	missing := strings.Replace(f.ClusterID, "/managedClusters/", "/managedClusters/gone-", 1)
	got = p.scope(ctx, cfg(missing, "node_resource_group", ""), nil)
	if !got.IsUnknown() || !d.HasError() || !strings.Contains(diagText(d), "No AKS cluster was found when looking it up by ID") {
		t.Errorf("missing cluster: scope %v, diagnostics %s", got, diagText(d))
	}

	// Kubernetes data-plane roles on a cluster without Azure RBAC grant nothing: a warning.
	for cluster, wantWarn := range map[string]bool{plain: true, f.ClusterID: false} {
		d = nil
		p = scopeRolePlanner{c: c, diags: &d}
		p.warnDataPlaneRole(ctx, scopeRoleModel{Scope: str(cluster + "/namespaces/x"), Role: str("Azure Kubernetes Service RBAC Reader"), RoleDefinitionID: unknown})
		if warned := strings.Contains(diagText(d), "Kubernetes Role Without Azure RBAC"); warned != wantWarn {
			t.Errorf("%s: warned %v, want %v: %s", cluster, warned, wantWarn, diagText(d))
		}
		d = nil
		p = scopeRolePlanner{c: c, diags: &d}
		p.warnDataPlaneRole(ctx, scopeRoleModel{Scope: str(cluster), Role: str("Reader"), RoleDefinitionID: unknown})
		if len(d) != 0 {
			t.Errorf("Reader warned: %s", diagText(d))
		}
	}

	// Roles: by name to the subscription form, by ID to the name, unknown names as attribute errors.
	d = nil
	p = scopeRolePlanner{c: c, diags: &d}
	name, id := p.role(ctx, scopeRoleModel{Role: str("virtual machine user login"), RoleDefinitionID: null}, nil)
	if name.ValueString() != "virtual machine user login" || id.ValueString() != rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleVirtualMachineUserLogin) {
		t.Errorf("by name: %v %v %s", name, id, diagText(d))
	}
	name, id = p.role(ctx, scopeRoleModel{Role: null, RoleDefinitionID: str(rbac.RoleReader)}, nil)
	if name.ValueString() != "Reader" || id.ValueString() != rbac.RoleReader {
		t.Errorf("by ID: %v %v %s", name, id, diagText(d))
	}
	// Same role as the state: the state's spelling is kept, so there is no diff.
	state := &scopeRoleModel{Role: str("Reader"), RoleDefinitionID: str("/providers/Microsoft.Authorization/roleDefinitions/" + rbac.RoleReader)}
	if _, id = p.role(ctx, scopeRoleModel{Role: str("Reader"), RoleDefinitionID: null}, state); !id.Equal(state.RoleDefinitionID) {
		t.Errorf("state spelling not kept: %v", id)
	}
	_, id = p.role(ctx, scopeRoleModel{Role: str("No Such Role"), RoleDefinitionID: null}, nil)
	wp, ok := d.Errors()[0].(diag.DiagnosticWithPath)
	if !id.IsUnknown() || !strings.Contains(diagText(d), `No role named "No Such Role"`) || !ok || wp.Path().String() != "role" {
		t.Errorf("unknown role: %v %s", id, diagText(d))
	}
}
