package prom_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
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

// BenchmarkFetchMeshSamplesRecorded is BenchmarkFetchMeshSamplesDecode on the answers
// cmd/benchmap records at /tmp (synthetic and real, 1,000 services) when present, with
// the default shards.
func BenchmarkFetchMeshSamplesRecorded(b *testing.B) {
	for _, kind := range []string{"syn", "real"} {
		b.Run(kind, func(b *testing.B) {
			bodies := map[string][]byte{}
			size := 0
			for _, sq := range []string{"requests", "latency", "inbound", "tcp"} {
				body, err := os.ReadFile("/tmp/" + kind + "-" + sq + ".json")
				if err != nil {
					b.Skip(err)
				}
				bodies[sq], size = body, size+len(body)
			}
			pc, err := prom.New("http://replay.invalid", &http.Client{Transport: &bench.Replay{Bodies: bodies}},
				prom.WithShards(models.DefaultPrometheusShards), prom.WithRecordingRules(false))
			if err != nil {
				b.Fatal(err)
			}
			q := prom.MeshQuery{Mesh: "default", From: time.Unix(1764007200, 0), To: time.Unix(1764010800, 0)}
			if _, err := pc.FetchMeshSamples(b.Context(), q); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pc.FetchMeshSamples(b.Context(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
