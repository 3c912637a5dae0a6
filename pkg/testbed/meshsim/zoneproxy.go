package meshsim

import (
	"fmt"
	"net/url"
)

// ZoneProxyKind tells a zone ingress from a zone egress; it is also the value of the
// proxy label their scrape job attaches.
type ZoneProxyKind string

// The two zone proxies.
const (
	ZoneIngress ZoneProxyKind = "ingress"
	ZoneEgress  ZoneProxyKind = "egress"
)

// JobZoneProxies is the scrape job of zone ingresses and egresses. Kuma's service
// discovery (MADS) lists dataplanes only, so they are scraped on their own, from
// Envoy's /stats/prometheus, as kumahq/kuma dashboards/grafana/README.md configures it:
// labels proxy (ingress|egress), pod, namespace and zone, no mesh (one zone proxy
// serves every mesh).
const JobZoneProxies = "kuma-zone-proxies"

// zoneProxyNamespace is where Kuma's Helm chart runs zone proxies.
const zoneProxyNamespace = "kuma-system"

// ZoneProxy is one zone ingress or egress. An ingress carries the traffic that other
// zones send to its zone's services; an egress the traffic its zone sends to external
// services, for meshes that route it through egresses (Mesh routing.zoneEgress).
type ZoneProxy struct {
	Kind    ZoneProxyKind
	Zone    string
	Name    string // the pod name
	Address string
	// upstream are its clusters: a zone's services (ingress) or external services (egress).
	upstream []*zoneCluster
}

// zoneCluster is one cluster of a zone proxy and the traffic of every edge through it.
type zoneCluster struct {
	name             string
	proto            Protocol
	members, healthy int
	loads            []load
}

// addZoneProxies gives every zone an ingress when there is more than one zone (only
// cross-zone traffic needs one) and an egress when a mesh routes external traffic
// through egresses.
func (m *Model) addZoneProxies() {
	egress := false
	for _, mesh := range m.meshes {
		egress = egress || mesh.ZoneEgress
	}
	for zi, zone := range m.Topology.Zones {
		if len(m.Topology.Zones) > 1 {
			m.ZoneProxies = append(m.ZoneProxies, &ZoneProxy{Kind: ZoneIngress, Zone: zone,
				Name: "kuma-ingress-" + zone, Address: fmt.Sprintf("10.%d.255.1", zi+1)})
		}
		if egress {
			m.ZoneProxies = append(m.ZoneProxies, &ZoneProxy{Kind: ZoneEgress, Zone: zone,
				Name: "kuma-egress-" + zone, Address: fmt.Sprintf("10.%d.255.2", zi+1)})
		}
	}
}

// zoneProxy is a zone's ingress or egress, nil when it has none.
func (m *Model) zoneProxy(kind ZoneProxyKind, zone string) *ZoneProxy {
	for _, z := range m.ZoneProxies {
		if z.Kind == kind && z.Zone == zone {
			return z
		}
	}
	return nil
}

// addUpstream adds a load to the cluster it lands in; the cluster's endpoints are
// counted once, since every source reaches the same ones.
func (z *ZoneProxy) addUpstream(cluster string, members, healthy int, l load) {
	for _, c := range z.upstream {
		if c.name == cluster {
			c.loads = append(c.loads, l)
			return
		}
	}
	z.upstream = append(z.upstream, &zoneCluster{name: cluster, proto: l.proto, members: members, healthy: healthy, loads: []load{l}})
}

// ingressCluster is the zone ingress's cluster for a service. Legacy names are
// envoy_names.GetMeshClusterName (kumahq/kuma pkg/xds/envoy/names): <mesh>:<service>,
// which Envoy's Prometheus output renders <mesh>_<service>; MeshService and KRI names
// already carry the mesh.
func ingressCluster(r Regime, mesh string, s *Service, zone string) string {
	if r == RegimeLegacy {
		return mesh + "_" + kumaService(s.Name, s.Namespace, s.Port)
	}
	return serviceCluster(r, mesh, s, zone)
}

