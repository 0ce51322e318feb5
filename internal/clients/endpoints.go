package clients

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
)

// Endpoints are the resolved service locations of one Azure cloud. Every URL is absolute https (the
// Graph endpoint may also be a loopback http address, which only the emulator uses).
type Endpoints struct {
	// AuthorityHost is the Entra ID login host, e.g. https://login.microsoftonline.com/.
	AuthorityHost string
	// GraphEndpoint is the Microsoft Graph host without the version segment; the client appends /v1.0.
	GraphEndpoint string
	// GraphAudience is the resource Graph tokens are requested for; the scope is audience + "/.default".
	GraphAudience string
	// ResourceManagerEndpoint is the ARM base URL.
	ResourceManagerEndpoint string
	// ResourceManagerAudience is the ARM token audience; azcore requests audience + "/.default", which for
	// https://management.core.windows.net/ is the (intentional) double-slash scope.
	ResourceManagerAudience string
}

// Names of the built-in clouds, as accepted by the provider's `environment` attribute.
const (
	EnvironmentPublic       = "public"
	EnvironmentUSGovernment = "usgovernment"
	EnvironmentChina        = "china"
)

// Environments lists the accepted environment names in documentation order.
func Environments() []string {
	return []string{EnvironmentPublic, EnvironmentUSGovernment, EnvironmentChina}
}

// EnvironmentEndpoints returns the endpoints of a built-in cloud. The ARM values come from azcore's
// cloud package so that they stay identical to what the SDK itself would use.
func EnvironmentEndpoints(name string) (Endpoints, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case EnvironmentPublic, "", "azurecloud", "azurepubliccloud":
		return fromAzcore(cloud.AzurePublic, "https://graph.microsoft.com"), true
	case EnvironmentUSGovernment, "azureusgovernment", "azureusgovernmentcloud":
		return fromAzcore(cloud.AzureGovernment, "https://graph.microsoft.us"), true
	case EnvironmentChina, "azurechinacloud":
		return fromAzcore(cloud.AzureChina, "https://microsoftgraph.chinacloudapi.cn"), true
	}
	return Endpoints{}, false
}

func fromAzcore(c cloud.Configuration, graph string) Endpoints {
	rm := c.Services[cloud.ResourceManager]
	return Endpoints{
		AuthorityHost:           c.ActiveDirectoryAuthorityHost,
		GraphEndpoint:           graph,
		GraphAudience:           graph,
		ResourceManagerEndpoint: rm.Endpoint,
		ResourceManagerAudience: rm.Audience,
	}
}

// Validate reports the first endpoint that the SDKs would reject or misuse.
func (e Endpoints) Validate() error {
	for _, f := range []struct{ name, value string }{
		{"authority host", e.AuthorityHost},
		{"Graph endpoint", e.GraphEndpoint},
		{"Graph audience", e.GraphAudience},
		{"resource manager endpoint", e.ResourceManagerEndpoint},
		{"resource manager audience", e.ResourceManagerAudience},
	} {
		if f.value == "" {
			return fmt.Errorf("the %s is empty", f.name)
		}
		u, err := url.Parse(f.value)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("the %s %q is not an absolute URL", f.name, f.value)
		}
		// azidentity and azcore refuse to send credentials over plain http; only the audiences, which
		// are identifiers rather than addresses, are exempt.
		isAudience := strings.Contains(f.name, "audience")
		if u.Scheme != "https" && !isAudience {
			return fmt.Errorf("the %s %q must use https", f.name, f.value)
		}
	}
	return nil
}

// IsCustomAuthority reports whether the authority host is outside the clouds MSAL knows. MSAL would
// then call instance discovery on the public login host, which an isolated cloud (or the emulator)
// cannot answer, so the credential must be built with DisableInstanceDiscovery.
func (e Endpoints) IsCustomAuthority() bool {
	u, err := url.Parse(e.AuthorityHost)
	if err != nil {
		return true
	}
	switch strings.ToLower(u.Host) {
	case "login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn":
		return false
	}
	return true
}

// GraphBaseURL is the versioned root every Graph request builder starts from.
func (e Endpoints) GraphBaseURL() string {
	return strings.TrimRight(e.GraphEndpoint, "/") + "/v1.0"
}

// GraphScope is the single scope Graph tokens are requested with.
func (e Endpoints) GraphScope() string {
	return strings.TrimRight(e.GraphAudience, "/") + "/.default"
}

