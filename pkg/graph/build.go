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
	b := newBuilder(topo, set, opts)
	for _, svc := range topo.Services {
		b.addService(svc)
	}
	if opts.ShowZoneProxies {
		b.addZoneProxies(set.Samples)
	}
	for i := range set.Samples {
		b.addSample(&set.Samples[i])
	}
	g := Graph{Regime: set.Regime, Window: set.Window, Notices: slices.Clone(set.Notices)}
	g.Notices = append(g.Notices, b.zones.notices()...)
	edges := b.edgesByID()
	nodes, edges, notice := focus(b.nodeStats(edges), edges, opts)
	if notice != nil {
		g.Notices = append(g.Notices, *notice)
	}
	nodes, edges = filter(nodes, edges, opts)
	if notice := unknownZoneNotice(nodes); notice != nil {
		g.Notices = append(g.Notices, *notice)
	}
	maxNodes := opts.MaxNodes
	if maxNodes <= 0 {
		maxNodes = DefaultMaxNodes
	}
	nodes, edges, notice = fold(nodes, edges, maxNodes)
	if notice != nil {
		g.Notices = append(g.Notices, *notice)
	}
	g.Nodes = sortedByID(nodes, func(n *Node) string { return n.ID })
	for i := range g.Nodes {
		g.Nodes[i].Stats.finish(set.Window)
	}
	g.Edges = sortedByID(edges, func(e *Edge) string { return e.ID })
	for i := range g.Edges {
		g.Edges[i].Stats.finish(set.Window)
	}
	if notice := splitBucketsNotice(g.Edges); notice != nil {
		g.Notices = append(g.Notices, *notice)
	}
	return g
}

// sortedByID copies the values of byID sorted by their IDs (unique: the map's keys).
// The pointers are sorted, not the values: a Node or an Edge is a few hundred bytes.
func sortedByID[T any](byID map[string]*T, id func(*T) string) []T {
	if len(byID) == 0 {
		return nil
	}
	ptrs := make([]*T, 0, len(byID))
	for _, v := range byID {
		ptrs = append(ptrs, v)
	}
	slices.SortFunc(ptrs, func(a, b *T) int { return strings.Compare(id(a), id(b)) })
	out := make([]T, len(ptrs))
	for i, v := range ptrs {
		out[i] = *v
	}
	return out
}

type builder struct {
	opts   Options
	regime naming.Regime
	nodes  map[string]*Node
	// edges are in the order they were made, from blocks of spareEdges.
	edges      []*Edge
	spareEdges []Edge
	// inbound holds what a node's own proxies received, by node ID.
	inbound map[string]*Stats
	// workloads maps a kuma.io/workload value to the service selecting it.
	workloads map[string]string
	// Name resolution runs regexes; samples repeat the same few thousand
	// proxies and clusters, so resolved nodes are remembered (nil: no node).
	sources  map[sample.Proxy]proxyRef
	clusters map[string]target
	// edgesByEnds indexes edges without building an ID string per sample.
	edgesByEnds map[[2]*Node]*Edge
	// The last source, destination and edge looked up: a series' buckets and classes
	// come one after another, and comparing their (decoder-interned) strings costs
	// less than hashing them.
	lastProxy   sample.Proxy
	lastSource  proxyRef
	lastCluster string
	lastTarget  target
	lastEnds    [2]*Node
	lastEdge    *Edge
	// sourced and targeted say that lastProxy and lastCluster hold a lookup.
	sourced, targeted bool
	// routes numbers the routes of upstream samples (a proxy to a cluster) by the
	// numbers of their proxy and cluster; routeList holds them, each resolved once
	// with its filters and zone bookkeeping. The last route is compared first: the
	// samples of a series group (one proxy, one cluster: its buckets, its classes)
	// follow one another. Then the route that followed it last time: the answers of
	// the sub-queries list their routes in one order (in recorded answers of a real
	// Prometheus 2.42 at 1,000 services, three changes of route in four follow the
	// same route as before), so most changes of route take no look-up.
	routes       map[[2]int32]int32
	routeList    []route
	routeAt      int32 // in routeList, -1: none
	routeProxy   sample.Proxy
	routeCluster string
	routeEdge    *Edge
	routed       bool
	// services is every CP service as one zone-less node, by name: the
	// node itself without GroupByZone, else what a node of the service in
	// an unknown zone is made from.
	services map[string]*Node
	// zoneNodes lists, with GroupByZone, the per-zone node IDs of a CP
	// service, by name.
	zoneNodes map[string][]string
	zones     zoneFilter
	// oneZone holds the shared lists of one zone (withZone).
	oneZone map[string][]string
	// zoneProxies are the zone proxies drawn with ShowZoneProxies.
	zoneProxies map[zoneProxyKey]*zoneProxy
}

