package graph

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

const window = time.Minute

func upstream(kind sample.Kind, src, zone, cluster, class string, le, v float64) sample.Sample {
	return sample.Sample{Kind: kind, Proxy: sample.Proxy{Mesh: "default", Zone: zone, Source: src}, Cluster: cluster, Class: class, LE: le, Value: v}
}

// legacyMesh mirrors the recorded 2.14 "default" mesh, with traffic.
func legacyMesh() (Topology, sample.Set) {
	inf := math.Inf(1)
	topo := Topology{Services: []Service{
		{Name: "frontend", Info: Info{Kind: KindInternal, Zones: []string{"zone-1"}, Protocol: "http", Status: StatusOnline, Dataplanes: Dataplanes{Online: 1, Total: 1}, MTLS: true}},
		{Name: "backend", Info: Info{Kind: KindInternal, Zones: []string{"zone-1", "zone-2"}, Protocol: "http", Status: StatusPartiallyDegraded, Dataplanes: Dataplanes{Online: 1, Offline: 1, Total: 2}, MTLS: true}},
		{Name: "redis", Info: Info{Kind: KindInternal, Zones: []string{"zone-1"}, Protocol: "tcp", Status: StatusOffline, Dataplanes: Dataplanes{Offline: 1, Total: 1}}},
		{Name: "catalog", Info: Info{Kind: KindInternal, Zones: []string{"zone-1"}, Protocol: "grpc", Status: StatusOnline, Dataplanes: Dataplanes{Online: 1, Total: 1}}},
		{Name: "edge-gateway", Info: Info{Kind: KindGatewayBuiltin, Zones: []string{"zone-1"}, Status: StatusOnline, Dataplanes: Dataplanes{Online: 1, Total: 1}}},
		{Name: "stripe-api", Info: Info{Kind: KindExternal, Status: StatusNotAvailable}},
		{Name: "", Info: Info{Kind: KindInternal}}, // a CP item without a name is no node
	}}
	gw := sample.Proxy{Mesh: "default", Zone: "zone-1", Source: "edge-gateway", Gateway: true}
	set := sample.Set{Regime: naming.RegimeLegacy, Window: window, Samples: []sample.Sample{
		upstream(sample.Requests, "frontend", "zone-1", "backend", "2xx", 0, 60),
		upstream(sample.Requests, "frontend", "zone-1", "backend-0123456789abcdef", "2xx", 0, 40),
		upstream(sample.Requests, "frontend", "zone-1", "backend-0123456789abcdef", "5xx", 0, 20),
		upstream(sample.GRPCFailures, "frontend", "zone-1", "backend", "", 0, 4),
		upstream(sample.LatencyBucket, "frontend", "zone-1", "backend", "", 10, 40),
		upstream(sample.LatencyBucket, "frontend", "zone-1", "backend-0123456789abcdef", "", 10, 20),
		upstream(sample.LatencyBucket, "frontend", "zone-1", "backend", "", 100, 70),
		upstream(sample.LatencyBucket, "frontend", "zone-1", "backend-0123456789abcdef", "", 100, 40),
		upstream(sample.LatencyBucket, "frontend", "zone-1", "backend", "", 1000, 80),
		upstream(sample.LatencyBucket, "frontend", "zone-1", "backend-0123456789abcdef", "", 1000, 40),
		upstream(sample.LatencyBucket, "frontend", "zone-1", "backend", "", inf, 80),
		upstream(sample.LatencyBucket, "frontend", "zone-1", "backend-0123456789abcdef", "", inf, 40),
		upstream(sample.Requests, "frontend", "zone-1", "stripe-api", "2xx", 0, 6),
		upstream(sample.Requests, "frontend", "zone-1", "unknown-svc", "2xx", 0, 3),
		upstream(sample.Requests, "frontend", "zone-1", "ads_cluster", "2xx", 0, 1000),
		upstream(sample.Requests, "frontend", "zone-1", "localhost_8080", "2xx", 0, 1000),
		upstream(sample.RxBytes, "backend", "zone-1", "redis", "", 0, 600),
		upstream(sample.TxBytes, "backend", "zone-1", "redis", "", 0, 1200),
		upstream(sample.Connections, "backend", "zone-1", "redis", "", 0, 6),
		{Kind: sample.Requests, Proxy: gw, Cluster: "frontend", Class: "2xx", Value: 30},
		{Kind: sample.Requests, Proxy: gw, Cluster: "frontend", Class: "4xx", Value: 6},
		{Kind: sample.InboundRequests, Proxy: gw, Cluster: "edge-gateway:HTTP:8080", Class: "2xx", Value: 300},
		{Kind: sample.InboundRequests, Proxy: gw, Cluster: "admin", Class: "2xx", Value: 999}, // scrapes, not traffic
		upstream(sample.InboundRequests, "frontend", "zone-1", "localhost_8080", "2xx", 0, 32),
		upstream(sample.InboundRequests, "frontend", "zone-1", "localhost_8080", "4xx", 0, 6),
		upstream(sample.InboundRequests, "frontend", "zone-1", "backend", "2xx", 0, 999), // outbound listener
		upstream(sample.Requests, "", "zone-1", "backend", "2xx", 0, 999),                // zone proxy, no source
	}}
	return topo, set
}

