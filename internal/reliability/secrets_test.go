package reliability

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// jwtShape matches anything that looks like a JWT (access, refresh, ID tokens, client assertions,
// federated tokens): three base64url segments, the first two starting like a JSON object.
var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)

// secretNames are attribute names that must be sensitive wherever they appear in the schema.
var secretNames = regexp.MustCompile(`(?i)secret|password|token|assertion|private_key|certificate$`)

// leak is a secret found where it must not be.
type leak struct {
	what, where, context string
}

// scanForSecrets looks for the known secret values (also URL- and base64-encoded, as a form body or a
// header would carry them) and for JWT-shaped strings.
func scanForSecrets(where string, data []byte, known map[string]string) []leak {
	text := string(data)
	var out []leak
	for what, v := range known {
		if v == "" {
			continue
		}
		for _, form := range []string{v, url.QueryEscape(v), base64.StdEncoding.EncodeToString([]byte(v))} {
			if i := strings.Index(text, form); i >= 0 {
				out = append(out, leak{what: what, where: where, context: around(text, i, len(form))})
				break
			}
		}
	}
	for _, loc := range jwtShape.FindAllStringIndex(text, 3) {
		out = append(out, leak{what: "a JWT-shaped token", where: where, context: around(text, loc[0], loc[1]-loc[0])})
	}
	return out
}

// around quotes the surroundings of a finding with the finding itself masked, so the test output does
// not become the leak.
func around(text string, i, n int) string {
	lo, hi := max(0, i-80), min(len(text), i+n+40)
	return strings.ReplaceAll(text[lo:i]+"<FOUND>"+text[i+n:hi], "\n", " ")
}

// TestSecretsStayOutOfLogsAndState applies the scenario with TF_LOG=TRACE, authenticated with a client
// secret, then plans with a client certificate and with an OIDC token, and scans the logs and the state
// for every credential and for anything shaped like a token.
func TestSecretsStayOutOfLogsAndState(t *testing.T) {
	e := newEnv(t, envOptions{})
	federated, err := e.srv.MintFederatedToken("", "")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]string{
		"the client secret":             e.fx.AdminClientSecret,
		"n01's password":                e.fx.N01.Password,
		"p01's password":                e.fx.P01.Password,
		"the OIDC token":                federated,
		"the certificate's private key": pemBody(e.fx.AdminCertificatePEM, "PRIVATE KEY"),
	}
	logDir := t.TempDir()
	trace := func(name string) []string {
		return []string{"TF_LOG=TRACE", "TF_LOG_PATH=" + filepath.Join(logDir, name+".log")}
	}

	// Client secret: the whole scenario, applied and planned again (refresh reads every object).
	ws := e.workspace("scenario", nil, trace("secret")...)
	e.apply(ws)
	e.requireEmptyPlan(ws, "after apply")

	// Client certificate and OIDC: a plan of the applied configuration (authentication, refresh of every
	// object). The environment is that of the run minus the client secret.
	withoutSecret := func(extra ...string) []string {
		var out []string
		for _, v := range e.base {
			if !strings.HasPrefix(v, "ARM_CLIENT_SECRET=") {
				out = append(out, v)
			}
		}
		return append(out, extra...)
	}
	for _, alt := range []struct {
		name string
		env  []string
	}{
		{"certificate", []string{"ARM_CLIENT_CERTIFICATE=" + base64.StdEncoding.EncodeToString(e.fx.AdminCertificatePEM)}},
		{"oidc", []string{"ARM_USE_OIDC=true", "ARM_OIDC_TOKEN=" + federated}},
	} {
		saved := ws.Env
		ws.Env = append(withoutSecret(alt.env...), trace(alt.name)...)
		e.requireEmptyPlan(ws, "planning with "+alt.name+" authentication")
		ws.Env = saved
	}

	var leaks []leak
	var logBytes int64
	logs, _ := filepath.Glob(filepath.Join(logDir, "*.log"))
	if len(logs) != 3 {
		t.Fatalf("expected three TRACE logs, found %v", logs)
	}
	for _, p := range logs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		logBytes += int64(len(b))
		// A TRACE log that never shows the provider's HTTP traffic proves nothing about redaction.
		if !strings.Contains(string(b), "/v1.0/") || !strings.Contains(string(b), "roleAssignments") {
			t.Errorf("%s does not show the provider's Graph and ARM requests: is request logging on at TRACE?", filepath.Base(p))
		}
		leaks = append(leaks, scanForSecrets(filepath.Base(p), b, known)...)
	}
	state, err := os.ReadFile(filepath.Join(ws.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	leaks = append(leaks, scanForSecrets("terraform.tfstate", state, known)...)
	leaks = append(leaks, stateSecretAttributes(t, state)...)
	for _, l := range leaks {
		t.Errorf("%s found in %s: ...%s...", l.what, l.where, l.context)
	}
	t.Logf("scanned %d bytes of TRACE logs and %d bytes of state for %d known secrets and JWT-shaped strings", logBytes, len(state), len(known))
	figures.add("secrets: TRACE log bytes scanned", logBytes)
	figures.add("secrets: leaks found", int64(len(leaks)))

	sensitive := sensitiveAttributes(t, e, ws)
	figures.add("secrets: schema attributes required to be sensitive", int64(sensitive))
}

// stateSecretAttributes fails on any non-empty state attribute whose name says it holds a secret.
func stateSecretAttributes(t *testing.T, state []byte) []leak {
	t.Helper()
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(state, &st); err != nil {
		t.Fatalf("reading the state: %v", err)
	}
	var out []leak
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			for name, v := range in.Attributes {
				if secretNames.MatchString(name) && v != nil && v != "" {
					out = append(out, leak{what: "attribute " + name, where: "state of " + r.Type, context: "(value withheld)"})
				}
			}
		}
	}
	return out
}

