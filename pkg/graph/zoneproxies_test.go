package graph

import (
	"maps"
	"slices"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// zoneProxySample is one series of a zone proxy: no source, the mesh the query selected
// its clusters by.
func zoneProxySample(kind sample.Kind, proxy, zone, cluster string, v float64) sample.Sample {
	class := ""
	if kind == sample.Requests {
		class = "2xx"
	}
	return sample.Sample{Kind: kind, Proxy: sample.Proxy{Mesh: "default", Zone: zone, ZoneProxy: proxy}, Cluster: cluster, Class: class, Value: v}
}

// With showZoneProxies, multiZoneMesh's cross-zone and external traffic goes through the
// zone proxies that report carrying it: each hop is what its reporting proxy counted (the
// sidecars' requests into the first hop, the ingress' connections and bytes out of it,
// the egress' requests), per regime, with and without groupByZone.
func TestShowZoneProxies(t *testing.T) {
	const minute = 60
	regimes := map[naming.Regime]struct {
		backend func(zone string) string // as the sidecars name it
		ingress func(zone string) string // as the ingress names it
	}{
		naming.RegimeUnified: {
			func(zone string) string { return "kri_msvc_default_" + zone + "__backend_http" },
			func(zone string) string { return "kri_msvc_default_" + zone + "__backend_http" },
		},
		naming.RegimeMeshService: {
			func(zone string) string { return "default_backend__" + zone + "_msvc_8080" },
			func(zone string) string { return "default_backend__" + zone + "_msvc_8080" },
		},
	}
	type rates struct{ rps, bps float64 }
	tests := []struct {
		name   string
		opts   Options
		egress bool // zone-1's egress also carries frontend's traffic to zone-2
		edges  map[string]rates
	}{
		{
			name:  "option off: the zone proxies' samples draw nothing",
			opts:  Options{},
			edges: map[string]rates{"frontend->backend": {40, 0}, "backend->redis": {9, 0}, "backend->httpbin.org": {1, 0}},
		},
		{
			name: "ingress and egress",
			opts: Options{ShowZoneProxies: true},
			edges: map[string]rates{
				"frontend->backend": {30, 0}, "frontend->zone-ingress@zone-2": {10, 0}, "zone-ingress@zone-2->backend": {0, 3000},
				"backend->redis": {9, 0}, "backend->zone-egress@zone-2": {1, 0}, "zone-egress@zone-2->httpbin.org": {1, 0},
			},
		},
		{
			name: "per zone",
			opts: Options{ShowZoneProxies: true, GroupByZone: true},
			edges: map[string]rates{
				"frontend@zone-1->backend@zone-1": {30, 0}, "frontend@zone-1->zone-ingress@zone-2": {10, 0},
				"zone-ingress@zone-2->backend@zone-2": {0, 3000}, "backend@zone-1->redis@zone-1": {6, 0}, "backend@zone-2->redis@zone-2": {3, 0},
				"backend@zone-2->zone-egress@zone-2": {1, 0}, "zone-egress@zone-2->httpbin.org": {1, 0},
			},
		},
		{
			name:   "cross-zone through the source zone's egress",
			opts:   Options{ShowZoneProxies: true, GroupByZone: true},
			egress: true,
			edges: map[string]rates{
				"frontend@zone-1->backend@zone-1": {30, 0}, "frontend@zone-1->zone-egress@zone-1": {10, 0},
				"zone-egress@zone-1->zone-ingress@zone-2": {10, 0}, "zone-ingress@zone-2->backend@zone-2": {0, 3000},
				"backend@zone-1->redis@zone-1": {6, 0}, "backend@zone-2->redis@zone-2": {3, 0},
				"backend@zone-2->zone-egress@zone-2": {1, 0}, "zone-egress@zone-2->httpbin.org": {1, 0},
			},
		},
	}
	for regime, names := range regimes {
		for _, tt := range tests {
			t.Run(string(regime)+"/"+tt.name, func(t *testing.T) {
				topo, set := multiZoneMesh(regime, names.backend)
				set.Samples = append(set.Samples,
					zoneProxySample(sample.RxBytes, "ingress", "zone-2", names.ingress("zone-2"), 1000*minute),
					zoneProxySample(sample.TxBytes, "ingress", "zone-2", names.ingress("zone-2"), 2000*minute),
					zoneProxySample(sample.Connections, "ingress", "zone-2", names.ingress("zone-2"), 5*minute),
					// A legacy ExternalService is mesh-qualified by the egress.
					zoneProxySample(sample.Requests, "egress", "zone-2", "default_httpbin.org", 1*minute),
				)
				if tt.egress {
					set.Samples = append(set.Samples, zoneProxySample(sample.Requests, "egress", "zone-1", names.ingress("zone-2"), 10*minute))
				}
				tt.opts.Normaliser = mustNormaliser(t, naming.DefaultRollupRegEx)
				g := Build(topo, set, tt.opts)
				got := map[string]rates{}
				for _, e := range g.Edges {
					got[e.ID] = rates{e.Stats.RequestRate, e.Stats.ByteRate}
				}
				if !maps.Equal(got, tt.edges) {
					t.Errorf("edges %v\nwant  %v", got, tt.edges)
				}
				for _, n := range g.Nodes {
					if want := map[string]Kind{"zone-ingress": KindZoneIngress, "zone-egress": KindZoneEgress}[n.Name]; want != "" && (n.Kind != want || n.Zone == "" || n.KnownToCP) {
						t.Errorf("zone proxy node %+v", n)
					}
				}
				if len(g.Notices) != 0 {
					t.Errorf("notices %+v", g.Notices)
				}
			})
		}
	}
}

// A legacy name of a service in several zones tells no zone: the sidecars' traffic is
// drawn straight to the service, the ingress' hop next to it; the ingress names the
// service mesh-qualified (<mesh>_<service>).
func TestShowZoneProxiesLegacy(t *testing.T) {
	topo, set := multiZoneMesh(naming.RegimeLegacy, func(string) string { return "backend" })
	set.Samples = append(set.Samples, zoneProxySample(sample.Connections, "ingress", "zone-2", "default_backend", 60))
	g := Build(topo, set, Options{Normaliser: mustNormaliser(t, naming.DefaultRollupRegEx), ShowZoneProxies: true})
	edges := edgesByID(g)
	if e := edges["frontend->backend"]; e.Stats.RequestRate != 40 {
		t.Errorf("frontend->backend = %+v, want 40 req/s straight to backend", e)
	}
	if e, ok := edges["zone-ingress@zone-2->backend"]; !ok || e.Stats.Connections != 60 {
		t.Errorf("zone-ingress@zone-2->backend = %+v (found %v), want 60 connections", e, ok)
	}
}

// A zone proxy is a hop for focus: frontend's depth 1 ends at zone-2's ingress.
func TestShowZoneProxiesFocus(t *testing.T) {
	topo, set := multiZoneMesh(naming.RegimeUnified, func(zone string) string { return "kri_msvc_default_" + zone + "__backend_http" })
	set.Samples = append(set.Samples, zoneProxySample(sample.Connections, "ingress", "zone-2", "kri_msvc_default_zone-2__backend_http", 60))
	for depth, want := range map[int][]string{
		1: {"backend@zone-1", "frontend@zone-1", "zone-ingress@zone-2"},
		2: {"backend@zone-1", "backend@zone-2", "frontend@zone-1", "redis@zone-1", "zone-ingress@zone-2"},
	} {
		g := Build(topo, set, Options{Normaliser: mustNormaliser(t, naming.DefaultRollupRegEx), GroupByZone: true, ShowZoneProxies: true,
			Focus: "frontend", Depth: depth, Direction: DirectionOut})
		var got []string
		for _, n := range g.Nodes {
			got = append(got, n.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("depth %d: nodes %v, want %v", depth, got, want)
		}
	}
}
