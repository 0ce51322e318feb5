package nodessh

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Permission extensions the authentication step hands to the session.
const (
	permAdmin    = "azemu-admin"
	permObjectID = "azemu-oid"
)

// aadAdmins is the group AADSSHLoginForLinux puts Virtual Machine Administrator Login users in; it may
// sudo.
const aadAdmins = "aad_admins"

// shell is the node's answer to the few commands a test or the demo runs to see where it landed.
type shell struct {
	node, user, oid string
	admin           bool
}

// uid maps the user to a stable ID in the range the extension uses for Entra users.
func (sh shell) uid() uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(sh.oid + sh.user)))
	return 100000 + h.Sum32()%900000
}

// run executes one command line and returns its output and exit status.
func (sh shell) run(line string) (stdout, stderr string, status uint32) {
	args := strings.Fields(line)
	if len(args) == 0 {
		return "", "", 0
	}
	root := false
	if args[0] == "sudo" {
		if !sh.admin {
			return "", sh.user + " is not in the sudoers file.  This incident will be reported.\n", 1
		}
		root, args = true, args[1:]
		for len(args) > 0 && strings.HasPrefix(args[0], "-") {
			args = args[1:]
		}
		if len(args) == 0 {
			return "", "usage: sudo command\n", 1
		}
	}
	switch args[0] {
	case "hostname":
		return sh.node + "\n", "", 0
	case "whoami":
		if root {
			return "root\n", "", 0
		}
		return sh.user + "\n", "", 0
	case "id":
		if root {
			return "uid=0(root) gid=0(root) groups=0(root)\n", "", 0
		}
		u := sh.uid()
		groups := fmt.Sprintf("%d(%s)", u, sh.user)
		if sh.admin {
			groups += ",1001(" + aadAdmins + ")"
		}
		return fmt.Sprintf("uid=%d(%s) gid=%d(%s) groups=%s\n", u, sh.user, u, sh.user, groups), "", 0
	case "uname":
		if len(args) > 1 && args[1] == "-n" {
			return sh.node + "\n", "", 0
		}
		return "Linux\n", "", 0
	case "echo":
		return strings.Join(args[1:], " ") + "\n", "", 0
	case "true":
		return "", "", 0
	case "false":
		return "", "", 1
	}
	return "", "-bash: line 1: " + args[0] + ": command not found\n", 127
}

// serveSession answers exec (one command) and shell (commands read line by line until exit or EOF).
func (sh shell) serveSession(nc ssh.NewChannel) {
	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	defer ch.Close()
	for req := range reqs {
		switch req.Type {
		case "pty-req", "env", "window-change":
			_ = req.Reply(req.Type != "env", nil)
		case "exec":
			var cmd struct{ Command string }
			if ssh.Unmarshal(req.Payload, &cmd) != nil {
				_ = req.Reply(false, nil)
				continue
			}
			_ = req.Reply(true, nil)
			out, errOut, status := sh.run(cmd.Command)
			_, _ = io.WriteString(ch, out)
			_, _ = io.WriteString(ch.Stderr(), errOut)
			exit(ch, status)
			return
		case "shell":
			_ = req.Reply(true, nil)
			exit(ch, sh.interactive(ch))
			return
		default:
			_ = req.Reply(false, nil)
		}
	}
}

func (sh shell) interactive(ch ssh.Channel) uint32 {
	prompt := sh.user + "@" + sh.node + ":~$ "
	_, _ = io.WriteString(ch, prompt)
	sc := bufio.NewScanner(ch)
	var status uint32
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "exit" {
			return status
		}
		if code, ok := strings.CutPrefix(line, "exit "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(code), 10, 8)
			if err != nil {
				n = 2
			}
			return uint32(n)
		}
		out, errOut, st := sh.run(line)
		status = st
		_, _ = io.WriteString(ch, out)
		_, _ = io.WriteString(ch.Stderr(), errOut)
		_, _ = io.WriteString(ch, prompt)
	}
	return status
}

func exit(ch ssh.Channel, status uint32) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], status)
	_, _ = ch.SendRequest("exit-status", false, b[:])
}