// route is where upstream samples of a proxy (in the set's first sample of the route)
// to a cluster go: edge (nil: nowhere), and the route that followed it last (next, in
// routeList; -1: none yet).
type route struct {
	proxy   *sample.Proxy
	cluster string
	edge    *Edge
	next    int32
}

// proxyRef is a resolved proxy: its node (nil: none) and its number.
type proxyRef struct {
	node *Node
	id   int32
}

// target is a resolved destination cluster, with its number.
type target struct {
	node *Node
	placement
	id int32
}

// samplesPerEdge is about how many samples an edge of a map has (Envoy's 20 latency
// buckets and some status classes): the edge index is sized from the samples by it,
// so that it does not grow step by step.
const samplesPerEdge = 16

// edgeBlock is how many edges are allocated at once.
const edgeBlock = 64

func newBuilder(topo Topology, set sample.Set, opts Options) *builder {
	services := len(topo.Services)
	return &builder{
		opts:      opts,
		regime:    set.Regime,
		nodes:     make(map[string]*Node, services),
		inbound:   map[string]*Stats{},
		workloads: map[string]string{},
		sources:   make(map[sample.Proxy]proxyRef, services),
		clusters:  make(map[string]target, services),
		services:  make(map[string]*Node, services),
		zoneNodes: map[string][]string{},
		zones:     zoneFilter{zones: opts.Zones, side: opts.ZoneSide},

		edgesByEnds: make(map[[2]*Node]*Edge, len(set.Samples)/samplesPerEdge),
		routes:      make(map[[2]int32]int32, len(set.Samples)/samplesPerEdge),
		routeList:   make([]route, 0, len(set.Samples)/samplesPerEdge),
		routeAt:     -1,
		zoneProxies: map[zoneProxyKey]*zoneProxy{},
		oneZone:     map[string][]string{},
	}
}

func nodeID(name, zone string) string {
	if zone == "" {
		return name
	}
	return name + "@" + zone
}

// edgeArrow joins the IDs of an edge's ends into its own.
const edgeArrow = "->"

func edgeID(source, target string) string { return source + edgeArrow + target }

// addService merges a CP service into its node, or with GroupByZone into one
// node per zone where the CP tells the zones apart (per-zone parts, or a
// service in one zone only).
func (b *builder) addService(svc Service) {
	if svc.Name == "" {
		return
	}
	name := b.opts.Normaliser.Service(naming.ServiceKey(svc.Name, svc.Namespace))
	if w := svc.Selector[WorkloadLabel]; w != "" {
		b.workloads[w] = name
	}
	whole := absorb(b.services, name, "", svc.Namespace, svc.Info)
	parts := slices.DeleteFunc(slices.Clone(svc.PerZone), func(p ZonePart) bool { return p.Zone == "" })
	if len(svc.PerZone) == 0 && len(svc.Zones) == 1 && svc.Zones[0] != "" {
		parts = []ZonePart{{Zone: svc.Zones[0], Status: svc.Status, Dataplanes: svc.Dataplanes}}
	}
	if !b.opts.GroupByZone || len(parts) == 0 {
		if b.opts.GroupByZone && b.zoneNodes[name] != nil {
			return // the service's zone nodes stand for it; a zone-less twin appears only if traffic needs it
		}
		// With GroupByZone, a service in several zones that the CP does not describe
		// per zone (service insights) has this one node for all of them.
		whole.ZoneUnknown = b.opts.GroupByZone && len(whole.Zones) > 1
		b.nodes[whole.ID] = whole
		return
	}
	for _, p := range parts {
		info := svc.Info
		info.Zones, info.Status, info.Dataplanes = []string{p.Zone}, p.Status, p.Dataplanes
		n := absorb(b.nodes, name, p.Zone, svc.Namespace, info)
		if !slices.Contains(b.zoneNodes[name], n.ID) {
			b.zoneNodes[name] = append(b.zoneNodes[name], n.ID)
		}
	}
	// A zone-less node made from an earlier entry without zones is superseded.
	if n, ok := b.nodes[name]; ok && n == b.services[name] {
		delete(b.nodes, name)
	}
}

