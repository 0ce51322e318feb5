// Package sshlogin does offline what `az ssh vm` does against an emulator's nodes: it makes an RSA key
// pair in a private temporary directory, asks the emulator's token endpoint for an OpenSSH user
// certificate as the Azure CLI does (token_type=ssh-cert, req_cnf, key_id), writes the key and the
// certificate, and runs the real OpenSSH client with them, trusting only the node's published host key.
// It is for test harnesses and the demo; the provider never uses it.
//
//	c, err := sshlogin.New(srv) // ssh from PATH; srv's token endpoint, public client and known_hosts
//	node := srv.Nodes(srv.Fixtures().ClusterID)[0]
//	res, err := c.Login(ctx, sshlogin.TargetOf(node), upn, password, "hostname")
//	// allowed: res.ExitCode 0, res.Stdout node.Name+"\n"
//	// denied:  res.ExitCode 255, res.Stderr "Access denied: Azure role not assigned" then
//	//          "...: Permission denied (publickey)."
//	fmt.Println("$", res.CommandLine())
package sshlogin

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// MissingSSH is the error text when the OpenSSH client is not installed.
const MissingSSH = "the OpenSSH client (ssh) is not on PATH: run `make ssh-client` (or `apt-get install openssh-client`)"

// Client logs users in to emulator nodes.
type Client struct {
	TokenURL   string       // the tenant's v2 token endpoint
	ClientID   string       // the public client users sign in through
	HTTP       *http.Client // trusts the emulator's CA
	KnownHosts string       // known_hosts file with the nodes' host keys (AZEMU_SSH_KNOWN_HOSTS)
	SSH        string       // path of the ssh binary
	// Timeout bounds each ssh run; default 30s.
	Timeout time.Duration
	// Key, when set, is the key pair certified for every login instead of a new one each time (as
	// `az ssh vm --private-key-file` does); RSA key generation takes up to a second on a busy machine.
	Key *rsa.PrivateKey
}

// New returns a client for srv's token endpoint, public client and nodes, with ssh from PATH.
func New(srv *emulator.Server) (*Client, error) {
	path, err := exec.LookPath("ssh")
	if err != nil {
		return nil, errors.New("sshlogin: " + MissingSSH)
	}
	f := srv.Fixtures()
	return &Client{
		TokenURL: srv.URL() + "/" + f.TenantID + "/oauth2/v2.0/token", ClientID: f.PublicClientID,
		HTTP: srv.HTTPClient(), KnownHosts: srv.SSHKnownHostsFile(), SSH: path,
	}, nil
}

// Target is a node to log in to: its name (the host key alias) and SSH address (emulator.Node).
type Target struct {
	Name string
	Addr string // 127.0.0.1:PORT
}

// TargetOf returns the Target of an emulator node.
func TargetOf(n emulator.Node) Target { return Target{Name: n.Name, Addr: n.SSHAddr} }

// Result is what an ssh run produced.
type Result struct {
	Args     []string // the ssh command line (argv), for printing
	ExitCode int      // the remote command's status; 255 when ssh itself failed (refused, unreachable)
	Stdout   string
	Stderr   string
}

// Login runs command on node as the user, with a fresh key and certificate, as `az ssh vm` does; the
// temporary key directory is removed afterwards. An error means the login could not be attempted (no
// certificate, no ssh); a refused login is a Result with ExitCode 255.
func (c *Client) Login(ctx context.Context, node Target, upn, password, command string) (Result, error) {
	dir, err := os.MkdirTemp("", "aadsshcert")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	cred, err := c.Certificate(ctx, dir, upn, password)
	if err != nil {
		return Result{}, err
	}
	return c.Run(ctx, node, cred, command)
}

// Certificate writes a key pair into dir (which should be private to the caller: a new pair, or Key)
// and the certificate the token endpoint issues for it to the user.
func (c *Client) Certificate(ctx context.Context, dir, upn, password string) (Credential, error) {
	key := c.Key
	var cred Credential
	var err error
	if key == nil {
		cred, key, err = NewKey(dir)
	} else {
		cred, err = WriteKey(dir, key)
	}
	if err != nil {
		return Credential{}, err
	}
	cert, err := c.requestCertificate(ctx, upn, password, &key.PublicKey)
	if err != nil {
		return Credential{}, err
	}
	return cred, cred.WriteCertificate(cert)
}

// Run runs the real ssh with cred against node: certificate authentication only, no agent, no user or
// system configuration, and the node's host key checked against KnownHosts under its name.
func (c *Client) Run(ctx context.Context, node Target, cred Credential, command string) (Result, error) {
	if c.SSH == "" {
		return Result{}, errors.New("sshlogin: " + MissingSSH)
	}
	host, port, err := net.SplitHostPort(node.Addr)
	if err != nil {
		return Result{}, fmt.Errorf("sshlogin: node %s address %q: %w", node.Name, node.Addr, err)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := []string{
		"-F", "/dev/null", "-i", cred.KeyFile, "-o", "CertificateFile=" + cred.CertFile,
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "PreferredAuthentications=publickey",
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + c.KnownHosts,
		"-o", "GlobalKnownHostsFile=/dev/null", "-o", "HostKeyAlias=" + node.Name, "-o", "ConnectTimeout=10",
		"-p", port, cred.Principal + "@" + host,
	}
	if command != "" {
		args = append(args, command)
	}
	cmd := exec.CommandContext(ctx, c.SSH, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	res := Result{Args: append([]string{"ssh"}, args...), Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && ctx.Err() == nil:
		res.ExitCode = exit.ExitCode()
	default:
		return res, fmt.Errorf("sshlogin: running ssh to %s: %w (stderr: %s)", node.Name, err, stderr.String())
	}
	return res, nil
}

// CommandLine is Args as a shell command line, for printing what was run.
func (r Result) CommandLine() string {
	quoted := make([]string, len(r.Args))
	for i, a := range r.Args {
		quoted[i] = a
		if a == "" || strings.ContainsFunc(a, func(c rune) bool { return !safeShellRune(c) }) {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}

func safeShellRune(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./:@%+=,", c)
}
