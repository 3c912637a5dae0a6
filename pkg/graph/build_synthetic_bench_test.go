package graph_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// BenchmarkBuildSynthetic joins the decoded answers of the synthetic 1,000-service /
// 5,000-edge mesh that cmd/benchmap times as "join" (issue #17, goal 4): the samples
// come in the decoder's order, with its interned strings, so the lookups' shortcuts
// meet what they meet in the plugin.
func BenchmarkBuildSynthetic(b *testing.B) {
	syn, err := bench.NewSynthetic(1_000, 5_000, 3, 20)
	if err != nil {
		b.Fatal(err)
	}
	pc, err := syn.Client()
	if err != nil {
		b.Fatal(err)
	}
	set, err := pc.FetchMeshSamples(b.Context(), bench.SyntheticQuery)
	if err != nil {
		b.Fatal(err)
	}
	normaliser, err := naming.NewNormaliser("")
	if err != nil {
		b.Fatal(err)
	}
	// shuffled is the same set in an order with no runs at all: what the join costs
	// when a store returns a series group's samples apart.
	shuffled := set
	shuffled.Samples = slices.Clone(set.Samples)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled.Samples), func(i, j int) {
		shuffled.Samples[i], shuffled.Samples[j] = shuffled.Samples[j], shuffled.Samples[i]
	})
	for _, bc := range []struct {
		name string
		set  sample.Set
		opts graph.Options
	}{
		{"topN", set, graph.Options{Normaliser: normaliser}},
		{"groupByZone", set, graph.Options{Normaliser: normaliser, GroupByZone: true}},
		{"shuffled", shuffled, graph.Options{Normaliser: normaliser}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				graph.Build(syn.Topology, bc.set, bc.opts)
			}
			b.ReportMetric(float64(len(bc.set.Samples)), "samples")
		})
	}
}
