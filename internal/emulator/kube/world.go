package kube

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/google/uuid"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
)

// object is one stored Kubernetes object: its full JSON (without kind and apiVersion, which the
// resource adds) and when it was created.
type object struct {
	Namespace, Name string
	Created         time.Time
	Body            map[string]any
}

// world is what a cluster holds: objects by resource (namespaces, nodes, pods, secrets), read-only.
type world struct {
	objects map[string][]object
}

// suffix draws a deterministic name suffix of n characters from the alphabet Kubernetes uses for
// generated names, so a cluster's pods keep their names across runs.
func suffix(seed string, n int) string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	h := fnv.New64a()
	_, _ = h.Write([]byte(seed))
	v := h.Sum64()
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[v%uint64(len(alphabet))]
		v /= uint64(len(alphabet))
		if v == 0 {
			v = h.Sum64() + uint64(i)*7919
		}
	}
	return string(b)
}

func meta(namespace, name string, created time.Time, seed string, labels map[string]string) map[string]any {
	m := map[string]any{
		"name": name, "uid": uidOf(seed + "/" + namespace + "/" + name), "resourceVersion": "1042",
		"creationTimestamp": created.UTC().Format(time.RFC3339),
	}
	if namespace != "" {
		m["namespace"] = namespace
	}
	if len(labels) > 0 {
		m["labels"] = labels
	}
	return m
}

func uidOf(s string) string { return uuid.NewSHA1(uuid.NameSpaceOID, []byte(s)).String() }

// seedWorld fills a cluster as AKS creates it: the four standard namespaces, one node per scale set
// instance of each pool, the kube-system pods of an AKS cluster and the secrets kube-system holds.
func seedWorld(c arm.Cluster, nodes []arm.Node, now time.Time) *world {
	created := now.Add(-26 * time.Hour).Truncate(time.Second)
	seed := c.ResourceGroup + "/" + c.Name
	w := &world{objects: map[string][]object{}}
	add := func(res string, o object) { w.objects[res] = append(w.objects[res], o) }

	for _, ns := range []string{"default", "kube-node-lease", "kube-public", "kube-system"} {
		add("namespaces", object{Name: ns, Created: created, Body: map[string]any{
			"metadata": meta("", ns, created, seed, map[string]string{"kubernetes.io/metadata.name": ns}),
			"spec":     map[string]any{"finalizers": []string{"kubernetes"}}, "status": map[string]any{"phase": "Active"},
		}})
	}
	for i, n := range nodes {
		add("nodes", object{Name: n.Name, Created: created, Body: nodeBody(c, n, i, nodeIP(nodes, n), created, seed)})
	}
	var system []arm.Node
	for _, n := range nodes {
		if n.Mode == "System" {
			system = append(system, n)
		}
	}
	if len(system) == 0 {
		system = nodes
	}
	podAt := created.Add(2 * time.Minute)
	podN := 0
	addPod := func(name, app, image string, containers int, n arm.Node, hostNetwork bool) {
		podN++
		ip := fmt.Sprintf("10.244.%d.%d", podN%len(nodes), 10+podN)
		if hostNetwork {
			ip = nodeIP(nodes, n)
		}
		add("pods", object{Namespace: "kube-system", Name: name, Created: podAt, Body: podBody(name, app, image, containers, n, ip, nodeIP(nodes, n), podAt, seed)})
	}
	if len(nodes) > 0 {
		for _, d := range []struct {
			name, app, image     string
			replicas, containers int
		}{
			{"coredns", "kube-dns", "mcr.microsoft.com/oss/v2/kubernetes/coredns:v1.11.3-8", 2, 1},
			{"coredns-autoscaler", "coredns-autoscaler", "mcr.microsoft.com/oss/v2/kubernetes/autoscaler/cluster-proportional-autoscaler:v1.9.0-1", 1, 1},
			{"konnectivity-agent", "konnectivity-agent", "mcr.microsoft.com/oss/v2/kubernetes/apiserver-network-proxy/agent:v0.30.3-hotfix.20240819", 2, 1},
			{"metrics-server", "metrics-server", "mcr.microsoft.com/oss/v2/kubernetes/metrics-server:v0.7.2-1", 2, 2},
		} {
			rs := suffix(seed+d.name, 10)
			for r := 0; r < d.replicas; r++ {
				addPod(d.name+"-"+rs+"-"+suffix(fmt.Sprintf("%s%s%d", seed, d.name, r), 5), d.app, d.image, d.containers, system[r%len(system)], false)
			}
		}
		for _, n := range nodes {
			addPod("kube-proxy-"+suffix(seed+n.Name, 5), "kube-proxy", "mcr.microsoft.com/oss/kubernetes/kube-proxy:v"+c.KubernetesVersion, 1, n, true)
		}
	}

	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tokenID := suffix(seed+"bootstrap", 6)
	for _, s := range []struct {
		name, typ string
		data      map[string]string
	}{
		{"bootstrap-token-" + tokenID, "bootstrap.kubernetes.io/token", map[string]string{
			"auth-extra-groups": b64("system:bootstrappers:aks"), "expiration": b64(created.Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)),
			"token-id": b64(tokenID), "token-secret": b64(suffix(seed+"secret", 16)),
			"usage-bootstrap-authentication": b64("true"), "usage-bootstrap-signing": b64("true"),
		}},
		{"konnectivity-certs", "Opaque", map[string]string{"ca.crt": b64("-----BEGIN CERTIFICATE-----"), "client.crt": b64("-----BEGIN CERTIFICATE-----"), "client.key": b64("-----BEGIN RSA PRIVATE KEY-----")}},
	} {
		add("secrets", object{Namespace: "kube-system", Name: s.name, Created: created, Body: map[string]any{
			"metadata": meta("kube-system", s.name, created, seed, nil), "type": s.typ, "data": s.data,
		}})
	}
	return w
}

