package emulator_test

import (
	"encoding/json"
	"net"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// checkNodeAddresses: every node of the seeded cluster is published with a listening SSH address and
// its host key, alike in the env file (known_hosts file, AZEMU_SSH_NODES), the admin API and Nodes.
func checkNodeAddresses(t *testing.T, srv *emulator.Server, knownHostsFile, nodesVar string) {
	t.Helper()
	nodes := srv.Nodes(srv.Fixtures().ClusterID)
	if len(nodes) != 5 || len(srv.Nodes("")) != 5 {
		t.Fatalf("got %d nodes, want 5 (3 system + 2 user)", len(nodes))
	}
	kh, err := os.ReadFile(knownHostsFile)
	if err != nil || knownHostsFile != srv.SSHKnownHostsFile() {
		t.Fatalf("known_hosts file %q: %v", knownHostsFile, err)
	}
	var fromAPI []struct{ Name, SSHAddress, KnownHostsLine, ResourceID string }
	resp, err := srv.HTTPClient().Get(srv.URL() + "/_emulator/nodes")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&fromAPI); err != nil || len(fromAPI) != len(nodes) {
		t.Fatalf("GET /_emulator/nodes: %v, %d nodes", err, len(fromAPI))
	}
	vars := strings.Fields(strings.Trim(nodesVar, "'")) // the env file single-quotes the list
	for i, n := range nodes {
		if vars[i] != n.Name+"="+n.SSHAddr || fromAPI[i].Name != n.Name || fromAPI[i].SSHAddress != n.SSHAddr || fromAPI[i].ResourceID != n.ID || fromAPI[i].KnownHostsLine != n.KnownHostsLine {
			t.Errorf("node %d: env %q, admin API %+v, Nodes %+v", i, vars[i], fromAPI[i], n)
		}
		if !strings.Contains(string(kh), n.KnownHostsLine+"\n") {
			t.Errorf("known_hosts file lacks %q", n.KnownHostsLine)
		}
		_, hosts, key, _, _, err := ssh.ParseKnownHosts([]byte(n.KnownHostsLine))
		host, port, _ := net.SplitHostPort(n.SSHAddr)
		if err != nil || key.Type() != ssh.KeyAlgoED25519 || len(hosts) != 2 || hosts[0] != n.Name || hosts[1] != "["+host+"]:"+port {
			t.Errorf("known_hosts line %q: %v %v", n.KnownHostsLine, hosts, err)
		}
		c, err := net.Dial("tcp", n.SSHAddr)
		if err != nil {
			t.Errorf("node %s does not listen on %s: %v", n.Name, n.SSHAddr, err)
			continue
		}
		banner := make([]byte, 8)
		_, _ = c.Read(banner)
		c.Close()
		if string(banner) != "SSH-2.0-" {
			t.Errorf("node %s answers %q, not SSH", n.Name, banner)
		}
	}
}
