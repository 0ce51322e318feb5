// Package nodessh serves the SSH daemons of emulated AKS nodes, as the AADSSHLoginForLinux VM extension
// configures them: each node accepts only OpenSSH user certificates signed by the emulator's Entra SSH
// CA, for the principal the user logs in as, within their validity on the emulator clock, and asks its
// Authorizer (Azure RBAC login data actions at the node's scope) before letting the user in. A user
// without a role sees the extension's denial banner, then OpenSSH's "Permission denied (publickey)".
// Sessions run a tiny shell (session.go) so a client can tell where it landed and as whom.
package nodessh

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
)

// DenialBanner is what AADSSHLoginForLinux shows a user whose certificate is valid but who holds no VM
// login role at the VM.
const DenialBanner = "Access denied: Azure role not assigned\n"

// Verdict is an Authorizer's answer.
type Verdict struct {
	Allowed bool
	Admin   bool   // holds loginAsAdmin: member of aad_admins, may sudo
	Why     string // one line for the log: subject, groups, action, scope, matching assignment
}

// Authorizer decides whether the certificate's user may log in to node.
type Authorizer func(node arm.Node, cert *ssh.Certificate) Verdict

// Config configures the nodes' SSH servers.
type Config struct {
	CA        ssh.PublicKey    // the only user CA the nodes trust
	Now       func() time.Time // the emulator clock: certificate validity is checked against it
	Authorize Authorizer
	Logf      func(format string, args ...any) // one line per login decision; nil is silent
}

// Host is one node's SSH server.
type Host struct {
	Node    arm.Node
	Addr    string        // 127.0.0.1:PORT
	HostKey ssh.PublicKey // the node's ed25519 host key
}

// KnownHostsLine is the node's known_hosts entry, under both its name (for HostKeyAlias) and its
// loopback address.
func (h Host) KnownHostsLine() string {
	host, port, _ := net.SplitHostPort(h.Addr)
	return h.Node.Name + ",[" + host + "]:" + port + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(h.HostKey)))
}

// Fleet is the running SSH servers of a set of nodes.
type Fleet struct {
	cfg   Config
	hosts []Host
	lns   []net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
	done  bool
}

// Start listens on a free loopback port for each node.
func Start(cfg Config, nodes []arm.Node) (*Fleet, error) {
	if cfg.CA == nil || cfg.Now == nil || cfg.Authorize == nil {
		return nil, errors.New("nodessh: CA, Now and Authorize are required")
	}
	f := &Fleet{cfg: cfg, conns: map[net.Conn]bool{}}
	for _, n := range nodes {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			f.Close()
			return nil, err
		}
		signer, err := ssh.NewSignerFromSigner(priv)
		if err != nil {
			f.Close()
			return nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("nodessh: listen for %s: %w", n.Name, err)
		}
		h := Host{Node: n, Addr: ln.Addr().String(), HostKey: signer.PublicKey()}
		f.hosts = append(f.hosts, h)
		f.lns = append(f.lns, ln)
		f.wg.Add(1)
		go f.serve(ln, h, f.serverConfig(h, signer))
	}
	return f, nil
}

// Hosts returns the nodes' servers in the order of Start's nodes.
func (f *Fleet) Hosts() []Host { return append([]Host(nil), f.hosts...) }

// KnownHosts returns a known_hosts file trusting every node's host key.
func (f *Fleet) KnownHosts() []byte {
	var b bytes.Buffer
	for _, h := range f.hosts {
		b.WriteString(h.KnownHostsLine() + "\n")
	}
	return b.Bytes()
}

// Close stops listening, drops open sessions and waits for the servers to end.
func (f *Fleet) Close() {
	f.mu.Lock()
	f.done = true
	for _, ln := range f.lns {
		_ = ln.Close()
	}
	for c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *Fleet) logf(format string, args ...any) {
	if f.cfg.Logf != nil {
		f.cfg.Logf(format, args...)
	}
}

// serverConfig authenticates with certificates only. The RBAC check runs when the key is offered (the
// query before the client signs), as sshd runs the extension's check then, so the banner comes first.
func (f *Fleet) serverConfig(h Host, hostKey ssh.Signer) *ssh.ServerConfig {
	checker := &ssh.CertChecker{
		IsUserAuthority: func(k ssh.PublicKey) bool { return bytes.Equal(k.Marshal(), f.cfg.CA.Marshal()) },
		Clock:           f.cfg.Now,
	}
	cfg := &ssh.ServerConfig{
		ServerVersion: "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10",
		PublicKeyCallback: func(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			cert, ok := key.(*ssh.Certificate)
			if !ok {
				return nil, fmt.Errorf("%s: plain %s keys are not accepted, only Entra ID certificates", h.Node.Name, key.Type())
			}
			if _, err := checker.Authenticate(meta, key); err != nil {
				f.logf("azemu: ssh %s: certificate of %q refused: %v", h.Node.Name, meta.User(), err)
				return nil, err
			}
			v := f.cfg.Authorize(h.Node, cert)
			f.logf("azemu: ssh %s: login of %s: %s", h.Node.Name, meta.User(), v.Why)
			if !v.Allowed {
				return nil, &ssh.BannerError{Err: errors.New("azure role not assigned"), Message: DenialBanner}
			}
			admin := ""
			if v.Admin {
				admin = "1"
			}
			return &ssh.Permissions{Extensions: map[string]string{
				permAdmin: admin, permObjectID: cert.Extensions[entra.CertExtensionObjectID],
			}}, nil
		},
	}
	cfg.AddHostKey(hostKey)
	return cfg
}

func (f *Fleet) serve(ln net.Listener, h Host, cfg *ssh.ServerConfig) {
	defer f.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if !f.track(c, true) {
			_ = c.Close()
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer f.track(c, false)
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			conn, chans, reqs, err := ssh.NewServerConn(c, cfg)
			if err != nil {
				return
			}
			_ = c.SetDeadline(time.Time{})
			go ssh.DiscardRequests(reqs)
			sh := shell{node: h.Node.Name, user: conn.User(), admin: conn.Permissions.Extensions[permAdmin] == "1", oid: conn.Permissions.Extensions[permObjectID]}
			for ch := range chans {
				if ch.ChannelType() != "session" {
					_ = ch.Reject(ssh.Prohibited, "only sessions are served")
					continue
				}
				f.wg.Add(1)
				go func() {
					defer f.wg.Done()
					sh.serveSession(ch)
				}()
			}
		}()
	}
}

func (f *Fleet) track(c net.Conn, add bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if add {
		if f.done {
			return false
		}
		f.conns[c] = true
	} else {
		delete(f.conns, c)
	}
	return true
}
