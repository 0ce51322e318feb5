package arm

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

const (
	actSubscriptionRead  = "Microsoft.Resources/subscriptions/read"
	actResourceGroupRead = "Microsoft.Resources/subscriptions/resourceGroups/read"
	actClusterRead       = "Microsoft.ContainerService/managedClusters/read"
	actAgentPoolRead     = "Microsoft.ContainerService/managedClusters/agentPools/read"
	actScaleSetRead      = "Microsoft.Compute/virtualMachineScaleSets/read"
)

func (s *Store) subscriptionScope() string { return "/subscriptions/" + s.opt.SubscriptionID }

func (s *Store) rgScope(rg *ResourceGroup) string {
	return s.subscriptionScope() + "/resourceGroups/" + rg.Name
}

func (s *Store) metadataEndpoints(w http.ResponseWriter, r *http.Request, _ router.Params) {
	base := "https://" + r.Host + "/"
	cloud := map[string]any{
		"portal": base, "name": "AzureEmulator",
		"authentication": map[string]any{
			"loginEndpoint": base, "audiences": []string{"https://management.core.windows.net/", "https://management.azure.com/"},
			"tenant": "common", "identityProvider": "AAD",
		},
		"media": base, "graphAudience": "https://graph.windows.net/", "graph": base,
		"suffixes": map[string]any{
			"azureDataLakeStoreFileSystem": "azuredatalakestore.net", "acrLoginServer": "azurecr.io",
			"sqlServerHostname": "database.windows.net", "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
			"keyVaultDns": "vault.azure.net", "storage": "core.windows.net", "azureFrontDoorEndpointSuffix": "azurefd.net",
		},
		"batch": "https://batch.core.windows.net/", "resourceManager": base,
		"vmImageAliasDoc":         "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json",
		"activeDirectoryDataLake": "https://datalake.azure.net/", "sqlManagement": "https://management.core.windows.net:8443/",
		"microsoftGraphResourceId": base, "appInsightsResourceId": "https://api.applicationinsights.io",
		"appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
		"attestationResourceId":                 "https://attest.azure.net", "synapseAnalyticsResourceId": "https://dev.azuresynapse.net",
		"logAnalyticsResourceId": "https://api.loganalytics.io", "ossrDbmsResourceId": "https://ossrdbms-aad.database.windows.net",
	}
	// Each api-version in the shape its clients decode: before 2019-05-01 the legacy (Azure Stack) document;
	// 2019-05-01 a list of clouds (Azure CLI's cloud registration); later versions one cloud, which
	// go-azure-sdk decodes for 2022-09-01 in its live tests (or a list: the arm.metadata-2022 variant).
	v := r.URL.Query().Get("api-version")
	switch {
	case v == "" || v < "2019-05-01":
		writeJSON(w, http.StatusOK, map[string]any{
			"galleryEndpoint": base, "graphEndpoint": base, "portalEndpoint": base,
			"authentication": map[string]any{"loginEndpoint": base, "audiences": []string{"https://management.core.windows.net/", "https://management.azure.com/"}},
		})
	case v < "2020-06-01" || (v >= "2022-09-01" && s.opt.MetadataListFor2022):
		writeJSON(w, http.StatusOK, []any{cloud})
	default:
		writeJSON(w, http.StatusOK, cloud)
	}
}

func (s *Store) subscriptionJSON() map[string]any {
	return map[string]any{
		"id": s.subscriptionScope(), "authorizationSource": "RoleBased", "managedByTenants": []any{},
		"subscriptionId": s.opt.SubscriptionID, "tenantId": s.opt.TenantID, "displayName": s.opt.SubscriptionName,
		"state": "Enabled", "subscriptionPolicies": map[string]any{
			"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off",
		},
	}
}

func (s *Store) listSubscriptions(w http.ResponseWriter, r *http.Request, _ router.Params) {
	// A subscription is listed when the caller holds any role assignment in it (or above it).
	var value []any
	who := s.principalsOf(callerID(r))
	s.mu.Lock()
	now := s.opt.Now()
	for _, a := range s.assignments {
		if a.liveAt(now) && who[strings.ToLower(a.PrincipalID)] && (isAncestorOrSelf(a.Scope, s.subscriptionScope()) || isAncestorOrSelf(s.subscriptionScope(), a.Scope)) {
			value = []any{s.subscriptionJSON()}
			break
		}
	}
	s.mu.Unlock()
	if value == nil {
		value = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value, "count": map[string]any{"type": "Total", "value": len(value)}})
}

func (s *Store) getSubscription(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !s.subscribed(w, p) {
		return
	}
	if e := s.authorize(r, actSubscriptionRead, s.subscriptionScope(), s.subscriptionScope()); e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, s.subscriptionJSON())
}

