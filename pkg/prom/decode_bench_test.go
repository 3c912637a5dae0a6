package prom_test

import (
	"fmt"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
)

// BenchmarkFetchMeshSamplesDecode measures what the plugin does with Prometheus'
// answers (JSON decoding and sample extraction) without a network: the answers of a
// synthetic mesh are replayed from memory, the latency answer cut into its shards.
func BenchmarkFetchMeshSamplesDecode(b *testing.B) {
	syn, err := bench.NewSynthetic(1000, 5000, 3, 20)
	if err != nil {
		b.Fatal(err)
	}
	for _, shards := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			pc, err := syn.Client(prom.WithShards(shards))
			if err != nil {
				b.Fatal(err)
			}
			// The first fetch cuts the replayed latency answer into shards; Loop's timer
			// starts after it.
			if _, err := pc.FetchMeshSamples(b.Context(), bench.SyntheticQuery); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				set, err := pc.FetchMeshSamples(b.Context(), bench.SyntheticQuery)
				if err != nil || len(set.Samples) != syn.Series {
					b.Fatalf("%d samples, want %d: %v", len(set.Samples), syn.Series, err)
				}
			}
			b.ReportMetric(float64(syn.Series), "series")
		})
	}
}
