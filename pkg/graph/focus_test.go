package graph

import (
	"regexp"
	"slices"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// chainMesh: gateway → frontend → backend → db, frontend → catalog, batch → backend,
// and backend → ledger in zone-2 (grouped by zone, two ledger nodes).
func chainMesh() (Topology, sample.Set) {
	call := func(src, zone, dst string) sample.Sample {
		return upstream(sample.Requests, src, zone, dst, "2xx", 0, 60)
	}
	topo := Topology{Services: []Service{
		{Name: "ledger", Info: Info{Kind: KindInternal, Zones: []string{"zone-1", "zone-2"}},
			PerZone: []ZonePart{{Zone: "zone-1"}, {Zone: "zone-2"}}},
	}}
	return topo, sample.Set{Regime: naming.RegimeLegacy, Window: window, Samples: []sample.Sample{
		call("gateway", "zone-1", "frontend"),
		call("frontend", "zone-1", "backend"),
		call("frontend", "zone-1", "catalog"),
		call("backend", "zone-1", "db"),
		call("batch", "zone-1", "backend"),
		call("db", "zone-1", "ledger"),
	}}
}

func TestFocus(t *testing.T) {
	tests := []struct {
		name         string
		opts         Options
		nodes, edges []string
		notice       bool
	}{
		{name: "no focus: everything", opts: Options{},
			nodes: []string{"backend", "batch", "catalog", "db", "frontend", "gateway", "ledger"},
			edges: []string{"backend->db", "batch->backend", "db->ledger", "frontend->backend", "frontend->catalog", "gateway->frontend"}},
		{name: "default: one hop both ways, no edge between two peers", opts: Options{Focus: "backend"},
			nodes: []string{"backend", "batch", "db", "frontend"},
			edges: []string{"backend->db", "batch->backend", "frontend->backend"}},
		{name: "callers two hops up", opts: Options{Focus: "backend", Depth: 2, Direction: DirectionIn},
			nodes: []string{"backend", "batch", "frontend", "gateway"},
			edges: []string{"batch->backend", "frontend->backend", "gateway->frontend"}},
		{name: "callees two hops down", opts: Options{Focus: "frontend", Depth: 2, Direction: DirectionOut},
			nodes: []string{"backend", "catalog", "db", "frontend"},
			edges: []string{"backend->db", "frontend->backend", "frontend->catalog"}},
		{name: "both ways two hops: catalog is reached through frontend", opts: Options{Focus: "backend", Depth: 2},
			nodes: []string{"backend", "batch", "catalog", "db", "frontend", "gateway", "ledger"},
			edges: []string{"backend->db", "batch->backend", "db->ledger", "frontend->backend", "frontend->catalog", "gateway->frontend"}},
		{name: "with the service regex inside the focus", opts: Options{Focus: "backend", ServiceRegex: mustRegexp(t, "^db$")},
			nodes: []string{"backend", "db"}, edges: []string{"backend->db"}},
		{name: "unknown focus: empty, with a notice", opts: Options{Focus: "nope"}, notice: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo, set := chainMesh()
			g := Build(topo, set, tt.opts)
			nodes, edges := ids(g)
			if !slices.Equal(nodes, tt.nodes) || !slices.Equal(edges, tt.edges) {
				t.Errorf("nodes %v\nedges %v\nwant %v\n     %v", nodes, edges, tt.nodes, tt.edges)
			}
			if got := slices.ContainsFunc(g.Notices, func(n sample.Notice) bool { return n.Text == `focus: no service named "nope" in the map` }); got != tt.notice {
				t.Errorf("notices %v", g.Notices)
			}
		})
	}
}

// With groupByZone the focus is the service in every zone.
func TestFocusTakesEveryZoneOfTheService(t *testing.T) {
	topo, set := chainMesh()
	nodes, _ := ids(Build(topo, set, Options{Focus: "ledger", GroupByZone: true, Direction: DirectionIn}))
	if !slices.Contains(nodes, "ledger@zone-1") || !slices.Contains(nodes, "ledger@zone-2") || !slices.Contains(nodes, "db@zone-1") {
		t.Errorf("nodes %v: want both ledger zones and its caller", nodes)
	}
}

func mustRegexp(t *testing.T, re string) *regexp.Regexp {
	t.Helper()
	r, err := regexp.Compile(re)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