func (s *Store) rgJSON(rg *ResourceGroup) map[string]any {
	tags := rg.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	m := map[string]any{
		"id": s.rgScope(rg), "name": rg.Name, "type": "Microsoft.Resources/resourceGroups", "location": rg.Location,
		"tags": tags, "properties": map[string]any{"provisioningState": "Succeeded"},
	}
	if rg.ManagedBy != "" {
		m["managedBy"] = rg.ManagedBy
	}
	return m
}

func (s *Store) findRG(name string) *ResourceGroup {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups[strings.ToLower(name)]
}

func (s *Store) getResourceGroup(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !s.subscribed(w, p) {
		return
	}
	scope := s.subscriptionScope() + "/resourceGroups/" + p["resourceGroupName"]
	if e := s.authorize(r, actResourceGroupRead, scope, scope); e != nil {
		writeError(w, e)
		return
	}
	rg := s.findRG(p["resourceGroupName"])
	if r.Method == http.MethodHead {
		// CheckExistence: 204 when it exists, 404 when not, no body.
		if rg == nil {
			w.WriteHeader(http.StatusNotFound)
		} else {
			w.WriteHeader(http.StatusNoContent)
		}
		return
	}
	if rg == nil {
		writeError(w, errResourceGroupNotFound(p["resourceGroupName"]))
		return
	}
	s.writeLocked(w, http.StatusOK, func() any { return s.rgJSON(rg) })
}

