package graph

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// With groupByZone, a legacy cluster name (no zone in it) must land on the CP's node of
// that service when the CP knows it in one zone only: frontend in zone-1 calling backend,
// which runs only in zone-2, is the edge frontend@zone-1 -> backend@zone-2, not an edge
// to a second, unknown "backend". A service in several zones stays unattributed.
func TestGroupByZoneLegacyDestinationInOneZone(t *testing.T) {
	svc := func(name string, zones ...string) Service {
		return Service{Name: name, Info: Info{Kind: KindInternal, Zones: zones, Status: StatusOnline}}
	}
	topo := Topology{Services: []Service{svc("frontend", "zone-1"), svc("backend", "zone-2"), svc("db", "zone-2"), svc("db", "zone-1")}}
	set := sample.Set{Regime: naming.RegimeLegacy, Window: time.Minute, Samples: []sample.Sample{
		upstream(sample.Requests, "frontend", "zone-1", "backend", "2xx", 0, 60),
		upstream(sample.Requests, "backend", "zone-2", "db", "2xx", 0, 30),
	}}
	g := Build(topo, set, Options{Normaliser: mustNormaliser(t, naming.DefaultRollupRegEx), GroupByZone: true})
	edges := map[string]float64{}
	for _, e := range g.Edges {
		edges[e.ID] = e.Stats.RequestRate
	}
	if edges["frontend@zone-1->backend@zone-2"] != 1 {
		t.Errorf("edges %v, want frontend@zone-1->backend@zone-2 at 1 req/s", edges)
	}
	// db is in two zones and a legacy name cannot tell which: one zone-less node.
	if edges["backend@zone-2->db"] != 0.5 {
		t.Errorf("edges %v, want backend@zone-2->db at 0.5 req/s", edges)
	}
	for _, n := range g.Nodes {
		if n.ID == "backend" {
			t.Errorf("a second, zone-less backend node: %+v", n)
		}
	}
}

// multiZoneMesh is the measured Kuma 3.0 case of issue 14 in a regime's names: frontend in
// zone-1 sends 30 req/s to backend in zone-1 and 10 req/s to backend in zone-2; backend
// calls redis in its own zone and an external httpbin; the CP describes backend per zone.
func multiZoneMesh(regime naming.Regime, backend func(zone string) string) (Topology, sample.Set) {
	wl := map[string]string{WorkloadLabel: "backend"}
	topo := Topology{Services: []Service{
		{Name: "frontend", Info: Info{Kind: KindInternal, Zones: []string{"zone-1"}, Status: StatusOnline, Dataplanes: Dataplanes{Online: 2, Total: 2}},
			Selector: map[string]string{WorkloadLabel: "frontend"}},
		{Name: "backend", Info: Info{Kind: KindInternal, Zones: []string{"zone-1", "zone-2"}, Status: StatusPartiallyDegraded, Dataplanes: Dataplanes{Online: 2, Offline: 1, Total: 3}},
			Selector: wl, PerZone: []ZonePart{
				{Zone: "zone-1", Status: StatusOnline, Dataplanes: Dataplanes{Online: 2, Total: 2}},
				{Zone: "zone-2", Status: StatusOffline, Dataplanes: Dataplanes{Offline: 1, Total: 1}},
			}},
		{Name: "redis", Info: Info{Kind: KindInternal, Zones: []string{"zone-1", "zone-2"}}, PerZone: []ZonePart{{Zone: "zone-1"}, {Zone: "zone-2"}}},
		{Name: "httpbin.org", Info: Info{Kind: KindExternal}},
	}}
	const minute = 60
	set := sample.Set{Regime: regime, Window: time.Minute, Samples: []sample.Sample{
		upstream(sample.Requests, "frontend", "zone-1", backend("zone-1"), "2xx", 0, 30*minute),
		upstream(sample.Requests, "frontend", "zone-1", backend("zone-2"), "2xx", 0, 10*minute),
		upstream(sample.Requests, "backend", "zone-1", strings.ReplaceAll(backend("zone-1"), "backend", "redis"), "2xx", 0, 6*minute),
		upstream(sample.Requests, "backend", "zone-2", strings.ReplaceAll(backend("zone-2"), "backend", "redis"), "2xx", 0, 3*minute),
		upstream(sample.Requests, "backend", "zone-2", "httpbin.org", "2xx", 0, 1*minute),
		upstream(sample.InboundRequests, "backend", "zone-1", "self_inbound_dp_http", "2xx", 0, 30*minute),
		upstream(sample.InboundRequests, "backend", "zone-2", "self_inbound_dp_http", "2xx", 0, 10*minute),
	}}
	return topo, set
}

