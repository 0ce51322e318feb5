package kube

import (
	"fmt"
	"strconv"
	"time"
)

// column is a Table column definition (meta.k8s.io/v1 TableColumnDefinition).
type column struct {
	Name, Type, Format, Description string
	Priority                        int
}

// resource is a served resource: its discovery entry and how a Table shows its objects.
type resource struct {
	Name, Singular, Kind string
	Namespaced           bool
	ShortNames           []string
	Columns              []column
	Cells                func(o object, now time.Time) []any
}

var readVerbs = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}

// coreResources are the resources of /api/v1 this server serves, in discovery order.
var coreResources = []resource{
	{Name: "namespaces", Singular: "namespace", Kind: "Namespace", ShortNames: []string{"ns"},
		Columns: []column{nameColumn, {"Status", "string", "", "The status of the namespace", 0}, ageColumn},
		Cells: func(o object, now time.Time) []any {
			return []any{o.Name, str(o.Body, "status", "phase"), age(o.Created, now)}
		}},
	{Name: "nodes", Singular: "node", Kind: "Node", ShortNames: []string{"no"},
		Columns: []column{nameColumn, {"Status", "string", "", "The status of the node", 0}, {"Roles", "string", "", "The roles of the node", 0},
			ageColumn, {"Version", "string", "", "Kubelet Version reported by the node.", 0},
			{"Internal-IP", "string", "", "List of internal IPs for the node.", 1}, {"External-IP", "string", "", "List of external IPs for the node.", 1},
			{"OS-Image", "string", "", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1},
			{"Kernel-Version", "string", "", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1},
			{"Container-Runtime", "string", "", "Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1}},
		Cells: func(o object, now time.Time) []any {
			internal := "<none>"
			if addrs, ok := dig(o.Body, "status", "addresses").([]any); ok && len(addrs) > 0 {
				if first, ok := addrs[0].(map[string]any); ok {
					internal = str(first, "address")
				}
			}
			return []any{o.Name, "Ready", "<none>", age(o.Created, now), str(o.Body, "status", "nodeInfo", "kubeletVersion"), internal, "<none>",
				str(o.Body, "status", "nodeInfo", "osImage"), str(o.Body, "status", "nodeInfo", "kernelVersion"),
				str(o.Body, "status", "nodeInfo", "containerRuntimeVersion")}
		}},
	{Name: "pods", Singular: "pod", Kind: "Pod", Namespaced: true, ShortNames: []string{"po"},
		Columns: []column{nameColumn, {"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0},
			{"Status", "string", "", "The aggregate status of the containers in this pod.", 0},
			{"Restarts", "string", "", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", 0},
			ageColumn, {"IP", "string", "", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1},
			{"Node", "string", "", "NodeName is a request to schedule this pod onto a specific node.", 1},
			{"Nominated Node", "string", "", "nominatedNodeName is set only when this pod preempts other pods on the node.", 1},
			{"Readiness Gates", "string", "", "If specified, all readiness gates will be evaluated for pod readiness.", 1}},
		Cells: func(o object, now time.Time) []any {
			n := 0
			if cs, ok := dig(o.Body, "status", "containerStatuses").([]any); ok {
				n = len(cs)
			}
			return []any{o.Name, fmt.Sprintf("%d/%d", n, n), str(o.Body, "status", "phase"), "0", age(o.Created, now),
				str(o.Body, "status", "podIP"), str(o.Body, "spec", "nodeName"), "<none>", "<none>"}
		}},
	{Name: "secrets", Singular: "secret", Kind: "Secret", Namespaced: true,
		Columns: []column{nameColumn, {"Type", "string", "", "Used to facilitate programmatic handling of secret data.", 0},
			{"Data", "string", "", "Data contains the secret data.", 0}, ageColumn},
		Cells: func(o object, now time.Time) []any {
			d, _ := o.Body["data"].(map[string]string)
			return []any{o.Name, str(o.Body, "type"), strconv.Itoa(len(d)), age(o.Created, now)}
		}},
}

var (
	nameColumn = column{"Name", "string", "name", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", 0}
	ageColumn  = column{"Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", 0}
)

func coreResource(name string) (resource, bool) {
	for _, r := range coreResources {
		if r.Name == name {
			return r, true
		}
	}
	return resource{}, false
}

func dig(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

func str(m map[string]any, keys ...string) string {
	s, _ := dig(m, keys...).(string)
	return s
}

// age renders how long ago t was the way kubectl's AGE column does: seconds up to two minutes, then
// minutes (with seconds under ten minutes), hours (with minutes under eight hours), days (with hours
// under eight days), years.
func age(t, now time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		return "0s"
	}
	secs, mins, hours := int(d.Seconds()), int(d.Minutes()), int(d.Hours())
	both := func(a int, ua string, b int, ub string) string {
		if b == 0 {
			return strconv.Itoa(a) + ua
		}
		return strconv.Itoa(a) + ua + strconv.Itoa(b) + ub
	}
	switch {
	case secs < 120:
		return strconv.Itoa(secs) + "s"
	case mins < 10:
		return both(mins, "m", secs%60, "s")
	case mins < 180:
		return strconv.Itoa(mins) + "m"
	case hours < 8:
		return both(hours, "h", mins%60, "m")
	case hours < 48:
		return strconv.Itoa(hours) + "h"
	case hours < 24*8:
		return both(hours/24, "d", hours%24, "h")
	case hours < 24*365*2:
		return strconv.Itoa(hours/24) + "d"
	case hours < 24*365*8:
		return both(hours/24/365, "y", (hours/24)%365, "d")
	}
	return strconv.Itoa(hours/24/365) + "y"
}
