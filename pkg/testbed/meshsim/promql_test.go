package meshsim_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// The backfilled window: long enough for rate(...[5m]) at the end, short enough to
// keep promtool and Prometheus fast.
const (
	historyLength = 20 * time.Minute
	historyStep   = 15 * time.Second
	rateWindow    = "5m"
)

// TestPromQLTruths backfills the example topologies in all three naming regimes into a
// real Prometheus and checks that PromQL returns the configured rates, error ratios,
// latency quantiles and byte rates.
func TestPromQLTruths(t *testing.T) {
	for _, example := range []string{"shop.yaml", "kubernetes.yaml"} {
		t.Run(example, func(t *testing.T) { testPromQLTruths(t, "../../../examples/topologies/"+example) })
	}
}

func testPromQLTruths(t *testing.T, topology string) {
	ctx := context.Background()
	topo, err := meshsim.Load(topology)
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now().Truncate(time.Minute)
	sim, err := meshsim.New(topo.PerRegime(), meshsim.Options{Start: end.Add(-historyLength)})
	if err != nil {
		t.Fatal(err)
	}
	data := promtest.Backfill(t, ctx, func(w io.Writer) error {
		return sim.WriteOpenMetrics(ctx, w, meshsim.BackfillOptions{End: end, Duration: historyLength, Step: historyStep})
	})
	prom := promtest.Start(t, promtest.Options{DataDir: data})
	rate := func(family, matchers string) string {
		return fmt.Sprintf("sum(rate(%s{%s}[%s]))", family, matchers, rateWindow)
	}
	for _, truth := range sim.Truths() {
		t.Run(fmt.Sprintf("%s/%s->%s", truth.Regime, truth.From, truth.To), func(t *testing.T) {
			m := truth.Matchers()
			value := func(q string) float64 { return prom.QueryValue(t, ctx, q, end) }
			checkClose(t, "tx bytes/s", value(rate("envoy_cluster_upstream_cx_tx_bytes_total", m)), truth.TxBytesPerSec)
			checkClose(t, "rx bytes/s", value(rate("envoy_cluster_upstream_cx_rx_bytes_total", m)), truth.RxBytesPerSec)
			if truth.RPS == 0 {
				return
			}
			total := rate("envoy_cluster_upstream_rq_total", m)
			checkClose(t, "requests/s", value(total), truth.RPS)
			checkClose(t, "5xx ratio", value(rate("envoy_cluster_upstream_rq_xx", m+`,envoy_response_code_class="5"`)+"/"+total), truth.ErrorRatio)
			if truth.Protocol == meshsim.ProtocolGRPC {
				checkClose(t, "gRPC failure ratio", value(rate("envoy_cluster_grpc_failure", m)+"/"+rate("envoy_cluster_grpc_total", m)), truth.GRPCFailureRatio)
			}
			for _, q := range []struct {
				name   string
				q      float64
				bounds func() (float64, float64)
			}{{"p50", 0.5, truth.P50}, {"p99", 0.99, truth.P99}} {
				got := value(fmt.Sprintf("histogram_quantile(%g, sum by (le) (rate(envoy_cluster_upstream_rq_time_bucket{%s}[%s])))", q.q, m, rateWindow))
				if lo, hi := q.bounds(); got < lo || got > hi {
					t.Errorf("%s = %g ms, want within the bucket [%g, %g]", q.name, got, lo, hi)
				}
			}
		})
	}
	for _, truth := range sim.ServiceTruths() {
		t.Run(fmt.Sprintf("%s/inbound %s", truth.Regime, truth.Service), func(t *testing.T) {
			m := truth.Matchers()
			value := func(q string) float64 { return prom.QueryValue(t, ctx, q, end) }
			if !truth.Protocol.IsHTTP() {
				checkClose(t, "received bytes/s", value(rate("envoy_tcp_downstream_cx_rx_bytes_total", m)), truth.RxBytesPerSec)
				checkClose(t, "sent bytes/s", value(rate("envoy_tcp_downstream_cx_tx_bytes_total", m)), truth.TxBytesPerSec)
				return
			}
			total := rate("envoy_http_downstream_rq_total", m)
			checkClose(t, "requests/s", value(total), truth.RPS)
			if truth.RPS > 0 {
				checkClose(t, "5xx ratio", value(rate("envoy_http_downstream_rq_xx", m+`,envoy_response_code_class="5"`)+"/"+total), truth.ErrorRatio)
			}
		})
	}
	t.Run("internal clusters are present", func(t *testing.T) {
		for _, r := range meshsim.Regimes {
			q := fmt.Sprintf(`count(envoy_cluster_upstream_rq_total{mesh="default-%s",envoy_cluster_name=~"ads_cluster|.*admin.*"})`, r)
			if got := prom.QueryValue(t, ctx, q, end); got == 0 {
				t.Errorf("%s: no internal clusters", r)
			}
		}
	})
}

// checkClose accepts 1% relative error (and float noise around zero).
func checkClose(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 0.01*math.Abs(want)+1e-9 {
		t.Errorf("%s = %g, want %g (±1%%)", what, got, want)
	}
}
