package prom

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/prometheus/common/model"
)

// latencyAnswer is a latency answer as Prometheus writes it: 5,000 edges of 20 buckets,
// each series with the labels of a legacy mesh's map.
func latencyAnswer(tb testing.TB) []byte {
	tb.Helper()
	les := []string{"0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000", "10000",
		"30000", "60000", "300000", "600000", "1800000", "3600000", "+Inf"}
	vec := make(model.Vector, 0, 5000*len(les))
	for e := range 5000 {
		for b, le := range les {
			vec = append(vec, &model.Sample{Metric: model.Metric{
				"mesh": "default", "kuma_io_service": model.LabelValue(fmt.Sprintf("svc-%05d", e/5)),
				"kuma_io_zone": model.LabelValue("zone-" + strconv.Itoa(e%3+1)), "envoy_cluster_name": model.LabelValue(fmt.Sprintf("svc-%05d", e/5+1+e%5)),
				"le": model.LabelValue(le),
			}, Value: model.SampleValue(float64(e%97*(b+1)) * 12.345), Timestamp: 1764010800123})
		}
	}
	result, err := json.Marshal(vec)
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(`{"status":"success","data":{"resultType":"vector","result":` + string(result) + `}}`)
}

// BenchmarkDecodeVector measures the streaming decoder alone on a latency answer of
// 100,000 series, and on the answers recorded by cmd/benchmap at /tmp when present.
func BenchmarkDecodeVector(b *testing.B) {
	bodies := map[string][]byte{"generated-latency": latencyAnswer(b)}
	for _, name := range []string{"syn-latency", "syn-requests", "real-latency", "real-requests", "real-inbound", "real-tcp"} {
		if body, err := os.ReadFile("/tmp/" + name + ".json"); err == nil {
			bodies[name] = body
		}
	}
	for _, name := range []string{"generated-latency", "syn-latency", "syn-requests", "real-latency", "real-requests", "real-inbound", "real-tcp"} {
		body, ok := bodies[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := decodeAnswer(body, DefaultMaxSeries, false); !ok {
					b.Fatal("refused")
				}
			}
		})
	}
}