// GraphHost is the host name (no port, lower case) the Graph token provider is allowed to send tokens to.
func (e Endpoints) GraphHost() string {
	u, err := url.Parse(e.GraphEndpoint)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// ResourceManagerScope is the scope azcore requests for ARM calls (audience + "/.default", unmodified).
func (e Endpoints) ResourceManagerScope() string {
	return e.ResourceManagerAudience + "/.default"
}

// Cloud returns the azcore cloud configuration for these endpoints.
func (e Endpoints) Cloud() cloud.Configuration {
	return cloud.Configuration{
		ActiveDirectoryAuthorityHost: e.AuthorityHost,
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: e.ResourceManagerEndpoint, Audience: e.ResourceManagerAudience},
		},
	}
}

// metadataDocument is the part of ARM's /metadata/endpoints (api-version 2022-09-01) the provider uses.
type metadataDocument struct {
	Name           string `json:"name"`
	Authentication struct {
		LoginEndpoint string   `json:"loginEndpoint"`
		Audiences     []string `json:"audiences"`
	} `json:"authentication"`
	ResourceManager          string `json:"resourceManager"`
	MicrosoftGraphResourceID string `json:"microsoftGraphResourceId"`
}

// DiscoverEndpoints reads a cloud's endpoints from https://{metadataHost}/metadata/endpoints, the way
// azurerm does for custom clouds. The service answers either one document or a list of clouds; for a
// list, environment (a built-in name or the cloud's own name, e.g. AzureCloud) picks the entry and an
// empty environment picks the only one.
func DiscoverEndpoints(ctx context.Context, metadataHost, environment string, client *http.Client) (Endpoints, error) {
	if client == nil {
		client = http.DefaultClient
	}
	host := strings.TrimSuffix(strings.TrimPrefix(metadataHost, "https://"), "/")
	u := "https://" + host + "/metadata/endpoints?api-version=2022-09-01"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Endpoints{}, fmt.Errorf("building the metadata request for %q: %w", metadataHost, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Endpoints{}, fmt.Errorf("reading %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Endpoints{}, fmt.Errorf("reading %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Endpoints{}, fmt.Errorf("reading %s: unexpected status %d", u, resp.StatusCode)
	}
	body = []byte(strings.TrimPrefix(string(body), "\xef\xbb\xbf"))

	var docs []metadataDocument
	if trimmed := strings.TrimSpace(string(body)); strings.HasPrefix(trimmed, "[") {
		err = json.Unmarshal(body, &docs)
	} else {
		var one metadataDocument
		err = json.Unmarshal(body, &one)
		docs = []metadataDocument{one}
	}
	if err != nil {
		return Endpoints{}, fmt.Errorf("decoding %s: %w", u, err)
	}
	doc, err := pickMetadata(docs, environment)
	if err != nil {
		return Endpoints{}, fmt.Errorf("%s: %w", u, err)
	}
	e := Endpoints{
		AuthorityHost:           ensureTrailingSlash(doc.Authentication.LoginEndpoint),
		GraphEndpoint:           strings.TrimRight(doc.MicrosoftGraphResourceID, "/"),
		GraphAudience:           strings.TrimRight(doc.MicrosoftGraphResourceID, "/"),
		ResourceManagerEndpoint: strings.TrimRight(doc.ResourceManager, "/"),
	}
	if len(doc.Authentication.Audiences) > 0 {
		e.ResourceManagerAudience = doc.Authentication.Audiences[0]
	}
	return e, nil
}

func pickMetadata(docs []metadataDocument, environment string) (metadataDocument, error) {
	if len(docs) == 0 {
		return metadataDocument{}, fmt.Errorf("the metadata lists no cloud")
	}
	if environment == "" {
		if len(docs) == 1 {
			return docs[0], nil
		}
		environment = EnvironmentPublic
	}
	aliases := map[string]string{
		EnvironmentPublic:       "azurecloud",
		EnvironmentUSGovernment: "azureusgovernment",
		EnvironmentChina:        "azurechinacloud",
	}
	want := strings.ToLower(environment)
	if a, ok := aliases[want]; ok {
		want = a
	}
	var names []string
	for _, d := range docs {
		if strings.EqualFold(d.Name, want) {
			return d, nil
		}
		names = append(names, d.Name)
	}
	if len(docs) == 1 {
		return docs[0], nil
	}
	return metadataDocument{}, fmt.Errorf("no cloud named %q in the metadata (it lists %s)", environment, strings.Join(names, ", "))
}

func ensureTrailingSlash(s string) string {
	if s == "" || strings.HasSuffix(s, "/") {
		return s
	}
	return s + "/"
}
