package meshsim

import (
	"hash/fnv"
	"strconv"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// hashAlphabet is the alphabet of the suffix Kuma appends to synced names
// (Kubernetes' safe-encoding alphabet: no vowels, no look-alikes).
const hashAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// globalName is how the global CP names an object synced from a zone:
// <name>-<16 chars>, stable for a given zone, namespace and name.
func globalName(name, zone, namespace string) string {
	h := fnv.New64a()
	h.Write([]byte(zone + "/" + namespace + "/" + name))
	v := h.Sum64()
	suffix := make([]byte, 16)
	for i := range suffix {
		suffix[i] = hashAlphabet[v%uint64(len(hashAlphabet))]
		v = v/uint64(len(hashAlphabet)) ^ uint64(i)*0x9e3779b97f4a7c15
	}
	return name + "-" + string(suffix)
}

// GlobalName is the dataplane's name as the global CP lists it.
func (d *Dataplane) GlobalName() string { return globalName(d.Name, d.Zone, d.namespace()) }

// namespace is the Kubernetes namespace of the proxy's pod, "" outside Kubernetes.
func (d *Dataplane) namespace() string {
	if d.Service != nil {
		return d.Service.Namespace
	}
	return d.Gateway.Namespace
}

// env is the kuma.io/env label: services with a namespace come from Kubernetes.
func env(namespace string) string {
	if namespace != "" {
		return "kubernetes"
	}
	return "universal"
}

// zoneLabels are the labels a zone CP puts on what it syncs to global.
func zoneLabels(mesh, zone, display, namespace string) map[string]string {
	l := map[string]string{
		kuma.LabelDisplayName: display, "kuma.io/env": env(namespace), "kuma.io/mesh": mesh,
		kuma.LabelOrigin: "zone", kuma.LabelZone: zone,
	}
	if namespace != "" {
		l["k8s.kuma.io/namespace"] = namespace
	}
	return l
}

func portString(p int) string { return strconv.Itoa(p) }
