package graph

import (
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
