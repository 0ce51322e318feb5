package provider

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// input is the provider configuration as written (explicit attributes only, rendered as strings) plus
// the process environment and file system, so resolution is a pure function tests can drive.
type input struct {
	attrs    map[string]string
	getenv   func(string) string
	readFile func(string) ([]byte, error)
}

// value is one setting's effective value and where it came from.
type value struct {
	v        string
	source   string // the attribute name, or the environment variable that supplied it
	explicit bool   // set in the provider block (wins over any environment variable)
}

func (v value) set() bool { return v.source != "" }

// where names the origin for messages: `client_secret` or ARM_CLIENT_SECRET.
func (v value) where() string {
	if v.explicit {
		return "`" + v.source + "`"
	}
	return v.source
}

func (in input) get(name string, extraEnvs ...string) value {
	if v, ok := in.attrs[name]; ok {
		return value{v: v, source: name, explicit: true}
	}
	for _, e := range append(settingByName(name).envs, extraEnvs...) {
		if v := strings.TrimSpace(in.getenv(e)); v != "" {
			return value{v: v, source: e}
		}
	}
	return value{}
}

// resolved is a validated configuration, ready for the network-dependent steps of Configure.
type resolved struct {
	auth                     clients.AuthConfig
	authReason               string
	subscriptionID           string
	environment              value
	metadataHost             string
	overrides                map[string]string
	consistency              clients.ConsistencyOptions
	principalNotFoundTimeout time.Duration
	sharedReads              bool
	secrets                  []string
}

// resolver accumulates diagnostics while reading settings.
type resolver struct {
	in    input
	diags diag.Diagnostics
}

func (r *resolver) attrError(name, summary, detail string) {
	r.diags.AddAttributeError(path.Root(name), summary, detail)
}

func (r *resolver) boolean(name string) (bool, value) {
	v := r.in.get(name)
	if !v.set() {
		b, _ := strconv.ParseBool(settingByName(name).dflt)
		return b, v
	}
	b, err := strconv.ParseBool(v.v)
	if err != nil {
		r.attrError(name, "Invalid Boolean Setting",
			fmt.Sprintf("%s is %q, which is not a boolean. Use true or false.", v.where(), v.v))
	}
	return b, v
}

func (r *resolver) duration(name string) time.Duration {
	s := settingByName(name)
	v := r.in.get(name)
	raw := s.dflt
	if v.set() {
		raw = v.v
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		r.attrError(name, "Invalid Duration Setting",
			fmt.Sprintf("%s is %q, which is not a positive duration. Use a value such as \"90s\" or \"5m\".", v.where(), raw))
	}
	return d
}

// one picks between two settings that supply the same thing (a value or a file): the provider block
// wins over the environment, and two at the same level contradict each other.
func (r *resolver) one(what string, a, b value) value {
	switch {
	case a.set() && b.set() && a.explicit == b.explicit:
		r.attrError(b.source, "Conflicting "+what+" Settings",
			fmt.Sprintf("Both %s and %s set the %s. Keep only one of them.", a.where(), b.where(), strings.ToLower(what)))
		return a
	case a.set() && (!b.set() || a.explicit):
		return a
	default:
		return b
	}
}

func (r *resolver) file(v value) string {
	b, err := r.in.readFile(v.v)
	if err != nil {
		r.attrError(attrOf(v), "Unable to Read File",
			fmt.Sprintf("The file %q named by %s could not be read. Check the path and its permissions.\n\nOriginal Error: %s", v.v, v.where(), err))
		return ""
	}
	return strings.TrimSpace(string(b))
}

// attrOf maps a value to the attribute its diagnostic should point at (env-sourced values too).
func attrOf(v value) string {
	for _, s := range settings {
		if s.name == v.source {
			return s.name
		}
		for _, e := range s.envs {
			if e == v.source {
				return s.name
			}
		}
	}
	return attrTenantID
}

// candidate is an authentication method some setting asks for.
type candidate struct {
	method clients.AuthMethod
	label  string
	by     []value
}