// sensitiveAttributes checks, in the schema Terraform sees, that every attribute of the provider and of
// every object whose name says it holds a secret is marked sensitive, and that the provider's credential
// attributes are among them. It returns how many such attributes there are.
func sensitiveAttributes(t *testing.T, e *env, ws *tfrun.Workspace) int {
	t.Helper()
	res := e.must(ws, "providers", "schema", "-json")
	var doc struct {
		ProviderSchemas map[string]struct {
			Provider          struct{ Block map[string]any }            `json:"provider"`
			ResourceSchemas   map[string]struct{ Block map[string]any } `json:"resource_schemas"`
			DataSourceSchemas map[string]struct{ Block map[string]any } `json:"data_source_schemas"`
			EphemeralSchemas  map[string]struct{ Block map[string]any } `json:"ephemeral_resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil {
		t.Fatalf("reading the provider schema: %v", err)
	}
	var found []string
	check := func(object string, block map[string]any) {
		schemaAttrs("", block, func(path string, a map[string]any) {
			name := path[strings.LastIndex(path, ".")+1:]
			if !secretNames.MatchString(name) || strings.HasSuffix(name, "_path") || strings.HasSuffix(name, "_url") || strings.HasPrefix(name, "use_") {
				return
			}
			found = append(found, object+"."+path)
			if s, _ := a["sensitive"].(bool); !s {
				t.Errorf("%s.%s holds a secret but is not marked sensitive", object, path)
			}
		})
	}
	for addr, ps := range doc.ProviderSchemas {
		if !strings.HasSuffix(addr, "/aks") {
			continue
		}
		check("provider", ps.Provider.Block)
		for n, r := range ps.ResourceSchemas {
			check(n, r.Block)
		}
		for n, d := range ps.DataSourceSchemas {
			check("data."+n, d.Block)
		}
		for n, d := range ps.EphemeralSchemas {
			check("ephemeral."+n, d.Block)
		}
	}
	sort.Strings(found)
	for _, want := range []string{"provider.client_secret", "provider.client_certificate", "provider.client_certificate_password",
		"provider.oidc_token", "provider.oidc_request_token"} {
		if !slices.Contains(found, want) {
			t.Errorf("the schema check did not see %s (found %v)", want, found)
		}
	}
	t.Logf("secret-bearing schema attributes, all checked sensitive: %v", found)
	return len(found)
}

func pemBody(pemData []byte, kind string) string {
	s := string(pemData)
	begin := "-----BEGIN " + kind + "-----"
	i := strings.Index(s, begin)
	if i < 0 {
		return ""
	}
	rest := s[i+len(begin):]
	j := strings.Index(rest, "-----END")
	if j < 0 {
		return ""
	}
	// One line of the base64 body is enough to recognise the key anywhere.
	for _, l := range strings.Split(rest[:j], "\n") {
		if l = strings.TrimSpace(l); len(l) >= 40 {
			return l
		}
	}
	return ""
}

// schemaAttrs walks a provider schema block, calling f with each attribute's dotted path and JSON.
func schemaAttrs(prefix string, block map[string]any, f func(path string, attr map[string]any)) {
	if attrs, ok := block["attributes"].(map[string]any); ok {
		names := make([]string, 0, len(attrs))
		for n := range attrs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			a, _ := attrs[n].(map[string]any)
			f(prefix+n, a)
			if nested, ok := a["nested_type"].(map[string]any); ok {
				schemaAttrs(prefix+n+".", nested, f)
			}
		}
	}
	if blocks, ok := block["block_types"].(map[string]any); ok {
		for n, bt := range blocks {
			if b, ok := bt.(map[string]any)["block"].(map[string]any); ok {
				schemaAttrs(prefix+n+".", b, f)
			}
		}
	}
}
