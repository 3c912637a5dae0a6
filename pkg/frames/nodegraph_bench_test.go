package frames_test

import (
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
	"github.com/kumahq/kuma-grafana-datasource/pkg/frames"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
)

// BenchmarkNodeGraphLargeMesh renders the frames of a 5,000-service mesh folded to
// Grafana's 200 visible nodes: what a refresh of a big mesh costs after the join.
func BenchmarkNodeGraphLargeMesh(b *testing.B) {
	topo, set, opts := bench.SyntheticJoin(b, 5_000, 25_000)
	g := graph.Build(topo, set, opts)
	b.ReportAllocs()
	for b.Loop() {
		f := frames.NodeGraph(g, frames.LinkOptions{Mesh: "default"})
		if f[0].Rows() != len(g.Nodes) {
			b.Fatalf("%d node rows, want %d", f[0].Rows(), len(g.Nodes))
		}
	}
	b.ReportMetric(float64(len(g.Nodes)), "nodes")
}
