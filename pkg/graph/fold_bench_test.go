package graph

import (
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// BenchmarkBuildLargeMesh joins a 5,000-service mesh (15,000 edges) down to Grafana's
// 200 visible nodes, by top-N folding and with groupByZone, and reports how many
// nodes the map keeps.
func BenchmarkBuildLargeMesh(b *testing.B) {
	topo, set := syntheticMesh(5_000)
	for _, byZone := range []bool{false, true} {
		name := "topN"
		if byZone {
			name = "groupByZone"
		}
		b.Run(name, func(b *testing.B) {
			opts := Options{Normaliser: mustNormaliser(b, naming.DefaultRollupRegEx), MaxNodes: DefaultMaxNodes, GroupByZone: byZone}
			var g Graph
			b.ReportAllocs()
			for b.Loop() {
				g = Build(topo, set, opts)
			}
			if len(g.Nodes) > DefaultMaxNodes {
				b.Fatalf("%d nodes, want at most %d", len(g.Nodes), DefaultMaxNodes)
			}
			b.ReportMetric(float64(len(g.Nodes)), "nodes")
			b.ReportMetric(float64(len(g.Edges)), "edges")
		})
	}
}
