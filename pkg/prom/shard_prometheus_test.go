package prom_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

// TestShardsAnswerAsOneQuery asks a real Prometheus holding a simulated mesh for the
// map with and without shards, in each naming regime: the samples are the same.
func TestShardsAnswerAsOneQuery(t *testing.T) {
	for _, regime := range []meshsim.Regime{meshsim.RegimeLegacy, meshsim.RegimeUnified} {
		t.Run(string(regime), func(t *testing.T) {
			topo, err := meshsim.Generate(meshsim.GenerateOptions{Services: 12, FanOut: 2, Zones: 2, Seed: 17, Regime: regime})
			if err != nil {
				t.Fatal(err)
			}
			bed := meshsimtest.Start(t, topo, meshsimtest.Options{Sim: meshsim.Options{KumaVersion: 3}})
			q := prom.MeshQuery{Mesh: "default", From: bed.End.Add(-prom.MinWindow * 5), To: bed.End}
			fetch := func(opts ...prom.Option) sample.Set {
				c, err := prom.New(bed.PrometheusURL, &http.Client{}, opts...)
				if err != nil {
					t.Fatal(err)
				}
				set, err := c.FetchMeshSamples(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				return set
			}
			want := fetch()
			if want.Regime == naming.RegimeAuto || !slices.ContainsFunc(want.Samples, func(s sample.Sample) bool { return s.Kind == sample.LatencyBucket }) {
				t.Fatalf("unsharded map: regime %s, %d samples without latency buckets", want.Regime, len(want.Samples))
			}
			for _, n := range []int{2, 3, 4, 16} {
				got := fetch(prom.WithShards(n), prom.WithMaxConcurrentQueries(2))
				if got.Regime != want.Regime || len(got.Notices) != len(want.Notices) || !prom.SameSamples(got.Samples, want.Samples) {
					t.Errorf("%d shards: %d samples, regime %s, notices %v; want %d, %s, %v",
						n, len(got.Samples), got.Regime, got.Notices, len(want.Samples), want.Regime, want.Notices)
				}
			}
		})
	}
}