func (s *Store) listResourceGroups(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !s.subscribed(w, p) {
		return
	}
	s.mu.Lock()
	var rgs []*ResourceGroup
	for _, rg := range s.groups {
		rgs = append(rgs, rg)
	}
	s.mu.Unlock()
	sort.Slice(rgs, func(i, j int) bool { return strings.ToLower(rgs[i].Name) < strings.ToLower(rgs[j].Name) })
	value := []any{}
	caller := callerID(r)
	for _, rg := range rgs {
		// ARM filters list results down to what the caller may read.
		if s.Can(caller, s.rgScope(rg), actResourceGroupRead) {
			s.mu.Lock()
			value = append(value, s.rgJSON(rg))
			s.mu.Unlock()
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

func powerState() map[string]any { return map[string]any{"code": "Running"} }

func (s *Store) poolProfile(c *Cluster, p AgentPool) map[string]any {
	m := map[string]any{
		"name": p.Name, "count": p.Count, "vmSize": p.VMSize, "osDiskSizeGB": 128, "osDiskType": "Managed",
		"kubeletDiskType": "OS", "maxPods": 110, "type": "VirtualMachineScaleSets", "enableAutoScaling": false,
		"provisioningState": "Succeeded", "powerState": powerState(), "orchestratorVersion": c.KubernetesVersion,
		"currentOrchestratorVersion": c.KubernetesVersion, "enableNodePublicIP": false, "mode": p.Mode,
		"osType": "Linux", "osSKU": "Ubuntu", "nodeImageVersion": "AKSUbuntu-2204gen2containerd-202501.12.0",
		"upgradeSettings": map[string]any{"maxSurge": "10%"}, "enableFIPS": false, "availabilityZones": []string{"1", "2", "3"},
	}
	m["eTag"] = eTag(m)
	return m
}

// eTag is the opaque version tag AKS puts on clusters and agent pools (ManagedClustersGet and
// AgentPoolsGet examples, 2025-02-01): derived from the content, so it changes exactly when the
// resource does.
func eTag(m map[string]any) string {
	b, _ := json.Marshal(m)
	h := fnv.New64a()
	_, _ = h.Write(b)
	return strconv.FormatUint(h.Sum64(), 36)
}

func (s *Store) clusterJSON(c *Cluster) map[string]any {
	pools := make([]any, 0, len(c.Pools))
	for _, p := range c.Pools {
		pools = append(pools, s.poolProfile(c, p))
	}
	admins := c.AdminGroupObjectIDs
	if admins == nil {
		admins = []string{}
	}
	fqdn := c.DNSPrefix + "-" + c.FQDNSuffix + ".hcp." + c.Location + ".azmk8s.io"
	nodeRGID := "/subscriptions/" + s.opt.SubscriptionID + "/resourcegroups/" + c.NodeResourceGroup
	props := map[string]any{
		"provisioningState": "Succeeded", "powerState": powerState(), "kubernetesVersion": c.KubernetesVersion,
		"currentKubernetesVersion": c.KubernetesVersion, "dnsPrefix": c.DNSPrefix, "fqdn": fqdn, "azurePortalFQDN": strings.Replace(fqdn, ".hcp.", ".portal.hcp.", 1),
		"agentPoolProfiles": pools, "servicePrincipalProfile": map[string]any{"clientId": "msi"}, "addonProfiles": map[string]any{},
		"nodeResourceGroup": c.NodeResourceGroup, "enableRBAC": true, "supportPlan": "KubernetesOfficial",
		"networkProfile": map[string]any{
			"networkPlugin": "azure", "networkPluginMode": "overlay", "networkPolicy": "none", "networkDataplane": "azure",
			"loadBalancerSku": "standard", "podCidr": "10.244.0.0/16", "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10",
			"outboundType": "loadBalancer", "podCidrs": []string{"10.244.0.0/16"}, "serviceCidrs": []string{"10.0.0.0/16"}, "ipFamilies": []string{"IPv4"},
			"loadBalancerProfile": map[string]any{
				"managedOutboundIPs": map[string]any{"count": 1}, "backendPoolType": "NodeIPConfiguration",
				"effectiveOutboundIPs": []map[string]any{{"id": nodeRGID + "/providers/Microsoft.Network/publicIPAddresses/" + c.Name + "-outbound-ip"}},
			},
		},
		"linuxProfile":    map[string]any{"adminUsername": "azureuser", "ssh": map[string]any{"publicKeys": []map[string]any{{"keyData": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ azemu"}}}},
		"upgradeSettings": map[string]any{"overrideSettings": map[string]any{"forceUpgrade": false, "until": nil}},
		"maxAgentPools":   100, "disableLocalAccounts": c.DisableLocalAccounts,
		"securityProfile": map[string]any{}, "oidcIssuerProfile": map[string]any{"enabled": false},
		"identityProfile": map[string]any{"kubeletidentity": map[string]any{
			"resourceId": nodeRGID + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + c.Name + "-agentpool",
			"clientId":   c.IdentityPrincipalID, "objectId": c.IdentityPrincipalID,
		}},
	}
	if c.AADManaged {
		props["aadProfile"] = map[string]any{"managed": true, "enableAzureRBAC": c.AzureRBAC, "adminGroupObjectIDs": admins, "tenantID": s.opt.TenantID}
	}
	m := map[string]any{
		"id": s.clusterID(c), "location": c.Location, "name": c.Name, "type": "Microsoft.ContainerService/ManagedClusters",
		"tags": map[string]string{}, "sku": map[string]any{"name": "Base", "tier": "Free"},
		"identity":   map[string]any{"type": "SystemAssigned", "principalId": c.IdentityPrincipalID, "tenantId": s.opt.TenantID},
		"properties": props,
	}
	m["eTag"] = eTag(m)
	return m
}

func (s *Store) findCluster(rg, name string) *Cluster {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clusters[strings.ToLower(rg+"/"+name)]
}

// clusterScope is the scope used for authorization before the cluster is known to exist.
func (s *Store) clusterScope(rg, name string) string {
	return s.subscriptionScope() + "/resourceGroups/" + rg + "/providers/Microsoft.ContainerService/managedClusters/" + name
}

// lookupCluster runs the common checks of cluster routes: subscription, authorization, resource group,
// cluster. It returns the cluster or writes the error.
func (s *Store) lookupCluster(w http.ResponseWriter, r *http.Request, p router.Params, action string) *Cluster {
	if e := s.checkSubscription(p["subscriptionId"]); e != nil {
		writeError(w, e)
		return nil
	}
	scope := s.clusterScope(p["resourceGroupName"], p["resourceName"])
	if e := s.authorize(r, action, scope, scope); e != nil {
		writeError(w, e)
		return nil
	}
	if s.findRG(p["resourceGroupName"]) == nil {
		writeError(w, errResourceGroupNotFound(p["resourceGroupName"]))
		return nil
	}
	c := s.findCluster(p["resourceGroupName"], p["resourceName"])
	if c == nil {
		writeError(w, errResourceNotFound("Microsoft.ContainerService/managedClusters", p["resourceName"], p["resourceGroupName"]))
		return nil
	}
	return c
}

func (s *Store) getCluster(w http.ResponseWriter, r *http.Request, p router.Params) {
	c := s.lookupCluster(w, r, p, actClusterRead)
	if c == nil {
		return
	}
	s.writeLocked(w, http.StatusOK, func() any { return s.clusterJSON(c) })
}

func (s *Store) listClusters(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !s.subscribed(w, p) {
		return
	}
	rgFilter := p["resourceGroupName"]
	if rgFilter != "" && s.findRG(rgFilter) == nil {
		writeError(w, errResourceGroupNotFound(rgFilter))
		return
	}
	s.mu.Lock()
	var cs []*Cluster
	for _, c := range s.clusters {
		if rgFilter == "" || strings.EqualFold(c.ResourceGroup, rgFilter) {
			cs = append(cs, c)
		}
	}
	s.mu.Unlock()
	sort.Slice(cs, func(i, j int) bool { return s.clusterID(cs[i]) < s.clusterID(cs[j]) })
	value := []any{}
	caller := callerID(r)
	for _, c := range cs {
		if s.Can(caller, s.clusterScope(c.ResourceGroup, c.Name), actClusterRead) {
			s.mu.Lock()
			value = append(value, s.clusterJSON(c))
			s.mu.Unlock()
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

func (s *Store) poolJSON(c *Cluster, pool AgentPool) map[string]any {
	props := s.poolProfile(c, pool)
	delete(props, "name")
	return map[string]any{
		"id": s.clusterID(c) + "/agentPools/" + pool.Name, "name": pool.Name,
		"type": "Microsoft.ContainerService/managedClusters/agentPools", "properties": props,
	}
}

func (s *Store) listAgentPools(w http.ResponseWriter, r *http.Request, p router.Params) {
	c := s.lookupCluster(w, r, p, actAgentPoolRead)
	if c == nil {
		return
	}
	s.mu.Lock()
	value := []any{}
	for _, pool := range c.Pools {
		value = append(value, s.poolJSON(c, pool))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

func (s *Store) getAgentPool(w http.ResponseWriter, r *http.Request, p router.Params) {
	c := s.lookupCluster(w, r, p, actAgentPoolRead)
	if c == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pool := range c.Pools {
		if strings.EqualFold(pool.Name, p["agentPoolName"]) {
			writeJSON(w, http.StatusOK, s.poolJSON(c, pool))
			return
		}
	}
	writeError(w, errorf(http.StatusNotFound, "NotFound", "Could not find agentpool %s in managed cluster %s.", p["agentPoolName"], c.Name))
}

// scaleSet is a VM scale set backing one agent pool.
type scaleSet struct {
	cluster *Cluster
	pool    AgentPool
	name    string
}

func (s *Store) scaleSetsIn(rg string) []scaleSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []scaleSet
	for _, c := range s.clusters {
		if strings.EqualFold(c.NodeResourceGroup, rg) {
			for _, p := range c.Pools {
				out = append(out, scaleSet{cluster: c, pool: p, name: vmssName(p.Name, c)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (s *Store) scaleSetJSON(v scaleSet) map[string]any {
	c := v.cluster
	return map[string]any{
		"id":   s.subscriptionScope() + "/resourceGroups/" + c.NodeResourceGroup + "/providers/Microsoft.Compute/virtualMachineScaleSets/" + v.name,
		"name": v.name, "type": "Microsoft.Compute/virtualMachineScaleSets", "location": c.Location,
		"tags": map[string]string{"aks-managed-poolName": v.pool.Name, "aks-managed-orchestrator": "Kubernetes:" + c.KubernetesVersion, "aks-managed-kubeletIdentityClientID": c.IdentityPrincipalID},
		"sku":  map[string]any{"name": v.pool.VMSize, "tier": "Standard", "capacity": v.pool.Count},
		"properties": map[string]any{
			"provisioningState": "Succeeded", "orchestrationMode": "Uniform", "overprovision": false, "singlePlacementGroup": false,
			"upgradePolicy": map[string]any{"mode": "Manual"}, "uniqueId": vmssSuffix(c) + "-" + v.pool.Name,
		},
	}
}

func (s *Store) listScaleSets(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !s.subscribed(w, p) {
		return
	}
	rg := s.findRG(p["resourceGroupName"])
	if rg == nil {
		writeError(w, errResourceGroupNotFound(p["resourceGroupName"]))
		return
	}
	scope := s.subscriptionScope() + "/resourceGroups/" + rg.Name
	value := []any{}
	caller := callerID(r)
	for _, v := range s.scaleSetsIn(rg.Name) {
		if s.Can(caller, scope+"/providers/Microsoft.Compute/virtualMachineScaleSets/"+v.name, actScaleSetRead) {
			value = append(value, s.scaleSetJSON(v))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

func (s *Store) getScaleSet(w http.ResponseWriter, r *http.Request, p router.Params) {
	if !s.subscribed(w, p) {
		return
	}
	scope := s.subscriptionScope() + "/resourceGroups/" + p["resourceGroupName"] + "/providers/Microsoft.Compute/virtualMachineScaleSets/" + p["vmScaleSetName"]
	if e := s.authorize(r, actScaleSetRead, scope, scope); e != nil {
		writeError(w, e)
		return
	}
	if s.findRG(p["resourceGroupName"]) == nil {
		writeError(w, errResourceGroupNotFound(p["resourceGroupName"]))
		return
	}
	for _, v := range s.scaleSetsIn(p["resourceGroupName"]) {
		if strings.EqualFold(v.name, p["vmScaleSetName"]) {
			writeJSON(w, http.StatusOK, s.scaleSetJSON(v))
			return
		}
	}
	writeError(w, errResourceNotFound("Microsoft.Compute/virtualMachineScaleSets", p["vmScaleSetName"], p["resourceGroupName"]))
}
