package directory

import "github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"

// Variant points of the directory's Graph surface. Options[0] is the default.
var Variants = variant.Catalogue{
	{
		Name: "graph.batch-order", Options: []string{"shuffled", "request-order"},
		Question: "order of $batch responses: any order, says the json-batching concept page (its example answers out of order); clients that never saw a shuffled answer may assume request order",
	},
}

// SetVariants sets the options of the points in Variants from a selection.
func (o *Options) SetVariants(sel variant.Selection) {
	o.ShuffleBatchResponses = sel.Is("graph.batch-order", "shuffled")
}
