package acctest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// GraphRoutesFile lists the Graph routes (the emulator's route templates) the provider calls. The
// independent-client contract test (internal/emulator, TestIndependentClientCoversProviderRoutes) drives
// each of them with plain net/http and the JSON of the documentation's examples, so the emulator is
// judged by a client its authors did not write against it.
const GraphRoutesFile = "internal/emulator/testdata/provider_graph_routes.txt"

// checkGraphRoutes fails a complete acceptance run (no -run filter) whose provider called a Graph route
// the list lacks: the independent client must cover every route the provider depends on.
// AKS_ACC_GRAPH_ROUTES_OUT=<file> writes the routes called, to update the list.
func checkGraphRoutes(s emulator.Stats) error {
	var called []string
	for label := range s.Routes {
		if _, path, _ := strings.Cut(label, " "); strings.HasPrefix(path, "/v1.0/") || strings.HasPrefix(path, "/beta/") {
			called = append(called, label)
		}
	}
	sort.Strings(called)
	if out := os.Getenv("AKS_ACC_GRAPH_ROUTES_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(strings.Join(called, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	if f := flag.Lookup("test.run"); f == nil || f.Value.String() != "" {
		return nil
	}
	root, err := tfrun.RepoRoot()
	if err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(root, GraphRoutesFile))
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		listed[strings.TrimSpace(l)] = true
	}
	var missing []string
	for _, r := range called {
		if !listed[r] {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the provider called Graph routes %s lacks (add them, and a request of the documentation's example to the independent-client contract test): %s",
			GraphRoutesFile, strings.Join(missing, ", "))
	}
	return nil
}
