package emulator

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/nodessh"
)

// Values of Config.NodeSSHGroups.
const (
	// NodeSSHGroupsLive reads the user's group memberships (PIM included) when they log in.
	NodeSSHGroupsLive = "live"
	// NodeSSHGroupsIssued uses the memberships the certificate carries from when it was issued.
	NodeSSHGroupsIssued = "issued"
)

// VM login data actions AADSSHLoginForLinux checks at the VM.
const (
	actionVMLogin        = "Microsoft.Compute/virtualMachines/login/action"
	actionVMLoginAsAdmin = "Microsoft.Compute/virtualMachines/loginAsAdmin/action"
)

// Node is a node of a seeded cluster (arm.Node: the same list the Kubernetes API serves) with its SSH
// server.
type Node struct {
	arm.Node
	SSHAddr        string `json:"sshAddress"`     // 127.0.0.1:PORT
	KnownHostsLine string `json:"knownHostsLine"` // "<name>,[127.0.0.1]:PORT ssh-ed25519 ..."
}

// nodeJSON is a node as the admin API lists it.
type nodeJSON struct {
	Name           string `json:"name"`
	ClusterID      string `json:"clusterId"`
	Pool           string `json:"pool"`
	ResourceID     string `json:"resourceId"`
	SSHAddr        string `json:"sshAddress"`
	KnownHostsLine string `json:"knownHostsLine"`
}

// Nodes returns the nodes of clusterID (all clusters when "") with their SSH servers' addresses.
func (s *Server) Nodes(clusterID string) []Node {
	var out []Node
	for _, h := range s.nodes.Hosts() {
		if clusterID == "" || strings.EqualFold(h.Node.ClusterID, clusterID) {
			out = append(out, Node{Node: h.Node, SSHAddr: h.Addr, KnownHostsLine: h.KnownHostsLine()})
		}
	}
	return out
}

// SSHKnownHostsFile returns the path of a known_hosts file trusting every node's host key (the env
// file's AZEMU_SSH_KNOWN_HOSTS).
func (s *Server) SSHKnownHostsFile() string { return s.knownHosts }

func (s *Server) nodesJSON() []nodeJSON {
	out := []nodeJSON{}
	for _, n := range s.Nodes("") {
		out = append(out, nodeJSON{Name: n.Name, ClusterID: n.ClusterID, Pool: n.Pool, ResourceID: n.ID, SSHAddr: n.SSHAddr, KnownHostsLine: n.KnownHostsLine})
	}
	return out
}

// startNodes starts an SSH server per node of every cluster and writes their known_hosts file next to
// the CA bundle.
func (s *Server) startNodes() error {
	switch s.cfg.NodeSSHGroups {
	case NodeSSHGroupsLive, NodeSSHGroupsIssued:
	default:
		return fmt.Errorf("emulator: NodeSSHGroups %q: want %q or %q", s.cfg.NodeSSHGroups, NodeSSHGroupsLive, NodeSSHGroupsIssued)
	}
	fleet, err := nodessh.Start(nodessh.Config{
		CA: s.tokens.SSHCertificateAuthority(), Now: s.clock.Now, Authorize: s.authorizeLogin, Logf: s.cfg.Logf,
	}, s.arm.Nodes(""))
	if err != nil {
		return fmt.Errorf("emulator: node SSH servers: %w", err)
	}
	s.nodes = fleet
	s.knownHosts = filepath.Join(filepath.Dir(s.caFile), "azemu-ssh-known-hosts")
	if err := os.WriteFile(s.knownHosts, fleet.KnownHosts(), 0o644); err != nil {
		fleet.Close()
		return err
	}
	return nil
}

// authorizeLogin is AADSSHLoginForLinux's check: the certificate's user needs the VM login (or login
// as admin) data action at the node, through ARM's own role assignment evaluation. Groups are read live
// or taken from the certificate, per Config.NodeSSHGroups (UNCONFIRMED.md).
func (s *Server) authorizeLogin(node arm.Node, cert *ssh.Certificate) nodessh.Verdict {
	upn := cert.ValidPrincipals[0]
	sub := arm.Subject{UPN: upn}
	if s.cfg.NodeSSHGroups == NodeSSHGroupsIssued {
		sub.ObjectID = cert.Extensions[entra.CertExtensionObjectID]
		sub.GroupsFromCredential = true
		if g := cert.Extensions[entra.CertExtensionGroups]; g != "" {
			sub.Groups = strings.Split(g, ",")
		}
	} else {
		acct, ok := s.dir.Account(upn)
		if !ok || !acct.Enabled {
			return nodessh.Verdict{Why: "user " + upn + " not found or disabled in the directory"}
		}
		sub.ObjectID = acct.ObjectID
	}
	if d := s.arm.Decide(sub, node.ID, actionVMLoginAsAdmin, true); d.Allowed {
		return nodessh.Verdict{Allowed: true, Admin: true, Why: d.String()}
	}
	d := s.arm.Decide(sub, node.ID, actionVMLogin, true)
	return nodessh.Verdict{Allowed: d.Allowed, Why: d.String()}
}

// sshNodesVar is the env file's AZEMU_SSH_NODES: "name=127.0.0.1:PORT" per node of the first cluster,
// space-separated.
func (s *Server) sshNodesVar() string {
	var parts []string
	for _, n := range s.Nodes(s.fixtures.ClusterID) {
		parts = append(parts, n.Name+"="+n.SSHAddr)
	}
	return strings.Join(parts, " ")
}

// SSHCertificateAuthority returns the public key of the CA that signs the token endpoint's ssh-cert
// tokens, the only user CA the nodes trust.
func (s *Server) SSHCertificateAuthority() ssh.PublicKey { return s.tokens.SSHCertificateAuthority() }
