package e2e_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// TestMapAcrossAPrometheusUpgrade is a range spanning a Prometheus 2 → 3 upgrade in one
// real Prometheus: Envoy's le="1" buckets until the old server stopped, two minutes
// down, then the new one's le="1.0" (each finite bound two series, +Inf one). The map
// must say so in a notice and take its quantiles from the finite buckets, which still
// hold the truth's shape, instead of reading minutes or an hour.
func TestMapAcrossAPrometheusUpgrade(t *testing.T) {
	ctx := context.Background()
	const step = 15 * time.Second
	end := time.Now().Truncate(step)
	stop, restart := end.Add(-5*time.Minute), end.Add(-3*time.Minute)
	sim, err := meshsim.New(shopTopology(t), meshsim.Options{Regime: meshsim.RegimeLegacy, Start: end.Add(-20 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	cp := httptest.NewServer(sim.Handler())
	t.Cleanup(cp.Close)
	data := promtest.Backfill(t, ctx, func(w io.Writer) error {
		var before bytes.Buffer
		if err := sim.WriteOpenMetrics(ctx, &before, meshsim.BackfillOptions{End: stop, Duration: 15 * time.Minute, Step: step}); err != nil {
			return err
		}
		if _, err := w.Write(bytes.TrimSuffix(before.Bytes(), []byte("# EOF\n"))); err != nil {
			return err
		}
		return sim.WriteOpenMetrics(ctx, w, meshsim.BackfillOptions{End: end, Duration: end.Sub(restart), Step: step, Bounds: meshsim.BoundsOpenMetrics})
	})
	prom := promtest.Start(t, promtest.Options{DataDir: data})
	split, err := prom.Query(ctx, `count by (le) (last_over_time(envoy_cluster_upstream_rq_time_bucket{le=~"1(\\.0)?"}[10m]))`, end)
	if err != nil || len(split) != 2 {
		t.Fatalf("le=\"1\" and \"1.0\": %v (%v), want both (the split this test is about)", split, err)
	}

	p := e2e.Start(t, nil)
	inst := e2e.Instance{URL: cp.URL, JSONData: `{"prometheusUrl":"` + prom.URL + `"}`}
	resp, err := p.QueryData(ctx, inst, e2e.Query{RefID: "A", JSON: `{"queryType":"mesh-graph","mesh":"default"}`,
		From: end.Add(-10 * time.Minute).UnixMilli(), To: end.UnixMilli()})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	var said bool
	for _, n := range r.Frames[0].Meta.Notices {
		said = said || strings.Contains(n.Text, `"1" and "1.0"`)
	}
	if !said {
		t.Errorf("no notice of the split buckets: %+v", r.Frames[0].Meta.Notices)
	}
	edges := rows(t, r.Frames[1])
	eachEdge(t, sim.Truths(), edges, func(id string, truth meshsim.EdgeTruth, e map[string]any) {
		if truth.Protocol == meshsim.ProtocolTCP {
			return
		}
		for name, bucket := range map[string]func() (float64, float64){"detail__p50": truth.P50, "detail__p99": truth.P99} {
			if lo, hi := bucket(); !(num(e[name]) >= lo && num(e[name]) <= hi) {
				t.Errorf("%s %s = %v ms, want within the bucket [%v, %v]", id, name, num(e[name]), lo, hi)
			}
		}
		if v := num(e["detail__p95"]); !(v < 60_000) {
			t.Errorf("%s p95 = %v ms: the split buckets read as minutes", id, v)
		}
	})
}
