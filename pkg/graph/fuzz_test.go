package graph_test

import (
	"encoding/json"
	"math"
	"regexp"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/frames"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// The fuzzer picks names from small alphabets so that sources, destinations and CP
// services collide and join, as they do in a real mesh; the alphabets hold every naming
// regime's shapes, internal clusters, split and rollup names and odd characters.
var (
	fuzzServices = []string{"", "frontend", "backend", "backend_kuma-demo_svc_8080", "redis", "edge-gateway", "(other)", "a@b->c",
		"zone-ingress"} // a service named as a zone proxy's node
	fuzzZones    = []string{"", "zone-1", "zone-2", "zone-3"}
	fuzzClusters = []string{
		"", "backend", "backend-0123456789abcdef", "frontend", "redis", "backend_kuma-demo_svc_8080",
		"kri_msvc_default_zone-1__backend_http", "kri_mzsvc_default___backend_http", "kri_extsvc_default___stripe_",
		"default_backend___msvc_8080", "self_inbound_dp_http", "localhost_8080", "admin", "ads_cluster", "(other)", "a@b->c",
		// Externals and peers the CP does not know.
		"httpbin.org", "kri_extsvc_default_zone-1__httpbin_", "unknown-peer", "kri_msvc_default_zone-9_ns_ghost_http",
		// Zone proxies' legacy names, mesh-qualified.
		"default_backend", "default_httpbin.org", "default_zone-ingress",
	}
	fuzzKinds = []sample.Kind{sample.Requests, sample.GRPCFailures, sample.LatencyBucket, sample.RxBytes,
		sample.TxBytes, sample.Connections, sample.InboundRequests}
	fuzzClasses  = []string{"2xx", "3xx", "4xx", "5xx", ""}
	fuzzBounds   = []float64{0.5, 1, 10, 100, 1000, math.Inf(1), 0, -1}
	fuzzCPKinds  = []graph.Kind{graph.KindInternal, graph.KindGatewayBuiltin, graph.KindGatewayDelegated, graph.KindExternal, graph.KindMultiZone}
	fuzzStatuses = []graph.Status{graph.StatusUnknown, graph.StatusOnline, graph.StatusOffline, graph.StatusPartiallyDegraded, graph.StatusNotAvailable}
	fuzzRegimes  = []naming.Regime{naming.RegimeLegacy, naming.RegimeMeshService, naming.RegimeUnified}
	// "" is the default, the source side.
	fuzzZoneSides = []graph.ZoneSide{"", graph.ZoneSideSource, graph.ZoneSideDestination, graph.ZoneSideAny}
	// fuzzZoneProxies are the proxy label's values, "" for a sidecar.
	fuzzZoneProxies = []string{"", "", "ingress", "egress"}
)

// bytesReader hands out bytes and then zeros, so every input decodes to something.
type bytesReader []byte

func (b *bytesReader) next() int {
	if len(*b) == 0 {
		return 0
	}
	v := (*b)[0]
	*b = (*b)[1:]
	return int(v)
}

func pick[T any](b *bytesReader, from []T) T { return from[b.next()%len(from)] }

// value is what the Prometheus decoder guarantees: finite and non-negative. It spans
// small counts and large ones, up to 2^53 (no realistic counter increase is larger), so
// that sums of a few hundred samples stay finite.
func (b *bytesReader) value() float64 {
	return float64(b.next()<<8|b.next()) * math.Pow(2, float64(b.next()%38))
}

// decodeInput turns fuzz bytes into CP services, samples and options.
func decodeInput(in []byte) (graph.Topology, sample.Set, graph.Options) {
	b := bytesReader(in)
	flags := b.next()
	normaliser, err := naming.NewNormaliser(`(.*)(_svc(_[0-9]+)?)`)
	if err != nil {
		panic(err)
	}
	opts := graph.Options{
		Normaliser:  normaliser,
		HideIdle:    flags&1 != 0,
		GroupByZone: flags&2 != 0,
		// Zone proxies' samples are decoded below whatever the flag, as when an option off
		// meets a Prometheus that has them.
		ShowZoneProxies: flags&128 != 0,
		MaxNodes:        b.next()%8 - 1, // non-positive means the default
	}
	if flags&4 != 0 {
		opts.Zones = []string{pick(&b, fuzzZones[1:])}
	}
	if flags&8 != 0 {
		opts.ServiceRegex = regexp.MustCompile("^back")
	}
	opts.ZoneSide = fuzzZoneSides[flags>>4%4]
	var topo graph.Topology
	for range b.next() % 8 {
		svc := graph.Service{Name: pick(&b, fuzzServices), Info: graph.Info{
			Kind: pick(&b, fuzzCPKinds), Status: pick(&b, fuzzStatuses), MTLS: b.next()%2 == 0,
			Dataplanes: graph.Dataplanes{Online: b.next() % 4, Offline: b.next() % 4},
		}}
		for range b.next() % 3 {
			svc.Zones = append(svc.Zones, pick(&b, fuzzZones))
		}
		if b.next()%3 == 0 {
			svc.Selector = map[string]string{graph.WorkloadLabel: pick(&b, fuzzServices)}
		}
		if flags&64 != 0 { // the CP describes each zone apart, as MeshServices do
			for _, z := range svc.Zones {
				svc.PerZone = append(svc.PerZone, graph.ZonePart{Zone: z, Status: svc.Status, Dataplanes: svc.Dataplanes})
			}
		}
		topo.Services = append(topo.Services, svc)
	}
	set := sample.Set{Regime: pick(&b, fuzzRegimes), Window: time.Duration(b.next()) * time.Minute}
	for len(b) > 0 {
		kind, zone, source, role := pick(&b, fuzzKinds), pick(&b, fuzzZones), pick(&b, fuzzServices), b.next()
		// The role byte: 0 a gateway, 8 a zone ingress, 12 a zone egress (with no source,
		// as their scrape job has none), else a sidecar.
		zoneProxy := fuzzZoneProxies[role/4%4]
		if zoneProxy != "" {
			source = ""
		}
		set.Samples = append(set.Samples, sample.Sample{
			Kind: kind,
			Proxy: sample.Proxy{Mesh: "default", Zone: zone, Source: source,
				Gateway: role%4 == 0 && zoneProxy == "", ZoneProxy: zoneProxy},
			Cluster: pick(&b, fuzzClusters),
			Class:   pick(&b, fuzzClasses),
			LE:      pick(&b, fuzzBounds),
			Value:   b.value(),
		})
	}
	return topo, set, opts
}

// optionsMesh is decodeInput's encoding of a small two-zone mesh: four CP services (one
// idle), then requests (2xx and 5xx) from frontend, backend and edge-gateway (unknown to
// the CP) to services, externals (httpbin.org, a MeshExternalService) and peers unknown
// to the CP.
func optionsMesh() []byte {
	// A CP service: name, kind, status, mTLS, online, offline, zone count, zones, selector
	// (1: none), as decodeInput reads them.
	in := []byte{4,
		1, 0, 1, 0, 2, 0, 1, 1, 1, // frontend: internal, online, zone-1
		2, 0, 1, 0, 2, 0, 2, 1, 2, 1, // backend: zone-1 and zone-2
		4, 0, 1, 0, 1, 0, 1, 1, 1, // redis
		7, 0, 1, 0, 1, 0, 1, 2, 1, // a@b->c: no traffic, idle
		0, 5} // legacy regime, 5-minute window
	for _, s := range [][3]byte{ // source, cluster, class (indexes into the fuzz alphabets)
		{1, 1, 0}, {1, 1, 3}, {2, 4, 0}, {2, 16, 0}, {1, 18, 0}, {5, 3, 0}, {2, 17, 3}, {1, 19, 0}, {3, 4, 0},
	} {
		for zone := byte(1); zone <= 2; zone++ {
			in = append(in, 0, zone, s[0], 1, s[1], s[2], 0, 0, 100, 0)
		}
	}
	return in
}

// zoneProxySamples are the zone proxies of optionsMesh's zones: each zone's ingress with
// connections to backend in its zone (KRI and legacy names), each egress with requests
// to httpbin.org and to backend in the other zone, as decodeInput reads them.
func zoneProxySamples() []byte {
	var in []byte
	for zone := byte(1); zone <= 2; zone++ {
		for _, s := range [][3]byte{ // kind, role (8 ingress, 12 egress), cluster
			{5, 8, 6}, {3, 8, 20}, {0, 12, 21}, {2, 12, 6}, {0, 12, 19},
		} {
			in = append(in, s[0], zone, 0, s[1], s[2], 0, 5, 0, 100, 0)
		}
	}
	return in
}

// FuzzBuild joins arbitrary topologies and samples (within the decoder's guarantees)
// and checks what the node graph relies on: unique node and edge IDs, edges between
// existing nodes and never from a node to itself, no NaN or Inf anywhere in the frames,
// arcs that split each circle exactly (all idle for an idle node), at most maxNodes
// nodes unless everything had to fold, and frames that encode as JSON.
func FuzzBuild(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 2, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 2, 3, 0, 1, 0, 1, 0, 0, 60, 0, 0})
	f.Add([]byte("\x03\x03\x04frontend backend redis gateway zones 2xx 5xx latency buckets"))
	f.Add([]byte{0x0f, 1, 7, 2, 0, 1, 1, 1, 1, 1, 2, 0, 2, 2, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Add([]byte{0, 2, 0, 1, 60, 2, 1, 1, 6, 0, 0, 5, 255, 255, 37, 2, 1, 1, 6, 1, 0, 5, 255, 255, 37})
	// Every option combination (hideIdle, groupByZone, zones, serviceRegex, zoneSide,
	// per-zone CP parts × maxNodes) on one mesh in two zones with gateways, externals and
	// peers the CP does not know: seeds run in every plain go test.
	for flags := range 256 {
		for _, maxNodes := range []byte{0, 3, 5} {
			seed := []byte{byte(flags), maxNodes}
			if flags&4 != 0 {
				seed = append(seed, 0) // the zone filter: zone-1
			}
			seed = append(seed, optionsMesh()...)
			if flags&128 != 0 {
				seed = append(seed, zoneProxySamples()...)
			}
			f.Add(seed)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		topo, set, opts := decodeInput(in)
		g := graph.Build(topo, set, opts)

		nodes := map[string]graph.Node{}
		allOther := true
		for _, n := range g.Nodes {
			if _, dup := nodes[n.ID]; dup {
				t.Fatalf("node %q twice", n.ID)
			}
			nodes[n.ID] = n
			allOther = allOther && n.Kind == graph.KindOther
		}
		maxNodes := opts.MaxNodes
		if maxNodes <= 0 {
			maxNodes = graph.DefaultMaxNodes
		}
		if len(g.Nodes) > maxNodes && !allOther {
			t.Fatalf("%d nodes, maxNodes %d", len(g.Nodes), maxNodes)
		}
		edges := map[string]bool{}
		for _, e := range g.Edges {
			if edges[e.ID] {
				t.Fatalf("edge %q twice", e.ID)
			}
			edges[e.ID] = true
			if e.Source == e.Target {
				t.Fatalf("self-loop %q", e.ID)
			}
			if _, ok := nodes[e.Source]; !ok {
				t.Fatalf("edge %q from a missing node", e.ID)
			}
			if _, ok := nodes[e.Target]; !ok {
				t.Fatalf("edge %q to a missing node", e.ID)
			}
		}

		out := frames.NodeGraph(g, frames.LinkOptions{Mesh: "default"})
		for _, fr := range out {
			requireFinite(t, fr)
		}
		requireEdgesBetweenNodes(t, out[0], out[1])
		requireArcs(t, out[0], nodes)
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("frames do not encode: %v", err)
		}
	})
}

