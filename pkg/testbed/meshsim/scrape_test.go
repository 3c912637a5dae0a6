package meshsim_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// TestLiveScrape lets a real Prometheus discover and scrape the simulator: every
// target must be up (so the exposition parses) and live rates must match the truths.
func TestLiveScrape(t *testing.T) {
	ctx := context.Background()
	shop, err := meshsim.Load("../../../examples/topologies/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := meshsim.New(shop.PerRegime(), meshsim.Options{Start: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	prom := promtest.Start(t, promtest.Options{Config: meshsim.ScrapeConfig(strings.TrimPrefix(srv.URL, "http://"), "1s")})

	targets := len(sim.Targets())
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := prom.Query(ctx, `count(up == 1)`, time.Now())
		if err == nil && len(res) == 1 && int(res[0].Value) == targets {
			break
		}
		if time.Now().After(deadline) {
			down, _ := prom.Query(ctx, `up == 0`, time.Now())
			t.Fatalf("not all %d targets up after 30s: %v (err %v); down: %v", targets, res, err, down)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // two more scrapes per target for irate()

	for _, truth := range sim.Truths() {
		if truth.RPS == 0 {
			continue
		}
		// irate: the window holds only a few seconds of samples, and rate() would
		// average them over the whole window.
		q := fmt.Sprintf(`sum(irate(envoy_cluster_upstream_rq_total{%s}[1m]))`, truth.Matchers())
		got := prom.QueryValue(t, ctx, q, time.Now())
		// Prometheus stamps a sample when the scrape starts, the simulator counts when it
		// answers: on a loaded machine the gap moves a one-second irate by a few percent.
		if got < truth.RPS*0.95 || got > truth.RPS*1.05 {
			t.Errorf("%s %s->%s: live rate %g, want %g (±5%%)", truth.Regime, truth.From, truth.To, got, truth.RPS)
		}
	}
	if got := prom.QueryValue(t, ctx, `sum(xds_streams_active{job="kuma-cp"})`, time.Now()); int(got) != len(sim.Targets())-1-len(shop.Zones) {
		t.Errorf("xds_streams_active = %g, want one stream per online proxy", got)
	}
}
