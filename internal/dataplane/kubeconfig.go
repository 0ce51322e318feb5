package dataplane

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/rbac"
)

// FetchKubeconfig returns the user kubeconfig of a cluster as the client's principal gets it: ARM's
// listClusterUserCredential, which `az aks get-credentials` calls (it needs the Cluster User role).
func FetchKubeconfig(ctx context.Context, c *clients.Client, cluster rbac.ClusterID) ([]byte, error) {
	resp, err := c.ManagedClusters.ListClusterUserCredentials(ctx, cluster.ResourceGroup, cluster.Name, nil)
	if err != nil {
		return nil, err
	}
	if len(resp.Kubeconfigs) == 0 || resp.Kubeconfigs[0] == nil {
		return nil, errors.New("listClusterUserCredential answered no kubeconfig")
	}
	return resp.Kubeconfigs[0].Value, nil
}

// ROPCKubeconfig rewrites the kubelogin exec credential of an AKS kubeconfig for the resource owner
// password login (--login ropc; user name and password from the environment), against authorityHost
// without the public cloud's instance discovery when authorityHost is set (the emulator). The arguments
// are written directly: `kubelogin convert-kubeconfig -l ropc` drops --authority-host and
// --disable-instance-discovery.
func ROPCKubeconfig(kubeconfig []byte, authorityHost string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(kubeconfig, &doc); err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	if len(doc.Content) != 1 {
		return nil, errors.New("the kubeconfig is empty")
	}
	rewritten := 0
	for _, user := range seq(field(doc.Content[0], "users")) {
		args := field(field(field(user, "user"), "exec"), "args")
		if args == nil || args.Kind != yaml.SequenceNode {
			continue
		}
		var out []string
		for i := 0; i < len(args.Content); i++ {
			v := args.Content[i].Value
			switch {
			case (v == "--login" || v == "-l") && i+1 < len(args.Content):
				out = append(out, v, "ropc")
				i++
			case v == "--authority-host" || v == "--disable-instance-discovery":
				if v == "--authority-host" {
					i++
				}
			default:
				out = append(out, v)
			}
		}
		if authorityHost != "" {
			out = append(out, "--authority-host", authorityHost, "--disable-instance-discovery")
		}
		args.Content = nil
		for _, a := range out {
			args.Content = append(args.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: a})
		}
		rewritten++
	}
	if rewritten == 0 {
		return nil, errors.New("the kubeconfig has no exec credential to rewrite (is the cluster integrated with Entra ID?)")
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return out.Bytes(), enc.Close()
}

// field returns the value of key in a mapping node (nil when absent).
func field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func seq(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}