// requireEdgesBetweenNodes checks the frames Grafana receives: Grafana 12/13 refuses a
// graph whose edges name a node missing from the nodes frame ("Cannot visualize graph
// data: N edges reference missing nodes"), and earlier versions crash the panel.
func requireEdgesBetweenNodes(t *testing.T, nodes, edges *data.Frame) {
	t.Helper()
	idField, _ := nodes.FieldByName("id")
	if idField == nil {
		t.Fatal("nodes frame lacks id")
	}
	ids := map[string]bool{}
	for i := range idField.Len() {
		ids[idField.At(i).(string)] = true
	}
	for _, name := range []string{"source", "target"} {
		f, _ := edges.FieldByName(name)
		if f == nil {
			t.Fatalf("edges frame lacks %s", name)
		}
		for i := range f.Len() {
			if id := f.At(i).(string); !ids[id] {
				t.Fatalf("edge row %d: %s %q is not a node of the nodes frame", i, name, id)
			}
		}
	}
}

func requireFinite(t *testing.T, fr *data.Frame) {
	t.Helper()
	for _, field := range fr.Fields {
		for i := range field.Len() {
			var v float64
			switch x := field.At(i).(type) {
			case float64:
				v = x
			case *float64:
				if x == nil {
					continue
				}
				v = *x
			default:
				continue
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s.%s[%d] = %v", fr.Name, field.Name, i, v)
			}
		}
	}
}

func requireArcs(t *testing.T, fr *data.Frame, nodes map[string]graph.Node) {
	t.Helper()
	column := func(name string) *data.Field {
		f, _ := fr.FieldByName(name)
		if f == nil {
			t.Fatalf("nodes frame lacks %s", name)
		}
		return f
	}
	ids := column("id")
	arcs := []*data.Field{column("arc__healthy"), column("arc__degraded"), column("arc__failing"), column("arc__idle")}
	for i := range fr.Rows() {
		full := 0
		for _, a := range arcs {
			switch a.At(i).(float64) {
			case 1:
				full++
			case 0:
			default:
				t.Fatalf("node %q: arc %s = %v, want 0 or 1", ids.At(i), a.Name, a.At(i))
			}
		}
		id := ids.At(i).(string)
		if full != 1 {
			t.Fatalf("node %q: %d full arcs, want one verdict", id, full)
		}
		if nodes[id].Idle && arcs[3].At(i).(float64) != 1 {
			t.Fatalf("idle node %q is not all idle arc", id)
		}
	}
}
