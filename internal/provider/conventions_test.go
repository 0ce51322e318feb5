package provider

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// The house conventions every object of the registry follows, checked on the schema Terraform receives
// (GetProviderSchema), so an object added to registry.go is held to them without touching this file:
//   - the object and each of its attributes, nested ones included, have a description;
//   - attributes whose name says they carry a secret are sensitive;
//   - operations are bounded: a resource has timeouts for create, read and delete (and may have update),
//     a data source for read, an ephemeral resource for open;
//   - a resource can be imported and has the import example its docs render;
//   - each object has the example its docs page renders.

// secretName matches the attribute names that carry secrets: one of these words as a part of the
// snake_case name (client_secret, password, oidc_request_token, private_key, kubeconfig).
var secretName = regexp.MustCompile(`(^|_)(secret|password|passphrase|token|credentials?|private_key|kubeconfig)(_|$)`)

// notSecret are names that match secretName but hold no secret.
var notSecret = map[string]bool{}

func TestRegistryConventions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("GetProviderSchema: %s: %s", d.Summary, d.Detail)
	}
	if len(resp.ResourceSchemas) == 0 || len(resp.DataSourceSchemas) == 0 || len(resp.EphemeralResourceSchemas) == 0 {
		t.Fatalf("the registry serves %d resources, %d data sources and %d ephemeral resources; want some of each",
			len(resp.ResourceSchemas), len(resp.DataSourceSchemas), len(resp.EphemeralResourceSchemas))
	}
	importable := importableResources(ctx, t)

	for _, name := range slices.Sorted(maps.Keys(resp.ResourceSchemas)) {
		s := resp.ResourceSchemas[name]
		checkDocumented(t, name, s)
		checkTimeouts(t, name, s, []string{"create", "read", "delete"}, "update")
		if !importable[name] {
			t.Errorf("%s: resource cannot be imported (implement resource.ResourceWithImportState)", name)
		}
		checkExample(t, name, "resources", "resource.tf", "import.sh")
	}
	for _, name := range slices.Sorted(maps.Keys(resp.DataSourceSchemas)) {
		s := resp.DataSourceSchemas[name]
		checkDocumented(t, name, s)
		checkTimeouts(t, name, s, []string{"read"})
		checkExample(t, name, "data-sources", "data-source.tf")
	}
	for _, name := range slices.Sorted(maps.Keys(resp.EphemeralResourceSchemas)) {
		s := resp.EphemeralResourceSchemas[name]
		checkDocumented(t, name, s)
		checkTimeouts(t, name, s, []string{"open"})
		checkExample(t, name, "ephemeral-resources", "ephemeral-resource.tf")
	}
}

// checkDocumented checks the object's description, and the description and sensitivity of each attribute.
func checkDocumented(t *testing.T, object string, s *tfprotov6.Schema) {
	t.Helper()
	if s.Block == nil || strings.TrimSpace(s.Block.Description) == "" {
		t.Errorf("%s: the object has no description", object)
	}
	if s.Block != nil {
		walkAttributes(s.Block.Attributes, s.Block.BlockTypes, "", func(path string, a *tfprotov6.SchemaAttribute) {
			if strings.TrimSpace(a.Description) == "" {
				t.Errorf("%s: attribute %s has no description", object, path)
			}
			if secretName.MatchString(a.Name) && !notSecret[a.Name] && !a.Sensitive {
				t.Errorf("%s: attribute %s carries a secret by its name but is not sensitive", object, path)
			}
		})
	}
}

func walkAttributes(attrs []*tfprotov6.SchemaAttribute, blocks []*tfprotov6.SchemaNestedBlock, prefix string, visit func(string, *tfprotov6.SchemaAttribute)) {
	for _, a := range attrs {
		path := prefix + a.Name
		visit(path, a)
		if a.NestedType != nil {
			walkAttributes(a.NestedType.Attributes, nil, path+".", visit)
		}
	}
	for _, b := range blocks {
		if b.Block != nil {
			walkAttributes(b.Block.Attributes, b.Block.BlockTypes, prefix+b.TypeName+".", visit)
		}
	}
}

// checkTimeouts checks that the object has a timeouts attribute with each operation of want, and
// otherwise only operations of may.
func checkTimeouts(t *testing.T, object string, s *tfprotov6.Schema, want []string, may ...string) {
	t.Helper()
	var timeouts *tfprotov6.SchemaAttribute
	if s.Block != nil {
		for _, a := range s.Block.Attributes {
			if a.Name == "timeouts" {
				timeouts = a
			}
		}
	}
	if timeouts == nil || timeouts.NestedType == nil {
		t.Errorf("%s: no timeouts attribute; want one with %s", object, strings.Join(want, ", "))
		return
	}
	got := map[string]bool{}
	for _, a := range timeouts.NestedType.Attributes {
		got[a.Name] = true
		if !slices.Contains(want, a.Name) && !slices.Contains(may, a.Name) {
			t.Errorf("%s: timeouts has %s, an operation this kind of object does not have", object, a.Name)
		}
	}
	for _, op := range want {
		if !got[op] {
			t.Errorf("%s: timeouts lacks %s; every %s must be bounded", object, op, op)
		}
	}
}

// checkExample checks that examples/<kind>/<object>/ holds the files tfplugindocs renders into the docs.
func checkExample(t *testing.T, object, kind string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join("..", "..", "examples", kind, object, f)
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: no example %s (the docs page renders it)", object, filepath.ToSlash(strings.TrimPrefix(p, "../../")))
		}
	}
}

func importableResources(ctx context.Context, t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, newResource := range resourceConstructors() {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "aks"}, &meta)
		if _, ok := r.(resource.ResourceWithImportState); ok {
			out[meta.TypeName] = true
		}
	}
	return out
}
