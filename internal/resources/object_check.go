package resources

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// Directory object IDs known at plan time are checked at plan time: a mistyped principal_id or group_id
// fails the plan on its attribute instead of costing an apply its PrincipalNotFound retry window. IDs
// known only after apply (a group created in the same run) are left to apply, which retries them for a
// bounded time while the directory replicates.

// objectRef is a directory object ID of the plan, where it is, and the kinds of object it may name.
type objectRef struct {
	path  path.Path
	id    types.String
	kinds []string
}

// objectRefs collects the references of a plan, leaving out those whose ID the prior state already had:
// a plan that changes nothing asks nothing.
type objectRefs []objectRef

// add records id at p unless it is unknown, null, not a GUID (a validator says so) or unchanged from prior.
func (refs *objectRefs) add(p path.Path, id, prior types.String, kinds ...string) {
	if !known(id) || id.IsNull() || !pim.IsObjectID(id.ValueString()) {
		return
	}
	if known(prior) && !prior.IsNull() && pim.SameObjectID(prior.ValueString(), id.ValueString()) {
		return
	}
	*refs = append(*refs, objectRef{path: p, id: id, kinds: kinds})
}

// addSet records each element of a set of IDs at p, leaving out those prior already had.
func (refs *objectRefs) addSet(ctx context.Context, p path.Path, ids, prior types.Set, kinds ...string) {
	if !known(ids) || ids.IsNull() {
		return
	}
	var values, before []types.String
	_ = ids.ElementsAs(ctx, &values, false)
	if known(prior) && !prior.IsNull() {
		_ = prior.ElementsAs(ctx, &before, false)
	}
	for _, v := range values {
		was := types.StringNull()
		if i := slices.IndexFunc(before, func(b types.String) bool { return pim.SameObjectID(b.ValueString(), v.ValueString()) }); i >= 0 {
			was = before[i]
		}
		refs.add(p.AtSetValue(v), v, was, kinds...)
	}
}

// addApprovers records the approver groups and users of a policy plan that prior (the state, or empty)
// did not have.
func (refs *objectRefs) addApprovers(ctx context.Context, plan, prior policySettingsModel) {
	if !known(plan.Approvers) || plan.Approvers.IsNull() {
		return
	}
	var now, was policyApproversModel
	_ = plan.Approvers.As(ctx, &now, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})
	if known(prior.Approvers) && !prior.Approvers.IsNull() {
		_ = prior.Approvers.As(ctx, &was, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})
	}
	approvers := path.Root("approvers")
	refs.addSet(ctx, approvers.AtName("groups"), now.Groups, was.Groups, pim.KindGroup)
	refs.addSet(ctx, approvers.AtName("users"), now.Users, was.Users, pim.KindUser)
}

// principalKinds are the directory kinds an aks_role_binding principal_type allows (every kind while
// the type is unknown).
func principalKinds(principalType types.String) []string {
	switch {
	case !known(principalType) || principalType.IsNull():
		return []string{pim.KindUser, pim.KindGroup, pim.KindServicePrincipal}
	case principalType.ValueString() == rbac.PrincipalUser:
		return []string{pim.KindUser}
	case principalType.ValueString() == rbac.PrincipalServicePrincipal:
		return []string{pim.KindServicePrincipal}
	}
	return []string{pim.KindGroup}
}

// check looks up every reference in one request (with the other resources planned at the same time)
// and adds an error on each attribute whose ID the directory does not hold as one of its kinds. When
// the look-up cannot be made (no permission, the service failing), the plan goes on: apply checks again.
func (refs objectRefs) check(ctx context.Context, c *clients.Client, diags *diag.Diagnostics) {
	if c == nil || len(refs) == 0 {
		return
	}
	want := map[string][]string{}
	for _, r := range refs {
		id := strings.ToLower(r.id.ValueString())
		want[id] = append(want[id], r.kinds...)
	}
	found, err := pim.LookUpObjects(ctx, c, want)
	if err != nil {
		tflog.Debug(ctx, "skipping the plan-time check of directory object IDs", map[string]any{"error": err.Error()})
		return
	}
	for _, r := range refs {
		got := found[strings.ToLower(r.id.ValueString())]
		switch {
		case !got.Checked:
			tflog.Debug(ctx, "the provider's identity may not look up a directory object; left to apply", map[string]any{"id": r.id.ValueString()})
		case got.Kind == "":
			diags.AddAttributeError(r.path, "Directory Object Not Found", errorDetail(
				fmt.Sprintf("No directory object has the ID %s; %s takes the object ID of %s.", r.id.ValueString(), r.path, kindWords(r.kinds)),
				"Check the ID: a typo, an object of another tenant or a deleted one. An object created moments ago can take a "+
					"minute to replicate: plan again then, or reference the resource that creates it so its ID is known only at apply.",
				nil))
		case !slices.Contains(r.kinds, got.Kind):
			diags.AddAttributeError(r.path, "Wrong Kind of Directory Object", errorDetail(
				fmt.Sprintf("Object ID %s is a %s; %s takes the object ID of %s.", r.id.ValueString(), kindWord(got.Kind), r.path, kindWords(r.kinds)),
				"Use the object ID of the intended object (for example from the aks_user data source, or the group resource's id).",
				nil))
		}
	}
}

func kindWord(kind string) string {
	if kind == pim.KindServicePrincipal {
		return "service principal"
	}
	return kind
}

// kindWords is "a user", "a user or a group", ...
func kindWords(kinds []string) string {
	words := make([]string, 0, len(kinds))
	for _, k := range kinds {
		words = append(words, "a "+kindWord(k))
	}
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
