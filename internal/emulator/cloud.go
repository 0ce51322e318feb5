package emulator

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
)

// cloudHosts are the host names of the clouds an emulator can act as (Config.Cloud): the login, Graph and
// resource manager hosts a client configured for that cloud uses without any endpoint setting.
var cloudHosts = map[string][]string{
	"public":                {"login.microsoftonline.com", "graph.microsoft.com", "management.azure.com"},
	entra.CloudUSGovernment: {"login.microsoftonline.us", "graph.microsoft.us", "management.usgovcloudapi.net"},
	entra.CloudChina:        {"login.chinacloudapi.cn", "microsoftgraph.chinacloudapi.cn", "management.chinacloudapi.cn"},
}

// CloudNames lists the values Config.Cloud accepts besides "".
func CloudNames() []string { return []string{"public", entra.CloudUSGovernment, entra.CloudChina} }

// cloudProxy is an HTTPS (CONNECT) proxy that tunnels the hosts of the emulator's cloud to the emulator's
// own listener and refuses every other host, so a client configured for a real cloud reaches the emulator
// through the standard HTTPS_PROXY setting and provably nothing else.
type cloudProxy struct {
	hosts   map[string]bool
	backend string
	ln      net.Listener
	srv     *http.Server
	conns   sync.WaitGroup
}

func startCloudProxy(cloud, backend string) (*cloudProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &cloudProxy{hosts: map[string]bool{}, backend: backend, ln: ln}
	for _, h := range cloudHosts[cloud] {
		p.hosts[h] = true
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.connect), ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

func (p *cloudProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *cloudProxy) connect(w http.ResponseWriter, r *http.Request) {
	host, port, err := net.SplitHostPort(r.Host)
	if r.Method != http.MethodConnect || err != nil || port != "443" {
		http.Error(w, "azemu proxy: only CONNECT host:443", http.StatusMethodNotAllowed)
		return
	}
	if !p.hosts[strings.ToLower(host)] {
		http.Error(w, "azemu proxy: "+host+" is not a host of the emulated cloud", http.StatusForbidden)
		return
	}
	backend, err := net.Dial("tcp", p.backend)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		backend.Close()
		http.Error(w, "azemu proxy: cannot hijack", http.StatusInternalServerError)
		return
	}
	client, buf, err := hj.Hijack()
	if err != nil {
		backend.Close()
		return
	}
	_, _ = client.Write([]byte("HTTP/1.1 200 Connection Established\r\n\r\n"))
	p.conns.Add(1)
	go func() {
		defer p.conns.Done()
		done := make(chan struct{})
		go func() {
			_, _ = io.Copy(backend, buf) // what the client sent, including anything already buffered
			backend.Close()
			close(done)
		}()
		_, _ = io.Copy(client, backend)
		client.Close()
		<-done
	}()
}

// nationalCloud is the token service's cloud for Config.Cloud: only the national clouds have resource
// identifiers of their own.
func nationalCloud(cloud string) string {
	if cloud == entra.CloudUSGovernment || cloud == entra.CloudChina {
		return cloud
	}
	return ""
}

// ProxyURL is the HTTPS proxy (http://127.0.0.1:PORT) through which clients configured for the cloud the
// emulator acts as (Config.Cloud) reach it; "" without Config.Cloud.
func (s *Server) ProxyURL() string {
	if s.proxy == nil {
		return ""
	}
	return s.proxy.url()
}

func (p *cloudProxy) close() {
	_ = p.srv.Close()
	p.conns.Wait()
}
