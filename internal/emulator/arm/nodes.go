package arm

import (
	"sort"
	"strconv"
	"strings"
)

// Node is one instance of an agent pool's VM scale set: a Kubernetes node (`kubectl get nodes`) and a
// VM users log in to with `az ssh vm`. The Kubernetes API and the node SSH servers both take their node
// list from Store.Nodes, so the names agree.
type Node struct {
	// Name is the VMSS instance's computer name, which AKS uses as the Kubernetes node name:
	// aks-<pool>-<8 digits>-vmss<instance in 6 base-36 digits>, e.g. aks-system-12345678-vmss000000.
	Name              string
	ClusterID         string // resource ID of the managed cluster
	ClusterName       string
	Pool              string
	Mode              string // System or User
	VMSize            string
	KubernetesVersion string
	Location          string
	NodeResourceGroup string
	ScaleSet          string // aks-<pool>-<8 digits>-vmss
	InstanceID        string // "0", "1", ...
	// ID is the ARM ID of the scale set VM, the scope VM login is authorized at (assignments at the node
	// resource group or above apply to it).
	ID string
}

// Nodes returns the nodes of clusterID (any casing), or of every cluster when clusterID is "", ordered by
// cluster ID then name.
func (s *Store) Nodes(clusterID string) []Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Node
	for _, c := range s.clusters {
		id := s.clusterID(c)
		if clusterID != "" && !strings.EqualFold(id, clusterID) {
			continue
		}
		for _, p := range c.Pools {
			vmss := vmssName(p.Name, c)
			for i := 0; i < p.Count; i++ {
				inst := strconv.Itoa(i)
				out = append(out, Node{
					Name: vmss + instanceSuffix(i), ClusterID: id, ClusterName: c.Name, Pool: p.Name, Mode: p.Mode,
					VMSize: p.VMSize, KubernetesVersion: c.KubernetesVersion, Location: c.Location,
					NodeResourceGroup: c.NodeResourceGroup, ScaleSet: vmss, InstanceID: inst,
					ID: s.subscriptionScope() + "/resourceGroups/" + c.NodeResourceGroup +
						"/providers/Microsoft.Compute/virtualMachineScaleSets/" + vmss + "/virtualMachines/" + inst,
				})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ClusterID != out[j].ClusterID {
			return out[i].ClusterID < out[j].ClusterID
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// instanceSuffix is the VMSS computer-name suffix of an instance: six base-36 digits.
func instanceSuffix(i int) string {
	s := strconv.FormatInt(int64(i), 36)
	return strings.Repeat("0", max(0, 6-len(s))) + s
}
