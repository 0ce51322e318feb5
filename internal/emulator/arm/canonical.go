package arm

import (
	"net/http"
	"strings"
)

// resolveScope validates an ARM scope against the emulated world and returns it in canonical casing
// ("/subscriptions/{sub}/resourceGroups/{Rg}/providers/Microsoft.ContainerService/managedClusters/{name}/...").
// Child scopes under a known resource are accepted without validation except agent pools; the AKS
// namespaces/{ns} pseudo-resource is accepted for any name (ARM does not look inside the cluster).
func (s *Store) resolveScope(scope string) (string, *apiError) {
	scope = normalizeScope(scope)
	if scope == "/" {
		return "/", nil
	}
	si := parseScope(scope)
	if si.Invalid {
		return "", errorf(http.StatusBadRequest, "InvalidScope", "The scope '%s' is not valid.", scope)
	}
	if e := s.checkSubscription(si.Subscription); e != nil {
		return "", e
	}
	out := s.subscriptionScope()
	if si.ResourceGroup == "" {
		return out, nil
	}
	rg := s.findRG(si.ResourceGroup)
	if rg == nil {
		return "", errResourceGroupNotFound(si.ResourceGroup)
	}
	out += "/resourceGroups/" + rg.Name
	if si.Namespace == "" {
		return out, nil
	}
	switch {
	case strings.EqualFold(si.Namespace, "Microsoft.ContainerService") && strings.EqualFold(si.Type, "managedClusters"):
		c := s.findCluster(rg.Name, si.Name)
		if c == nil {
			return "", errResourceNotFound("Microsoft.ContainerService/managedClusters", si.Name, rg.Name)
		}
		out += "/providers/Microsoft.ContainerService/managedClusters/" + c.Name
		for i := 0; i < len(si.Children); i += 2 {
			typ, name := si.Children[i], si.Children[i+1]
			switch {
			case i == 0 && strings.EqualFold(typ, "agentPools"):
				found := ""
				for _, p := range c.Pools {
					if strings.EqualFold(p.Name, name) {
						found = p.Name
					}
				}
				if found == "" {
					return "", errResourceNotFound("Microsoft.ContainerService/managedClusters/agentPools", c.Name+"/"+name, rg.Name)
				}
				out += "/agentPools/" + found
			case i == 0 && strings.EqualFold(typ, "namespaces"):
				out += "/namespaces/" + name
			default:
				out += "/" + typ + "/" + name
			}
		}
		return out, nil
	case strings.EqualFold(si.Namespace, "Microsoft.Compute") && strings.EqualFold(si.Type, "virtualMachineScaleSets"):
		for _, v := range s.scaleSetsIn(rg.Name) {
			if strings.EqualFold(v.name, si.Name) {
				out += "/providers/Microsoft.Compute/virtualMachineScaleSets/" + v.name
				for _, c := range si.Children {
					out += "/" + c
				}
				return out, nil
			}
		}
		return "", errResourceNotFound("Microsoft.Compute/virtualMachineScaleSets", si.Name, rg.Name)
	}
	return "", errResourceNotFound(si.Namespace+"/"+si.Type, si.Name, rg.Name)
}
