package meshsim

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// ProxyKind is the role of a dataplane.
type ProxyKind string

// Proxy kinds; they decide the CP shape (gateway type) and kuma_proxy_role.
const (
	KindSidecar          ProxyKind = "sidecar"
	KindGatewayBuiltin   ProxyKind = "gateway_builtin"
	KindGatewayDelegated ProxyKind = "gateway_delegated"
)

// Dataplane is one simulated proxy.
type Dataplane struct {
	// Name is the name the proxy has in its zone, which is what metrics carry; the
	// global CP lists it with a hash suffix (see GlobalName).
	Name    string
	Mesh    *Mesh
	Zone    string
	Kind    ProxyKind
	Service *Service // nil for gateways
	Gateway *Gateway // nil for sidecars
	Address string
	Online  bool

	outbound []outbound
	inbound  []load
}

// load is the part of an edge's traffic that one proxy carries.
type load struct {
	edge  *Edge
	proto Protocol
	share float64
}

// outbound is traffic a proxy sends through one Envoy cluster.
type outbound struct {
	cluster          string
	members, healthy int // endpoints behind the cluster
	load
}

// KumaService is the dataplane's kuma.io/service tag.
func (d *Dataplane) KumaService() string {
	if d.Gateway != nil {
		return d.Gateway.Name
	}
	return kumaService(d.Service.Name, d.Service.Namespace, d.Service.Port)
}

// Port is the inbound (or gateway listener) port.
func (d *Dataplane) Port() int {
	if d.Gateway != nil {
		return d.Gateway.Port
	}
	return d.Service.Port
}

// Protocol is the inbound protocol; gateways speak HTTP.
func (d *Dataplane) Protocol() Protocol {
	if d.Gateway != nil {
		return ProtocolHTTP
	}
	return d.Service.Protocol
}

// Model is a topology resolved into dataplanes and the traffic each one carries.
type Model struct {
	Topology   *Topology
	Dataplanes []*Dataplane
	// ZoneProxies are the zones' ingresses and egresses.
	ZoneProxies []*ZoneProxy
	meshes      map[string]*Mesh
	// zoneShares is, per edge, the share of its traffic from each source zone to each
	// destination zone ("" for external services).
	zoneShares map[*Edge]map[[2]string]float64
}

// newModel resolves t; t must be valid.
func newModel(t *Topology) *Model {
	m := &Model{Topology: t, meshes: map[string]*Mesh{}, zoneShares: map[*Edge]map[[2]string]float64{}}
	for i := range t.Meshes {
		m.meshes[t.Meshes[i].Name] = &t.Meshes[i]
	}
	for i := range t.Services {
		s := &t.Services[i]
		m.addProxies(s.Mesh, s.Instances, s.Offline, func(d *Dataplane, n int) {
			d.Kind, d.Service = KindSidecar, s
			d.Name = s.Name + "-" + strconv.Itoa(n)
			if s.Namespace != "" {
				d.Name += "." + s.Namespace
			}
		})
	}
	for i := range t.Gateways {
		g := &t.Gateways[i]
		m.addProxies(g.Mesh, g.Instances, nil, func(d *Dataplane, n int) {
			d.Kind, d.Gateway = KindGatewayDelegated, g
			if g.Type == GatewayBuiltin {
				d.Kind = KindGatewayBuiltin
			}
			d.Name = g.Name + "-" + strconv.Itoa(n)
			if g.Namespace != "" {
				d.Name += "." + g.Namespace
			}
		})
	}
	m.addZoneProxies()
	for i := range t.Edges {
		m.route(&t.Edges[i])
	}
	return m
}

// addProxies creates the dataplanes of one service or gateway, numbered from 1 across
// zones in zone order; the last `offline` ones of each zone are disconnected.
func (m *Model) addProxies(mesh string, instances, offline map[string]int, fill func(*Dataplane, int)) {
	n := 0
	for zi, zone := range m.Topology.Zones {
		for i := range instances[zone] {
			n++
			k := len(m.Dataplanes) + 1
			d := &Dataplane{
				Mesh: m.meshes[mesh], Zone: zone, Online: i < instances[zone]-offline[zone],
				Address: fmt.Sprintf("10.%d.%d.%d", zi+1, k>>8, k&0xff),
			}
			fill(d, n)
			m.Dataplanes = append(m.Dataplanes, d)
		}
	}
}

// proxiesOf lists the dataplanes of a service or gateway, optionally online only.
func (m *Model) proxiesOf(mesh, name string, onlineOnly bool) []*Dataplane {
	var out []*Dataplane
	for _, d := range m.Dataplanes {
		if d.Mesh.Name == mesh && (d.Service != nil && d.Service.Name == name || d.Gateway != nil && d.Gateway.Name == name) &&
			(d.Online || !onlineOnly) {
			out = append(out, d)
		}
	}
	return out
}

