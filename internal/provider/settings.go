package provider

import (
	"fmt"
	"strings"
)

// kind is how a setting is typed in the schema and parsed from the environment.
type kind int

const (
	kindString kind = iota
	kindBool
	kindInt
	kindDuration // a string attribute holding a Go duration ("90s", "5m")
)

// setting is one provider attribute with its environment fallbacks, in order. The schema, the
// resolution and the error messages are all generated from this table so that the documented
// variables are exactly the ones read.
type setting struct {
	name      string
	envs      []string
	kind      kind
	sensitive bool
	desc      string
	dflt      string
}

// Attribute names (used by the resolution and in error messages).
const (
	attrTenantID                  = "tenant_id"
	attrSubscriptionID            = "subscription_id"
	attrClientID                  = "client_id"
	attrClientIDFilePath          = "client_id_file_path"
	attrClientSecret              = "client_secret"
	attrClientSecretFilePath      = "client_secret_file_path"
	attrClientCertificate         = "client_certificate"
	attrClientCertificatePath     = "client_certificate_path"
	attrClientCertificatePassword = "client_certificate_password"
	attrUseOIDC                   = "use_oidc"
	attrOIDCToken                 = "oidc_token"
	attrOIDCTokenFilePath         = "oidc_token_file_path"
	attrOIDCRequestURL            = "oidc_request_url"
	attrOIDCRequestToken          = "oidc_request_token"
	attrUseAKSWorkloadIdentity    = "use_aks_workload_identity"
	attrUseMSI                    = "use_msi"
	attrUseCLI                    = "use_cli"
	attrEnvironment               = "environment"
	attrMetadataHost              = "metadata_host"
	attrAuthorityHost             = "authority_host"
	attrGraphEndpoint             = "graph_endpoint"
	attrGraphAudience             = "graph_audience"
	attrResourceManagerEndpoint   = "resource_manager_endpoint"
	attrResourceManagerAudience   = "resource_manager_audience"
	attrPrincipalNotFoundTimeout  = "principal_not_found_retry_timeout"
	attrConsistencyChecks         = "consistency_checks"
	attrConsistencyInterval       = "consistency_interval"
	attrConsistencyTimeout        = "consistency_timeout"
	attrSharedReads               = "shared_reads"
)

