package kube_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/entra"
)

// harness is an emulator started for one test, with its log kept for assertions.
type harness struct {
	t   *testing.T
	srv *emulator.Server
	f   emulator.Fixtures
	mu  sync.Mutex
	log []string
}

func start(t *testing.T, cfg emulator.Config) *harness {
	t.Helper()
	h := &harness{t: t}
	cfg.Logf = func(format string, args ...any) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.log = append(h.log, fmt.Sprintf(format, args...))
	}
	if cfg.Seed == 0 {
		cfg.Seed = 42
	}
	srv, err := emulator.Start(cfg)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	h.srv, h.f = srv, srv.Fixtures()
	return h
}

// logged returns the log lines containing every one of parts.
func (h *harness) logged(parts ...string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, l := range h.log {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// token signs a user in with the password grant and returns an access token for scope: through
// kubelogin's public client for the AKS server application, through the emulator's public client else.
func (h *harness) token(upn, password, scope string) string {
	h.t.Helper()
	client := h.f.PublicClientID
	if strings.HasPrefix(scope, entra.ResourceAKS) {
		client = entra.KubeloginClientID
	}
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error_description"`
	}
	status := h.postForm("/"+h.f.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"password"}, "client_id": {client}, "username": {upn}, "password": {password}, "scope": {scope + " openid offline_access"},
	}, &out)
	if status != http.StatusOK {
		h.t.Fatalf("token for %s (%s): HTTP %d %s", upn, scope, status, out.Error)
	}
	return out.AccessToken
}

func (h *harness) aksToken(u emulator.User) string {
	return h.token(u.UPN, u.Password, entra.ResourceAKS+"/.default")
}

func (h *harness) postForm(path string, form url.Values, out any) int {
	h.t.Helper()
	resp, err := h.srv.HTTPClient().PostForm(h.srv.URL()+path, form)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
	return resp.StatusCode
}

// assign gives principalID the built-in role at scope.
func (h *harness) assign(principalID, principalType, role, scope string) arm.RoleAssignment {
	h.t.Helper()
	rd, ok := arm.RoleByName(role)
	if !ok {
		h.t.Fatalf("no role %q", role)
	}
	return h.srv.ARM().AddRoleAssignment(arm.RoleAssignment{Scope: scope, RoleDefinitionID: rd.ID, PrincipalID: principalID, PrincipalType: principalType})
}

// credential calls listClusterUserCredential (or listClusterAdminCredential) with armToken and returns
// the HTTP status and the kubeconfig (or the error body).
func (h *harness) credential(clusterID, armToken string, admin bool) (int, string) {
	h.t.Helper()
	op := "listClusterUserCredential"
	if admin {
		op = "listClusterAdminCredential"
	}
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL()+clusterID+"/"+op+"?api-version=2025-02-01", nil)
	req.Header.Set("Authorization", "Bearer "+armToken)
	resp, err := h.srv.HTTPClient().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, string(body)
	}
	var out struct {
		Kubeconfigs []struct{ Name, Value string } `json:"kubeconfigs"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Kubeconfigs) != 1 {
		h.t.Fatalf("%s answered %s", op, body)
	}
	cfg, err := base64.StdEncoding.DecodeString(out.Kubeconfigs[0].Value)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, string(cfg)
}

// userKubeconfig fetches the user kubeconfig of a cluster as u (who must hold the Cluster User role).
func (h *harness) userKubeconfig(clusterID string, u emulator.User) string {
	h.t.Helper()
	status, cfg := h.credential(clusterID, h.token(u.UPN, u.Password, "https://management.core.windows.net//.default"), false)
	if status != http.StatusOK {
		h.t.Fatalf("listClusterUserCredential as %s: HTTP %d %s", u.UPN, status, cfg)
	}
	return cfg
}

var serverRE = regexp.MustCompile(`(?m)^    server: (\S+)$`)

// endpoint returns the server URL a kubeconfig names.
func endpoint(t *testing.T, kubeconfig string) string {
	t.Helper()
	m := serverRE.FindStringSubmatch(kubeconfig)
	if m == nil {
		t.Fatalf("no server in kubeconfig:\n%s", kubeconfig)
	}
	return m[1]
}

// withToken replaces the users of an AKS kubeconfig by one that presents a fixed bearer token, so that
// kubectl runs without kubelogin.
func withToken(t *testing.T, kubeconfig, token string) string {
	t.Helper()
	i := strings.Index(kubeconfig, "\nusers:\n")
	if i < 0 {
		t.Fatalf("no users in kubeconfig:\n%s", kubeconfig)
	}
	user := regexp.MustCompile(`(?m)^    user: (\S+)$`).FindStringSubmatch(kubeconfig)[1]
	return kubeconfig[:i] + "\nusers:\n- name: " + user + "\n  user:\n    token: " + token + "\n"
}

// kubectlResult is one run of the real kubectl.
type kubectlResult struct {
	stdout, stderr string
	exit           int
}

// kubectl runs kubectl from PATH (the dispatcher that runs the client matching the server's version)
// with a kubeconfig and a private HOME (discovery cache).
func kubectl(t *testing.T, kubeconfig string, args ...string) kubectlResult {
	t.Helper()
	bin, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/, or apt-get install kubectl from the Kubernetes package repository)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+path, "HOME="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	res := kubectlResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.exit = ee.ExitCode()
	case err != nil:
		t.Fatalf("running kubectl %v: %v", args, err)
	}
	return res
}

// get sends one request to an API server with a bearer token and returns the status and body.
func (h *harness) get(server, path, token string, header ...string) (int, string) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, server+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := h.srv.HTTPClient().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// clientToken returns an ARM token of the emulator's admin service principal.
func (h *harness) clientToken() string {
	h.t.Helper()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if status := h.postForm("/"+h.f.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {h.f.AdminClientID}, "client_secret": {h.f.AdminClientSecret},
		"scope": {"https://management.core.windows.net//.default"},
	}, &out); status != http.StatusOK {
		h.t.Fatalf("admin token: HTTP %d", status)
	}
	return out.AccessToken
}