func (c candidate) explicit() bool {
	for _, v := range c.by {
		if v.explicit {
			return true
		}
	}
	return false
}

func (c candidate) reason() string {
	names := make([]string, len(c.by))
	for i, v := range c.by {
		names[i] = v.where()
	}
	return c.label + " (selected by " + strings.Join(names, " and ") + ")"
}

// resolve turns settings into one credential choice, endpoints and knobs. The order in which methods
// are considered, and what "contradictory" means, is documented in the provider's index page:
// a method is selected by its own settings; settings in the provider block outrank environment
// variables; two methods selected at the same level are an error; the Azure CLI is the fallback.
func resolve(in input) (resolved, diag.Diagnostics) {
	r := &resolver{in: in}
	var out resolved

	sub := in.get(attrSubscriptionID)
	if !sub.set() {
		r.attrError(attrSubscriptionID, "Missing Subscription ID",
			"The provider needs the subscription that holds the AKS clusters. Set `subscription_id` in the provider block or export ARM_SUBSCRIPTION_ID.")
	}
	out.subscriptionID = sub.v

	out.auth, out.authReason = r.credential()
	for _, s := range []string{out.auth.ClientSecret, out.auth.ClientCertificatePassword, out.auth.OIDCToken, out.auth.OIDCRequestToken} {
		if s != "" {
			out.secrets = append(out.secrets, s)
		}
	}

	out.environment = in.get(attrEnvironment)
	if out.environment.set() {
		if _, ok := clients.EnvironmentEndpoints(out.environment.v); !ok {
			r.attrError(attrEnvironment, "Invalid Environment",
				fmt.Sprintf("%s is %q. Use one of %s, or describe a custom cloud with `metadata_host` (ARM_METADATA_HOSTNAME) or the endpoint settings.",
					out.environment.where(), out.environment.v, strings.Join(clients.Environments(), ", ")))
		}
	}
	if mh := in.get(attrMetadataHost); mh.set() {
		host := strings.TrimSuffix(strings.TrimPrefix(mh.v, "https://"), "/")
		if host == "" || strings.ContainsAny(host, "/ ") {
			r.attrError(attrMetadataHost, "Invalid Metadata Host",
				fmt.Sprintf("%s is %q; it must be a host name such as management.azure.com.", mh.where(), mh.v))
		}
		out.metadataHost = host
	}
	out.overrides = map[string]string{}
	for _, name := range []string{attrAuthorityHost, attrGraphEndpoint, attrGraphAudience, attrResourceManagerEndpoint, attrResourceManagerAudience} {
		v := in.get(name)
		if !v.set() {
			continue
		}
		u, err := url.Parse(v.v)
		isAudience := name == attrGraphAudience || name == attrResourceManagerAudience
		if err != nil || u.Host == "" || (!isAudience && u.Scheme != "https") {
			r.attrError(name, "Invalid Endpoint",
				fmt.Sprintf("%s is %q. Endpoints must be absolute https URLs (audiences absolute URIs): Entra ID and the Azure SDKs refuse to send credentials anywhere else.", v.where(), v.v))
			continue
		}
		out.overrides[name] = v.v
	}

	out.principalNotFoundTimeout = r.duration(attrPrincipalNotFoundTimeout)
	out.sharedReads, _ = r.boolean(attrSharedReads)
	out.consistency.Interval = r.duration(attrConsistencyInterval)
	out.consistency.Timeout = r.duration(attrConsistencyTimeout)
	checks := in.get(attrConsistencyChecks)
	n, err := strconv.Atoi(settingByName(attrConsistencyChecks).dflt)
	if checks.set() {
		n, err = strconv.Atoi(checks.v)
	}
	if err != nil || n < 1 || n > 100 {
		r.attrError(attrConsistencyChecks, "Invalid Consistency Checks",
			fmt.Sprintf("%s is %q; use a whole number from 1 to 100.", checks.where(), checks.v))
	}
	out.consistency.Successes = n
	return out, r.diags
}

