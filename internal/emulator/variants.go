package emulator

import (
	"os"
	"strconv"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/directory"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

// EnvVariants names the variable through which test harnesses and `make test` pass a variant spec to the
// emulators they start (a variant.Spec: "docs-examples", "alternate,resource-pages", "seed=7", ...). The
// emulator's own env file exports the explicit selection under the same name.
const EnvVariants = "AZEMU_VARIANTS"

// VariantCatalogue returns every variant point the emulator serves: what Azure's documentation leaves
// open, each with its plausible answers (UNCONFIRMED.md lists them).
func VariantCatalogue() variant.Catalogue {
	var c variant.Catalogue
	c = append(c, arm.Variants...)
	c = append(c, directory.Variants...)
	c = append(c, pim.Variants...)
	c = append(c, armpim.Variants...)
	return c
}

// VariantSpec is the spec a configuration selects with: the seed first (it decides every point), then the
// profiles and pinned points of Variants.
func (c Config) VariantSpec() variant.Spec {
	spec := string(c.Variants)
	if c.VariantSeed != 0 {
		spec = "seed=" + strconv.FormatInt(c.VariantSeed, 10) + "," + spec
	}
	return variant.Spec(spec)
}

// WithEnvVariants returns cfg selecting first what $AZEMU_VARIANTS says, so that a harness run by
// `make test` serves the profile the make target chose; the points cfg pins itself still win.
func (c Config) WithEnvVariants() Config {
	if v := os.Getenv(EnvVariants); v != "" {
		if c.Variants != "" {
			v += "," + string(c.Variants)
		}
		c.Variants = variant.Spec(v)
	}
	return c
}

// Variants returns the option the server chose for each variant point.
func (s *Server) Variants() variant.Selection { return s.variants }
