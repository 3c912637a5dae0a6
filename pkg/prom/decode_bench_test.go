package prom_test

import (
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
)

// BenchmarkFetchMeshSamplesDecode measures what the plugin does with Prometheus'
// answers (JSON decoding and sample extraction) without a network: the answers of a
// synthetic mesh are replayed from memory.
func BenchmarkFetchMeshSamplesDecode(b *testing.B) {
	syn, err := bench.NewSynthetic(1000, 5000, 3, 20)
	if err != nil {
		b.Fatal(err)
	}
	pc, err := syn.Client()
	if err != nil {
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
}