// egressCluster is the zone egress's cluster for an external service: a legacy
// ExternalService is mesh-qualified the same way (GetMeshClusterName's comment names
// the egress as its reason), MeshExternalService names carry the mesh.
func egressCluster(r Regime, e *ExternalService) string {
	if r != RegimeUnified && e.Kind == ExternalLegacy {
		return e.Mesh + "_" + e.Name
	}
	return externalCluster(r, e)
}

// ingressListener is the address label of the ingress's one listener (Envoy renders
// 0.0.0.0:10001 as 0.0.0.0_10001); 10001 is Kuma's default ingress port.
const ingressListener = "0.0.0.0_10001"

// Metrics returns what the zone proxy's Envoy exposes T seconds after it started. The
// ingress passes mTLS through by SNI (a TCP proxy), so it counts connections and bytes,
// never requests; the egress terminates mTLS and routes HTTP external services, so it
// counts requests for them like a sidecar's outbound.
func (z *ZoneProxy) Metrics(t float64, common ...Label) *Families {
	f := NewFamilies(common...)
	f.Gauge("envoy_server_live", 1)
	f.Gauge("envoy_server_uptime", t)
	f.Gauge("envoy_server_memory_allocated", memoryAllocated)
	f.Gauge("envoy_server_memory_heap_size", memoryHeap)
	f.Gauge("envoy_control_plane_connected_state", 1)
	for _, c := range internalClusters(RegimeLegacy) {
		internalCluster(f, c, t, nil)
	}
	var all []load
	for _, c := range z.upstream {
		p := c.proto
		if z.Kind == ZoneIngress {
			p = ProtocolTCP
		}
		clusterMetrics(f, c.name, p, traffic{c.loads, t}, c.members, c.healthy, nil)
		all = append(all, c.loads...)
	}
	tr := traffic{all, t}
	l := Label{"envoy_listener_address", ingressListener}
	if z.Kind == ZoneEgress {
		l.Value = "0.0.0.0_10002"
	}
	f.Counter("envoy_listener_downstream_cx_total", tr.total((*Edge).cxRate), l)
	f.Gauge("envoy_listener_downstream_cx_active", tr.gauge((*Edge).cxActive), l)
	return f
}

// TargetLabels are the labels the kuma-zone-proxies scrape job attaches.
func (z *ZoneProxy) TargetLabels() []Label {
	return []Label{{"instance", z.Address + ":9902"}, {"proxy", string(z.Kind)}, {"pod", z.Name},
		{"namespace", zoneProxyNamespace}, {"zone", z.Zone}}
}

// zoneProxyTargets are the scrape targets of the zone proxies.
func (s *Sim) zoneProxyTargets() []Target {
	var out []Target
	for _, z := range s.model.ZoneProxies {
		out = append(out, Target{Job: JobZoneProxies, Path: pathZoneProxyMetrics + url.PathEscape(z.Name),
			Labels: z.TargetLabels(), metrics: z.Metrics, sim: s})
	}
	return out
}

// zoneProxyCounts counts the ZoneIngress and ZoneEgress resources a CP stores: the
// global CP all of them, a zone CP every ingress (it needs the other zones' to route
// across zones) and its own egresses.
func (s *Sim) zoneProxyCounts(zone string, counts map[string]int) {
	for _, z := range s.model.ZoneProxies {
		switch {
		case z.Kind == ZoneIngress:
			counts["ZoneIngress"]++
		case zone == "" || z.Zone == zone:
			counts["ZoneEgress"]++
		}
	}
}

// zoneProxyStreams is the number of zone proxies connected to a zone CP over ADS.
func (s *Sim) zoneProxyStreams(zone string) int {
	n := 0
	for _, z := range s.model.ZoneProxies {
		if z.Zone == zone {
			n++
		}
	}
	return n
}
