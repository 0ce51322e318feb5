package arm

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
)

// AKS's server application and the public client kubelogin signs in through, as the user kubeconfig of
// a cluster with AKS-managed Entra integration names them.
const (
	aksServerID = "6dae42f8-4368-4678-94ff-3960e28e3630"
	aksClientID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
)

// listCredential answers listClusterUserCredential and listClusterAdminCredential with the kubeconfig
// AKS returns: for a user of a cluster with Entra integration an exec credential that runs kubelogin in
// device-code mode; for the local admin account (or a cluster without Entra) a client certificate,
// refused when local accounts are disabled.
func (s *Store) listCredential(w http.ResponseWriter, r *http.Request, p router.Params) {
	admin := strings.HasSuffix(strings.ToLower(r.URL.Path), "listclusteradmincredential")
	action := "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"
	if admin {
		action = "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action"
	}
	c := s.lookupCluster(w, r, p, action)
	if c == nil {
		return
	}
	if format := r.URL.Query().Get("format"); format != "" && !strings.EqualFold(format, "exec") && !strings.EqualFold(format, "azure") {
		writeError(w, errorf(http.StatusBadRequest, "BadRequest", "format '%s' is not supported. Supported formats are 'azure' and 'exec'.", format))
		return
	}
	local := admin || !c.AADManaged
	if local && c.DisableLocalAccounts {
		writeError(w, errorf(http.StatusBadRequest, "BadRequest", "Getting static credential is not allowed because this cluster is set to disable local accounts."))
		return
	}
	s.mu.Lock()
	cl := *c
	id := s.clusterID(c)
	s.mu.Unlock()
	cfg, e := s.kubeconfig(cl, id, admin, local)
	if e != nil {
		writeError(w, e)
		return
	}
	name := "clusterUser"
	if admin {
		name = "clusterAdmin"
	}
	writeJSON(w, http.StatusOK, map[string]any{"kubeconfigs": []any{map[string]any{"name": name, "value": base64.StdEncoding.EncodeToString([]byte(cfg))}}})
}

// kubeconfig renders the kubeconfig of one credential. The server is the cluster's emulated API server
// on loopback; its certificate is issued for the cluster's FQDN, which tls-server-name names.
func (s *Store) kubeconfig(c Cluster, id string, admin, local bool) (string, *apiError) {
	server, caData, tlsName := "https://"+c.FQDN()+":443", "", ""
	var certPEM, keyPEM []byte
	if dp := s.currentDataPlane(); dp != nil {
		url, ca, err := dp.Endpoint(id)
		if err != nil {
			return "", errorf(http.StatusInternalServerError, "InternalOperationError", "Starting the API server of %s: %v", c.Name, err)
		}
		server, caData, tlsName = url, base64.StdEncoding.EncodeToString(ca), c.FQDN()
		if local {
			if certPEM, keyPEM, err = dp.AdminCredential(id); err != nil {
				return "", errorf(http.StatusInternalServerError, "InternalOperationError", "Issuing the admin credential of %s: %v", c.Name, err)
			}
		}
	}
	userName, context := "clusterUser_"+c.ResourceGroup+"_"+c.Name, c.Name
	if admin {
		userName, context = "clusterAdmin_"+c.ResourceGroup+"_"+c.Name, c.Name+"-admin"
	}
	var b strings.Builder
	b.WriteString("apiVersion: v1\nclusters:\n- cluster:\n")
	if caData != "" {
		fmt.Fprintf(&b, "    certificate-authority-data: %s\n", caData)
	}
	fmt.Fprintf(&b, "    server: %s\n", server)
	if tlsName != "" {
		fmt.Fprintf(&b, "    tls-server-name: %s\n", tlsName)
	}
	fmt.Fprintf(&b, "  name: %s\ncontexts:\n- context:\n    cluster: %s\n    user: %s\n  name: %s\ncurrent-context: %s\nkind: Config\npreferences: {}\nusers:\n- name: %s\n  user:\n",
		c.Name, c.Name, userName, context, context, userName)
	if local {
		fmt.Fprintf(&b, "    client-certificate-data: %s\n    client-key-data: %s\n",
			base64.StdEncoding.EncodeToString(certPEM), base64.StdEncoding.EncodeToString(keyPEM))
		return b.String(), nil
	}
	b.WriteString("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n")
	for _, a := range []string{"get-token", "--login", "devicecode", "--server-id", aksServerID, "--client-id", aksClientID,
		"--tenant-id", s.opt.TenantID, "--environment", "AzurePublicCloud"} {
		fmt.Fprintf(&b, "      - %s\n", a)
	}
	b.WriteString("      command: kubelogin\n      env: null\n      installHint: |2\n\n" +
		"        kubelogin is not installed which is required to connect to AAD enabled cluster.\n\n" +
		"        To learn more, please go to https://aka.ms/aks/kubelogin\n" +
		"      interactiveMode: IfAvailable\n      provideClusterInfo: false\n")
	return b.String(), nil
}
