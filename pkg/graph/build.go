package graph

import (
	"cmp"
	"slices"
	"strings"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// Build joins topology and samples into a graph.
//
// Every CP service becomes a node; destinations seen only in metrics become
// nodes marked unknown to the CP; internal clusters never do. Edges come
// from the callers' upstream stats, so traffic from outside the mesh shows
// only in node stats (inbound stats of gateways and services).
func Build(topo Topology, set sample.Set, opts Options) Graph {
	b := newBuilder(set, opts)
	for _, svc := range topo.Services {
		b.addService(svc)
	}
	for _, smp := range set.Samples {
		b.addSample(smp)
	}
	g := Graph{Regime: set.Regime, Window: set.Window, Notices: slices.Clone(set.Notices)}
	nodes, edges := b.nodeStats(), b.edges
	nodes, edges = filter(nodes, edges, opts)
	maxNodes := opts.MaxNodes
	if maxNodes <= 0 {
		maxNodes = DefaultMaxNodes
	}
	nodes, edges, notice := fold(nodes, edges, maxNodes)
	if notice != nil {
		g.Notices = append(g.Notices, *notice)
	}
	for _, n := range nodes {
		n.Stats.finish(set.Window)
		g.Nodes = append(g.Nodes, *n)
	}
	for _, e := range edges {
		e.Stats.finish(set.Window)
		g.Edges = append(g.Edges, *e)
	}
	slices.SortFunc(g.Nodes, func(a, b Node) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(g.Edges, func(a, b Edge) int { return strings.Compare(a.ID, b.ID) })
	return g
}

type builder struct {
	opts   Options
	regime naming.Regime
	nodes  map[string]*Node
	edges  map[string]*Edge
	// inbound holds what a node's own proxies received, by node ID.
	inbound map[string]*Stats
	// workloads maps a kuma.io/workload value to the service selecting it.
	workloads map[string]string
	// Name resolution runs regexes; samples repeat the same few thousand
	// proxies and clusters, so resolved nodes are remembered (nil: no node).
	sources  map[sample.Proxy]*Node
	clusters map[string]*Node
	// edgesByEnds indexes edges without building an ID string per sample.
	edgesByEnds map[[2]*Node]*Edge
	// zoned maps a name to its CP node's ID when groupByZone put the CP service in
	// exactly one zone ("" when the name has nodes in several zones).
	zoned map[string]string
}

func newBuilder(set sample.Set, opts Options) *builder {
	return &builder{
		opts:      opts,
		regime:    set.Regime,
		nodes:     map[string]*Node{},
		edges:     map[string]*Edge{},
		inbound:   map[string]*Stats{},
		workloads: map[string]string{},
		sources:   map[sample.Proxy]*Node{},
		clusters:  map[string]*Node{},
		zoned:     map[string]string{},

		edgesByEnds: map[[2]*Node]*Edge{},
	}
}

func nodeID(name, zone string) string {
	if zone == "" {
		return name
	}
	return name + "@" + zone
}

func edgeID(source, target string) string { return source + "->" + target }

func (b *builder) addService(svc Service) {
	if svc.Name == "" {
		return
	}
	name := b.opts.Normaliser.Service(naming.ServiceKey(svc.Name, svc.Namespace))
	if w := svc.Selector[WorkloadLabel]; w != "" {
		b.workloads[w] = name
	}
	zone := ""
	if b.opts.GroupByZone && len(svc.Zones) == 1 {
		zone = svc.Zones[0]
	}
	id := nodeID(name, zone)
	if zone != "" {
		if prev, ok := b.zoned[name]; ok && prev != id {
			b.zoned[name] = ""
		} else {
			b.zoned[name] = id
		}
	}
	n, ok := b.nodes[id]
	if !ok {
		info := svc.Info
		info.Zones = addZones(nil, svc.Zones...)
		b.nodes[id] = &Node{ID: id, Name: name, Zone: zone, Namespace: svc.Namespace, Info: info, KnownToCP: true}
		return
	}
	n.Status = n.Status.combine(svc.Status)
	n.MTLS = n.MTLS && svc.MTLS
	n.Protocol = cmp.Or(n.Protocol, svc.Protocol)
	n.Dataplanes = n.Dataplanes.add(svc.Dataplanes)
	n.Zones = addZones(n.Zones, svc.Zones...)
}

// node finds or creates the node for name in zone. A service the CP knows
// only as one node for all its zones absorbs per-zone occurrences.
func (b *builder) node(name, zone string, kind Kind) *Node {
	if !b.opts.GroupByZone {
		zone = ""
	}
	if n, ok := b.nodes[nodeID(name, zone)]; ok {
		return n
	}
	if n, ok := b.nodes[name]; ok && n.KnownToCP {
		return n
	}
	// A legacy cluster name carries no zone: its traffic goes to the CP's node of
	// that name when the CP knows the service in one zone only.
	if id := b.zoned[name]; zone == "" && id != "" {
		return b.nodes[id]
	}
	n := &Node{ID: nodeID(name, zone), Name: name, Zone: zone, Info: Info{Kind: kind}}
	b.nodes[n.ID] = n
	return n
}

// source resolves the proxy that reported a sample to its node. Proxies
// without a source label (zone proxies, unlabelled scrapes) have none.
func (b *builder) source(p sample.Proxy) (*Node, bool) {
	n, seen := b.sources[p]
	if !seen {
		n = b.resolveSource(p)
		b.sources[p] = n
	}
	return n, n != nil
}

func (b *builder) resolveSource(p sample.Proxy) *Node {
	if p.Source == "" {
		return nil
	}
	kind, name := KindInternal, b.opts.Normaliser.Service(p.Source)
	// Only MeshService selectors fill workloads, so this is a no-op for
	// legacy names; a unified source nobody selects stays a workload.
	if svc, ok := b.workloads[p.Source]; ok {
		name = svc
	} else if b.regime == naming.RegimeUnified {
		kind = KindWorkload
	}
	if p.Gateway {
		kind = KindGateway
	}
	n := b.node(name, p.Zone, kind)
	if p.Gateway && !n.KnownToCP {
		n.Kind = KindGateway
	}
	n.Zones = addZones(n.Zones, p.Zone)
	return n
}

var destinationKinds = map[naming.DestinationKind]Kind{
	naming.DestinationService:     KindInternal,
	naming.DestinationMeshService: KindInternal,
	naming.DestinationMultiZone:   KindMultiZone,
	naming.DestinationExternal:    KindExternal,
}

func (b *builder) destination(cluster string) (*Node, bool) {
	n, seen := b.clusters[cluster]
	if !seen {
		n = b.resolveDestination(cluster)
		b.clusters[cluster] = n
	}
	return n, n != nil
}

func (b *builder) resolveDestination(cluster string) *Node {
	d, ok := naming.ParseCluster(cluster)
	if !ok {
		return nil
	}
	n := b.node(b.opts.Normaliser.Service(d.ServiceName()), d.Zone, destinationKinds[d.Kind])
	n.Zones = addZones(n.Zones, d.Zone)
	return n
}

func (b *builder) addSample(smp sample.Sample) {
	src, ok := b.source(smp.Proxy)
	if !ok {
		return
	}
	if smp.Kind == sample.InboundRequests {
		b.addInbound(src, smp)
		return
	}
	dst, ok := b.destination(smp.Cluster)
	// A service calling itself (or a rollup merging two of its ports) would
	// be a self-loop the node graph cannot draw; its traffic is not an edge.
	if !ok || dst == src {
		return
	}
	e, ok := b.edgesByEnds[[2]*Node{src, dst}]
	if !ok {
		e = &Edge{ID: edgeID(src.ID, dst.ID), Source: src.ID, Target: dst.ID}
		b.edges[e.ID] = e
		b.edgesByEnds[[2]*Node{src, dst}] = e
	}
	e.Stats.addSample(smp)
}

// addInbound counts requests a proxy received on its inbound listeners
// (gateways: any listener but the proxy's own admin and metrics ones), so
// that traffic from outside the mesh shows.
func (b *builder) addInbound(n *Node, smp sample.Sample) {
	gatewayListener := smp.Proxy.Gateway && !naming.IsInternalCluster(smp.Cluster)
	if !gatewayListener && !naming.IsInboundStatPrefix(smp.Cluster) {
		return
	}
	s, ok := b.inbound[n.ID]
	if !ok {
		s = &Stats{}
		b.inbound[n.ID] = s
	}
	s.addSample(smp)
}

// nodeStats fills each node's Stats from its incoming edges, with request
// counts from its own inbound stats where the proxies report them.
func (b *builder) nodeStats() map[string]*Node {
	for _, e := range b.edges {
		b.nodes[e.Target].Stats.add(e.Stats)
	}
	for id, in := range b.inbound {
		b.nodes[id].Stats.Requests = in.Requests
	}
	return b.nodes
}

func addZones(zones []string, more ...string) []string {
	for _, z := range more {
		if z != "" && !slices.Contains(zones, z) {
			zones = append(zones, z)
		}
	}
	slices.Sort(zones)
	return zones
}
