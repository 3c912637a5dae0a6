package frames

import (
	"flag"
	"math"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// update rewrites the golden files: go test ./pkg/frames -update
var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func proxy(src string) sample.Proxy {
	return sample.Proxy{Mesh: "default", Zone: "zone-1", Source: src}
}

// latencyBuckets spreads n observations: half ≤10ms, 90% ≤100ms, all ≤1s.
func latencyBuckets(src sample.Proxy, cluster string, n float64) []sample.Sample {
	var out []sample.Sample
	for le, share := range map[float64]float64{10: 0.5, 100: 0.9, 1000: 1, math.Inf(1): 1} {
		out = append(out, sample.Sample{Kind: sample.LatencyBucket, Proxy: src, Cluster: cluster, LE: le, Value: n * share})
	}
	return out
}

func requests(src sample.Proxy, cluster string, byClass map[string]float64) []sample.Sample {
	var out []sample.Sample
	for class, v := range byClass {
		out = append(out, sample.Sample{Kind: sample.Requests, Proxy: src, Cluster: cluster, Class: class, Value: v})
	}
	return out
}

// legacyGraph is the recorded 2.14 "default" mesh (testdata/kuma-cp/v2.14.3)
// with an hour of traffic.
func legacyGraph() graph.Graph {
	info := func(kind graph.Kind, status graph.Status, online, total int, zones ...string) graph.Info {
		return graph.Info{Kind: kind, Zones: zones, Status: status, MTLS: true,
			Dataplanes: graph.Dataplanes{Online: online, Offline: total - online, Total: total}}
	}
	topo := graph.Topology{Services: []graph.Service{
		{Name: "frontend", Info: info(graph.KindInternal, graph.StatusOnline, 1, 1, "zone-1")},
		{Name: "backend", Info: info(graph.KindInternal, graph.StatusPartiallyDegraded, 1, 2, "zone-1", "zone-2")},
		{Name: "catalog", Info: info(graph.KindInternal, graph.StatusOnline, 1, 1, "zone-1")},
		{Name: "redis", Info: info(graph.KindInternal, graph.StatusOffline, 0, 1, "zone-1")},
		{Name: "search", Info: info(graph.KindInternal, graph.StatusPartiallyDegraded, 0, 1, "zone-1")},
		{Name: "edge-gateway", Info: info(graph.KindGatewayBuiltin, graph.StatusOnline, 1, 1, "zone-1")},
		{Name: "kong-gateway", Info: info(graph.KindGatewayDelegated, graph.StatusOffline, 0, 1, "zone-1")},
		{Name: "stripe-api", Info: graph.Info{Kind: graph.KindExternal, Status: graph.StatusNotAvailable}},
	}}
	gw := sample.Proxy{Mesh: "default", Zone: "zone-1", Source: "edge-gateway", Gateway: true}
	var s []sample.Sample
	s = append(s, requests(proxy("frontend"), "backend", map[string]float64{"2xx": 7000, "5xx": 200})...)
	s = append(s, latencyBuckets(proxy("frontend"), "backend", 7200)...)
	s = append(s, requests(proxy("frontend"), "catalog", map[string]float64{"2xx": 3600})...)
	s = append(s, sample.Sample{Kind: sample.GRPCFailures, Proxy: proxy("frontend"), Cluster: "catalog", Value: 36})
	s = append(s, requests(proxy("frontend"), "stripe-api", map[string]float64{"2xx": 360, "4xx": 12})...)
	s = append(s, requests(proxy("frontend"), "billing-legacy", map[string]float64{"2xx": 36})...)
	s = append(s, requests(gw, "frontend", map[string]float64{"2xx": 10800, "3xx": 360, "4xx": 360})...)
	s = append(s, sample.Sample{Kind: sample.InboundRequests, Proxy: gw, Cluster: "edge-gateway", Class: "2xx", Value: 11520})
	s = append(s,
		sample.Sample{Kind: sample.RxBytes, Proxy: proxy("backend"), Cluster: "redis", Value: 3.6e6},
		sample.Sample{Kind: sample.TxBytes, Proxy: proxy("backend"), Cluster: "redis", Value: 7.2e6},
		sample.Sample{Kind: sample.Connections, Proxy: proxy("backend"), Cluster: "redis", Value: 12},
	)
	set := sample.Set{Regime: naming.RegimeLegacy, Window: time.Hour, Samples: s,
		Notices: []sample.Notice{{Severity: sample.SeverityWarning, Text: "Prometheus (tcp): partial response"}}}
	return graph.Build(topo, set, graph.Options{})
}

// unifiedGraph is the recorded 3.0-dev "default" mesh
// (testdata/kuma-cp/head-3.0-dev): MeshServices per zone, grouped by zone.
func unifiedGraph() graph.Graph {
	wl := func(w string) map[string]string { return map[string]string{graph.WorkloadLabel: w} }
	topo := graph.Topology{Services: []graph.Service{
		{Name: "frontend", Info: graph.Info{Kind: graph.KindInternal, Zones: []string{"zone-1"}, Protocol: "http", Status: graph.StatusOnline, Dataplanes: graph.Dataplanes{Online: 1, Total: 1}, MTLS: true}, Selector: wl("frontend")},
		{Name: "backend", Info: graph.Info{Kind: graph.KindInternal, Zones: []string{"zone-1"}, Protocol: "http", Status: graph.StatusOnline, Dataplanes: graph.Dataplanes{Online: 1, Total: 1}, MTLS: true}, Selector: wl("backend")},
		{Name: "backend", Info: graph.Info{Kind: graph.KindInternal, Zones: []string{"zone-2"}, Protocol: "http", Status: graph.StatusOffline, Dataplanes: graph.Dataplanes{Offline: 1, Total: 1}, MTLS: true}, Selector: wl("backend")},
		{Name: "billing", Info: graph.Info{Kind: graph.KindInternal, Zones: []string{"zone-1"}, Protocol: "http", Status: graph.StatusOnline, Dataplanes: graph.Dataplanes{Online: 1, Total: 1}}, Selector: map[string]string{"app": "billing"}},
		{Name: "httpbin", Info: graph.Info{Kind: graph.KindExternal}},
	}}
	var s []sample.Sample
	s = append(s, requests(proxy("frontend"), "kri_msvc_default_zone-1__backend_http", map[string]float64{"2xx": 600, "4xx": 60})...)
	s = append(s, latencyBuckets(proxy("frontend"), "kri_msvc_default_zone-1__backend_http", 660)...)
	s = append(s, requests(proxy("frontend"), "kri_extsvc_default___httpbin_443", map[string]float64{"2xx": 60})...)
	s = append(s, requests(proxy("batch"), "kri_msvc_default_zone-1__billing_http", map[string]float64{"5xx": 6, "2xx": 54})...)
	set := sample.Set{Regime: naming.RegimeUnified, Window: 10 * time.Minute, Samples: s}
	return graph.Build(topo, set, graph.Options{GroupByZone: true})
}

// multiZoneGraph is issue 14's measured Kuma 3.0 mesh (MeshService backend in zone-1 and
// zone-2, as the recorded 3.0 global CP lists it): frontend in zone-1 sends 30 req/s to
// backend in zone-1 and 10 req/s to backend in zone-2; backend in zone-2 also calls
// "ledger", a service in both zones that it reaches by a legacy kuma.io/service name,
// whose zone the name does not tell.
func multiZoneGraph(opts graph.Options) graph.Graph {
	wl := func(w string) map[string]string { return map[string]string{graph.WorkloadLabel: w} }
	part := func(zone string, status graph.Status, online, total int) graph.ZonePart {
		return graph.ZonePart{Zone: zone, Status: status, Dataplanes: graph.Dataplanes{Online: online, Offline: total - online, Total: total}}
	}
	topo := graph.Topology{Services: []graph.Service{
		{Name: "frontend", Info: graph.Info{Kind: graph.KindInternal, Zones: []string{"zone-1"}, Protocol: "http", Status: graph.StatusOnline, Dataplanes: graph.Dataplanes{Online: 2, Total: 2}, MTLS: true},
			Selector: wl("frontend")},
		{Name: "backend", Info: graph.Info{Kind: graph.KindInternal, Zones: []string{"zone-1", "zone-2"}, Protocol: "http", Status: graph.StatusOnline, Dataplanes: graph.Dataplanes{Online: 3, Total: 3}, MTLS: true},
			Selector: wl("backend"), PerZone: []graph.ZonePart{part("zone-1", graph.StatusOnline, 2, 2), part("zone-2", graph.StatusOnline, 1, 1)}},
		{Name: "ledger", Info: graph.Info{Kind: graph.KindInternal, Zones: []string{"zone-1", "zone-2"}, Protocol: "http", Status: graph.StatusOnline, Dataplanes: graph.Dataplanes{Online: 2, Total: 2}, MTLS: true}},
	}}
	zone2 := sample.Proxy{Mesh: "default", Zone: "zone-2", Source: "backend"}
	var s []sample.Sample
	s = append(s, requests(proxy("frontend"), "kri_msvc_default_zone-1__backend_http", map[string]float64{"2xx": 18000})...)
	s = append(s, requests(proxy("frontend"), "kri_msvc_default_zone-2__backend_http", map[string]float64{"2xx": 5940, "5xx": 60})...)
	s = append(s, requests(zone2, "ledger", map[string]float64{"2xx": 1200})...)
	// The zone proxies, drawn with ShowZoneProxies only: zone-1's egress carries
	// frontend's requests to zone-2 (a mesh routing cross-zone traffic through egresses),
	// zone-2's ingress passes them on as connections and bytes.
	egress, ingress := sample.Proxy{Mesh: "default", Zone: "zone-1", ZoneProxy: "egress"}, sample.Proxy{Mesh: "default", Zone: "zone-2", ZoneProxy: "ingress"}
	s = append(s, requests(egress, "kri_msvc_default_zone-2__backend_http", map[string]float64{"2xx": 5940, "5xx": 60})...)
	for _, b := range []struct{ le, v float64 }{{25, 3000}, {50, 5700}, {math.Inf(1), 6000}} {
		s = append(s, sample.Sample{Kind: sample.LatencyBucket, Proxy: egress, Cluster: "kri_msvc_default_zone-2__backend_http", LE: b.le, Value: b.v})
	}
	for kind, v := range map[sample.Kind]float64{sample.Connections: 60, sample.RxBytes: 6e6, sample.TxBytes: 1.2e6} {
		s = append(s, sample.Sample{Kind: kind, Proxy: ingress, Cluster: "kri_msvc_default_zone-2__backend_http", Value: v})
	}
	set := sample.Set{Regime: naming.RegimeUnified, Window: 10 * time.Minute, Samples: s}
	return graph.Build(topo, set, opts)
}

func TestNodeGraphGolden(t *testing.T) {
	tests := map[string]graph.Graph{
		"nodegraph-legacy":  legacyGraph(),
		"nodegraph-unified": unifiedGraph(),
		// One node per service and zone; the cross-zone edge frontend@zone-1 -> backend@zone-2.
		"nodegraph-multizone": multiZoneGraph(graph.Options{GroupByZone: true}),
		// zone-2's view: the traffic into zone-2's services, the legacy name kept with a notice.
		"nodegraph-multizone-zone-2-any": multiZoneGraph(graph.Options{GroupByZone: true, Zones: []string{"zone-2"}, ZoneSide: graph.ZoneSideAny}),
		// frontend@zone-1 -> zone-egress@zone-1 -> zone-ingress@zone-2 -> backend@zone-2,
		// each hop with what its proxy counted.
		"nodegraph-multizone-zone-proxies": multiZoneGraph(graph.Options{GroupByZone: true, ShowZoneProxies: true}),
		"nodegraph-empty":                  {Notices: []sample.Notice{{Severity: sample.SeverityError, Text: `prometheus query "requests": boom`}}},
	}
	for name, g := range tests {
		t.Run(name, func(t *testing.T) {
			frames := NodeGraph(g, LinkOptions{Mesh: "default"})
			experimental.CheckGoldenJSONResponse(t, "testdata", name, &backend.DataResponse{Frames: frames}, *update)
		})
	}
}

func TestDecimal(t *testing.T) {
	for v, want := range map[float64]string{0: "0.00", 0.0033333: "0.00333", 0.000125: "0.000125", 0.05: "0.05", 12.34: "12.3", 1234.5: "1234"} {
		if got := decimal(v); got != want {
			t.Errorf("decimal(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestHumanUnits(t *testing.T) {
	for v, want := range map[float64]string{0: "0.00 B", 999: "999 B", 1500: "1.50 kB", 3e6: "3.00 MB", 12.5e9: "12.5 GB"} {
		if got := humanBytes(v); got != want {
			t.Errorf("humanBytes(%v) = %q, want %q", v, got, want)
		}
	}
}