// absorb merges CP info into the node of name in zone, creating it.
func absorb(nodes map[string]*Node, name, zone, namespace string, info Info) *Node {
	id := nodeID(name, zone)
	n, ok := nodes[id]
	if !ok {
		info.Zones = addSorted(nil, info.Zones...)
		n = &Node{ID: id, Name: name, Zone: zone, Namespace: namespace, Info: info, KnownToCP: true}
		nodes[id] = n
		return n
	}
	n.Status = n.Status.combine(info.Status)
	n.MTLS = n.MTLS && info.MTLS
	n.Protocol = cmp.Or(n.Protocol, info.Protocol)
	n.Dataplanes = n.Dataplanes.Add(info.Dataplanes)
	n.Zones = addSorted(n.Zones, info.Zones...)
	return n
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
	if ids := b.zoneNodes[name]; zone == "" && len(ids) > 0 {
		// A legacy cluster name carries no zone: its traffic goes to the CP's node of
		// that name when the CP knows the service in one zone only, else to one node
		// of the service marked as in an unknown zone.
		if len(ids) == 1 {
			return b.nodes[ids[0]]
		}
		n := b.services[name]
		n.ZoneUnknown = true
		b.nodes[n.ID] = n
		return n
	}
	n := &Node{ID: nodeID(name, zone), Name: name, Zone: zone, Info: Info{Kind: kind}}
	b.nodes[n.ID] = n
	return n
}

// source resolves the proxy that reported a sample to its node. Proxies
// without a source label (zone proxies, unlabelled scrapes) have none.
func (b *builder) source(p *sample.Proxy) proxyRef {
	if b.sourced && b.lastProxy == *p {
		return b.lastSource
	}
	r, seen := b.sources[*p]
	if !seen {
		r = proxyRef{node: b.resolveSource(p), id: int32(len(b.sources))}
		b.sources[*p] = r
	}
	b.lastProxy, b.lastSource, b.sourced = *p, r, true
	return r
}

func (b *builder) resolveSource(p *sample.Proxy) *Node {
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
	n.Zones = addSorted(n.Zones, p.Zone)
	n.ProxyServices = addSorted(n.ProxyServices, p.Source)
	return n
}

var destinationKinds = map[naming.DestinationKind]Kind{
	naming.DestinationService:     KindInternal,
	naming.DestinationMeshService: KindInternal,
	naming.DestinationMultiZone:   KindMultiZone,
	naming.DestinationExternal:    KindExternal,
}

func (b *builder) destination(cluster string) (target, bool) {
	if b.targeted && b.lastCluster == cluster {
		return b.lastTarget, b.lastTarget.node != nil
	}
	t, seen := b.clusters[cluster]
	if !seen {
		t = b.resolveDestination(cluster)
		t.id = int32(len(b.clusters))
		b.clusters[cluster] = t
	}
	b.lastCluster, b.lastTarget, b.targeted = cluster, t, true
	return t, t.node != nil
}

func (b *builder) resolveDestination(cluster string) target {
	d, ok := naming.ParseCluster(cluster)
	if !ok {
		return target{}
	}
	name := b.opts.Normaliser.Service(d.ServiceName())
	kind := destinationKinds[d.Kind]
	n := b.node(name, d.Zone, kind)
	n.Zones = addSorted(n.Zones, d.Zone)
	var cpZones []string
	if svc, ok := b.services[name]; ok {
		kind, cpZones = svc.Kind, svc.Zones
	}
	return target{node: n, placement: place(d.Zone, kind, cpZones)}
}

func (b *builder) addSample(smp *sample.Sample) {
	if smp.Kind == sample.InboundRequests {
		if src := b.source(&smp.Proxy); src.node != nil && b.zones.inbound(smp.Proxy.Zone) {
			b.addInbound(src.node, smp)
		}
		return
	}
	if !b.routed || b.routeCluster != smp.Cluster || b.routeProxy != smp.Proxy {
		b.routeEdge = b.nextRoute(&smp.Proxy, smp.Cluster)
		b.routeProxy, b.routeCluster, b.routed = smp.Proxy, smp.Cluster, true
	}
	if b.routeEdge != nil {
		b.routeEdge.Stats.addSample(smp)
	}
}

// nextRoute is the edge that upstream samples of proxy p to cluster add to (nil:
// none), when they follow samples of another route.
func (b *builder) nextRoute(p *sample.Proxy, cluster string) *Edge {
	if b.routeAt >= 0 {
		if n := b.routeList[b.routeAt].next; n >= 0 && b.routeList[n].cluster == cluster && *b.routeList[n].proxy == *p {
			b.routeAt = n
			return b.routeList[n].edge
		}
	}
	n := b.route(p, cluster)
	if b.routeAt >= 0 && n >= 0 {
		b.routeList[b.routeAt].next = n
	}
	if b.routeAt = n; n < 0 {
		return nil
	}
	return b.routeList[n].edge
}