// TestGroupByZoneDrawsTheDestinationZone is issue 14's "done when", per regime whose
// cluster names carry the destination's zone, and every zone view of it.
func TestGroupByZoneDrawsTheDestinationZone(t *testing.T) {
	regimes := map[naming.Regime]func(zone string) string{
		naming.RegimeUnified:     func(zone string) string { return "kri_msvc_default_" + zone + "__backend_http" },
		naming.RegimeMeshService: func(zone string) string { return "default_backend__" + zone + "_msvc_8080" },
	}
	tests := []struct {
		name  string
		opts  Options
		edges map[string]float64 // req/s
		nodes map[string]float64 // req/s into the node
	}{
		{
			name: "whole mesh",
			opts: Options{GroupByZone: true},
			edges: map[string]float64{
				"frontend@zone-1->backend@zone-1": 30, "frontend@zone-1->backend@zone-2": 10,
				"backend@zone-1->redis@zone-1": 6, "backend@zone-2->redis@zone-2": 3, "backend@zone-2->httpbin.org": 1,
			},
			nodes: map[string]float64{"frontend@zone-1": 0, "backend@zone-1": 30, "backend@zone-2": 10, "redis@zone-1": 6, "redis@zone-2": 3, "httpbin.org": 1},
		},
		{
			name:  "zone-2 as the source (today's meaning): what zone-2's proxies sent",
			opts:  Options{GroupByZone: true, Zones: []string{"zone-2"}},
			edges: map[string]float64{"backend@zone-2->redis@zone-2": 3, "backend@zone-2->httpbin.org": 1},
			nodes: map[string]float64{"backend@zone-2": 10, "redis@zone-2": 3, "httpbin.org": 1},
		},
		{
			name:  "zone-2 as the destination: what went into zone-2's services",
			opts:  Options{GroupByZone: true, Zones: []string{"zone-2"}, ZoneSide: ZoneSideDestination},
			edges: map[string]float64{"frontend@zone-1->backend@zone-2": 10, "backend@zone-2->redis@zone-2": 3},
			nodes: map[string]float64{"frontend@zone-1": 0, "backend@zone-2": 10, "redis@zone-2": 3},
		},
		{
			name: "zone-2 either way",
			opts: Options{GroupByZone: true, Zones: []string{"zone-2"}, ZoneSide: ZoneSideAny},
			edges: map[string]float64{
				"frontend@zone-1->backend@zone-2": 10, "backend@zone-2->redis@zone-2": 3, "backend@zone-2->httpbin.org": 1,
			},
			nodes: map[string]float64{"frontend@zone-1": 0, "backend@zone-2": 10, "redis@zone-2": 3, "httpbin.org": 1},
		},
		{
			name:  "zone-2 either way, one node per service",
			opts:  Options{Zones: []string{"zone-2"}, ZoneSide: ZoneSideAny},
			edges: map[string]float64{"frontend->backend": 10, "backend->redis": 3, "backend->httpbin.org": 1},
			nodes: map[string]float64{"frontend": 0, "backend": 10, "redis": 3, "httpbin.org": 1},
		},
	}
	for regime, backend := range regimes {
		for _, tt := range tests {
			t.Run(string(regime)+"/"+tt.name, func(t *testing.T) {
				topo, set := multiZoneMesh(regime, backend)
				tt.opts.Normaliser = mustNormaliser(t, naming.DefaultRollupRegEx)
				g := Build(topo, set, tt.opts)
				edges, nodes := map[string]float64{}, map[string]float64{}
				for _, e := range g.Edges {
					edges[e.ID] = e.Stats.RequestRate
				}
				for _, n := range g.Nodes {
					nodes[n.ID] = n.Stats.RequestRate
				}
				if !maps.Equal(edges, tt.edges) || !maps.Equal(nodes, tt.nodes) {
					t.Errorf("edges %v\nwant  %v\nnodes %v\nwant  %v", edges, tt.edges, nodes, tt.nodes)
				}
				if len(g.Notices) != 0 {
					t.Errorf("notices %+v: every zone is known", g.Notices)
				}
			})
		}
	}
}

