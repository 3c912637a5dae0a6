package graph_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
)

// BenchmarkBuildSynthetic joins the decoded answers of the synthetic 1,000-service /
// 5,000-edge mesh that cmd/benchmap times as "join" (issue #17, goal 4): the samples
// come in the decoder's order, with its interned strings, so the lookups' shortcuts
// meet what they meet in the plugin. "sharded" has the latency buckets in the
// plugin's default shards, so each edge's buckets come in two runs.
func BenchmarkBuildSynthetic(b *testing.B) {
	topo, set, opts := bench.SyntheticJoin(b, 1_000, 5_000)
	_, sharded, _ := bench.SyntheticJoin(b, 1_000, 5_000, prom.WithShards(models.DefaultPrometheusShards))
	byZone := opts
	byZone.GroupByZone = true
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
		{"topN", set, opts},
		{"groupByZone", set, byZone},
		{"sharded", sharded, opts},
		{"shuffled", shuffled, opts},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				graph.Build(topo, bc.set, bc.opts)
			}
			b.ReportMetric(float64(len(bc.set.Samples)), "samples")
		})
	}
}