func nodesByID(g Graph) map[string]Node {
	m := map[string]Node{}
	for _, n := range g.Nodes {
		m[n.ID] = n
	}
	return m
}

func edgesByID(g Graph) map[string]Edge {
	m := map[string]Edge{}
	for _, e := range g.Edges {
		m[e.ID] = e
	}
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestBuildLegacy(t *testing.T) {
	topo, set := legacyMesh()
	g := Build(topo, set, Options{})
	nodes, edges := nodesByID(g), edgesByID(g)

	wantNodes := []string{"backend", "catalog", "edge-gateway", "frontend", "redis", "stripe-api", "unknown-svc"}
	if len(g.Nodes) != len(wantNodes) {
		t.Fatalf("nodes = %v, want %v", nodes, wantNodes)
	}
	for i, id := range wantNodes {
		if g.Nodes[i].ID != id {
			t.Errorf("node %d = %q, want %q", i, g.Nodes[i].ID, id)
		}
	}
	if len(edges) != 5 {
		t.Errorf("edges = %v", edges)
	}

	fb := edges["frontend->backend"].Stats
	// 120 requests (split clusters merged), 20 of them 5xx, 4 gRPC failures.
	if fb.Requests != (StatusCounts{Class2xx: 100, Class5xx: 20}) || !near(fb.RequestRate, 2) || !near(fb.ErrorRatio, 24.0/120) {
		t.Errorf("frontend->backend = %+v", fb)
	}
	// Merged buckets: 60 ≤10, 110 ≤100, 120 ≤1000. p50: rank 60 → 10.
	// p95: rank 114 → 100 + 900·4/10. p99: rank 118.8 → 100 + 900·8.8/10.
	if want := (Latency{P50: 10, P95: 460, P99: 892, Known: true}); !near(fb.Latency.P50, want.P50) || !near(fb.Latency.P95, want.P95) || !near(fb.Latency.P99, want.P99) || !fb.Latency.Known {
		t.Errorf("latency = %+v, want %+v", fb.Latency, want)
	}
	br := edges["backend->redis"].Stats
	if !br.IsTCP() || !near(br.ByteRate, 30) || br.Connections != 6 {
		t.Errorf("backend->redis = %+v", br)
	}
	if gf := edges["edge-gateway->frontend"].Stats; gf.Requests != (StatusCounts{Class2xx: 30, Class4xx: 6}) {
		t.Errorf("edge-gateway->frontend = %+v", gf)
	}

	// Node stats: frontend's own inbound counts win over incoming edges.
	if fr := nodes["frontend"]; fr.Stats.Requests != (StatusCounts{Class2xx: 32, Class4xx: 6}) || fr.Idle || !fr.KnownToCP {
		t.Errorf("frontend = %+v", fr)
	}
	if be := nodes["backend"]; be.Stats.Requests.Total() != 120 || be.Stats.Latency.P50 != 10 || be.Status != StatusPartiallyDegraded ||
		be.Dataplanes != (Dataplanes{Online: 1, Offline: 1, Total: 2}) {
		t.Errorf("backend = %+v", be)
	}
	if gw := nodes["edge-gateway"]; gw.Kind != KindGatewayBuiltin || gw.Stats.Requests.Class2xx != 300 {
		t.Errorf("edge-gateway = %+v", gw)
	}
	if c := nodes["catalog"]; !c.Idle {
		t.Errorf("catalog not idle: %+v", c)
	}
	if u := nodes["unknown-svc"]; u.KnownToCP || u.Kind != KindInternal || u.Stats.Requests.Class2xx != 3 {
		t.Errorf("unknown-svc = %+v", u)
	}
	if ext := nodes["stripe-api"]; ext.Kind != KindExternal || ext.Idle {
		t.Errorf("stripe-api = %+v", ext)
	}
}

func TestBuildOptions(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		wantNodes []string
		wantEdges []string
	}{
		{
			name:      "hide idle",
			opts:      Options{HideIdle: true},
			wantNodes: []string{"backend", "edge-gateway", "frontend", "redis", "stripe-api", "unknown-svc"},
			wantEdges: []string{"backend->redis", "edge-gateway->frontend", "frontend->backend", "frontend->stripe-api", "frontend->unknown-svc"},
		},
		{
			name:      "service regex keeps direct peers",
			opts:      Options{ServiceRegex: regexp.MustCompile(`^backend$`)},
			wantNodes: []string{"backend", "frontend", "redis"},
			wantEdges: []string{"backend->redis", "frontend->backend"},
		},
		{
			name:      "zone filter on the source side: zone-2's services, none of whose proxies sent anything",
			opts:      Options{Zones: []string{"zone-2"}},
			wantNodes: []string{"backend"},
		},
		{
			name:      "zone filter on the destination side leaves out legacy names of a service in several zones",
			opts:      Options{Zones: []string{"zone-2"}, ZoneSide: ZoneSideDestination},
			wantNodes: []string{"backend"},
		},
		{
			name:      "zone filter on either side keeps them",
			opts:      Options{Zones: []string{"zone-2"}, ZoneSide: ZoneSideAny},
			wantNodes: []string{"backend", "frontend"},
			wantEdges: []string{"frontend->backend"},
		},
		{
			name:      "zone filter on either side with the senders' zone",
			opts:      Options{Zones: []string{"zone-1"}, ZoneSide: ZoneSideAny, HideIdle: true},
			wantNodes: []string{"backend", "edge-gateway", "frontend", "redis", "stripe-api", "unknown-svc"},
			wantEdges: []string{"backend->redis", "edge-gateway->frontend", "frontend->backend", "frontend->stripe-api", "frontend->unknown-svc"},
		},
		{
			name:      "rollup regex",
			opts:      Options{Normaliser: mustNormaliser(t, `^(front|back)`), HideIdle: true},
			wantNodes: []string{"back", "edge-gateway", "front", "redis", "stripe-api", "unknown-svc"},
			wantEdges: []string{"back->redis", "edge-gateway->front", "front->back", "front->stripe-api", "front->unknown-svc"},
		},
		{
			name:      "negative maxNodes means the default",
			opts:      Options{MaxNodes: -1, HideIdle: true},
			wantNodes: []string{"backend", "edge-gateway", "frontend", "redis", "stripe-api", "unknown-svc"},
			wantEdges: []string{"backend->redis", "edge-gateway->frontend", "frontend->backend", "frontend->stripe-api", "frontend->unknown-svc"},
		},
		{
			name:      "fold to four nodes",
			opts:      Options{MaxNodes: 4},
			wantNodes: []string{"(other)", "(other)@zone-1", "edge-gateway", "frontend"},
			wantEdges: []string{"edge-gateway->frontend", "frontend->(other)", "frontend->(other)@zone-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo, set := legacyMesh()
			nodes, edges := ids(Build(topo, set, tt.opts))
			if !slices.Equal(nodes, tt.wantNodes) || !slices.Equal(edges, tt.wantEdges) {
				t.Errorf("nodes %v\nwant  %v\nedges %v\nwant  %v", nodes, tt.wantNodes, edges, tt.wantEdges)
			}
		})
	}
}

