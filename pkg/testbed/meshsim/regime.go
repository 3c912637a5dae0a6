package meshsim

import (
	"fmt"
	"hash/fnv"
	"strconv"
)

// Regime is how a mesh's proxies name clusters and which labels their metrics carry.
type Regime string

// The three regimes seen in the field (testdata/envoy/README.md).
const (
	// RegimeLegacy: envoy_cluster_name is the destination's kuma.io/service; labels
	// come from the scrape (mesh, dataplane, kuma_io_service, kuma_io_zone).
	RegimeLegacy Regime = "legacy"
	// RegimeMeshService: legacy labels, MeshService clusters <mesh>_<name>_<ns>_<zone>_msvc_<port>.
	RegimeMeshService Regime = "msvc"
	// RegimeUnified: Kuma 3.0 KRI names (kri_msvc_...), labels mesh, zone,
	// kuma_workload and kuma_proxy_role from kuma-dp.
	RegimeUnified Regime = "unified"
)

// Regimes lists every regime, for table tests.
var Regimes = []Regime{RegimeLegacy, RegimeMeshService, RegimeUnified}

func (r Regime) valid() error {
	switch r {
	case RegimeLegacy, RegimeMeshService, RegimeUnified:
		return nil
	}
	return fmt.Errorf("naming regime %q: want legacy, msvc or unified", r)
}

// kumaService is the kuma.io/service tag Kuma derives for a service: on Kubernetes
// <name>_<namespace>_svc_<port>, in universal mode the name itself.
func kumaService(name, namespace string, port int) string {
	if namespace == "" {
		return name
	}
	return name + "_" + namespace + "_svc_" + strconv.Itoa(port)
}

// serviceCluster is the Envoy cluster (stat) name of an outbound to a service in zone.
func serviceCluster(r Regime, mesh string, s *Service, zone string) string {
	switch r {
	case RegimeMeshService:
		return mesh + "_" + s.Name + "_" + s.Namespace + "_" + zone + "_msvc_" + strconv.Itoa(s.Port)
	case RegimeUnified:
		return kri("msvc", mesh, zone, s.Namespace, s.Name, strconv.Itoa(s.Port))
	}
	return kumaService(s.Name, s.Namespace, s.Port)
}

// externalCluster is the cluster name of an outbound to an external service. A legacy
// ExternalService keeps its kuma.io/service name until 3.0 removed the type.
func externalCluster(r Regime, e *ExternalService) string {
	port := strconv.Itoa(e.Port)
	switch {
	case r == RegimeUnified:
		return kri("extsvc", e.Mesh, "", "", e.Name, port)
	case e.Kind == ExternalLegacy:
		return e.Name
	}
	return e.Mesh + "_" + e.Name + "___extsvc_" + port
}

// kri formats a Kuma resource identifier: kri_<type>_<mesh>_<zone>_<ns>_<name>_<section>.
func kri(typ, mesh, zone, ns, name, section string) string {
	return "kri_" + typ + "_" + mesh + "_" + zone + "_" + ns + "_" + name + "_" + section
}

// splitCluster is the un-merged cluster Envoy reports for a traffic split,
// <service>-<16 hex>; the hash only has to be stable.
func splitCluster(service, salt string) string {
	h := fnv.New64a()
	h.Write([]byte(salt))
	return fmt.Sprintf("%s-%016x", service, h.Sum64())
}

// inboundName is the stat prefix of a dataplane's inbound listener and cluster.
func inboundName(r Regime, port int) string {
	if r == RegimeUnified {
		return "self_inbound_dp_" + strconv.Itoa(port)
	}
	return "localhost_" + strconv.Itoa(port)
}

// internalClusters are the clusters a dashboard must filter out; their traffic is
// real but not mesh traffic.
func internalClusters(r Regime) []string {
	if r == RegimeUnified {
		return []string{"ads_cluster", "system_envoy_admin", "system_probe_readiness",
			"system_meshmetric_prometheus_default-backend",
			"self_transparentproxy_passthrough_outbound_ipv4", "self_transparentproxy_passthrough_inbound_ipv4"}
	}
	return []string{"ads_cluster", "access_log_sink", "kuma_envoy_admin",
		"inbound_passthrough_ipv4", "outbound_passthrough_ipv4"}
}

// meshTrafficLabel is kuma-dp's merge marker: legacy regimes label every cluster but
// ads_cluster, access_log_sink and the admin cluster with kuma_io_mesh_traffic="true".
func meshTrafficLabel(r Regime, cluster string) []Label {
	switch {
	case r == RegimeUnified, cluster == "ads_cluster", cluster == "access_log_sink", cluster == "kuma_envoy_admin":
		return nil
	}
	return []Label{{"kuma_io_mesh_traffic", "true"}}
}
