package clients

import (
	"reflect"
	"strings"
	"testing"
)

// A *Client is the provider data, an interface value, so everything its type reaches through fields
// and method signatures is kept by the linker with all exported methods (reflection by method name is
// linked in by the plugin libraries). Graph request builders reached that way drag the whole Graph
// service tree into the binary: 131 MB stripped instead of 50 MB (make bench). This walks the types a
// reflective caller could reach from *Client and fails on any Graph SDK type.
func TestClientTypeReachesNoGraphSDKType(t *testing.T) {
	t.Parallel()
	seen := map[reflect.Type]bool{}
	var path []string
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		if ty == nil || seen[ty] {
			return
		}
		seen[ty] = true
		if p := ty.PkgPath(); p == "github.com/microsoftgraph/msgraph-sdk-go" || strings.HasPrefix(p, "github.com/microsoftgraph/msgraph-sdk-go/") {
			t.Errorf("*clients.Client reaches %s via %s", ty, strings.Join(path, " -> "))
			return
		}
		for i := 0; i < ty.NumMethod(); i++ {
			m := ty.Method(i)
			path = append(path, ty.String()+"."+m.Name)
			walk(m.Type)
			path = path[:len(path)-1]
		}
		switch ty.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
			walk(ty.Elem())
		case reflect.Map:
			walk(ty.Key())
			walk(ty.Elem())
		case reflect.Func:
			for i := 0; i < ty.NumIn(); i++ {
				walk(ty.In(i))
			}
			for i := 0; i < ty.NumOut(); i++ {
				walk(ty.Out(i))
			}
		case reflect.Struct:
			for i := 0; i < ty.NumField(); i++ {
				f := ty.Field(i)
				path = append(path, ty.String()+"."+f.Name)
				walk(f.Type)
				path = path[:len(path)-1]
			}
		}
	}
	walk(reflect.TypeFor[*Client]())
	if len(seen) < 20 {
		t.Fatalf("walked only %d types; the walk is broken", len(seen))
	}
}
