package resources_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/provider"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// Resource identity and list resources at the protocol level: the provider server called directly,
// as Terraform >= 1.12 (identity) and >= 1.14 (terraform query) call it, so that make test covers both
// with the Terraform 1.11 of CI. TestAccResourceIdentity and TestAccQuery run the same through the CLI
// when it is new enough.

// protoServer is a configured provider server (configured from the ARM_* environment, like the tests'
// provider) and its schemas.
type protoServer struct {
	t       *testing.T
	s       tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

func newProtoServer(t *testing.T) *protoServer {
	t.Helper()
	acctest.PreCheck(t)
	s, err := acctest.ProtoV6ProviderFactories[provider.TypeName]()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	schemas, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	p := &protoServer{t: t, s: s, schemas: schemas}
	cfg := p.value(schemas.Provider.ValueType(), nil)
	resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: &cfg})
	if err != nil || hasError(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %v", err, diagText(resp.Diagnostics))
	}
	return p
}

// value encodes an object of type typ with the given attributes and every other attribute null.
func (p *protoServer) value(typ tftypes.Type, attrs map[string]tftypes.Value) tfprotov6.DynamicValue {
	p.t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		p.t.Fatalf("%s is not an object type", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := attrs[name]; ok {
			vals[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		p.t.Fatal(err)
	}
	return dv
}

// decode returns the string attributes of a dynamic value of type typ.
func (p *protoServer) decode(typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]string {
	p.t.Helper()
	if dv == nil {
		return nil
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		p.t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		p.t.Fatal(err)
	}
	out := map[string]string{}
	for k, a := range attrs {
		var s string
		if a.Type().Is(tftypes.String) && a.IsKnown() && !a.IsNull() && a.As(&s) == nil {
			out[k] = s
		}
	}
	return out
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	return slices.ContainsFunc(diags, func(d *tfprotov6.Diagnostic) bool { return d.Severity == tfprotov6.DiagnosticSeverityError })
}

func diagText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "%s: %s; ", d.Summary, d.Detail)
	}
	return b.String()
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// TestIdentityOverTheProtocol: every resource declares its identity schema; a group imported by identity
// (no ID, as `import { identity = {...} }` sends it) reads back with that identity and its state.
func TestIdentityOverTheProtocol(t *testing.T) {
	p := newProtoServer(t)
	ctx := t.Context()
	ids, err := p.s.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || len(ids.Diagnostics) > 0 {
		t.Fatalf("GetResourceIdentitySchemas: %v %v", err, ids.Diagnostics)
	}
	want := map[string][]string{
		"aks_pim_group":           {"object_id"},
		"aks_role_binding":        {"id"},
		"aks_pim_eligibility":     {"access_id", "group_id", "principal_id"},
		"aks_pim_approval_policy": {"access_id", "group_id"},
		"aks_pim_role_policy":     {"id"},
	}
	for typ := range p.schemas.ResourceSchemas {
		s, ok := ids.IdentitySchemas[typ]
		if !ok {
			t.Errorf("%s has no identity schema", typ)
			continue
		}
		var names []string
		for _, a := range s.IdentityAttributes {
			names = append(names, a.Name)
			if !a.RequiredForImport {
				t.Errorf("%s: identity attribute %s is not required for import", typ, a.Name)
			}
		}
		slices.Sort(names)
		if w, ok := want[typ]; ok && !slices.Equal(names, w) {
			t.Errorf("%s: identity attributes %v, want %v", typ, names, w)
		}
	}

	admin := acctest.AdminClient(t)
	g, _, err := pim.CreateGroup(ctx, admin, pim.GroupSpec{DisplayName: acctest.RandomName("proto")}, pim.GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pim.DeleteGroup(context.Background(), admin, g.ID) })
	identityType := ids.IdentitySchemas["aks_pim_group"].ValueType()
	stateType := p.schemas.ResourceSchemas["aks_pim_group"].ValueType()
	identity := p.value(identityType, map[string]tftypes.Value{"object_id": str(g.ID)})
	imp, err := p.s.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
		TypeName: "aks_pim_group", Identity: &tfprotov6.ResourceIdentityData{IdentityData: &identity},
	})
	if err != nil || hasError(imp.Diagnostics) || len(imp.ImportedResources) != 1 {
		t.Fatalf("ImportResourceState by identity: %v %s %d", err, diagText(imp.Diagnostics), len(imp.ImportedResources))
	}
	got := imp.ImportedResources[0]
	read, err := p.s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: "aks_pim_group", CurrentState: got.State, CurrentIdentity: got.Identity, Private: got.Private,
	})
	if err != nil || hasError(read.Diagnostics) {
		t.Fatalf("ReadResource: %v %s", err, diagText(read.Diagnostics))
	}
	if read.NewIdentity == nil {
		t.Fatal("ReadResource answered no identity")
	}
	if id := p.decode(identityType, read.NewIdentity.IdentityData); id["object_id"] != g.ID {
		t.Errorf("identity after the read: %v, want object_id %s", id, g.ID)
	}
	if st := p.decode(stateType, read.NewState); st["id"] != g.ID || st["display_name"] != g.DisplayName {
		t.Errorf("state after the read: id %q display_name %q, want %s %s", st["id"], st["display_name"], g.ID, g.DisplayName)
	}

	// An identity without one of its attributes is refused on that attribute.
	bad := p.value(ids.IdentitySchemas["aks_pim_eligibility"].ValueType(), map[string]tftypes.Value{"group_id": str(g.ID), "access_id": str("member")})
	imp, err = p.s.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
		TypeName: "aks_pim_eligibility", Identity: &tfprotov6.ResourceIdentityData{IdentityData: &bad},
	})
	if err != nil || !hasError(imp.Diagnostics) || !strings.Contains(diagText(imp.Diagnostics), "principal_id") {
		t.Errorf("an eligibility identity without principal_id: %v %s", err, diagText(imp.Diagnostics))
	}
}

