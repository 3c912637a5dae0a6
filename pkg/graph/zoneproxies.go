package graph

import (
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// The zone proxies, drawn with Options.ShowZoneProxies.
const (
	// KindZoneIngress is a zone's ingress: what other zones send to the
	// zone's services passes it.
	KindZoneIngress Kind = "zone_ingress"
	// KindZoneEgress is a zone's egress: what the zone sends to external
	// services (and to other zones, where the mesh routes it so) passes it.
	KindZoneEgress Kind = "zone_egress"
)

// IsZoneProxy reports a zone ingress or egress: a proxy of Kuma's that reports its
// own traffic, though no service of the CP.
func (k Kind) IsZoneProxy() bool { return k == KindZoneIngress || k == KindZoneEgress }

// zoneProxyKinds maps the proxy label of Kuma's kuma-zone-proxies scrape job
// to the node kind, and zoneProxyNames the kind to the node's name.
var (
	zoneProxyKinds = map[string]Kind{sample.ZoneIngress: KindZoneIngress, sample.ZoneEgress: KindZoneEgress}
	zoneProxyNames = map[Kind]string{KindZoneIngress: "zone-ingress", KindZoneEgress: "zone-egress"}
)

// zoneProxyKey is one zone's ingress or egress.
type zoneProxyKey struct {
	kind Kind
	zone string
}

// zoneProxy is the node of a zone proxy and the destinations it has clusters for.
type zoneProxy struct {
	node    *Node
	carries map[*Node]bool
}

// addZoneProxies makes a node of every zone proxy that reported a destination
// of the map, then its edges. The hops of the sidecars' edges are decided
// from what the zone proxies carry, so this runs before the sidecars' samples.
func (b *builder) addZoneProxies(samples []sample.Sample) {
	for i := range samples {
		if zp, dst, ok := b.zoneProxySample(&samples[i]); ok {
			zp.carries[dst.node] = true
		}
	}
	for i := range samples {
		smp := &samples[i]
		zp, dst, ok := b.zoneProxySample(smp)
		if !ok {
			continue
		}
		zone := zp.node.Zone
		next := dst.node
		if zp.node.Kind == KindZoneEgress {
			next = b.hop(KindZoneIngress, zone, dst)
		}
		if next == zp.node {
			continue // a destination resolved to the zone proxy's own node: no self-loop
		}
		// A zone proxy does not know which zone its traffic came from: the zone
		// filter selects its hops by their nodes only.
		e := b.edge(zp.node, next)
		b.addZones(e, zone, dst.placement)
		e.Stats.addSample(smp)
	}
}

// zoneProxySample resolves a zone proxy's sample to its proxy and destination.
func (b *builder) zoneProxySample(smp *sample.Sample) (*zoneProxy, target, bool) {
	kind, ok := zoneProxyKinds[smp.Proxy.ZoneProxy]
	if !ok || smp.Proxy.Zone == "" {
		return nil, target{}, false
	}
	dst, ok := b.destination(naming.ZoneProxyCluster(smp.Proxy.Mesh, smp.Cluster))
	if !ok {
		return nil, target{}, false
	}
	key := zoneProxyKey{kind, smp.Proxy.Zone}
	zp, ok := b.zoneProxies[key]
	if !ok {
		id := nodeID(zoneProxyNames[kind], key.zone)
		if _, taken := b.nodes[id]; taken {
			return nil, target{}, false // a service of that name: its node is not a zone proxy's
		}
		n := &Node{ID: id, Name: zoneProxyNames[kind], Zone: key.zone, Info: Info{Kind: kind, Zones: []string{key.zone}}}
		b.nodes[id] = n
		zp = &zoneProxy{node: n, carries: map[*Node]bool{}}
		b.zoneProxies[key] = zp
	}
	return zp, dst, true
}

// hop is where traffic from a proxy in zone to dst goes first: with first
// KindZoneEgress (a sidecar's traffic), its zone's egress when that has a
// cluster for dst; else (or with first KindZoneIngress, the egress' traffic)
// the ingress of dst's zone when dst is known to be in another zone and that
// ingress has a cluster for it, else dst itself. A legacy name of a service
// in several zones tells no zone, so its traffic is drawn straight to it.
func (b *builder) hop(first Kind, zone string, dst target) *Node {
	if first == KindZoneEgress {
		if zp := b.zoneProxies[zoneProxyKey{KindZoneEgress, zone}]; zp != nil && zp.carries[dst.node] {
			return zp.node
		}
	}
	if dst.zone != "" && dst.zone != zone {
		if zp := b.zoneProxies[zoneProxyKey{KindZoneIngress, dst.zone}]; zp != nil && zp.carries[dst.node] {
			return zp.node
		}
	}
	return dst.node
}
