package nodessh

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestShellCommands(t *testing.T) {
	t.Parallel()
	user := shell{node: "aks-system-1-vmss000000", user: "u@x", oid: "o1"}
	admin := user
	admin.admin = true
	tests := []struct {
		sh             shell
		line, out, err string
		status         uint32
	}{
		{user, "hostname", "aks-system-1-vmss000000\n", "", 0},
		{user, "uname -n", "aks-system-1-vmss000000\n", "", 0},
		{user, "whoami", "u@x\n", "", 0},
		{user, "sudo whoami", "", "u@x is not in the sudoers file.  This incident will be reported.\n", 1},
		{admin, "sudo -n whoami", "root\n", "", 0},
		{admin, "sudo id", "uid=0(root) gid=0(root) groups=0(root)\n", "", 0},
		{user, "echo a  b", "a b\n", "", 0},
		{user, "kubectl get pods", "", "-bash: line 1: kubectl: command not found\n", 127},
		{user, "false", "", "", 1},
	}
	for _, tc := range tests {
		out, errOut, st := tc.sh.run(tc.line)
		if out != tc.out || errOut != tc.err || st != tc.status {
			t.Errorf("%q (admin %v): %q %q %d, want %q %q %d", tc.line, tc.sh.admin, out, errOut, st, tc.out, tc.err, tc.status)
		}
	}
	id, _, _ := user.run("id")
	aid, _, _ := admin.run("id")
	if !strings.HasPrefix(id, "uid=") || !strings.Contains(id, "(u@x)") || strings.Contains(id, "aad_admins") || !strings.Contains(aid, ",1001(aad_admins)") {
		t.Errorf("id: user %q, admin %q", id, aid)
	}
}

// pipeChannel is an ssh.Channel reading a script and recording what the shell writes.
type pipeChannel struct {
	in          io.Reader
	out, errOut bytes.Buffer
}

func (c *pipeChannel) Read(p []byte) (int, error)  { return c.in.Read(p) }
func (c *pipeChannel) Write(p []byte) (int, error) { return c.out.Write(p) }
func (c *pipeChannel) Close() error                { return nil }
func (c *pipeChannel) CloseWrite() error           { return nil }
func (c *pipeChannel) SendRequest(string, bool, []byte) (bool, error) {
	return true, nil
}
func (c *pipeChannel) Stderr() io.ReadWriter { return &c.errOut }

var _ ssh.Channel = (*pipeChannel)(nil)

func TestInteractiveShell(t *testing.T) {
	t.Parallel()
	sh := shell{node: "n1", user: "u@x"}
	for script, want := range map[string]uint32{"hostname\nexit 3\nhostname\n": 3, "nope\n": 127, "true\nexit\n": 0} {
		ch := &pipeChannel{in: strings.NewReader(script)}
		if got := sh.interactive(ch); got != want {
			t.Errorf("%q: status %d, want %d", script, got, want)
		}
		if script[0] == 'h' && ch.out.String() != "u@x@n1:~$ n1\nu@x@n1:~$ " {
			t.Errorf("%q: output %q", script, ch.out.String())
		}
	}
}
