package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/aks-pim/terraform-provider-aks/internal/resources"
)

// The provider's objects. To add one, add its constructor to the matching list (one line, sorted by
// type name); nothing else in this package changes.

func resourceConstructors() []func() resource.Resource {
	return []func() resource.Resource{
		resources.NewPIMApprovalPolicyResource,
		resources.NewPIMEligibilityResource,
		resources.NewPIMAssignmentResource,
		resources.NewPIMGroupResource,
		resources.NewPIMRoleAssignmentResource,
		resources.NewPIMRoleEligibilityResource,
		resources.NewPIMRolePolicyResource,
		resources.NewRoleBindingResource,
	}
}

func dataSourceConstructors() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		resources.NewClusterAccessDataSource,
		resources.NewClusterDataSource,
		resources.NewUserDataSource,
	}
}

func ephemeralResourceConstructors() []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		resources.NewPIMActivationEphemeralResource,
	}
}

func listResourceConstructors() []func() list.ListResource {
	return []func() list.ListResource{
		resources.NewPIMEligibilityList,
		resources.NewPIMGroupList,
		resources.NewRoleBindingList,
	}
}
