package emulator

import (
	"strings"
)

// Env returns the env-file variables in order: what a pipeline exports for a real tenant (so the provider
// reaches the emulator through its ordinary configuration), then the emulator's fixtures.
func (s *Server) Env() []EnvVar {
	f := s.fixtures
	return []EnvVar{
		{"ARM_TENANT_ID", f.TenantID},
		{"ARM_SUBSCRIPTION_ID", f.SubscriptionID},
		{"ARM_CLIENT_ID", f.AdminClientID},
		{"ARM_CLIENT_SECRET", f.AdminClientSecret},
		{"ARM_AUTHORITY_HOST", s.url + "/"},
		{"ARM_GRAPH_ENDPOINT", s.url},
		{"ARM_GRAPH_AUDIENCE", "https://graph.microsoft.com"},
		{"ARM_RESOURCE_MANAGER_ENDPOINT", s.url},
		{"ARM_RESOURCE_MANAGER_AUDIENCE", "https://management.core.windows.net/"},
		{"ARM_USE_CLI", "false"},
		{"SSL_CERT_FILE", s.caFile},
		{"AZEMU_URL", s.url},
		{"AZEMU_CLUSTER_ID", f.ClusterID},
		{"AZEMU_RESOURCE_GROUP", f.ResourceGroup},
		{"AZEMU_NODE_RESOURCE_GROUP", f.NodeResourceGroup},
		{"AZEMU_USER_N01_ID", f.N01.ID},
		{"AZEMU_USER_N01_UPN", f.N01.UPN},
		{"AZEMU_USER_N01_PASSWORD", f.N01.Password},
		{"AZEMU_USER_P01_ID", f.P01.ID},
		{"AZEMU_USER_P01_UPN", f.P01.UPN},
		{"AZEMU_USER_P01_PASSWORD", f.P01.Password},
		{"AZEMU_PUBLIC_CLIENT_ID", f.PublicClientID},
		{"AZEMU_ADMIN_OBJECT_ID", f.AdminObjectID},
		{"AZEMU_SSH_KNOWN_HOSTS", s.knownHosts},
		{"AZEMU_SSH_NODES", s.sshNodesVar()},
		{EnvVariants, s.variants.String()},
	}
}

// WriteEnvFile writes `export NAME=value` lines for Env to path (mode 0600: it holds a client secret).
func (s *Server) WriteEnvFile(path string) error {
	var b strings.Builder
	for _, v := range s.Env() {
		b.WriteString("export " + v.Name + "=" + shellQuote(v.Value) + "\n")
	}
	return writeFileAtomic(path, ".azemu-env-*", []byte(b.String()))
}

// shellQuote leaves plain values bare and single-quotes anything a shell would interpret.
func shellQuote(v string) string {
	safe := v != ""
	for _, c := range v {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && !strings.ContainsRune("-_./:@%+=,", c) {
			safe = false
			break
		}
	}
	if safe {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
