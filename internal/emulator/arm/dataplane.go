package arm

import (
	"strings"
)

// DataPlane is what ARM needs from the emulated AKS data plane to answer listClusterUserCredential and
// listClusterAdminCredential: where a cluster's API server listens and which CA signed its certificate.
type DataPlane interface {
	// Endpoint returns the API server URL of the cluster (starting it if needed) and the CA bundle (PEM).
	Endpoint(clusterID string) (server string, caPEM []byte, err error)
	// AdminCredential returns the client certificate and key (PEM) of the cluster's local admin account.
	AdminCredential(clusterID string) (certPEM, keyPEM []byte, err error)
}

// SetDataPlane connects the AKS data plane; until then the credentials name the cluster's public FQDN.
func (s *Store) SetDataPlane(dp DataPlane) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataPlane = dp
}

func (s *Store) currentDataPlane() DataPlane {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dataPlane
}

// ClusterByID returns a copy of the cluster with this resource ID (case-insensitive) and its canonical ID.
func (s *Store) ClusterByID(id string) (Cluster, string, bool) {
	si := parseScope(id)
	if si.Invalid || si.Name == "" || !strings.EqualFold(si.Type, "managedClusters") || len(si.Children) != 0 {
		return Cluster{}, "", false
	}
	c := s.findCluster(si.ResourceGroup, si.Name)
	if c == nil {
		return Cluster{}, "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := *c
	cp.Pools = append([]AgentPool(nil), c.Pools...)
	cp.AdminGroupObjectIDs = append([]string(nil), c.AdminGroupObjectIDs...)
	return cp, s.clusterID(c), true
}

// FQDN is the public FQDN of a cluster's API server, as the fqdn property reports it.
func (c Cluster) FQDN() string {
	return c.DNSPrefix + "-" + c.FQDNSuffix + ".hcp." + c.Location + ".azmk8s.io"
}
