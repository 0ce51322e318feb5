package pim

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

const getByIDsRoute = "POST /v1.0/directoryObjects/getByIds"

// TestLookUpObjects: the IDs of concurrent callers go in one getByIds request, whose answers are kept
// for the client's life; an ID the directory does not hold is missing and one of another kind says so.
// Under graph.getbyids-permission=directory the least-privilege identity is refused getByIds and the
// kinds' own reads (one $batch) give the same answers. A missing ID that may be a service principal is
// not checked without Application.Read.All (the least privilege), and is with it.
func TestLookUpObjects(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an emulator")
	}
	for _, opt := range []string{"type", "directory", "type+Application.Read.All"} {
		t.Run(opt, func(t *testing.T) {
			cfg := emulator.Config{Variants: variant.Spec("graph.getbyids-permission=" + strings.TrimSuffix(opt, "+Application.Read.All"))}
			readsSPs := strings.HasSuffix(opt, "+Application.Read.All")
			if readsSPs {
				cfg.AdminGraphPermissions = append(slices.Clone(emulator.AdminGraphPermissionsDefault), "Application.Read.All")
			}
			srv, c := emuclient.StartAdmin(t, cfg, emuclient.Options{})
			f := srv.Fixtures()
			group := pimTestGroup(t, c, "lookup")
			missing := "00000000-0000-4000-8000-00000000dead"
			srv.ResetStats()

			// Ten resources planned at once, each asking about its own IDs.
			type ask struct {
				id    string
				kinds []string
			}
			asks := []ask{{group, []string{KindGroup}}, {f.N01.ID, []string{KindUser, KindGroup}}, {missing, []string{KindGroup}},
				{strings.ToUpper(f.P01.ID), []string{KindGroup}}, {missing, []string{KindUser, KindGroup, KindServicePrincipal}}}
			var wg sync.WaitGroup
			got := make([]ObjectLookup, 10)
			errs := make([]error, 10)
			for i := range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					a := asks[i%len(asks)]
					m, err := LookUpObjects(t.Context(), c, map[string][]string{a.id: a.kinds})
					got[i], errs[i] = m[a.id], err
				}()
			}
			wg.Wait()
			// p01 is a user asked as a group: the answer says it is a user.
			// The missing ID is certain for a caller that wants a group, and for one that may also take a
			// service principal only when service principals may be read.
			want := []ObjectLookup{{KindGroup, true}, {KindUser, true}, {"", true}, {KindUser, true}, {"", readsSPs}}
			for i := range got {
				if errs[i] != nil || got[i] != want[i%len(asks)] {
					t.Errorf("ask %d (%s): %+v, %v; want %+v", i, asks[i%len(asks)].id, got[i], errs[i], want[i%len(asks)])
				}
			}
			st := srv.Stats()
			if n := st.Routes[getByIDsRoute].Count; n != 1 {
				t.Errorf("%d getByIds requests for the ten callers, want 1", n)
			}
			batches := st.Routes["POST /v1.0/$batch"].Count
			if batches != 1 {
				// type: the missing ID is confirmed by a typed read; directory: every ID is read typed.
				t.Errorf("%d $batch requests, want 1", batches)
			}

			// Asked again: answered from what the client knows.
			before := srv.Stats().Requests
			if m, err := LookUpObjects(t.Context(), c, map[string][]string{group: {KindGroup}, missing: {KindGroup}}); err != nil ||
				m[group] != (ObjectLookup{KindGroup, true}) || m[missing] != (ObjectLookup{"", true}) {
				t.Errorf("second look-up: %+v, %v", m, err)
			}
			if n := srv.Stats().Requests - before; n != 0 {
				t.Errorf("the second look-up sent %d requests, want none", n)
			}
		})
	}
}