// Edges carry both ends' zones, and a node the zones its traffic came from.
func TestGroupByZoneEdgeAndNodeZones(t *testing.T) {
	topo, set := multiZoneMesh(naming.RegimeUnified, func(zone string) string { return "kri_msvc_default_" + zone + "__backend_http" })
	set.Samples = append(set.Samples, upstream(sample.Requests, "frontend", "zone-2", "kri_msvc_default_zone-2__backend_http", "2xx", 0, 60))
	g := Build(topo, set, Options{})
	edges, nodes := edgesByID(g), nodesByID(g)
	fb := edges["frontend->backend"]
	if !slices.Equal(fb.SourceZones, []string{"zone-1", "zone-2"}) || !slices.Equal(fb.DestinationZones, []string{"zone-1", "zone-2"}) || fb.DestinationZoneUnknown || !fb.CrossZone() {
		t.Errorf("frontend->backend = %+v", fb)
	}
	if n := nodes["backend"]; !slices.Equal(n.SourceZones, []string{"zone-1", "zone-2"}) || n.Status != StatusPartiallyDegraded || n.Dataplanes.Total != 3 {
		t.Errorf("backend = %+v", n)
	}

	g = Build(topo, set, Options{GroupByZone: true})
	edges, nodes = edgesByID(g), nodesByID(g)
	if e := edges["frontend@zone-1->backend@zone-1"]; e.CrossZone() || !slices.Equal(e.DestinationZones, []string{"zone-1"}) {
		t.Errorf("frontend@zone-1->backend@zone-1 = %+v", e)
	}
	if e := edges["frontend@zone-1->backend@zone-2"]; !e.CrossZone() {
		t.Errorf("frontend@zone-1->backend@zone-2 not cross-zone: %+v", e)
	}
	if e := edges["backend@zone-2->httpbin.org"]; e.CrossZone() || len(e.DestinationZones) != 0 || e.DestinationZoneUnknown {
		t.Errorf("an external service is in no zone: %+v", e)
	}
	if n := nodes["backend@zone-2"]; !slices.Equal(n.SourceZones, []string{"zone-1", "zone-2"}) || n.Status != StatusOffline || n.Dataplanes.Total != 1 || n.Zone != "zone-2" {
		t.Errorf("backend@zone-2 = %+v", n)
	}
	if _, ok := nodes["backend"]; ok {
		t.Errorf("a zone-less backend next to its zone nodes: %v", nodes)
	}
}

// Where names cannot tell the destination's zone (legacy kuma.io/service clusters of a
// service in several zones), groupByZone draws one node marked zone-unknown and says why;
// the destination view leaves such traffic out, the either-side view keeps it, each with
// a notice.
func TestUnknownDestinationZone(t *testing.T) {
	topo, set := multiZoneMesh(naming.RegimeMeshService, func(zone string) string { return "default_backend__" + zone + "_msvc_8080" })
	// A 2.x mesh in meshServices mode Everywhere still has kuma.io/service clusters.
	set.Samples = append(set.Samples, upstream(sample.Requests, "frontend", "zone-1", "backend", "2xx", 0, 120))
	tests := []struct {
		name    string
		opts    Options
		edge    string
		rps     float64
		notice  string
		unknown bool
	}{
		{name: "groupByZone", opts: Options{GroupByZone: true}, edge: "frontend@zone-1->backend", rps: 2,
			notice: `groupByZone: traffic to "backend" goes to one node marked "zone unknown"`, unknown: true},
		{name: "destination view", opts: Options{Zones: []string{"zone-2"}, ZoneSide: ZoneSideDestination}, edge: "frontend->backend", rps: 10,
			notice: `zoneSide destination left out traffic to "backend"`},
		{name: "either-side view", opts: Options{Zones: []string{"zone-2"}, ZoneSide: ZoneSideAny}, edge: "frontend->backend", rps: 12,
			notice: `zoneSide any kept traffic from other zones to "backend"`},
		{name: "source view decides by the sender alone", opts: Options{Zones: []string{"zone-1"}}, edge: "frontend->backend", rps: 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Normaliser = mustNormaliser(t, naming.DefaultRollupRegEx)
			g := Build(topo, set, tt.opts)
			e, ok := edgesByID(g)[tt.edge]
			if !ok || !near(e.Stats.RequestRate, tt.rps) {
				t.Errorf("edge %s = %+v, want %v req/s; edges %v", tt.edge, e, tt.rps, slices.Collect(maps.Keys(edgesByID(g))))
			}
			if n := nodesByID(g)[e.Target]; n.ZoneUnknown != tt.unknown {
				t.Errorf("%s: ZoneUnknown = %v, want %v", n.ID, n.ZoneUnknown, tt.unknown)
			}
			var texts []string
			for _, n := range g.Notices {
				texts = append(texts, n.Text)
			}
			if found := slices.ContainsFunc(texts, func(s string) bool { return tt.notice != "" && strings.HasPrefix(s, tt.notice) }); found != (tt.notice != "") || len(texts) > 1 {
				t.Errorf("notices %q, want one starting %q", texts, tt.notice)
			}
		})
	}
}