// nodeIP is a node's address on the AKS node subnet (10.224.0.0/16, from .4 as Azure subnets start).
func nodeIP(nodes []arm.Node, n arm.Node) string {
	i := 0
	for i < len(nodes) && nodes[i].Name != n.Name {
		i++
	}
	return fmt.Sprintf("10.224.%d.%d", (i+4)/256, (i+4)%256)
}

func nodeBody(c arm.Cluster, n arm.Node, i int, ip string, created time.Time, seed string) map[string]any {
	mode := "system"
	if n.Mode == "User" {
		mode = "user"
	}
	at := created.UTC().Format(time.RFC3339)
	return map[string]any{
		"metadata": meta("", n.Name, created, seed, map[string]string{
			"agentpool": n.Pool, "kubernetes.azure.com/agentpool": n.Pool, "kubernetes.azure.com/mode": mode,
			"kubernetes.azure.com/cluster": c.NodeResourceGroup, "kubernetes.io/hostname": n.Name, "kubernetes.io/os": "linux",
			"kubernetes.io/arch": "amd64", "kubernetes.io/role": "agent", "node.kubernetes.io/instance-type": n.VMSize,
			"topology.kubernetes.io/region": c.Location,
		}),
		"spec": map[string]any{"providerID": "azure://" + n.ID, "podCIDR": fmt.Sprintf("10.244.%d.0/24", i)},
		"status": map[string]any{
			"addresses": []any{map[string]any{"type": "InternalIP", "address": ip}, map[string]any{"type": "Hostname", "address": n.Name}},
			"conditions": []any{map[string]any{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
				"lastHeartbeatTime": at, "lastTransitionTime": at}},
			"nodeInfo": map[string]any{
				"kubeletVersion": "v" + c.KubernetesVersion, "kubeProxyVersion": "v" + c.KubernetesVersion, "osImage": "Ubuntu 22.04.5 LTS",
				"kernelVersion": "5.15.0-1079-azure", "containerRuntimeVersion": "containerd://1.7.25-1", "operatingSystem": "linux", "architecture": "amd64",
			},
		},
	}
}

func podBody(name, app, image string, containers int, n arm.Node, ip, hostIP string, at time.Time, seed string) map[string]any {
	var specs, statuses []any
	for i := 0; i < containers; i++ {
		cname := app
		if i > 0 {
			cname = app + "-vpa"
		}
		specs = append(specs, map[string]any{"name": cname, "image": image})
		statuses = append(statuses, map[string]any{"name": cname, "image": image, "ready": true, "started": true, "restartCount": 0,
			"state": map[string]any{"running": map[string]any{"startedAt": at.UTC().Format(time.RFC3339)}}})
	}
	return map[string]any{
		"metadata": meta("kube-system", name, at, seed, map[string]string{"k8s-app": app}),
		"spec":     map[string]any{"nodeName": n.Name, "containers": specs, "priorityClassName": "system-node-critical"},
		"status": map[string]any{
			"phase": "Running", "podIP": ip, "hostIP": hostIP, "startTime": at.UTC().Format(time.RFC3339), "qosClass": "Burstable",
			"conditions":        []any{map[string]any{"type": "Ready", "status": "True"}, map[string]any{"type": "ContainersReady", "status": "True"}},
			"containerStatuses": statuses,
		},
	}
}