func (m *Model) service(mesh, name string) *Service {
	for i, s := range m.Topology.Services {
		if s.Mesh == mesh && s.Name == name {
			return &m.Topology.Services[i]
		}
	}
	return nil
}

func (m *Model) external(mesh, name string) *ExternalService {
	for i, e := range m.Topology.ExternalServices {
		if e.Mesh == mesh && e.Name == name {
			return &m.Topology.ExternalServices[i]
		}
	}
	return nil
}

// externals lists a mesh's external services of one kind.
func (m *Model) externals(mesh string, kind ExternalKind) []ExternalService {
	var out []ExternalService
	for _, e := range m.Topology.ExternalServices {
		if e.Mesh == mesh && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// route spreads an edge over its online sources and, per source, over destination
// zones: the source's own zone when the destination runs there, else every zone that
// has online destinations.
func (m *Model) route(e *Edge) {
	sources := m.proxiesOf(e.Mesh, e.From, true)
	regime := m.meshes[e.Mesh].Naming
	for _, src := range sources {
		share := 1 / float64(len(sources))
		if ext := m.external(e.Mesh, e.To); ext != nil {
			l := load{e, ext.Protocol, share}
			src.addOutbound(outbound{externalCluster(regime, ext), 1, 1, l})
			m.addZoneShare(e, src.Zone, "", share) // outside the mesh: in no zone
			if eg := m.zoneProxy(ZoneEgress, src.Zone); eg != nil && m.meshes[e.Mesh].ZoneEgress {
				eg.addUpstream(egressCluster(regime, ext), 1, 1, l)
			}
			continue
		}
		dst := m.service(e.Mesh, e.To)
		shares := m.destinationZones(e, dst, src.Zone)
		for _, zone := range slices.Sorted(maps.Keys(shares)) { // sorted: stable exposition
			zshare := shares[zone] * share
			m.addZoneShare(e, src.Zone, zone, zshare)
			var targets []*Dataplane
			members := 0
			for _, d := range m.proxiesOf(e.Mesh, dst.Name, false) {
				if d.Zone == zone && d.Online {
					targets = append(targets, d)
				}
				if d.Zone == zone {
					members++
				}
			}
			src.addOutbound(outbound{m.clusterFor(regime, e, dst, zone), members, len(targets), load{e, dst.Protocol, zshare}})
			for _, d := range targets {
				d.inbound = append(d.inbound, load{e, dst.Protocol, zshare / float64(len(targets))})
			}
			// Traffic to another zone enters it through that zone's ingress.
			if in := m.zoneProxy(ZoneIngress, zone); in != nil && zone != src.Zone && len(targets) > 0 {
				in.addUpstream(ingressCluster(regime, e.Mesh, dst, zone), members, len(targets), load{e, dst.Protocol, zshare})
			}
		}
	}
}

func (m *Model) clusterFor(r Regime, e *Edge, dst *Service, zone string) string {
	name := serviceCluster(r, e.Mesh, dst, zone)
	if e.Split && r == RegimeLegacy {
		return splitCluster(name, e.From+">"+e.To)
	}
	return name
}

// addZoneShare records the share of an edge's traffic that goes from one zone to another.
func (m *Model) addZoneShare(e *Edge, from, to string, share float64) {
	if m.zoneShares[e] == nil {
		m.zoneShares[e] = map[[2]string]float64{}
	}
	m.zoneShares[e][[2]string{from, to}] += share
}

// destinationZones maps the zones a source's calls go to to their shares: the edge's
// toZones, else evenly over Kuma's default choice (localZones).
func (m *Model) destinationZones(e *Edge, dst *Service, own string) map[string]float64 {
	if len(e.ToZones) > 0 {
		return e.ToZones
	}
	zones := m.localZones(dst, own)
	out := make(map[string]float64, len(zones))
	for _, z := range zones {
		out[z] = 1 / float64(len(zones))
	}
	return out
}

func (m *Model) localZones(dst *Service, own string) []string {
	var online, any []string
	for _, d := range m.proxiesOf(dst.Mesh, dst.Name, false) {
		if d.Online && !slices.Contains(online, d.Zone) {
			online = append(online, d.Zone)
		}
		if !slices.Contains(any, d.Zone) {
			any = append(any, d.Zone)
		}
	}
	switch {
	case slices.Contains(online, own):
		return []string{own}
	case len(online) > 0:
		return online
	case slices.Contains(any, own), len(any) == 0:
		return []string{own}
	}
	return any[:1]
}

// addOutbound merges traffic of the same edge that lands in one cluster (legacy names
// do not carry the zone).
func (d *Dataplane) addOutbound(o outbound) {
	for i := range d.outbound {
		if c := &d.outbound[i]; c.cluster == o.cluster {
			c.share += o.share
			c.members += o.members
			c.healthy += o.healthy
			return
		}
	}
	d.outbound = append(d.outbound, o)
}