func TestFoldKeepsTrafficAndSaysSo(t *testing.T) {
	topo, set := legacyMesh()
	g := Build(topo, set, Options{MaxNodes: 4})
	other := nodesByID(g)["(other)@zone-1"]
	// backend's 120 incoming requests; backend->redis is inside the group.
	if !slices.Equal(other.Folded, []string{"backend", "catalog", "redis"}) || other.Kind != KindOther || other.Stats.Requests.Total() != 120 || other.Idle {
		t.Errorf("(other)@zone-1 = %+v", other)
	}
	if len(g.Notices) != 1 || g.Notices[0].Text != `5 of 7 services folded into "(other)" nodes (maxNodes 4)` {
		t.Errorf("notices = %+v", g.Notices)
	}
}

func mustNormaliser(t testing.TB, re string) naming.Normaliser {
	t.Helper()
	n, err := naming.NewNormaliser(re)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// unifiedMesh mirrors the recorded 3.0-dev mesh: one MeshService per zone,
// selected by kuma.io/workload, plus billing selected by another label.
func unifiedMesh() (Topology, sample.Set) {
	wl := map[string]string{WorkloadLabel: "backend"}
	topo := Topology{Services: []Service{
		{Name: "frontend", Info: Info{Kind: KindInternal, Zones: []string{"zone-1"}, Status: StatusOnline, Dataplanes: Dataplanes{Online: 1, Total: 1}}, Selector: map[string]string{WorkloadLabel: "frontend"}},
		{Name: "backend", Info: Info{Kind: KindInternal, Zones: []string{"zone-1"}, Status: StatusOnline, Dataplanes: Dataplanes{Online: 1, Total: 1}}, Selector: wl},
		{Name: "backend", Info: Info{Kind: KindInternal, Zones: []string{"zone-2"}, Status: StatusOffline, Dataplanes: Dataplanes{Offline: 1, Total: 1}}, Selector: wl},
		{Name: "billing", Info: Info{Kind: KindInternal, Zones: []string{"zone-1"}, Status: StatusOnline}, Selector: map[string]string{"app": "billing"}},
		{Name: "httpbin", Info: Info{Kind: KindExternal}},
	}}
	set := sample.Set{Regime: naming.RegimeUnified, Window: window, Samples: []sample.Sample{
		upstream(sample.Requests, "frontend", "zone-1", "kri_msvc_default_zone-1__backend_http", "2xx", 0, 60),
		upstream(sample.Requests, "frontend", "zone-1", "kri_msvc_default_zone-2__backend_http", "2xx", 0, 30),
		upstream(sample.Requests, "frontend", "zone-1", "kri_extsvc_default___httpbin_443", "2xx", 0, 6),
		upstream(sample.Requests, "frontend", "zone-1", "kri_mzsvc_default___backend-mz_8080", "2xx", 0, 12),
		upstream(sample.Requests, "batch", "zone-1", "kri_msvc_default_zone-1__billing_http", "2xx", 0, 12),
		upstream(sample.Requests, "frontend", "zone-1", "self_inbound_dp_80", "2xx", 0, 1000),
		upstream(sample.Requests, "frontend", "zone-1", "system_envoy_admin", "2xx", 0, 1000),
		upstream(sample.Requests, "frontend", "zone-1", "kri_mtp_default___allow_", "2xx", 0, 1000),
	}}
	return topo, set
}

func TestBuildUnified(t *testing.T) {
	topo, set := unifiedMesh()
	g := Build(topo, set, Options{})
	nodes, edges := nodesByID(g), edgesByID(g)
	if be := nodes["backend"]; be.Status != StatusPartiallyDegraded || be.Dataplanes.Total != 2 || !slices.Equal(be.Zones, []string{"zone-1", "zone-2"}) || be.Stats.Requests.Total() != 90 {
		t.Errorf("backend = %+v", be)
	}
	if b := nodes["batch"]; b.Kind != KindWorkload || b.KnownToCP {
		t.Errorf("batch = %+v", b)
	}
	if mz := nodes["backend-mz"]; mz.Kind != KindMultiZone || mz.KnownToCP {
		t.Errorf("backend-mz = %+v", mz)
	}
	for _, id := range []string{"frontend->backend", "frontend->httpbin", "frontend->backend-mz", "batch->billing"} {
		if _, ok := edges[id]; !ok {
			t.Errorf("missing edge %s in %v", id, edges)
		}
	}
	if len(edges) != 4 || len(nodes) != 6 {
		t.Errorf("got %d nodes, %d edges", len(nodes), len(edges))
	}

	g = Build(topo, set, Options{GroupByZone: true})
	edges = edgesByID(g)
	if e := edges["frontend@zone-1->backend@zone-2"]; e.Stats.Requests.Class2xx != 30 {
		t.Errorf("grouped by zone: edges %v", edges)
	}
	if n := nodesByID(g)["backend@zone-2"]; n.Status != StatusOffline || n.Zone != "zone-2" {
		t.Errorf("backend@zone-2 = %+v", n)
	}
}

func TestStatusCombine(t *testing.T) {
	tests := []struct{ a, b, want Status }{
		{StatusOnline, StatusOnline, StatusOnline},
		{StatusOnline, StatusUnknown, StatusOnline},
		{StatusUnknown, StatusOffline, StatusOffline},
		{StatusOnline, StatusOffline, StatusPartiallyDegraded},
		{StatusOffline, StatusPartiallyDegraded, StatusPartiallyDegraded},
	}
	for _, tt := range tests {
		if got := tt.a.combine(tt.b); got != tt.want {
			t.Errorf("%q.combine(%q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestFoldDoesNotClashWithAServiceCalledOther(t *testing.T) {
	var topo Topology
	for _, name := range []string{"other", "a", "b", "c"} {
		topo.Services = append(topo.Services, Service{Name: name, Info: Info{Kind: KindInternal, Zones: []string{"zone-1"}}})
	}
	set := sample.Set{Window: window, Samples: []sample.Sample{upstream(sample.Requests, "a", "zone-1", "other", "2xx", 0, 100)}}
	g := Build(topo, set, Options{MaxNodes: 3})
	nodes := nodesByID(g)
	if len(nodes) != 3 || len(nodes["other"].Folded) != 0 || !slices.Equal(nodes["(other)@zone-1"].Folded, []string{"b", "c"}) {
		t.Errorf("nodes = %+v", nodes)
	}
}

// A node knows the names its own proxies report as, before rollup: tracing and access
// logs name the service by them, not by the map's rolled-up name.
func TestProxyServicesAreTheReportedNames(t *testing.T) {
	rollup, err := naming.NewNormaliser(`(.*)(_svc(_[0-9]+)?)`)
	if err != nil {
		t.Fatal(err)
	}
	topo := Topology{Services: []Service{
		{Name: "backend_kuma-demo_svc_8080", Info: Info{Kind: KindInternal}},
		{Name: "backend_kuma-demo_svc_9090", Info: Info{Kind: KindInternal}},
		{Name: "redis_kuma-demo_svc_6379", Info: Info{Kind: KindInternal}},
	}}
	set := sample.Set{Regime: naming.RegimeLegacy, Window: window, Samples: []sample.Sample{
		upstream(sample.Requests, "frontend_kuma-demo_svc_8080", "zone-1", "backend_kuma-demo_svc_8080", "2xx", 0, 60),
		upstream(sample.Requests, "backend_kuma-demo_svc_8080", "zone-1", "redis_kuma-demo_svc_6379", "2xx", 0, 60),
		upstream(sample.Requests, "backend_kuma-demo_svc_9090", "zone-2", "redis_kuma-demo_svc_6379", "2xx", 0, 60),
	}}
	g := Build(topo, set, Options{Normaliser: rollup})
	want := map[string][]string{
		"frontend_kuma-demo": {"frontend_kuma-demo_svc_8080"},
		"backend_kuma-demo":  {"backend_kuma-demo_svc_8080", "backend_kuma-demo_svc_9090"},
		"redis_kuma-demo":    nil, // no proxy of its own reported: only callers did
	}
	for _, n := range g.Nodes {
		if w, ok := want[n.ID]; !ok || !slices.Equal(n.ProxyServices, w) {
			t.Errorf("%s: proxy services %v, want %v", n.ID, n.ProxyServices, w)
		}
	}
}

// Ids are names (name@zone with groupByZone), never positions: another refresh with other
// traffic in another order keeps every id, so Grafana's per-item overrides stick.
func TestIDsAreStableAcrossRefreshes(t *testing.T) {
	topo, set := legacyMesh()
	all := func(set sample.Set) []string {
		nodes, edges := ids(Build(topo, set, Options{}))
		return append(nodes, edges...)
	}
	first := all(set)
	later := set
	later.Samples = slices.Clone(set.Samples)
	slices.Reverse(later.Samples)
	for i := range later.Samples {
		later.Samples[i].Value *= 3
	}
	if second := all(later); !slices.Equal(first, second) {
		t.Errorf("ids changed:\n%v\n%v", first, second)
	}
	for _, id := range first {
		if _, err := strconv.Atoi(id); err == nil {
			t.Errorf("id %q is a number", id)
		}
	}
}

// ids are a graph's node and edge ids, in its order.
func ids(g Graph) (nodes, edges []string) {
	for _, n := range g.Nodes {
		nodes = append(nodes, n.ID)
	}
	for _, e := range g.Edges {
		edges = append(edges, e.ID)
	}
	return nodes, edges
}

// TestSplitBucketsSaySo: an edge whose buckets came as two le texts per bound ("1" and
// "1.0", each over part of the window; the decoder parses both to 1) while +Inf is
// one series gets quantiles from its finite buckets and the graph a notice; no
// quantile reads minutes.
func TestSplitBucketsSaySo(t *testing.T) {
	var samples []sample.Sample
	for _, b := range envoyHistogram(1, 1000) {
		le, c := b.le, b.count
		if math.IsInf(le, 1) {
			samples = append(samples, upstream(sample.LatencyBucket, "frontend", "zone-1", "backend", "", le, c))
			continue
		}
		// Before the switch 60 %, after it 35 %: 5 % fell between the two series.
		samples = append(samples, upstream(sample.LatencyBucket, "frontend", "zone-1", "backend", "", le, 0.6*c),
			upstream(sample.LatencyBucket, "frontend", "zone-1", "backend", "", le, 0.35*c))
	}
	samples = append(samples, upstream(sample.Requests, "frontend", "zone-1", "backend", "2xx", 0, 1000))
	g := Build(Topology{}, sample.Set{Regime: naming.RegimeLegacy, Window: window, Samples: samples}, Options{})
	e, n := edgesByID(g)["frontend->backend"], nodesByID(g)["backend"]
	for what, l := range map[string]Latency{"edge": e.Stats.Latency, "node": n.Stats.Latency} {
		if !l.Known || !l.FiniteOnly || !near(l.P50, 10) || !near(l.P95, 100) || !near(l.P99, 500) {
			t.Errorf("%s latency = %+v, want p50 10, p95 100, p99 500 over the finite buckets", what, l)
		}
	}
	if len(g.Notices) != 1 || g.Notices[0].Severity != sample.SeverityWarning || !strings.Contains(g.Notices[0].Text, "1 edge") {
		t.Errorf("notices = %+v, want one warning about 1 edge", g.Notices)
	}
}