var settings = []setting{
	{name: attrTenantID, envs: []string{"ARM_TENANT_ID"}, desc: "The Entra ID tenant (directory) ID. Required for client secret, client certificate and OIDC authentication."},
	{name: attrSubscriptionID, envs: []string{"ARM_SUBSCRIPTION_ID"}, desc: "The Azure subscription holding the AKS clusters; role definitions are resolved at this scope. Required, here or in the environment."},
	{name: attrClientID, envs: []string{"ARM_CLIENT_ID"}, desc: "The client (application) ID of the service principal, or of a user-assigned managed identity when `use_msi` is set."},
	{name: attrClientIDFilePath, envs: []string{"ARM_CLIENT_ID_FILE_PATH"}, desc: "A file holding the client ID, as an alternative to `client_id`."},
	{name: attrClientSecret, envs: []string{"ARM_CLIENT_SECRET"}, sensitive: true, desc: "A client secret of the service principal. Selects client secret authentication."},
	{name: attrClientSecretFilePath, envs: []string{"ARM_CLIENT_SECRET_FILE_PATH"}, desc: "A file holding the client secret, as an alternative to `client_secret`. Selects client secret authentication."},
	{name: attrClientCertificate, envs: []string{"ARM_CLIENT_CERTIFICATE"}, sensitive: true, desc: "A base64-encoded PKCS#12 bundle or PEM certificate with its private key. Selects client certificate authentication."},
	{name: attrClientCertificatePath, envs: []string{"ARM_CLIENT_CERTIFICATE_PATH"}, desc: "The path of a PKCS#12 (.pfx) or PEM file with the certificate and its private key. Selects client certificate authentication."},
	{name: attrClientCertificatePassword, envs: []string{"ARM_CLIENT_CERTIFICATE_PASSWORD"}, sensitive: true, desc: "The password of the client certificate bundle, if it has one."},
	{name: attrUseOIDC, envs: []string{"ARM_USE_OIDC"}, kind: kindBool, dflt: "false", desc: "Authenticate with an OIDC token through workload identity federation (GitHub Actions, Azure DevOps, any OIDC issuer trusted by the application)."},
	{name: attrOIDCToken, envs: []string{"ARM_OIDC_TOKEN"}, sensitive: true, desc: "The OIDC ID token to exchange, when `use_oidc` is set."},
	{name: attrOIDCTokenFilePath, envs: []string{"ARM_OIDC_TOKEN_FILE_PATH"}, desc: "A file holding the OIDC ID token (read on every exchange, so a rotated file is picked up), when `use_oidc` is set."},
	{name: attrOIDCRequestURL, envs: []string{"ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"}, desc: "The GitHub Actions token request URL, used with `oidc_request_token` when no token or token file is given."},
	{name: attrOIDCRequestToken, envs: []string{"ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"}, sensitive: true, desc: "The bearer token for the GitHub Actions token request URL."},
	{name: attrUseAKSWorkloadIdentity, envs: []string{"ARM_USE_AKS_WORKLOAD_IDENTITY"}, kind: kindBool, dflt: "false", desc: "Authenticate with AKS workload identity: the client ID, tenant ID and token file default to `AZURE_CLIENT_ID`, `AZURE_TENANT_ID` and `AZURE_FEDERATED_TOKEN_FILE` injected by the webhook."},
	{name: attrUseMSI, envs: []string{"ARM_USE_MSI"}, kind: kindBool, dflt: "false", desc: "Authenticate with the managed identity of the host (system-assigned, or user-assigned when `client_id` is set)."},
	{name: attrUseCLI, envs: []string{"ARM_USE_CLI"}, kind: kindBool, dflt: "true", desc: "Fall back to the Azure CLI's signed-in account when no other method is selected."},
	{name: attrEnvironment, envs: []string{"ARM_ENVIRONMENT"}, dflt: "public", desc: "The Azure cloud: `public`, `usgovernment` or `china`. With `metadata_host`, names the cloud to pick from the metadata."},
	{name: attrMetadataHost, envs: []string{"ARM_METADATA_HOSTNAME"}, desc: "A resource manager host name whose `/metadata/endpoints` document describes a custom cloud (as in azurerm). The individual endpoint settings override what it returns."},
	{name: attrAuthorityHost, envs: []string{"ARM_AUTHORITY_HOST"}, desc: "Override of the Entra ID authority host, e.g. `https://login.microsoftonline.com/`. A host outside Microsoft's clouds disables MSAL instance discovery."},
	{name: attrGraphEndpoint, envs: []string{"ARM_GRAPH_ENDPOINT"}, desc: "Override of the Microsoft Graph endpoint, without the version (`/v1.0` is appended). Its host is the only one Graph tokens are sent to."},
	{name: attrGraphAudience, envs: []string{"ARM_GRAPH_AUDIENCE"}, desc: "Override of the audience of Graph tokens (scope = audience + `/.default`)."},
	{name: attrResourceManagerEndpoint, envs: []string{"ARM_RESOURCE_MANAGER_ENDPOINT"}, desc: "Override of the Azure Resource Manager endpoint."},
	{name: attrResourceManagerAudience, envs: []string{"ARM_RESOURCE_MANAGER_AUDIENCE"}, desc: "Override of the audience of resource manager tokens, e.g. `https://management.core.windows.net/`."},
	{name: attrPrincipalNotFoundTimeout, envs: []string{"AKS_PRINCIPAL_NOT_FOUND_RETRY_TIMEOUT"}, kind: kindDuration, dflt: "5m", desc: "How long a role assignment keeps retrying `PrincipalNotFound` (a principal created moments ago and not yet replicated) before failing, as a duration such as `90s` or `5m`."},
	{name: attrConsistencyChecks, envs: []string{"AKS_CONSISTENCY_CHECKS"}, kind: kindInt, dflt: "1", desc: "How many consecutive successful reads prove that a write has replicated before the provider moves on (1: the first read that sees it; each extra read costs one request and `consistency_interval` per write)."},
	{name: attrConsistencyInterval, envs: []string{"AKS_CONSISTENCY_INTERVAL"}, kind: kindDuration, dflt: "2s", desc: "The pause between those reads, as a duration."},
	{name: attrConsistencyTimeout, envs: []string{"AKS_CONSISTENCY_TIMEOUT"}, kind: kindDuration, dflt: "10m", desc: "The longest wait for a write to replicate (the resource's own timeout still applies), as a duration."},
	{name: attrSharedReads, envs: []string{"AKS_SHARED_READS"}, kind: kindBool, dflt: "true", desc: "Let the reads of many resources share requests within one Terraform run: role bindings are answered from one list of the subscription's role assignments, clusters from one list of the subscription's clusters, and group reads are packed together into Graph `$batch` requests. A large configuration then stays within Azure's request budgets. Data is never older than the run that asked for it, a binding missing from the list is read on its own before it counts as deleted, and anything this run writes is read on its own. `false` reads each resource with its own requests (for comparison, and as a way out should sharing misbehave)."},
}

func settingByName(name string) setting {
	for _, s := range settings {
		if s.name == name {
			return s
		}
	}
	panic("provider: unknown setting " + name)
}

// markdown is the attribute's documentation, ending with its environment variables and default.
func (s setting) markdown() string {
	var b strings.Builder
	b.WriteString(s.desc)
	if len(s.envs) > 0 {
		vars := make([]string, len(s.envs))
		for i, e := range s.envs {
			vars[i] = "`" + e + "`"
		}
		fmt.Fprintf(&b, " Environment: %s.", strings.Join(vars, ", then "))
	}
	if s.dflt != "" {
		fmt.Fprintf(&b, " Default: `%s`.", s.dflt)
	}
	return b.String()
}

// names is "attribute (ENV_VAR)" for messages that tell the user where to change a value.
func (s setting) names() string {
	if len(s.envs) == 0 {
		return "`" + s.name + "`"
	}
	return "`" + s.name + "` (" + strings.Join(s.envs, " or ") + ")"
}
