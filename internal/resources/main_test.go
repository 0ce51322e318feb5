package resources_test

import (
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
)

// TestMain starts the emulator once for the package's acceptance tests (TF_ACC=1) and runs only the unit
// tests otherwise.
func TestMain(m *testing.M) { acctest.Main(m) }