// credential selects and completes the authentication method.
func (r *resolver) credential() (clients.AuthConfig, string) {
	in := r.in
	var cands []candidate

	cert := r.one("Client Certificate", in.get(attrClientCertificate), in.get(attrClientCertificatePath))
	if cert.set() {
		cands = append(cands, candidate{method: clients.AuthClientCertificate, label: "client certificate authentication", by: []value{cert}})
	}
	secret := r.one("Client Secret", in.get(attrClientSecret), in.get(attrClientSecretFilePath))
	if secret.set() {
		cands = append(cands, candidate{method: clients.AuthClientSecret, label: "client secret authentication", by: []value{secret}})
	}
	useWI, wiVal := r.boolean(attrUseAKSWorkloadIdentity)
	useOIDC, oidcVal := r.boolean(attrUseOIDC)
	switch {
	case useWI:
		// Workload identity is OIDC with the token file the AKS webhook mounts; use_oidc may accompany it.
		by := []value{wiVal}
		if useOIDC {
			by = append(by, oidcVal)
		}
		cands = append(cands, candidate{method: clients.AuthAKSWorkloadIdentity, label: "AKS workload identity authentication", by: by})
	case useOIDC:
		cands = append(cands, candidate{method: clients.AuthOIDC, label: "OIDC authentication", by: []value{oidcVal}})
	}
	if useMSI, v := r.boolean(attrUseMSI); useMSI {
		cands = append(cands, candidate{method: clients.AuthManagedIdentity, label: "managed identity authentication", by: []value{v}})
	}
	useCLI, cliVal := r.boolean(attrUseCLI)

	// Settings in the provider block outrank the environment: an exported variable cannot override or
	// contradict a method chosen explicitly.
	var explicit []candidate
	for _, c := range cands {
		if c.explicit() {
			explicit = append(explicit, c)
		}
	}
	if len(explicit) > 0 {
		cands = explicit
	}
	if len(cands) > 1 {
		reasons := make([]string, len(cands))
		for i, c := range cands {
			reasons[i] = "- " + c.reason()
		}
		r.attrError(attrOf(cands[1].by[0]), "Conflicting Authentication Settings",
			"More than one authentication method is selected:\n"+strings.Join(reasons, "\n")+
				"\n\nKeep the settings of exactly one method: remove the others from the provider block or unset their environment variables.")
		return clients.AuthConfig{}, ""
	}
	if len(cands) == 0 {
		if !useCLI {
			r.attrError(attrUseCLI, "No Authentication Method Configured",
				fmt.Sprintf("No authentication method is selected and the Azure CLI fallback is disabled by %s. Set one of: "+
					"`client_secret` (ARM_CLIENT_SECRET), `client_certificate_path` (ARM_CLIENT_CERTIFICATE_PATH), "+
					"`use_oidc` (ARM_USE_OIDC), `use_aks_workload_identity` (ARM_USE_AKS_WORKLOAD_IDENTITY), `use_msi` (ARM_USE_MSI), or enable `use_cli`.", cliVal.where()))
			return clients.AuthConfig{}, ""
		}
		reason := "Azure CLI authentication (the fallback: no other method is selected)"
		return clients.AuthConfig{Method: clients.AuthAzureCLI, TenantID: in.get(attrTenantID).v}, reason
	}

	c := cands[0]
	cfg := clients.AuthConfig{Method: c.method}
	tenant := in.get(attrTenantID)
	clientID := r.one("Client ID", in.get(attrClientID), in.get(attrClientIDFilePath))
	if clientID.source == attrClientIDFilePath || clientID.source == "ARM_CLIENT_ID_FILE_PATH" {
		clientID.v = r.file(clientID)
	}
	if c.method == clients.AuthAKSWorkloadIdentity {
		if !tenant.set() {
			tenant = in.get(attrTenantID, "AZURE_TENANT_ID")
		}
		if !clientID.set() {
			clientID = in.get(attrClientID, "AZURE_CLIENT_ID")
		}
	}
	cfg.TenantID, cfg.ClientID = tenant.v, clientID.v

	needIDs := c.method != clients.AuthManagedIdentity
	if needIDs && !tenant.set() {
		r.attrError(attrTenantID, "Missing Tenant ID",
			capitalize(c.reason())+" needs the tenant ID. Set `tenant_id` in the provider block or export ARM_TENANT_ID.")
	}
	if needIDs && !clientID.set() {
		r.attrError(attrClientID, "Missing Client ID",
			capitalize(c.reason())+" needs the application's client ID. Set `client_id` in the provider block or export ARM_CLIENT_ID.")
	}

	switch c.method {
	case clients.AuthClientSecret:
		cfg.ClientSecret = secret.v
		if secret.source == attrClientSecretFilePath || secret.source == "ARM_CLIENT_SECRET_FILE_PATH" {
			cfg.ClientSecret = r.file(secret)
		}
	case clients.AuthClientCertificate:
		if cert.source == attrClientCertificate || cert.source == "ARM_CLIENT_CERTIFICATE" {
			data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cert.v))
			if err != nil {
				r.attrError(attrClientCertificate, "Invalid Client Certificate",
					fmt.Sprintf("%s must be base64-encoded PKCS#12 or PEM data.\n\nOriginal Error: %s", cert.where(), err))
			}
			cfg.ClientCertificate = data
		} else {
			data, err := in.readFile(cert.v)
			if err != nil {
				r.attrError(attrClientCertificatePath, "Unable to Read File",
					fmt.Sprintf("The certificate file %q named by %s could not be read. Check the path and its permissions.\n\nOriginal Error: %s", cert.v, cert.where(), err))
			}
			cfg.ClientCertificate = data
		}
		cfg.ClientCertificatePassword = in.get(attrClientCertificatePassword).v
	case clients.AuthOIDC:
		tok := r.one("OIDC Token", in.get(attrOIDCToken), in.get(attrOIDCTokenFilePath))
		reqURL, reqTok := in.get(attrOIDCRequestURL), in.get(attrOIDCRequestToken)
		switch {
		case tok.source == attrOIDCToken || tok.source == "ARM_OIDC_TOKEN":
			cfg.OIDCToken = tok.v
		case tok.set():
			cfg.OIDCTokenFilePath = tok.v
		case reqURL.set() && reqTok.set():
			cfg.OIDCRequestURL, cfg.OIDCRequestToken = reqURL.v, reqTok.v
		case reqURL.set() || reqTok.set():
			missing := settingByName(attrOIDCRequestToken)
			if !reqURL.set() {
				missing = settingByName(attrOIDCRequestURL)
			}
			r.attrError(missing.name, "Incomplete OIDC Request Settings",
				fmt.Sprintf("OIDC token requests need both a URL and a bearer token; %s is missing. In GitHub Actions, grant the job `id-token: write` so the runner exports ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN.", missing.names()))
		default:
			r.attrError(attrOIDCToken, "Missing OIDC Token",
				capitalize(c.reason())+" needs an ID token: set `oidc_token` (ARM_OIDC_TOKEN), `oidc_token_file_path` (ARM_OIDC_TOKEN_FILE_PATH), or run in GitHub Actions with `id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN).")
		}
	case clients.AuthAKSWorkloadIdentity:
		file := in.get(attrOIDCTokenFilePath, "AZURE_FEDERATED_TOKEN_FILE")
		if !file.set() {
			r.attrError(attrOIDCTokenFilePath, "Missing Federated Token File",
				capitalize(c.reason())+" needs the projected service account token. Run in a pod with the workload identity label (the webhook exports AZURE_FEDERATED_TOKEN_FILE) or set `oidc_token_file_path`.")
		}
		cfg.FederatedTokenFilePath = file.v
	}
	return cfg, c.reason()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
