package directory

import "github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"

// Variant points of the directory's Graph surface. Options[0] is the default.
var Variants = variant.Catalogue{
	{
		Name: "graph.batch-order", Options: []string{"shuffled", "request-order"},
		Question: "order of $batch responses: any order, says the json-batching concept page (its example answers out of order); clients that never saw a shuffled answer may assume request order",
	},
	{
		Name: "graph.select-id", Options: []string{"always", "when-selected"},
		Question: "whether an object answered with $select carries id when id was not selected (reference §10.3 #11); shared by the directory and PIM",
	},
}

// SetVariants sets the options of the points in Variants from a selection.
func (o *Options) SetVariants(sel variant.Selection) {
	o.ShuffleBatchResponses = sel.Is("graph.batch-order", "shuffled")
	o.SelectOmitsID = sel.Is("graph.select-id", "when-selected")
}
