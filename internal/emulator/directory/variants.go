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
	{
		Name: "graph.missing-reference", Options: []string{"404", "400"},
		Question: "a member reference or @odata.bind naming an object the replica does not see yet: 404 Request_ResourceNotFound, or 400 with the same text (the azuread provider retries that 400 on group creation, peer-providers reference §2.1)",
	},
	{
		Name: "graph.remove-non-member", Options: []string{"404", "400"},
		Question: "removing a member or owner reference that is not there: 404 Request_ResourceNotFound (group-delete-members.md lists 404 for a missing object), or 400 'One or more removed object references do not exist', the answer Graph gives when a PATCH removes a missing reference",
	},
	{
		Name: "graph.getbyids-permission", Options: []string{"type", "directory"},
		Question: "who may call directoryObjects/getByIds: an application with the read permission of a requested type, the objects " +
			"of other types left out, as the polymorphic reads allow (type), or only with Directory.Read.All, as the permissions " +
			"table of directoryobject-getbyids.md says (directory; resource-pages)",
		Profiles: map[string]string{variant.ProfileResourcePages: "directory"},
	},
}

// SetVariants sets the options of the points in Variants from a selection.
func (o *Options) SetVariants(sel variant.Selection) {
	o.ShuffleBatchResponses = sel.Is("graph.batch-order", "shuffled")
	o.SelectOmitsID = sel.Is("graph.select-id", "when-selected")
	o.RemoveMissingIs400 = sel.Is("graph.remove-non-member", "400")
	o.MissingReferenceIs400 = sel.Is("graph.missing-reference", "400")
	o.GetByIDsNeedsDirectoryRead = sel.Is("graph.getbyids-permission", "directory")
}