// route finds or resolves the route of proxy p to cluster in routeList; -1 for a
// proxy of no node, whose samples add to no edge.
func (b *builder) route(p *sample.Proxy, cluster string) int32 {
	src := b.source(p)
	if src.node == nil {
		return -1
	}
	dst, _ := b.destination(cluster)
	key := [2]int32{src.id, dst.id}
	n, seen := b.routes[key]
	if !seen {
		n = int32(len(b.routeList))
		b.routeList = append(b.routeList, route{proxy: p, cluster: cluster, edge: b.resolveRoute(src.node, p.Zone, dst), next: -1})
		b.routes[key] = n
	}
	return n
}

// resolveRoute resolves the edge of a route from src, a proxy in zone, to dst, and
// records the zones its samples come from and go to on it.
func (b *builder) resolveRoute(src *Node, zone string, dst target) *Edge {
	// A service calling itself (or a rollup merging two of its ports) would
	// be a self-loop the node graph cannot draw; its traffic is not an edge.
	if dst.node == nil || dst.node == src || !b.zones.upstream(zone, dst.placement, dst.node.Name) {
		return nil
	}
	to := dst.node
	if b.opts.ShowZoneProxies {
		if to = b.hop(KindZoneEgress, zone, dst); to == src {
			return nil
		}
	}
	e := b.edge(src, to)
	b.addZones(e, zone, dst.placement)
	return e
}

// edge finds or creates the edge from src to dst; the callers rule out
// self-loops.
func (b *builder) edge(src, dst *Node) *Edge {
	ends := [2]*Node{src, dst}
	if b.lastEdge != nil && b.lastEnds == ends {
		return b.lastEdge
	}
	e, ok := b.edgesByEnds[ends]
	if !ok {
		// Edges are allocated in blocks: a map makes thousands, and Build copies them out.
		if len(b.spareEdges) == 0 {
			b.spareEdges = make([]Edge, edgeBlock)
		}
		e, b.spareEdges = &b.spareEdges[0], b.spareEdges[1:]
		e.ID, e.Source, e.Target = edgeID(src.ID, dst.ID), src.ID, dst.ID
		b.edges = append(b.edges, e)
		b.edgesByEnds[ends] = e
	}
	b.lastEnds, b.lastEdge = ends, e
	return e
}

// addZones records on e traffic from a proxy in zone to a destination placed at dst.
func (b *builder) addZones(e *Edge, zone string, dst placement) {
	e.SourceZones = b.withZone(e.SourceZones, zone)
	if dst.unknown {
		e.DestinationZoneUnknown = true
	} else {
		e.DestinationZones = b.withZone(e.DestinationZones, dst.zone)
	}
}

// withZone is addSorted(zones, zone), but a list of one zone is shared: most edges
// have one source and one destination zone, of a few. A shared list is full (its
// length is its capacity), so adding to it copies it.
func (b *builder) withZone(zones []string, zone string) []string {
	switch {
	case zone == "" || slices.Contains(zones, zone):
		return zones
	case len(zones) > 0:
		return addSorted(zones, zone)
	}
	one, ok := b.oneZone[zone]
	if !ok {
		one = []string{zone}
		b.oneZone[zone] = one
	}
	return one
}

// addInbound counts requests a proxy received on its inbound listeners
// (gateways: any listener but the proxy's own admin and metrics ones), so
// that traffic from outside the mesh shows.
func (b *builder) addInbound(n *Node, smp *sample.Sample) {
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

// edgesByID indexes the edges by ID, for focus, filter and fold; of edges of one ID
// (names containing "->"), the last made.
func (b *builder) edgesByID() map[string]*Edge {
	byID := make(map[string]*Edge, len(b.edges))
	for _, e := range b.edges {
		byID[e.ID] = e
	}
	return byID
}

// nodeStats fills each node's Stats from its incoming edges, with request
// counts from its own inbound stats where the proxies report them.
func (b *builder) nodeStats(edges map[string]*Edge) map[string]*Node {
	for _, e := range edges {
		n := b.nodes[e.Target]
		n.Stats.add(&e.Stats)
		n.SourceZones = addSorted(n.SourceZones, e.SourceZones...)
	}
	for id, in := range b.inbound {
		b.nodes[id].Stats.Requests = in.Requests
	}
	return b.nodes
}

// addSorted adds the non-empty zones of more that zones (sorted) lacks, keeping zones
// sorted.
func addSorted(zones []string, more ...string) []string {
	added := false
	for _, z := range more {
		if z != "" && !slices.Contains(zones, z) {
			zones, added = append(zones, z), true
		}
	}
	if added {
		slices.Sort(zones)
	}
	return zones
}