// list runs a list resource and returns its results' identities and states (string attributes).
func (p *protoServer) list(typ string, config map[string]tftypes.Value) (identities, states []map[string]string) {
	p.t.Helper()
	ctx := p.t.Context()
	ids, err := p.s.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		p.t.Fatal(err)
	}
	ls, ok := p.schemas.ListResourceSchemas[typ]
	if !ok {
		p.t.Fatalf("no list resource %s", typ)
	}
	cfg := p.value(ls.ValueType(), config)
	lister, ok := p.s.(tfprotov6.ListResourceServer)
	if !ok {
		p.t.Fatal("the provider server does not serve list resources")
	}
	stream, err := lister.ListResource(ctx, &tfprotov6.ListResourceRequest{TypeName: typ, Config: &cfg, IncludeResource: true, Limit: 100})
	if err != nil {
		p.t.Fatal(err)
	}
	for res := range stream.Results {
		if hasError(res.Diagnostics) {
			p.t.Fatalf("ListResource %s: %s", typ, diagText(res.Diagnostics))
		}
		if res.Identity == nil || res.DisplayName == "" {
			p.t.Fatalf("ListResource %s: a result without identity or display name: %+v", typ, res)
		}
		identities = append(identities, p.decode(ids.IdentitySchemas[typ].ValueType(), res.Identity.IdentityData))
		states = append(states, p.decode(p.schemas.ResourceSchemas[typ].ValueType(), res.Resource))
	}
	return identities, states
}

// TestListOverTheProtocol: the three list resources find what exists (groups by prefix, the role
// assignments at a cluster's scopes of one principal, a group's eligibilities), each result with the
// identity that imports it and, asked for, the state an import would read.
func TestListOverTheProtocol(t *testing.T) {
	p := newProtoServer(t)
	ctx := t.Context()
	f := acctest.Fixture(t)
	admin := acctest.AdminClient(t)
	prefix := acctest.RandomName("list")
	var groups []*pim.GroupRead
	for _, n := range []string{"a", "b"} {
		g, _, err := pim.CreateGroup(ctx, admin, pim.GroupSpec{DisplayName: prefix + "-" + n}, pim.GroupCreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, g)
		t.Cleanup(func() { _ = pim.DeleteGroup(context.Background(), admin, g.ID) })
	}
	cluster, err := rbac.ParseClusterID(f.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := rbac.CreateAssignment(ctx, admin, rbac.AssignmentSpec{Scope: cluster.NamespaceScope("team-a"),
		RoleDefinitionID: rbac.SubscriptionRoleDefinitionID(f.SubscriptionID, rbac.RoleAKSRBACReader), PrincipalID: groups[0].ID, PrincipalType: rbac.PrincipalGroup})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rbac.DeleteAssignment(context.Background(), admin, a.ID) })
	day, _ := pim.ParseDuration("P1D")
	e, err := pim.CreateEligibility(ctx, admin, pim.EligibilitySpec{
		Key:      pim.EligibilityKey{GroupID: groups[0].ID, PrincipalID: groups[1].ID, AccessID: pim.AccessMember},
		Schedule: pim.Schedule{Duration: day}, Justification: "list test",
	})
	if err != nil {
		t.Fatal(err)
	}

	ids, states := p.list("aks_pim_group", map[string]tftypes.Value{"display_name_prefix": str(prefix)})
	if len(ids) != 2 || !slices.ContainsFunc(ids, func(m map[string]string) bool { return m["object_id"] == groups[1].ID }) {
		t.Errorf("aks_pim_group list: identities %v, want the two groups %s and %s", ids, groups[0].ID, groups[1].ID)
	}
	for i := range states {
		if states[i]["id"] != ids[i]["object_id"] || !strings.HasPrefix(states[i]["display_name"], prefix) {
			t.Errorf("aks_pim_group list: state %v does not match identity %v", states[i], ids[i])
		}
	}

	ids, states = p.list("aks_role_binding", map[string]tftypes.Value{"cluster_id": str(f.ClusterID), "principal_id": str(groups[0].ID)})
	if len(ids) != 1 || !strings.EqualFold(ids[0]["id"], a.ID) || states[0]["scope_kind"] != "namespace" || states[0]["namespace"] != "team-a" ||
		states[0]["role"] != "Azure Kubernetes Service RBAC Reader" {
		t.Errorf("aks_role_binding list: %v / %v, want %s in namespace team-a", ids, states, a.ID)
	}

	ids, states = p.list("aks_pim_eligibility", map[string]tftypes.Value{"group_id": str(groups[0].ID)})
	if len(ids) != 1 || ids[0]["principal_id"] != groups[1].ID || ids[0]["access_id"] != "member" || states[0]["id"] != e.ScheduleID {
		t.Errorf("aks_pim_eligibility list: %v / %v, want %s eligible (schedule %s)", ids, states, groups[1].ID, e.ScheduleID)
	}
}
